"""The SQL behind LTI Dynamic Registration's one-time links (carelab.integration.lti.dynamic).

A link is found by the SHA-256 of its code (the code itself is never stored). Claiming is
one UPDATE ... WHERE claimed_until < now AND used_at IS NULL ... RETURNING, so two LMSs
racing with the same link cannot both register: the loser sees the link as busy or used.
"""

from __future__ import annotations

from typing import Any

from carelab.store.connection import Connection


def insert(db: Connection, code_hash: str, created_by: int | None, now: float,
           expires_at: float) -> None:  # fmt: skip
    """Keep a new link (by its code's hash) until `expires_at`."""
    db.execute(
        "INSERT INTO lti_registration_links (code_hash, created_by, created_at, expires_at) "
        "VALUES (?, ?, ?, ?)",
        [code_hash, created_by, now, expires_at],
    )


def state(db: Connection, code_hash: str) -> dict[str, Any] | None:
    """The link's row (expiry, claim, use), or None if there is no such link."""
    rows = list(
        db.query(
            "SELECT code_hash, created_at, expires_at, claimed_until, used_at, platform_id "
            "FROM lti_registration_links WHERE code_hash = ?",
            [code_hash],
        )
    )
    return rows[0] if rows else None


def claim(db: Connection, code_hash: str, now: float, lease: float) -> bool:
    """Hold an open, unexpired, unused link for one registration; whether this call got it."""
    found = db.execute(
        "UPDATE lti_registration_links SET claimed_until = ? WHERE code_hash = ? "
        "AND used_at IS NULL AND expires_at > ? AND claimed_until < ? RETURNING code_hash",
        [now + lease, code_hash, now, now],
    ).fetchall()
    return bool(found)


def release(db: Connection, code_hash: str) -> None:
    """Let a claimed link be used again (the registration failed before anything was kept)."""
    db.execute(
        "UPDATE lti_registration_links SET claimed_until = 0 WHERE code_hash = ? "
        "AND used_at IS NULL",
        [code_hash],
    )


def mark_used(db: Connection, code_hash: str, platform_id: int, now: float) -> None:
    """The link registered `platform_id`: it never works again."""
    db.execute(
        "UPDATE lti_registration_links SET used_at = ?, platform_id = ?, claimed_until = 0 "
        "WHERE code_hash = ?",
        [now, platform_id, code_hash],
    )


def open_count(db: Connection, now: float) -> int:
    """How many links are still unused and unexpired."""
    rows = db.execute(
        "SELECT COUNT(*) FROM lti_registration_links WHERE used_at IS NULL AND expires_at > ?",
        [now],
    ).fetchall()
    return int(rows[0][0])


def revoke_open(db: Connection, now: float) -> int:
    """End every unused link at once; how many were open."""
    return db.execute(
        "UPDATE lti_registration_links SET expires_at = ? WHERE used_at IS NULL AND expires_at > ?",
        [now, now],
    ).rowcount
