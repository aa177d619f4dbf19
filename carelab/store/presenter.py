"""The SQL behind the presenter screen: its token's hash, and a cheap read of what changed.

The presenter screen's shared poller reads `signature` a few times a second for each
workshop shown on a screen: one indexed row plus two counts, so results follow answers
within a second without rebuilding the whole view when nothing has moved.
"""

from __future__ import annotations

from typing import Any

from carelab.store.connection import Connection
from carelab.store.db import write_transaction


def set_presenter_token_hash(db: Connection, workshop_id: int, token_hash: str | None) -> bool:
    """Store (replace, or clear with None) a workshop's presenter token hash; False if no such."""
    with write_transaction(db):
        cursor = db.execute(
            "UPDATE workshops SET presenter_token_hash = ? WHERE id = ?",
            [token_hash, workshop_id],
        )
    return cursor.rowcount == 1


def presenter_token_hash(db: Connection, workshop_id: int) -> str | None:
    """The stored presenter token hash of a workshop (None when none was issued)."""
    row = db.execute(
        "SELECT presenter_token_hash FROM workshops WHERE id = ?", [workshop_id]
    ).fetchone()
    return row[0] if row else None


def signature(db: Connection, workshop_id: int) -> tuple[Any, ...] | None:
    """What the presenter view depends on, cheaply: version, questions from the floor
    (their own version: votes on the spotlighted one), joined, answers, self-paced steps.

    The answers' count and latest time catch a new answer and a changed one; None when the
    workshop is gone.
    """
    row = db.execute(
        "SELECT w.version, w.current_step, w.floor_version, "
        "(SELECT COUNT(*) FROM workshop_participants p WHERE p.workshop_id = w.id), "
        "(SELECT COUNT(*) FROM workshop_responses r "
        " WHERE r.workshop_id = w.id AND r.step_index = w.current_step), "
        "(SELECT MAX(r.last_answered_at) FROM workshop_responses r "
        " WHERE r.workshop_id = w.id AND r.step_index = w.current_step), "
        # A self-paced room's progress moves with each phone's step and any answer.
        "CASE WHEN w.self_paced = 1 THEN (SELECT COALESCE(SUM(p.at_step), 0) "
        " FROM workshop_participants p WHERE p.workshop_id = w.id) END, "
        "CASE WHEN w.self_paced = 1 THEN (SELECT COUNT(*) FROM workshop_responses r "
        " WHERE r.workshop_id = w.id) END "
        "FROM workshops w WHERE w.id = ?",
        [workshop_id],
    ).fetchone()
    return tuple(row) if row else None
