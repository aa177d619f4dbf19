"""A platform's public keys (its JWKS), fetched from its key set URL and cached in the database.

The cache is shared by every CareLab process. An id_token signed with a key id the cache
does not hold makes CareLab refetch the key set (the platform may have rotated its keys),
but at most once every REFRESH_AFTER_SECONDS per platform, so a stream of forged tokens
with made-up key ids cannot make CareLab hammer the platform.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import jwt

from carelab.integration.lti.errors import LaunchRefused
from carelab.store import Connection
from carelab.store import lti as store

FETCH_TIMEOUT_SECONDS = 5
MAX_AGE_SECONDS = 24 * 3600
REFRESH_AFTER_SECONDS = 30
MAX_BYTES = 256 * 1024


def fetch(url: str) -> dict[str, Any]:
    """GET a JWKS document; raise LaunchRefused (503) saying what went wrong."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
            document = json.loads(response.read(MAX_BYTES))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise LaunchRefused(
            f"CareLab could not read the platform's public keys from {url} ({exc}). "
            "Ask the LMS administrator to check the key set URL registered in CareLab.",
            status=503,
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise LaunchRefused(
            f"The platform's key set at {url} is not a JWKS document (no 'keys' list).", 503
        )
    return document


def _find(jwks: dict[str, Any] | None, kid: str | None) -> dict[str, Any] | None:
    if not jwks:
        return None
    keys = [k for k in jwks.get("keys", []) if isinstance(k, dict)]
    if kid is None:
        return keys[0] if len(keys) == 1 else None
    return next((k for k in keys if k.get("kid") == kid), None)


def signing_key(db: Connection, platform: dict[str, Any], kid: str | None, now: float) -> Any:
    """The platform's public key for `kid`, from the cache or a fresh fetch."""
    cached = json.loads(platform["jwks"]) if platform.get("jwks") else None
    fetched_at = platform.get("jwks_fetched_at") or 0.0
    found = _find(cached, kid) if now - fetched_at < MAX_AGE_SECONDS else None
    if found is None and (cached is None or now - fetched_at >= REFRESH_AFTER_SECONDS):
        fresh = fetch(platform["jwks_url"])
        store.save_platform_keys(db, platform["id"], fresh, now)
        found = _find(fresh, kid)
    if found is None:
        raise LaunchRefused(
            "The launch was signed with a key the platform does not publish "
            f"(key id '{kid}'). It may have been forged or altered.",
            status=401,
        )
    try:
        return jwt.PyJWK(found).key
    except (jwt.PyJWKError, jwt.InvalidKeyError) as exc:
        raise LaunchRefused(f"The platform publishes a key CareLab cannot use: {exc}", 502) from exc
