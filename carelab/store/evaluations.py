"""The SQL behind the evaluation after a module and its follow-up (carelab.learning.evaluation).

An evaluation belongs to one completed attempt (its key); a follow-up to one evaluation. The
report queries hand out no user id, name or email: only the answers, one learner each.
"""

from __future__ import annotations

from typing import Any

from carelab.store.connection import Connection

_COLUMNS = (
    "e.attempt_id, a.module_id, e.status, e.relevance, e.quality, e.balance, e.missing, "
    "e.intent, e.follow_up_at, e.saved_at"
)
_FOLLOW_UP = "f.outcome, f.obstacles, f.answered_at"
_JOINED = (
    "FROM evaluations e JOIN attempts a ON a.id = e.attempt_id "
    "LEFT JOIN evaluation_follow_ups f ON f.attempt_id = e.attempt_id"
)


def save(db: Connection, row: dict[str, Any]) -> bool:
    """Save an evaluation unless one was submitted already (a declined one is replaced)."""
    cursor = db.execute(
        "INSERT INTO evaluations (attempt_id, status, relevance, quality, balance, missing, "
        "intent, follow_up_at, saved_at) VALUES (:attempt_id, :status, :relevance, :quality, "
        ":balance, :missing, :intent, :follow_up_at, :saved_at) "
        "ON CONFLICT (attempt_id) DO UPDATE SET status = excluded.status, "
        "relevance = excluded.relevance, quality = excluded.quality, balance = excluded.balance, "
        "missing = excluded.missing, intent = excluded.intent, "
        "follow_up_at = excluded.follow_up_at, saved_at = excluded.saved_at "
        "WHERE evaluations.status = 'declined' AND excluded.status = 'submitted'",
        row,
    )
    return cursor.rowcount == 1


def of_attempt(db: Connection, attempt_id: int) -> dict[str, Any] | None:
    """An attempt's evaluation with its follow-up (follow-up columns None when unanswered)."""
    rows = list(
        db.query(
            f"SELECT {_COLUMNS}, {_FOLLOW_UP} {_JOINED} WHERE e.attempt_id = ?",
            [attempt_id],
        )
    )
    return rows[0] if rows else None


def of_user(db: Connection, user_id: int) -> list[dict[str, Any]]:
    """A learner's evaluations with their follow-ups, earliest follow-up date first."""
    return list(
        db.query(
            f"SELECT {_COLUMNS}, {_FOLLOW_UP} {_JOINED} "
            "WHERE a.user_id = ? ORDER BY e.follow_up_at, e.attempt_id",
            [user_id],
        )
    )


def set_follow_up_at(db: Connection, attempt_id: int, when: float) -> None:
    """Move a submitted evaluation's follow-up date."""
    db.execute(
        "UPDATE evaluations SET follow_up_at = ? WHERE attempt_id = ? AND status = 'submitted'",
        [when, attempt_id],
    )


def save_follow_up(db: Connection, row: dict[str, Any]) -> bool:
    """Save the answer to a follow-up, once; whether it was saved."""
    cursor = db.execute(
        "INSERT INTO evaluation_follow_ups (attempt_id, outcome, obstacles, answered_at) "
        "VALUES (:attempt_id, :outcome, :obstacles, :answered_at) "
        "ON CONFLICT (attempt_id) DO NOTHING",
        row,
    )
    return cursor.rowcount == 1


def submitted_for_certificate(db: Connection, code: str) -> bool:
    """Whether the attempt a certificate was issued for has a submitted evaluation."""
    rows = db.query(
        "SELECT 1 AS found FROM certificates c JOIN evaluations e ON e.attempt_id = c.attempt_id "
        "WHERE c.code = ? AND e.status = 'submitted'",
        [code],
    )
    return any(True for _ in rows)


def module_answers(db: Connection, module_id: str) -> list[dict[str, Any]]:
    """Each learner's first submitted evaluation of a module and its follow-up, anonymous.

    One row per learner: the evaluation of their lowest-numbered attempt that has one.
    """
    return list(
        db.query(
            "SELECT e.relevance, e.quality, e.balance, e.missing, e.intent, "  # noqa: S608
            f"{_FOLLOW_UP} {_JOINED} "
            "WHERE a.module_id = ? AND a.kind = 'module' AND e.status = 'submitted' "
            "AND a.number = (SELECT MIN(b.number) FROM attempts b "
            "JOIN evaluations g ON g.attempt_id = b.id WHERE b.user_id = a.user_id "
            "AND b.module_id = a.module_id AND b.kind = 'module' AND g.status = 'submitted') "
            "ORDER BY e.attempt_id",
            [module_id],
        )
    )


def user_rows(db: Connection, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Everything stored about a user's evaluations and follow-ups, for "Download my data"."""
    join = "JOIN attempts a ON a.id = t.attempt_id WHERE a.user_id = ? ORDER BY t.attempt_id"
    return {
        "evaluations": list(db.query(f"SELECT t.* FROM evaluations t {join}", [user_id])),  # noqa: S608
        "evaluation_follow_ups": list(
            db.query(f"SELECT t.* FROM evaluation_follow_ups t {join}", [user_id])  # noqa: S608
        ),
    }
