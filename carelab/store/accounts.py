"""Accounts, roles, sign-in sessions and the settings they need: the SQL behind carelab.auth."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from carelab.store.connection import Connection
from carelab.store.db import write_transaction

_SELECT_USER = "SELECT id, email, display_name, password_hash, created_at FROM users "


def _one(db: Connection, sql: str, params: list[Any]) -> dict[str, Any] | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


def insert_user(
    db: Connection, email: str, display_name: str, password_hash: str, now: float
) -> int | None:
    """Insert a learner; return the new id, or None if the email is taken (any case)."""
    # No conflict target: the unique email is a NOCASE column on SQLite and an index on
    # lower(email) on PostgreSQL. fetchall: RETURNING completes only once read.
    rows = db.execute(
        "INSERT INTO users (email, display_name, password_hash, created_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        [email, display_name, password_hash, now],
    ).fetchall()
    return int(rows[0][0]) if rows else None


def _email_is(db: Connection) -> str:
    """A case-insensitive email comparison that uses each database's unique index."""
    return "email = ?" if db.dialect == "sqlite" else "lower(email) = lower(?)"


def email_exists(db: Connection, email: str) -> bool:
    """Return whether an account uses this email (case-insensitive)."""
    query = f"SELECT 1 AS x FROM users WHERE {_email_is(db)}"  # noqa: S608 - fixed text
    return _one(db, query, [email]) is not None


def user_by_email(db: Connection, email: str) -> dict[str, Any] | None:
    """Return the user row for an email, or None."""
    return _one(db, _SELECT_USER + f"WHERE {_email_is(db)}", [email])


def user_by_id(db: Connection, user_id: int) -> dict[str, Any] | None:
    """Return the user row for an id, or None."""
    return _one(db, _SELECT_USER + "WHERE id = ?", [user_id])


def _joined(db: Connection, column: str) -> str:
    """An aggregate joining a group's values with commas, in each database's words."""
    if db.dialect == "sqlite":
        return f"GROUP_CONCAT({column}, ',')"
    return f"STRING_AGG({column}, ',' ORDER BY {column})"


def roles_of(db: Connection, user_id: int) -> set[str]:
    """Return the roles granted to a user (learner is implied and not stored)."""
    rows = db.query("SELECT role FROM user_roles WHERE user_id = ?", [user_id])
    return {row["role"] for row in rows}


def list_users(db: Connection) -> list[dict[str, Any]]:
    """Return every user with a comma-separated list of granted roles, oldest first."""
    return list(
        db.query(
            "SELECT u.id, u.email, u.display_name, u.created_at, "  # noqa: S608 - fixed text
            f"COALESCE({_joined(db, 'r.role')}, '') AS roles "
            "FROM users u LEFT JOIN user_roles r ON r.user_id = u.id "
            "GROUP BY u.id ORDER BY u.id"
        )
    )


def grant_role(db: Connection, user_id: int, role: str, granted_by: int | None, now: float) -> None:
    """Grant a role (idempotent); for the shell and tests, where nobody's authority is checked."""
    db.execute(
        "INSERT INTO user_roles (user_id, role, granted_at, granted_by) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [user_id, role, now, granted_by],
    )


def _is_admin(db: Connection, user_id: int) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM user_roles WHERE user_id = ? AND role = 'admin'", [user_id]
        ).fetchone()
        is not None
    )


def _last_admin(db: Connection, user_id: int) -> bool:
    others = db.execute(
        "SELECT COUNT(*) FROM user_roles WHERE role = 'admin' AND user_id != ?", [user_id]
    ).fetchone()[0]
    return others == 0 and _is_admin(db, user_id)


def change_role(
    db: Connection, actor_id: int, user_id: int, role: str, granted: bool, now: float
) -> str:
    """Grant or revoke one role as `actor_id`, all checked in one write transaction."""
    return change_roles(db, actor_id, user_id, {role: granted}, now)


