"""CareLab's own signing keys: RSA 2048, private part in the database, public part in the JWKS.

Platforms check CareLab's Deep Linking responses and AGS token requests against the JWKS
at /lti/jwks. Rotation makes a new key current at once and keeps the retired one in the
JWKS for RETIRED_KEEP_SECONDS, so a platform that cached the old key set still verifies
messages signed just before the rotation, and one that refetches on an unknown kid finds
the new key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from carelab.store import Connection
from carelab.store import lti as store
from carelab.store.db import write_transaction

ALGORITHM = "RS256"
RETIRED_KEEP_SECONDS = 7 * 86_400  # a week: longer than any platform's key-set cache


def _new_key() -> tuple[str, str, dict[str, Any]]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    kid = _thumbprint(public)
    public.update({"kid": kid, "alg": ALGORITHM, "use": "sig"})
    return kid, pem, public


def _thumbprint(public: dict[str, Any]) -> str:
    """The RFC 7638 thumbprint of an RSA public JWK, as its key id."""
    members = json.dumps({k: public[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
    digest = hashlib.sha256(members.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def current(db: Connection, now: float | None = None) -> tuple[str, str]:
    """The current key's (kid, private PEM), made on first use."""
    found = store.current_key(db)
    if found is not None:
        return found["kid"], found["private_pem"]
    with write_transaction(db):
        found = store.current_key(db)  # another process may have made it meanwhile
        if found is not None:
            return found["kid"], found["private_pem"]
        kid, pem, public = _new_key()
        store.insert_key(db, kid, pem, public, time.time() if now is None else now)
        return kid, pem


def rotate(db: Connection, now: float | None = None) -> str:
    """Retire the current key and make a new one current; return the new kid."""
    now = time.time() if now is None else now
    kid, pem, public = _new_key()
    with write_transaction(db):
        store.retire_keys(db, now)
        store.insert_key(db, kid, pem, public, now)
    return kid


def jwks(db: Connection, now: float | None = None) -> dict[str, list[dict[str, Any]]]:
    """The key set to publish: the current key and keys retired within RETIRED_KEEP_SECONDS."""
    now = time.time() if now is None else now
    current(db, now)
    return {"keys": store.published_keys(db, now - RETIRED_KEEP_SECONDS)}


def sign(db: Connection, claims: dict[str, Any]) -> str:
    """Sign claims as a JWT with the current key (RS256, kid in the header)."""
    kid, pem = current(db)
    return jwt.encode(claims, pem, algorithm=ALGORITHM, headers={"kid": kid})
