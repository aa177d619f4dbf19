"""Accounts, roles, sign-in sessions and the settings they need: the SQL behind carelab.auth."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from carelab.store.db import write_transaction

_SELECT_USER = (
    "SELECT id, email, display_name, password_hash, created_at, failed_signins, locked_until "
    "FROM users "
)


def _one(db: Database, sql: str, params: list[Any]) -> dict[str, Any] | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


def insert_user(
    db: Database, email: str, display_name: str, password_hash: str, now: float
) -> tuple[int, bool]:
    """Insert a user; the first user ever becomes admin. Return (id, became_admin)."""
    with write_transaction(db):
        first = db.execute("SELECT NOT EXISTS (SELECT 1 FROM users)").fetchone()[0] == 1
        cursor = db.execute(
            "INSERT INTO users (email, display_name, password_hash, created_at) "
            "VALUES (?, ?, ?, ?)",
            [email, display_name, password_hash, now],
        )
        user_id = int(cursor.lastrowid or 0)
        if first:
            db.execute(
                "INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, 'admin', ?)",
                [user_id, now],
            )
    return user_id, first


def email_exists(db: Database, email: str) -> bool:
    """Return whether an account uses this email (case-insensitive)."""
    return _one(db, "SELECT 1 AS x FROM users WHERE email = ?", [email]) is not None


def user_by_email(db: Database, email: str) -> dict[str, Any] | None:
    """Return the user row for an email, or None."""
    return _one(db, _SELECT_USER + "WHERE email = ?", [email])


def user_by_id(db: Database, user_id: int) -> dict[str, Any] | None:
    """Return the user row for an id, or None."""
    return _one(db, _SELECT_USER + "WHERE id = ?", [user_id])


def roles_of(db: Database, user_id: int) -> set[str]:
    """Return the roles granted to a user (learner is implied and not stored)."""
    rows = db.query("SELECT role FROM user_roles WHERE user_id = ?", [user_id])
    return {row["role"] for row in rows}


def list_users(db: Database) -> list[dict[str, Any]]:
    """Return every user with a comma-separated list of granted roles, oldest first."""
    return list(
        db.query(
            "SELECT u.id, u.email, u.display_name, u.created_at, "
            "COALESCE(GROUP_CONCAT(r.role, ','), '') AS roles "
            "FROM users u LEFT JOIN user_roles r ON r.user_id = u.id "
            "GROUP BY u.id ORDER BY u.id"
        )
    )


def grant_role(db: Database, user_id: int, role: str, granted_by: int | None, now: float) -> None:
    """Grant a role (idempotent)."""
    db.execute(
        "INSERT OR IGNORE INTO user_roles (user_id, role, granted_at, granted_by) "
        "VALUES (?, ?, ?, ?)",
        [user_id, role, now, granted_by],
    )


def revoke_role(db: Database, user_id: int, role: str) -> bool:
    """Revoke a role; refuse (return False) to remove the last admin."""
    with write_transaction(db):
        if role == "admin":
            admins = db.execute(
                "SELECT COUNT(*) FROM user_roles WHERE role = 'admin' AND user_id != ?",
                [user_id],
            ).fetchone()[0]
            if admins == 0:
                return False
        db.execute("DELETE FROM user_roles WHERE user_id = ? AND role = ?", [user_id, role])
    return True


def record_failed_sign_in(db: Database, user_id: int, lock_for: Any, now: float) -> int:
    """Count a failed sign-in and set the lock `lock_for(failures)` gives; return the count."""
    with write_transaction(db):
        failures = (
            db.execute("SELECT failed_signins FROM users WHERE id = ?", [user_id]).fetchone()[0] + 1
        )
        seconds = lock_for(failures)
        db.execute(
            "UPDATE users SET failed_signins = ?, locked_until = ? WHERE id = ?",
            [failures, now + seconds if seconds else None, user_id],
        )
    return int(failures)


def clear_failed_sign_ins(db: Database, user_id: int) -> None:
    """Reset the failure count after a successful sign-in."""
    db.execute("UPDATE users SET failed_signins = 0, locked_until = NULL WHERE id = ?", [user_id])


def set_password_hash(db: Database, user_id: int, password_hash: str) -> None:
    """Store a new password hash and end every session of that user."""
    with write_transaction(db):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user_id])
        db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])


def insert_session(
    db: Database, token_hash: str, user_id: int, now: float, expires_at: float
) -> None:
    """Record a sign-in session."""
    db.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        [token_hash, user_id, now, expires_at],
    )


def session_user_id(db: Database, token_hash: str, now: float) -> int | None:
    """Return the user id of a live session, or None."""
    row = _one(
        db,
        "SELECT user_id FROM sessions WHERE token_hash = ? AND expires_at > ?",
        [token_hash, now],
    )
    return int(row["user_id"]) if row else None


def delete_session(db: Database, token_hash: str) -> None:
    """End a session."""
    db.execute("DELETE FROM sessions WHERE token_hash = ?", [token_hash])


def delete_expired(db: Database, now: float) -> None:
    """Remove expired sessions and hand-off codes."""
    db.execute("DELETE FROM sessions WHERE expires_at <= ?", [now])
    db.execute("DELETE FROM sign_in_handoffs WHERE expires_at <= ?", [now])


def insert_handoff(db: Database, code_hash: str, user_id: int, expires_at: float) -> None:
    """Record a one-time code that the sign-in route exchanges for a cookie."""
    db.execute(
        "INSERT INTO sign_in_handoffs (code_hash, user_id, expires_at) VALUES (?, ?, ?)",
        [code_hash, user_id, expires_at],
    )


def consume_handoff(db: Database, code_hash: str, now: float) -> int | None:
    """Use up a hand-off code in one statement; return its user id if it was live."""
    # fetchall: a RETURNING statement only completes (and commits) once fully read.
    rows = db.execute(
        "DELETE FROM sign_in_handoffs WHERE code_hash = ? RETURNING user_id, expires_at",
        [code_hash],
    ).fetchall()
    if not rows or rows[0][1] <= now:
        return None
    return int(rows[0][0])


def setting(db: Database, key: str, make_default: Any) -> str:
    """Return a stored setting, storing `make_default()` first if it is not set yet."""
    # Read first: every page run reads the cookie key, and a write on each would fail
    # every page (not only saving) on a full or read-only disk.
    found = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    if found is not None:
        return str(found[0])
    db.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)", [key, make_default()])
    return str(db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()[0])


def admin_count(db: Database) -> int:
    """How many accounts hold the admin role."""
    return int(db.execute("SELECT COUNT(*) FROM user_roles WHERE role = 'admin'").fetchone()[0])
