"""The SQL of the LTI grade outbox: scores queued for a platform's line item, sent in the
background (carelab.integration.lti.grades), retried with backoff, visible to admins.

Claiming is one UPDATE ... WHERE claimed_until < now ... RETURNING: on SQLite the statement
holds the write lock; on PostgreSQL a second claimer waits on the row lock and then finds
the row leased (READ COMMITTED re-checks the condition), so two servers never send one
score at the same time.
"""

from __future__ import annotations

from typing import Any

from carelab.store.connection import Connection

_COLUMNS = (
    "id, platform_id, lineitem_url, sub, user_id, activity_id, attempt_id, score_given, "
    "score_maximum, completed_at, tries, next_try_at, last_error, sent_at, created_at"
)


def enqueue(db: Connection, row: dict[str, Any]) -> bool:
    """Queue a score (once per line item, user and attempt); whether it was new."""
    return (
        db.execute(
            "INSERT INTO lti_grade_outbox (platform_id, lineitem_url, sub, user_id, activity_id, "
            "attempt_id, score_given, score_maximum, completed_at, next_try_at, created_at) "
            "VALUES (:platform_id, :lineitem_url, :sub, :user_id, :activity_id, :attempt_id, "
            ":score_given, :score_maximum, :completed_at, :next_try_at, :created_at) "
            "ON CONFLICT DO NOTHING",
            row,
        ).rowcount
        == 1
    )


def claim_due(db: Connection, now: float, lease: float, limit: int) -> list[dict[str, Any]]:
    """Lease up to `limit` unsent scores that are due; return them."""
    return list(
        db.query(
            "UPDATE lti_grade_outbox SET claimed_until = ? WHERE id IN ("  # noqa: S608
            "SELECT id FROM lti_grade_outbox WHERE sent_at IS NULL AND next_try_at <= ? "
            "AND claimed_until < ? ORDER BY next_try_at, id LIMIT ?) AND claimed_until < ? "
            f"RETURNING {_COLUMNS}",
            [now + lease, now, now, limit, now],
        )
    )


def mark_sent(db: Connection, grade_id: int, now: float) -> None:
    """Record a score as delivered."""
    db.execute(
        "UPDATE lti_grade_outbox SET sent_at = ?, tries = tries + 1, last_error = NULL, "
        "claimed_until = 0 WHERE id = ?",
        [now, grade_id],
    )


def mark_failed(db: Connection, grade_id: int, error: str, next_try_at: float) -> None:
    """Record a failed send and when to try again."""
    db.execute(
        "UPDATE lti_grade_outbox SET tries = tries + 1, last_error = ?, next_try_at = ?, "
        "claimed_until = 0 WHERE id = ?",
        [error[:500], next_try_at, grade_id],
    )


def grades(db: Connection, unsent_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
    """Queued and sent scores with their platform's issuer, newest first."""
    where = "WHERE g.sent_at IS NULL " if unsent_only else ""
    return list(
        db.query(
            f"SELECT g.{_COLUMNS.replace(', ', ', g.')}, p.issuer FROM lti_grade_outbox g "  # noqa: S608
            f"JOIN lti_platforms p ON p.id = g.platform_id {where}"
            "ORDER BY g.created_at DESC, g.id DESC LIMIT ?",
            [limit],
        )
    )


def retry_now(db: Connection, now: float, grade_id: int | None = None) -> int:
    """Make unsent scores (one, or all) due now; return how many."""
    sql = "UPDATE lti_grade_outbox SET next_try_at = ?, claimed_until = 0 WHERE sent_at IS NULL"
    if grade_id is None:
        return db.execute(sql, [now]).rowcount
    return db.execute(sql + " AND id = ?", [now, grade_id]).rowcount


def counts(db: Connection) -> dict[str, int]:
    """How many scores are sent, waiting (never failed) and failing (at least one error)."""
    row = next(
        db.query(
            "SELECT SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END) AS sent, "
            "SUM(CASE WHEN sent_at IS NULL AND last_error IS NULL THEN 1 ELSE 0 END) AS waiting, "
            "SUM(CASE WHEN sent_at IS NULL AND last_error IS NOT NULL THEN 1 ELSE 0 END) "
            "AS failing FROM lti_grade_outbox",
            [],
        )
    )
    return {k: int(v or 0) for k, v in row.items()}
