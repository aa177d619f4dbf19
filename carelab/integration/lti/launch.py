"""OIDC login initiation and the launch: every check on the platform's id_token, then the
account it signs in.

The login (step 1) remembers a random state (as its hash) and nonce for LOGIN_SECONDS and
sends the browser to the platform's authentication URL; the browser also keeps the state
in a cookie. The launch (step 2) accepts the id_token only if: the state is the one this
browser was given and has not been used; the token is signed by a key the platform
publishes (its JWKS, cached, refetched on an unknown key id); iss is the platform, aud
holds CareLab's client id (and azp names it when present); iat and exp hold with
CLOCK_SKEW_SECONDS of leeway; the nonce is the login's and is used for the first time;
the deployment id is registered; the LTI version is 1.3.0 and the message type one CareLab
handles. Each refusal is a LaunchRefused with a sentence for the person who clicked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import jwt

from carelab.credentials import clean_display_name
from carelab.errors import AuthError
from carelab.integration.lti import claims as c
from carelab.integration.lti import platform_keys
from carelab.integration.lti.errors import LaunchRefused
from carelab.store import Connection, accounts
from carelab.store import lti as store
from carelab.store.db import write_transaction

LOGIN_SECONDS = 600
CLOCK_SKEW_SECONDS = 60
NONCE_KEEP_SECONDS = 24 * 3600  # longer than any id_token lives
# A password hash that matches no password: verify_password refuses what it cannot parse.
NO_PASSWORD = "!lti"  # noqa: S105
OPEN_AGAIN = "Open the activity again from your course."


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def begin_login(
    db: Connection, params: dict[str, str], redirect_uri: str, now: float | None = None
) -> tuple[str, str]:
    """Check a platform's login initiation; return (URL to send the browser to, state)."""
    now = time.time() if now is None else now
    issuer, hint = params.get("iss", ""), params.get("login_hint", "")
    if not issuer or not hint:
        raise LaunchRefused(
            "This address starts a launch from an LMS; the request lacked 'iss' or "
            f"'login_hint'. {OPEN_AGAIN}"
        )
    platform = store.platform_for(db, issuer, params.get("client_id") or None)
    if platform is None:
        raise LaunchRefused(
            f"CareLab does not know the platform '{issuer[:200]}'"
            + (f" with client ID '{params['client_id'][:100]}'" if params.get("client_id") else "")
            + ". A CareLab administrator must register it first.",
            status=403,
        )
    deployment = params.get("lti_deployment_id")
    if deployment and deployment not in platform["deployment_ids"]:
        raise LaunchRefused(_unknown_deployment(deployment), status=403)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    store.insert_state(db, _hash(state), nonce, platform["id"], now + LOGIN_SECONDS, now)
    query = {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post",
        "prompt": "none", "client_id": platform["client_id"], "redirect_uri": redirect_uri,
        "login_hint": hint, "state": state, "nonce": nonce,
    }  # fmt: skip
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform["auth_url"] else "?"
    return platform["auth_url"] + separator + urlencode(query), state


def _unknown_deployment(deployment: str) -> str:
    return (
        f"The deployment '{deployment[:100]}' is not registered in CareLab for this platform. "
        "A CareLab administrator can add it to the platform's deployment IDs."
    )


_JWT_REFUSALS: tuple[tuple[type[Exception], str, int], ...] = (
    (jwt.ExpiredSignatureError, "The launch has expired (it is valid for a few minutes). "
     + OPEN_AGAIN, 401),
    (jwt.ImmatureSignatureError, "The launch says it was issued in the future: the LMS's "
     "clock or CareLab's is wrong.", 401),
    (jwt.InvalidAudienceError, "The launch was meant for another tool (its audience is not "
     "CareLab's client ID).", 401),
    (jwt.InvalidIssuerError, "The launch's issuer is not the platform that started the login.",
     401),
    (jwt.InvalidSignatureError, "The launch's signature does not match: it was altered or "
     "forged.", 401),
    (jwt.MissingRequiredClaimError, "The launch lacks a required claim", 400),
    (jwt.InvalidTokenError, "The launch is not a valid signed token.", 400),
)  # fmt: skip


def _decode(token: str, key: Any, platform: dict[str, Any]) -> dict[str, Any]:
    try:
        return jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=platform["client_id"],
            issuer=platform["issuer"],
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
        )
    except jwt.InvalidTokenError as exc:
        for kind, message, status in _JWT_REFUSALS:
            if isinstance(exc, kind):
                if kind is jwt.MissingRequiredClaimError:
                    message = f"{message}: '{exc.claim}'."
                raise LaunchRefused(message, status) from exc
        raise  # pragma: no cover - every InvalidTokenError is listed above


