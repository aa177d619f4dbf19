"""The platforms (LMSs) an administrator registered, and the URLs CareLab gives them.

A platform is known by its issuer and the client id it gave CareLab; it may have several
deployment ids (one per course or site where the tool was deployed). Validation collects
every problem, each naming its field, before anything is saved.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from carelab.integration.lti.errors import RegistrationError
from carelab.store import Connection
from carelab.store import lti as store

MAX_FIELD = 500
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class Platform:
    """A registered LMS: who it is, where its keys and endpoints are."""

    id: int
    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    jwks_url: str
    auth_url: str
    token_url: str
    created_at: float


def from_row(row: dict) -> Platform:
    """A Platform from its store row."""
    return Platform(
        id=int(row["id"]),
        issuer=row["issuer"],
        client_id=row["client_id"],
        deployment_ids=tuple(row["deployment_ids"]),
        jwks_url=row["jwks_url"],
        auth_url=row["auth_url"],
        token_url=row["token_url"],
        created_at=float(row["created_at"]),
    )


def url_problem(field: str, value: str) -> str | None:
    """Why `value` is not a usable address for `field` (https, or http on localhost), or None."""
    if not value:
        return f"{field}: required."
    if len(value) > MAX_FIELD:
        return f"{field}: longer than {MAX_FIELD} characters."
    parts = urlsplit(value)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return f"{field}: must be a full address starting with https:// (got '{value[:80]}')."
    if parts.scheme == "http" and parts.hostname not in _LOCAL_HOSTS:
        return f"{field}: must use https:// (plain http:// is allowed only for localhost)."
    return None


def validate(
    issuer: str, client_id: str, deployment_ids: list[str], jwks_url: str, auth_url: str,
    token_url: str,
) -> list[str]:  # fmt: skip
    """Every problem with a registration, each as "field: message"; empty when it is good."""
    problems = [
        p
        for p in (
            url_problem("Issuer", issuer),
            url_problem("Platform key set URL (JWKS)", jwks_url),
            url_problem("Authentication request URL", auth_url),
            url_problem("Access token URL", token_url),
        )
        if p
    ]
    if not client_id:
        problems.insert(1, "Client ID: required.")
    elif len(client_id) > MAX_FIELD:
        problems.insert(1, f"Client ID: longer than {MAX_FIELD} characters.")
    if not deployment_ids:
        problems.insert(2, "Deployment ID: at least one is required.")
    elif any(len(d) > MAX_FIELD for d in deployment_ids):
        problems.insert(2, f"Deployment ID: longer than {MAX_FIELD} characters.")
    return problems


def split_ids(text: str) -> list[str]:
    """Deployment ids typed as one text, separated by commas, spaces or new lines."""
    return [part for part in text.replace(",", " ").split() if part]


def add_platform(
    db: Connection, issuer: str, client_id: str, deployment_ids: list[str], jwks_url: str,
    auth_url: str, token_url: str, now: float | None = None,
) -> Platform:  # fmt: skip
    """Register a platform; raise RegistrationError listing every problem."""
    issuer, client_id, jwks_url = issuer.strip(), client_id.strip(), jwks_url.strip()
    auth_url, token_url = auth_url.strip(), token_url.strip()
    ids = list(dict.fromkeys(d.strip() for d in deployment_ids if d.strip()))
    problems = validate(issuer, client_id, ids, jwks_url, auth_url, token_url)
    if problems:
        raise RegistrationError(problems)
    row = {"issuer": issuer, "client_id": client_id, "deployment_ids": ids,
           "jwks_url": jwks_url, "auth_url": auth_url, "token_url": token_url,
           "created_at": time.time() if now is None else now}  # fmt: skip
    new_id = store.insert_platform(db, row)
    if new_id is None:
        raise RegistrationError(
            [f"Issuer and client ID: {issuer} with client ID {client_id} is already registered."]
        )
    return from_row({**row, "id": new_id})


def list_platforms(db: Connection) -> list[Platform]:
    """Every registered platform, oldest first."""
    return [from_row(r) for r in store.platforms(db)]


def remove_platform(db: Connection, platform_id: int) -> bool:
    """Remove a platform and what hangs on it (launches, queued grades); whether it existed."""
    return store.delete_platform(db, platform_id)


def tool_urls(base_url: str) -> dict[str, str]:
    """The addresses to paste into the LMS's tool registration, from CareLab's public URL."""
    base = base_url.rstrip("/")
    return {
        "Login initiation URL (OIDC)": f"{base}/lti/login",
        "Launch URL / redirect URI": f"{base}/lti/launch",
        "Deep Linking URL": f"{base}/lti/launch",
        "Public key set URL (JWKS)": f"{base}/lti/jwks",
        "Tool URL (target link)": f"{base}/lti/launch",
    }