def change_roles(
    db: Connection, actor_id: int, user_id: int, changes: dict[str, bool], now: float
) -> str:
    """Grant (True) or revoke (False) roles as `actor_id`, all in one write transaction.

    Return "done", or why nothing changed: "not-admin" (the actor is no longer an
    administrator), "no-user", or "last-admin" (revoking it would leave no administrator).
    Two admins revoking each other at once take turns on the write lock, so the second one
    sees the first one's change and is refused.
    """
    try:
        with write_transaction(db):
            if not _is_admin(db, actor_id):
                return "not-admin"
            if db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is None:
                return "no-user"
            for role, granted in changes.items():
                if granted:
                    grant_role(db, user_id, role, actor_id, now)
                elif role == "admin" and _last_admin(db, user_id):
                    raise _Refused("last-admin")  # rolls back the roles granted before it
                else:
                    db.execute(
                        "DELETE FROM user_roles WHERE user_id = ? AND role = ?", [user_id, role]
                    )
    except _Refused as refused:
        return str(refused)
    return "done"


class _Refused(Exception):
    """Raised inside a write transaction to roll it back; its text is the outcome."""


def delete_user(db: Connection, user_id: int) -> bool:
    """Delete an account and everything it wrote, unless it is the last administrator.

    The check and the delete share one write transaction, so two administrators deleting
    their accounts at once cannot both go. Certificates already issued stay verifiable,
    without the name. Return whether the account was deleted.
    """
    with write_transaction(db):
        if _last_admin(db, user_id):
            return False
        db.execute(
            "UPDATE certificates SET learner_name = NULL, user_id = NULL WHERE user_id = ?",
            [user_id],
        )
        db.execute("DELETE FROM users WHERE id = ?", [user_id])
    return True


# --- sign-in and sign-up attempts ------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """At most `count` attempts within `seconds` (for one key: an address, an email, both)."""

    count: int
    seconds: float


@dataclass(frozen=True)
class Reservation:
    """The answer to "may this attempt go ahead?": wait 0 means it was recorded."""

    wait: float
    blocked_by: str = ""
    email_failures: int = 0


_SCOPES = {
    "address": ("address = ?", lambda email, address: [address]),
    "pair": ("email_key = ? AND address = ?", lambda email, address: [email, address]),
}


def reserve_attempt(
    db: Connection,
    kind: str,
    email_key: str,
    address: str,
    now: float,
    limits: dict[str, Limit],
    email_delay: Callable[[int], float] | None = None,
    forget_after: float = 86_400,
) -> Reservation:
    """Check the limits and record the attempt in one write transaction, or refuse it.

    Recording before the password is checked is what makes the limits hold when many
    requests arrive together: each one sees the ones before it. `email_delay(n)` is how
    long after the latest of n recorded attempts on this email the next one must wait.
    A refused attempt is not recorded, so hammering a limit does not extend it.
    """
    with write_transaction(db):
        db.execute("DELETE FROM auth_attempts WHERE attempted_at < ?", [now - forget_after])
        wait, blocked_by = 0.0, ""
        for scope, limit in limits.items():
            where, params = _SCOPES[scope]
            row = db.execute(
                f"SELECT attempted_at FROM auth_attempts WHERE kind = ? AND {where} "  # noqa: S608
                "AND attempted_at > ? ORDER BY attempted_at DESC LIMIT 1 OFFSET ?",
                [kind, *params(email_key, address), now - limit.seconds, limit.count - 1],
            ).fetchone()
            if row is not None and row[0] + limit.seconds - now > wait:
                wait, blocked_by = row[0] + limit.seconds - now, scope
        failures = 0
        if email_delay is not None:
            failures, latest = db.execute(
                "SELECT COUNT(*), MAX(attempted_at) FROM auth_attempts "
                "WHERE kind = ? AND email_key = ?",
                [kind, email_key],
            ).fetchone()
            # Only a real delay counts: with none due, an attempt recorded a moment "later"
            # by a request that took the lock first must not refuse this one.
            delay = email_delay(failures) if failures else 0
            if delay > 0 and latest + delay - now > wait:
                wait, blocked_by = latest + delay - now, "email"
        if wait > 0:
            return Reservation(wait, blocked_by, failures)
        db.execute(
            "INSERT INTO auth_attempts (kind, email_key, address, attempted_at) "
            "VALUES (?, ?, ?, ?)",
            [kind, email_key, address, now],
        )
    return Reservation(0.0, "", failures + 1)


def clear_attempts(db: Connection, kind: str, email_key: str) -> None:
    """Forget an email's recorded attempts (after its password was right)."""
    db.execute("DELETE FROM auth_attempts WHERE kind = ? AND email_key = ?", [kind, email_key])


