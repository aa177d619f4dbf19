"""The SQL behind spaced retrieval: each learner's review queue (carelab.learning.reviews)."""

from __future__ import annotations

from typing import Any

from carelab.store.connection import Connection

_COLUMNS = "module_id, step_id, question_id, stage, confident_streak, due_at, added_at"


def add_if_absent(db: Connection, user_id: int, item: dict[str, Any]) -> bool:
    """Put a question in a learner's queue unless it is there already; whether it was added."""
    cursor = db.execute(
        f"INSERT INTO review_items (user_id, {_COLUMNS}) "  # noqa: S608 - our column names
        "VALUES (:user_id, :module_id, :step_id, :question_id, :stage, :confident_streak, "
        ":due_at, :added_at) ON CONFLICT (user_id, module_id, question_id) DO NOTHING",
        {"user_id": user_id, **item},
    )
    return cursor.rowcount == 1


def items_of(db: Connection, user_id: int) -> list[dict[str, Any]]:
    """Every question in a learner's queue, soonest due first."""
    return list(
        db.query(
            f"SELECT {_COLUMNS} FROM review_items WHERE user_id = ? "  # noqa: S608
            "ORDER BY due_at, module_id, question_id",
            [user_id],
        )
    )


def item(db: Connection, user_id: int, module_id: str, question_id: str) -> dict[str, Any] | None:
    """One question of a learner's queue, or None."""
    rows = list(
        db.query(
            f"SELECT {_COLUMNS} FROM review_items "  # noqa: S608
            "WHERE user_id = ? AND module_id = ? AND question_id = ?",
            [user_id, module_id, question_id],
        )
    )
    return rows[0] if rows else None


def reschedule(db: Connection, user_id: int, item: dict[str, Any], now: float) -> None:
    """Save a question's new stage, run of confident answers and due time."""
    db.execute(
        "UPDATE review_items SET stage = :stage, confident_streak = :confident_streak, "
        "due_at = :due_at, last_reviewed_at = :now "
        "WHERE user_id = :user_id AND module_id = :module_id AND question_id = :question_id",
        {"user_id": user_id, "now": now, **item},
    )


def remove(db: Connection, user_id: int, module_id: str, question_id: str) -> None:
    """Take a question out of a learner's queue (it has been learned)."""
    db.execute(
        "DELETE FROM review_items WHERE user_id = ? AND module_id = ? AND question_id = ?",
        [user_id, module_id, question_id],
    )