def _header(token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise LaunchRefused("The launch is not a valid signed token.", 400) from exc
    if header.get("alg") != "RS256":
        raise LaunchRefused("The launch must be signed with RS256.", 401)
    return header


def verify_launch(
    db: Connection, id_token: str, state: str, state_cookie: str | None, now: float | None = None
) -> c.Launch:
    """Check a launch (id_token and state) as the module docstring lists; return it."""
    now = time.time() if now is None else now
    if not id_token or not state:
        raise LaunchRefused(f"The launch came without an id_token or state. {OPEN_AGAIN}")
    if not state_cookie or not hmac.compare_digest(state_cookie, state):
        raise LaunchRefused(
            "This browser did not start this launch (its state cookie is missing or does "
            "not match). If CareLab opens inside your course page, your browser may block "
            "its cookie there: ask for the activity to open in a new window.",
            status=403,
        )
    login = store.take_state(db, _hash(state), now)
    if login is None:
        raise LaunchRefused(f"This launch was already used or has expired. {OPEN_AGAIN}", 403)
    platform = store.platform(db, int(login["platform_id"]))
    if platform is None:  # removed between the login and the launch
        raise LaunchRefused("The platform is no longer registered in CareLab.", 403)
    key = platform_keys.signing_key(db, platform, _header(id_token).get("kid"), now)
    body = _decode(id_token, key, platform)
    _check_body(db, body, platform, login["nonce"], now)
    return c.Launch(
        platform_id=int(platform["id"]), issuer=platform["issuer"],
        client_id=platform["client_id"], sub=str(body["sub"]),
        message_type=body[c.MESSAGE_TYPE], deployment_id=body[c.DEPLOYMENT_ID],
        name=c.display_name(body), roles=tuple(r for r in body.get(c.ROLES) or [] if
                                               isinstance(r, str)), claims=body,
    )  # fmt: skip


def _check_body(
    db: Connection, body: dict[str, Any], platform: dict[str, Any], nonce: str, now: float
) -> None:
    aud, azp = body["aud"], body.get("azp")
    needs_azp = isinstance(aud, list) and len(aud) > 1
    if (needs_azp or azp is not None) and azp != platform["client_id"]:
        raise LaunchRefused("The launch's authorised party (azp) is not CareLab.", 401)
    if not hmac.compare_digest(str(body["nonce"]), nonce):
        raise LaunchRefused(f"The launch's nonce is not the one CareLab sent. {OPEN_AGAIN}", 403)
    if not store.use_nonce(db, platform["id"], nonce, now + NONCE_KEEP_SECONDS, now):
        raise LaunchRefused(f"This launch was already used. {OPEN_AGAIN}", 403)
    if not str(body["sub"]).strip():
        raise LaunchRefused("The launch does not say who the user is (empty 'sub').", 400)
    if body.get(c.VERSION) != "1.3.0":
        raise LaunchRefused("CareLab accepts LTI 1.3 launches (version 1.3.0) only.", 400)
    deployment = body.get(c.DEPLOYMENT_ID)
    if not isinstance(deployment, str) or deployment not in platform["deployment_ids"]:
        raise LaunchRefused(_unknown_deployment(str(deployment)), 403)
    kind = body.get(c.MESSAGE_TYPE)
    if kind not in (c.RESOURCE_LINK_REQUEST, c.DEEP_LINKING_REQUEST):
        raise LaunchRefused(f"CareLab cannot handle the LTI message '{str(kind)[:60]}'.", 400)


def account_for(db: Connection, launch: c.Launch, now: float | None = None) -> int:
    """The CareLab account linked to the launch's user, made (with no password) on first launch.

    The platform's email is not used to find an existing account: a platform could claim
    any email, so linking by it would hand that account to whoever runs the platform.
    """
    now = time.time() if now is None else now
    grants = c.carelab_roles(list(launch.roles))
    with write_transaction(db):
        user_id = store.linked_user(db, launch.issuer, launch.sub)
        if user_id is None:
            email = f"lti-{_hash(launch.issuer + ' ' + launch.sub)[:24]}@lti.invalid"
            user_id = accounts.insert_user(db, email, _name(launch.name), NO_PASSWORD, now)
            if user_id is None:
                raise LaunchRefused("CareLab could not make an account for this launch.", 409)
            store.link_user(db, launch.issuer, launch.sub, user_id, now)
        for role in sorted(grants):
            accounts.grant_role(db, user_id, role, None, now)
    return user_id


def _name(name: str) -> str:
    try:
        return clean_display_name(name)
    except AuthError:  # only invisible characters: a neutral name instead
        return "Learner from the LMS"


def record_launch(
    db: Connection,
    launch: c.Launch,
    user_id: int,
    target: tuple[str, str],
    now: float | None = None,
) -> int:
    """Keep the launch (its line item above all, for grades); return its id."""
    return store.insert_launch(
        db,
        {"platform_id": launch.platform_id, "user_id": user_id, "sub": launch.sub,
         "deployment_id": launch.deployment_id, "context_id": launch.context_id,
         "resource_link_id": launch.resource_link_id, "target_kind": target[0],
         "target_id": target[1], "lineitem_url": launch.lineitem_url,
         "launched_at": time.time() if now is None else now},
    )  # fmt: skip
