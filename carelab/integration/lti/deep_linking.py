"""Deep Linking: an instructor picks a CareLab module, case or workshop plan inside the LMS,
and CareLab answers with a signed LtiDeepLinkingResponse holding one ltiResourceLink.

The request is kept (as a token's hash, DEEP_LINK_SECONDS) while the picker is open; the
picker posts the token back with the choice, and the token is used up when the response
is signed, so one request gives one response. A module's link carries a line item
(scoreMaximum SCORE_MAXIMUM), so the LMS makes a gradebook column that CareLab's scores
fill (carelab.integration.lti.grades).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from carelab.integration.lti import claims as c
from carelab.integration.lti import keys
from carelab.integration.lti.errors import LaunchRefused
from carelab.store import Connection
from carelab.store import lti as store

DEEP_LINK_SECONDS = 1800
RESPONSE_SECONDS = 600
SCORE_MAXIMUM = 100


@dataclass(frozen=True)
class Choice:
    """Something an instructor may link to: its kind, id and title."""

    kind: str  # "module", "case" or "workshop"
    id: str
    title: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_request(db: Connection, launch: c.Launch, now: float | None = None) -> str:
    """Keep a checked LtiDeepLinkingRequest for the picker; return the picker's token."""
    now = time.time() if now is None else now
    if not c.is_instructor(list(launch.roles)):
        raise LaunchRefused(
            "Only an instructor or content developer can choose CareLab content for a course.",
            status=403,
        )
    settings = launch.claims.get(c.DL_SETTINGS)
    if not isinstance(settings, dict) or not isinstance(settings.get("deep_link_return_url"), str):
        raise LaunchRefused("The Deep Linking request has no return address for the choice.")
    accepted = settings.get("accept_types") or []
    if "ltiResourceLink" not in accepted:
        raise LaunchRefused(
            "The platform does not accept LTI links from this Deep Linking request "
            "(accept_types lacks 'ltiResourceLink')."
        )
    token = secrets.token_urlsafe(32)
    data = settings.get("data")
    store.insert_deep_link(
        db,
        _hash(token),
        {"platform_id": launch.platform_id, "deployment_id": launch.deployment_id,
         "return_url": settings["deep_link_return_url"],
         "data": None if data is None else json.dumps(data),
         "expires_at": now + DEEP_LINK_SECONDS},
        now,
    )  # fmt: skip
    return token


def is_open(db: Connection, token: str, now: float | None = None) -> bool:
    """Whether a picker's token still stands for an open request."""
    return store.deep_link(db, _hash(token), time.time() if now is None else now) is not None


def content_item(choice: Choice, base_url: str) -> dict[str, Any]:
    """The ltiResourceLink for a choice, with a line item when it is a module."""
    item: dict[str, Any] = {
        "type": "ltiResourceLink",
        "title": choice.title,
        "url": f"{base_url.rstrip('/')}/lti/launch",
        "custom": {"carelab_kind": choice.kind, "carelab_id": choice.id},
    }
    if choice.kind == "module":
        item["lineItem"] = {
            "scoreMaximum": SCORE_MAXIMUM,
            "label": choice.title,
            "resourceId": f"module:{choice.id}",
            "tag": "carelab",
        }
    return item


def respond(
    db: Connection, token: str, choice: Choice, base_url: str, now: float | None = None
) -> tuple[str, str]:
    """Use up the request and sign the response; return (return URL, JWT)."""
    now = time.time() if now is None else now
    request = store.take_deep_link(db, _hash(token), now)
    if request is None:
        raise LaunchRefused(
            "This choice was already sent, or the page was open too long. Start again from "
            "the course's 'add activity' in the LMS.",
            status=410,
        )
    platform = store.platform(db, int(request["platform_id"]))
    if platform is None:
        raise LaunchRefused("The platform is no longer registered in CareLab.", 403)
    claims: dict[str, Any] = {
        "iss": platform["client_id"], "aud": platform["issuer"], "azp": platform["client_id"],
        "iat": int(now), "exp": int(now) + RESPONSE_SECONDS, "nonce": secrets.token_urlsafe(16),
        c.MESSAGE_TYPE: c.DEEP_LINKING_RESPONSE, c.VERSION: "1.3.0",
        c.DEPLOYMENT_ID: request["deployment_id"],
        c.DL_CONTENT_ITEMS: [content_item(choice, base_url)],
    }  # fmt: skip
    if request["data"] is not None:
        claims[c.DL_DATA] = json.loads(request["data"])
    return request["return_url"], keys.sign(db, claims)
