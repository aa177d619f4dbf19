"""LTI Dynamic Registration (1EdTech, v1.0): an LMS registers CareLab by itself.

The LMS administrator pastes CareLab's registration URL into the LMS (Moodle: Site
administration → Plugins → Activity modules → External tool → Manage tools → "Tool URL" →
"Add LTI Advantage"). The LMS opens it with `openid_configuration` (where its OpenID
configuration is) and `registration_token`. CareLab fetches that configuration, checks the
issuer's domain is the configuration URL's (the spec's rule), POSTs its own registration
to the platform's registration endpoint with the token as Bearer, and keeps the client id
and deployment id it gets back, with the platform's endpoints, as one registered platform.

Who may register: only someone holding a one-time link an administrator made (admin page
or `carelab lti registration-link`): /lti/register/<code>. Without it, anyone could point
CareLab at an LMS they run and have its launches accepted. The code is kept only as a
hash, works once, and expires (LINK_HOURS by default); a failed registration frees it again.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from carelab.integration.lti import registration
from carelab.integration.lti.errors import LaunchRefused, RegistrationError
from carelab.integration.lti.registration import Platform
from carelab.store import Connection, lti_links

LINK_HOURS = 24.0
MAX_LINK_HOURS = 24.0 * 14
CLAIM_SECONDS = 60.0
HTTP_TIMEOUT_SECONDS = 10
MAX_BYTES = 256 * 1024
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
# CareLab posts scores to the line items Deep Linking created; it reads nothing back.
SCOPES = ("https://purl.imsglobal.org/spec/lti-ags/scope/score",)
# What a launch uses: who (sub, name) and from where (iss). No email: CareLab never uses it.
CLAIMS = ("iss", "sub", "name", "given_name", "family_name")
_REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri",
             "registration_endpoint")  # fmt: skip


@dataclass(frozen=True)
class Registered:
    """The outcome of a dynamic registration: the platform as kept, and the LMS's product."""

    platform: Platform
    product: str


def code_hash(code: str) -> str:
    """The stored form of a link's code."""
    return hashlib.sha256(code.encode()).hexdigest()


def make_link(db: Connection, base_url: str, created_by: int | None,
              hours: float = LINK_HOURS, now: float | None = None) -> str:  # fmt: skip
    """A new one-time registration URL, valid for `hours`; shown once, kept only hashed."""
    if not 0 < hours <= MAX_LINK_HOURS:
        raise RegistrationError([f"Hours: between 0 and {MAX_LINK_HOURS:g} (got {hours:g})."])
    now = time.time() if now is None else now
    code = secrets.token_urlsafe(24)
    lti_links.insert(db, code_hash(code), created_by, now, now + hours * 3600)
    return f"{base_url.rstrip('/')}/lti/register/{code}"


def tool_registration(base_url: str) -> dict[str, Any]:
    """CareLab's client registration document (the spec's section 3.6), from its public URL."""
    base = base_url.rstrip("/")
    launch = f"{base}/lti/launch"
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": f"{base}/lti/login",
        "redirect_uris": [launch],
        "client_name": "CareLab",
        "jwks_uri": f"{base}/lti/jwks",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(SCOPES),
        TOOL_CONFIGURATION: {
            "domain": urlsplit(base).netloc,
            "description": "Clinician training: modules, case studies and live workshops.",
            "target_link_uri": launch,
            "claims": list(CLAIMS),
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": launch},
                {
                    "type": "LtiDeepLinkingRequest",
                    "target_link_uri": launch,
                    "label": "CareLab content",
                },
            ],
        },
    }