# --- first run ------------------------------------------------------------------------


def replace_setup_token(db: Connection, token_hash: str, now: float) -> bool:
    """Keep `token_hash` as the only setup token if there is no administrator yet.

    Return False (and forget every setup token) when an administrator exists.
    """
    with write_transaction(db):
        db.execute("DELETE FROM setup_tokens")
        if db.execute("SELECT 1 FROM user_roles WHERE role = 'admin'").fetchone():
            return False
        db.execute(
            "INSERT INTO setup_tokens (token_hash, created_at) VALUES (?, ?)", [token_hash, now]
        )
    return True


def setup_token_state(db: Connection, token_hash: str) -> str:
    """Say what a setup link can do: "ready", "has-admin" or "unknown" (used or replaced)."""
    if db.execute("SELECT 1 FROM user_roles WHERE role = 'admin'").fetchone():
        return "has-admin"
    found = db.execute("SELECT 1 FROM setup_tokens WHERE token_hash = ?", [token_hash])
    return "ready" if found.fetchone() else "unknown"


def create_first_admin(
    db: Connection, token_hash: str, email: str, display_name: str, password_hash: str, now: float
) -> tuple[str, int | None]:
    """Use up a setup token to create the first administrator, all in one write transaction.

    Return ("done", id) or, with None, "has-admin", "unknown" (token used or replaced) or
    "email-taken".
    """
    with write_transaction(db):
        state = setup_token_state(db, token_hash)
        if state != "ready":
            return state, None
        user_id = insert_user(db, email, display_name, password_hash, now)
        if user_id is None:
            return "email-taken", None  # the token stays: the link works with another email
        grant_role(db, user_id, "admin", None, now)
        db.execute("DELETE FROM setup_tokens")
    return "done", user_id


def set_password_hash(db: Connection, user_id: int, password_hash: str) -> None:
    """Store a new password hash and end every session of that user."""
    with write_transaction(db):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user_id])
        db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])


def insert_session(
    db: Connection, token_hash: str, user_id: int, now: float, expires_at: float
) -> None:
    """Record a sign-in session."""
    db.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        [token_hash, user_id, now, expires_at],
    )


def session_user_id(db: Connection, token_hash: str, now: float) -> int | None:
    """Return the user id of a live session, or None."""
    row = _one(
        db,
        "SELECT user_id FROM sessions WHERE token_hash = ? AND expires_at > ?",
        [token_hash, now],
    )
    return int(row["user_id"]) if row else None


def delete_session(db: Connection, token_hash: str) -> None:
    """End a session."""
    db.execute("DELETE FROM sessions WHERE token_hash = ?", [token_hash])


def delete_expired(db: Connection, now: float) -> None:
    """Remove expired sessions and hand-off codes."""
    db.execute("DELETE FROM sessions WHERE expires_at <= ?", [now])
    db.execute("DELETE FROM sign_in_handoffs WHERE expires_at <= ?", [now])


def insert_handoff(db: Connection, code_hash: str, user_id: int, expires_at: float) -> None:
    """Record a one-time code that the sign-in route exchanges for a cookie."""
    db.execute(
        "INSERT INTO sign_in_handoffs (code_hash, user_id, expires_at) VALUES (?, ?, ?)",
        [code_hash, user_id, expires_at],
    )


def consume_handoff(db: Connection, code_hash: str, now: float) -> int | None:
    """Use up a hand-off code in one statement; return its user id if it was live."""
    # fetchall: a RETURNING statement only completes (and commits) once fully read.
    rows = db.execute(
        "DELETE FROM sign_in_handoffs WHERE code_hash = ? RETURNING user_id, expires_at",
        [code_hash],
    ).fetchall()
    if not rows or rows[0][1] <= now:
        return None
    return int(rows[0][0])


def setting(db: Connection, key: str, make_default: Any) -> str:
    """Return a stored setting, storing `make_default()` first if it is not set yet."""
    # Read first: every page run reads the cookie key, and a write on each would fail
    # every page (not only saving) on a full or read-only disk.
    found = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    if found is not None:
        return str(found[0])
    db.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [key, make_default()],
    )
    return str(db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()[0])


def admin_count(db: Connection) -> int:
    """How many accounts hold the admin role."""
    return int(db.execute("SELECT COUNT(*) FROM user_roles WHERE role = 'admin'").fetchone()[0])
