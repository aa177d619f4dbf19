"""The SQL behind LTI 1.3 (carelab.integration.lti): platforms, keys, login state, linked
accounts, launches and deep links. The grade outbox is in store/lti_grades.py."""

from __future__ import annotations

import json
from typing import Any

from carelab.store.connection import Connection


def _one(db: Connection, sql: str, params: list[Any]) -> dict[str, Any] | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


# --- platforms ----------------------------------------------------------------------------

_PLATFORM = (
    "SELECT id, issuer, client_id, deployment_ids, jwks_url, auth_url, token_url, jwks, "
    "jwks_fetched_at, created_at FROM lti_platforms "
)


def _platform(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is not None:
        row["deployment_ids"] = json.loads(row["deployment_ids"])
    return row


def insert_platform(db: Connection, row: dict[str, Any]) -> int | None:
    """Register a platform; return its id, or None if its issuer and client id are taken."""
    found = db.execute(
        "INSERT INTO lti_platforms (issuer, client_id, deployment_ids, jwks_url, auth_url, "
        "token_url, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        [row["issuer"], row["client_id"], json.dumps(row["deployment_ids"]), row["jwks_url"],
         row["auth_url"], row["token_url"], row["created_at"]],
    ).fetchall()  # fmt: skip
    return int(found[0][0]) if found else None


def platform(db: Connection, platform_id: int) -> dict[str, Any] | None:
    """One registered platform by id, or None."""
    return _platform(_one(db, _PLATFORM + "WHERE id = ?", [platform_id]))


def platform_for(db: Connection, issuer: str, client_id: str | None) -> dict[str, Any] | None:
    """The platform registered for an issuer (and client id, when the platform gives one).

    Without a client id, an issuer registered once is found; registered twice, it is
    ambiguous and None is returned (the caller says the platform must send client_id).
    """
    if client_id:
        return _platform(
            _one(db, _PLATFORM + "WHERE issuer = ? AND client_id = ?", [issuer, client_id])
        )
    rows = list(db.query(_PLATFORM + "WHERE issuer = ?", [issuer]))
    return _platform(rows[0]) if len(rows) == 1 else None


def platforms(db: Connection) -> list[dict[str, Any]]:
    """Every registered platform, oldest first."""
    return [_platform(r) for r in db.query(_PLATFORM + "ORDER BY created_at, id")]  # type: ignore[misc]


def delete_platform(db: Connection, platform_id: int) -> bool:
    """Remove a platform (its launches, states and queued grades go with it); whether it existed."""
    return db.execute("DELETE FROM lti_platforms WHERE id = ?", [platform_id]).rowcount > 0


def save_platform_keys(db: Connection, platform_id: int, jwks: dict[str, Any], now: float) -> None:
    """Keep the platform's key set as fetched now."""
    db.execute(
        "UPDATE lti_platforms SET jwks = ?, jwks_fetched_at = ? WHERE id = ?",
        [json.dumps(jwks), now, platform_id],
    )


# --- CareLab's signing keys ---------------------------------------------------------------


def insert_key(db: Connection, kid: str, private_pem: str, public_jwk: dict, now: float) -> None:
    """Store a new signing key."""
    db.execute(
        "INSERT INTO lti_tool_keys (kid, private_pem, public_jwk, created_at) VALUES (?, ?, ?, ?)",
        [kid, private_pem, json.dumps(public_jwk), now],
    )


def current_key(db: Connection) -> dict[str, Any] | None:
    """The newest key not retired (kid, private_pem), or None."""
    return _one(
        db,
        "SELECT kid, private_pem, created_at FROM lti_tool_keys WHERE retired_at IS NULL "
        "ORDER BY created_at DESC, kid LIMIT 1",
        [],
    )


def retire_keys(db: Connection, now: float) -> int:
    """Retire every current key; return how many."""
    return db.execute(
        "UPDATE lti_tool_keys SET retired_at = ? WHERE retired_at IS NULL", [now]
    ).rowcount


def published_keys(db: Connection, retired_since: float) -> list[dict[str, Any]]:
    """Public keys to publish: current ones and those retired since `retired_since`."""
    rows = db.query(
        "SELECT public_jwk FROM lti_tool_keys WHERE retired_at IS NULL OR retired_at >= ? "
        "ORDER BY created_at DESC",
        [retired_since],
    )
    return [json.loads(r["public_jwk"]) for r in rows]


def keys(db: Connection) -> list[dict[str, Any]]:
    """Every key's kid, created_at and retired_at, newest first (no private parts)."""
    return list(
        db.query("SELECT kid, created_at, retired_at FROM lti_tool_keys ORDER BY created_at DESC")
    )