def _http(url: str, token: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310
    what = "registration endpoint" if body is not None else "OpenID configuration"
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
            document = json.loads(response.read(MAX_BYTES))
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace")
        raise LaunchRefused(
            f"The platform's {what} ({url}) answered {exc.code}: {detail}. If the LMS says the "
            "registration token expired, start the registration again in the LMS.", 502
        ) from exc  # fmt: skip
    except (urllib.error.URLError, OSError) as exc:
        raise LaunchRefused(f"CareLab could not reach the platform's {what} ({url}): {exc}.",
                            502) from exc  # fmt: skip
    except ValueError as exc:
        raise LaunchRefused(f"The platform's {what} ({url}) did not answer JSON.", 502) from exc
    if not isinstance(document, dict):
        raise LaunchRefused(f"The platform's {what} ({url}) did not answer a JSON object.", 502)
    return document


def check_configuration(config_url: str, config: dict[str, Any]) -> list[str]:
    """Every problem with a platform's OpenID configuration; empty when CareLab can use it."""
    problems = [f"{name}: missing from the platform's OpenID configuration."
                for name in _REQUIRED if not isinstance(config.get(name), str)]  # fmt: skip
    if problems:
        return problems
    for name in _REQUIRED:
        if problem := registration.url_problem(name, config[name]):
            problems.append(problem)
    issuer_host = (urlsplit(config["issuer"]).hostname or "").lower()
    if issuer_host != (urlsplit(config_url).hostname or "").lower():
        problems.append(
            f"issuer: {config['issuer'][:120]} is not on the domain of the configuration URL "
            f"({urlsplit(config_url).hostname}); the spec requires the same domain."
        )
    methods = config.get("token_endpoint_auth_methods_supported")
    if isinstance(methods, list) and "private_key_jwt" not in methods:
        problems.append("token_endpoint_auth_methods_supported: private_key_jwt is not offered, "
                        "and CareLab signs its token requests (private_key_jwt).")  # fmt: skip
    return problems


def _product(config: dict[str, Any]) -> str:
    platform = config.get(PLATFORM_CONFIGURATION)
    if isinstance(platform, dict):
        name = " ".join(str(platform.get(k) or "") for k in ("product_family_code", "version"))
        return name.strip()[:100]
    return ""


def _refuse_link(db: Connection, hashed: str, now: float) -> LaunchRefused:
    found = lti_links.state(db, hashed)
    ask = "Ask a CareLab administrator for a new registration link."
    if found is None:
        return LaunchRefused(f"This registration link is not one CareLab made. {ask}", 403)
    if found["used_at"] is not None:
        return LaunchRefused(f"This registration link was already used. {ask}", 410)
    if found["expires_at"] <= now:
        return LaunchRefused(f"This registration link has expired. {ask}", 410)
    return LaunchRefused("A registration with this link is under way; try again in a minute.", 409)


def register(db: Connection, code: str, config_url: str, token: str, base_url: str,
             now: float | None = None) -> Registered:  # fmt: skip
    """Run a dynamic registration for a one-time link's code; LaunchRefused says why not."""
    now = time.time() if now is None else now
    if not config_url:
        raise LaunchRefused(
            "The LMS did not say where its configuration is (no openid_configuration). Open "
            "this link from the LMS's 'Register tool' / 'Add LTI Advantage' step.", 400
        )  # fmt: skip
    if problem := registration.url_problem("openid_configuration", config_url):
        raise LaunchRefused(problem, 400)
    hashed = code_hash(code)
    if not lti_links.claim(db, hashed, now, CLAIM_SECONDS):
        raise _refuse_link(db, hashed, now)
    try:
        config = _http(config_url, token)
        if problems := check_configuration(config_url, config):
            raise LaunchRefused("The platform's configuration cannot be used: "
                                + " ".join(problems), 502)  # fmt: skip
        answer = _http(config["registration_endpoint"], token, tool_registration(base_url))
        client_id = str(answer.get("client_id") or "")
        tool = answer.get(TOOL_CONFIGURATION)
        deployment = str(tool.get("deployment_id") or "") if isinstance(tool, dict) else ""
        if not client_id or not deployment:
            raise LaunchRefused(
                "The platform accepted the registration but gave no client_id or deployment_id; "
                "register CareLab by hand with the values the LMS shows.", 502
            )  # fmt: skip
        try:
            made = registration.add_platform(
                db, config["issuer"], client_id, [deployment], config["jwks_uri"],
                config["authorization_endpoint"], config["token_endpoint"], now=now,
            )  # fmt: skip
        except RegistrationError as exc:
            kept = "CareLab could not keep this registration: "
            raise LaunchRefused(kept + str(exc), 409) from exc
    except BaseException:
        lti_links.release(db, hashed)
        raise
    lti_links.mark_used(db, hashed, made.id, time.time())
    return Registered(made, _product(config))
