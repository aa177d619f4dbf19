"""The SQL behind xAPI (carelab.integration.xapi): learners' names in the LRS and the outbox.

Claiming is one UPDATE that takes due rows whose lease has lapsed and stamps them with this
sender's name and a new lease. On SQLite the statement holds the write lock. On PostgreSQL
the subquery locks the rows it picks and skips those another server holds (FOR UPDATE SKIP
LOCKED), and the conditions are repeated outside it, so a row claimed by a server that
committed meanwhile is re-checked (READ COMMITTED re-evaluates the outer WHERE on the new
row version) and left alone. A row is only ever marked failed
by the sender that holds it, so one whose lease lapsed cannot overwrite a newer try.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from carelab.store.connection import Connection


@dataclass(frozen=True)
class Claimed:
    """A statement taken by a sender: its id, the JSON to post, and how often it failed."""

    id: str
    statement: str
    attempts: int


@dataclass(frozen=True)
class OutboxStatus:
    """What an admin sees: statements waiting, failing, sent, and the newest error."""

    queued: int
    failing: int
    sent: int
    last_error: str | None
    last_error_at: float | None
    last_sent_at: float | None
    next_try_at: float | None


def actor_name(db: Connection, user_id: int, proposed: str, now: float) -> str:
    """The learner's name in the LRS: the one already made, else `proposed`, kept from now."""
    db.execute(
        "INSERT INTO xapi_actors (user_id, name, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT (user_id) DO NOTHING",
        [user_id, proposed, now],
    )
    row = db.execute("SELECT name FROM xapi_actors WHERE user_id = ?", [user_id]).fetchone()
    return str(row[0])


def enqueue(
    db: Connection, user_id: int, statements: Iterable[tuple[str, str]], now: float
) -> None:
    """Queue statements (id, JSON) of a learner, due at once; an id already queued is kept."""
    db.executemany(
        "INSERT INTO xapi_statements (id, user_id, statement, created_at, next_try_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        [(sid, user_id, body, now, now) for sid, body in statements],
    )


def claim(db: Connection, claimer: str, now: float, lease: float, limit: int) -> list[Claimed]:
    """Take up to `limit` due statements, oldest first, for `lease` seconds; return them."""
    # PostgreSQL: skip rows another server is claiming this moment and take the next ones
    # (without it, every server but one picks the same rows, waits, and comes back empty).
    skip_locked = " FOR UPDATE SKIP LOCKED" if db.dialect == "postgresql" else ""
    # The rows are chosen once, in a CTE: as a plain IN (subquery) PostgreSQL may run the
    # subquery again per row and, skipping its own locks, claim more than `limit` (seen).
    rows = db.execute(
        "WITH due AS (SELECT id FROM xapi_statements WHERE sent_at IS NULL "  # noqa: S608
        "AND next_try_at <= :now AND (claimed_until IS NULL OR claimed_until < :now) "
        f"ORDER BY created_at, id LIMIT :limit{skip_locked}) "
        "UPDATE xapi_statements SET claimed_by = :claimer, claimed_until = :until "
        "WHERE id IN (SELECT id FROM due) AND sent_at IS NULL "
        "AND (claimed_until IS NULL OR claimed_until < :now) "
        "RETURNING id, statement, attempts, created_at",
        {"claimer": claimer, "until": now + lease, "now": now, "limit": limit},
    ).fetchall()
    rows = sorted(rows, key=lambda r: (r[3], r[0]))
    return [Claimed(r[0], r[1], r[2]) for r in rows]


def mark_sent(db: Connection, ids: Sequence[str], now: float, note: str | None = None) -> None:
    """Record statements as in the LRS (`note`: why, when it was not a plain success)."""
    db.executemany(
        "UPDATE xapi_statements SET sent_at = ?, claimed_until = NULL, claimed_by = NULL, "
        "last_tried_at = ?, last_error = ? WHERE id = ?",
        [(now, now, note, sid) for sid in ids],
    )


def mark_failed(
    db: Connection, claimer: str, failures: Iterable[tuple[str, float]], error: str, now: float
) -> None:
    """Record a failed try of each (id, next try time) this claimer holds, with the error."""
    db.executemany(
        "UPDATE xapi_statements SET attempts = attempts + 1, next_try_at = ?, "
        "claimed_until = NULL, claimed_by = NULL, last_tried_at = ?, last_error = ? "
        "WHERE id = ? AND claimed_by = ? AND sent_at IS NULL",
        [(next_try, now, error[:1000], sid, claimer) for sid, next_try in failures],
    )


def retry_now(db: Connection, now: float) -> int:
    """Make every statement not yet sent due now; return how many."""
    return db.execute(
        "UPDATE xapi_statements SET next_try_at = ? WHERE sent_at IS NULL", [now]
    ).rowcount


def status(db: Connection) -> OutboxStatus:
    """The outbox at a glance, for the admin page and `carelab xapi status`."""
    counts = db.execute(
        "SELECT "
        "COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN sent_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0), "
        "MAX(sent_at), MIN(CASE WHEN sent_at IS NULL THEN next_try_at END) "
        "FROM xapi_statements"
    ).fetchone()
    error = db.execute(
        "SELECT last_error, last_tried_at FROM xapi_statements "
        "WHERE sent_at IS NULL AND last_error IS NOT NULL "
        "ORDER BY last_tried_at DESC LIMIT 1"
    ).fetchone()
    return OutboxStatus(
        queued=int(counts[0]),
        failing=int(counts[1]),
        sent=int(counts[2]),
        last_error=error[0] if error else None,
        last_error_at=error[1] if error else None,
        last_sent_at=counts[3],
        next_try_at=counts[4],
    )


def statements(db: Connection, sent: bool | None = None) -> list[dict[str, Any]]:
    """Every outbox row, oldest first (sent: only sent ones, or only unsent with False)."""
    where = "" if sent is None else f"WHERE sent_at IS {'NOT ' if sent else ''}NULL"
    return list(
        db.query(f"SELECT * FROM xapi_statements {where} ORDER BY created_at, id")  # noqa: S608
    )