# --- the OIDC login: state and nonce ------------------------------------------------------


def insert_state(
    db: Connection, state_hash: str, nonce: str, platform_id: int, expires_at: float, now: float
) -> None:
    """Remember a login's state (as its hash) and nonce until it expires; sweep old ones."""
    db.execute("DELETE FROM lti_login_states WHERE expires_at < ?", [now])
    db.execute(
        "INSERT INTO lti_login_states (state_hash, nonce, platform_id, expires_at) "
        "VALUES (?, ?, ?, ?)",
        [state_hash, nonce, platform_id, expires_at],
    )


def take_state(db: Connection, state_hash: str, now: float) -> dict[str, Any] | None:
    """Use up a login's state: its nonce and platform, or None if unknown, used or expired."""
    rows = list(
        db.query(
            "DELETE FROM lti_login_states WHERE state_hash = ? RETURNING nonce, platform_id, "
            "expires_at",
            [state_hash],
        )
    )
    if not rows or rows[0]["expires_at"] < now:
        return None
    return rows[0]


def use_nonce(db: Connection, platform_id: int, nonce: str, expires_at: float, now: float) -> bool:
    """Record a nonce as used; False if it had been used before (a replay)."""
    db.execute("DELETE FROM lti_used_nonces WHERE expires_at < ?", [now])
    return (
        db.execute(
            "INSERT INTO lti_used_nonces (platform_id, nonce, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [platform_id, nonce, expires_at],
        ).rowcount
        == 1
    )


# --- linked accounts and launches ---------------------------------------------------------


def linked_user(db: Connection, issuer: str, sub: str) -> int | None:
    """The CareLab account linked to a platform's user, or None."""
    row = _one(db, "SELECT user_id FROM lti_identities WHERE issuer = ? AND sub = ?", [issuer, sub])
    return None if row is None else int(row["user_id"])


def link_user(db: Connection, issuer: str, sub: str, user_id: int, now: float) -> None:
    """Link a platform's user to a CareLab account."""
    db.execute(
        "INSERT INTO lti_identities (issuer, sub, user_id, created_at) VALUES (?, ?, ?, ?)",
        [issuer, sub, user_id, now],
    )


def insert_launch(db: Connection, row: dict[str, Any]) -> int:
    """Record a launch; return its id."""
    found = db.execute(
        "INSERT INTO lti_launches (platform_id, user_id, sub, deployment_id, context_id, "
        "resource_link_id, target_kind, target_id, lineitem_url, launched_at) "
        "VALUES (:platform_id, :user_id, :sub, :deployment_id, :context_id, :resource_link_id, "
        ":target_kind, :target_id, :lineitem_url, :launched_at) RETURNING id",
        row,
    ).fetchall()
    return int(found[0][0])


def line_items_for(db: Connection, user_id: int, kind: str, target_id: str) -> list[dict[str, Any]]:
    """Each distinct line item the user launched this activity with: platform, URL, sub."""
    return list(
        db.query(
            "SELECT DISTINCT platform_id, lineitem_url, sub FROM lti_launches "
            "WHERE user_id = ? AND target_kind = ? AND target_id = ? AND lineitem_url IS NOT NULL "
            "ORDER BY platform_id, lineitem_url",
            [user_id, kind, target_id],
        )
    )


# --- Deep Linking requests ----------------------------------------------------------------


def insert_deep_link(db: Connection, token_hash: str, row: dict[str, Any], now: float) -> None:
    """Keep an open Deep Linking request (by its token's hash) until it expires."""
    db.execute("DELETE FROM lti_deep_links WHERE expires_at < ?", [now])
    db.execute(
        "INSERT INTO lti_deep_links (token_hash, platform_id, deployment_id, return_url, data, "
        "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        [token_hash, row["platform_id"], row["deployment_id"], row["return_url"], row["data"],
         row["expires_at"]],
    )  # fmt: skip


def take_deep_link(db: Connection, token_hash: str, now: float) -> dict[str, Any] | None:
    """Use up an open Deep Linking request, or None if unknown, used or expired."""
    rows = list(
        db.query(
            "DELETE FROM lti_deep_links WHERE token_hash = ? RETURNING platform_id, "
            "deployment_id, return_url, data, expires_at",
            [token_hash],
        )
    )
    if not rows or rows[0]["expires_at"] < now:
        return None
    return rows[0]


def deep_link(db: Connection, token_hash: str, now: float) -> dict[str, Any] | None:
    """An open Deep Linking request without using it up, or None."""
    return _one(
        db,
        "SELECT platform_id, deployment_id, return_url, data, expires_at FROM lti_deep_links "
        "WHERE token_hash = ? AND expires_at >= ?",
        [token_hash, now],
    )
