"""The SQL behind quiz scoring: when a step first opened, its timer, and the answers to score.

Scores are never stored: a participant's total is recomputed from the answers as stored
(carelab.workshop.quiz), so it cannot drift from them. What the formula needs besides the
answers is kept per step: `opened_at`, when answering FIRST opened on the step (reopening
keeps it), and `timer_ends_at`, the end of the last countdown started on the step.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from carelab.store.connection import Connection

_BATCH = 500  # bound parameters per IN (...) list, well under either database's limit


def record_step_timing(
    db: Connection, row: dict[str, Any], changes: dict[str, Any], now: float
) -> None:
    """Inside a facilitator action's transaction: note a step's first opening and its timer."""
    index = changes.get("current_step", row["current_step"])
    where = "WHERE workshop_id = ? AND step_index = ?"
    if changes.get("answering_open") == 1:
        db.execute(
            f"UPDATE workshop_steps SET opened_at = ? {where} AND opened_at IS NULL",  # noqa: S608 - constant text
            [now, row["id"], index],
        )
    if changes.get("timer_ends_at") is not None:
        db.execute(
            f"UPDATE workshop_steps SET timer_ends_at = ? {where}",  # noqa: S608 - constant text
            [changes["timer_ends_at"], row["id"], index],
        )


def step_timing(db: Connection, workshop_id: int) -> dict[int, dict[str, Any]]:
    """Each step's opened_at and timer_ends_at, by step index."""
    rows = db.query(
        "SELECT step_index, opened_at, timer_ends_at FROM workshop_steps WHERE workshop_id = ?",
        [workshop_id],
    )
    return {row["step_index"]: row for row in rows}


def answers_to_score(
    db: Connection, workshop_id: int, step_indices: Iterable[int]
) -> list[dict[str, Any]]:
    """Every stored answer to these steps, with when it was last changed and its step's timing.

    One query for a whole room (a few for a quiz of over 500 scored steps): the total of
    each of 1,000 participants comes from these rows, never from a query per participant.
    """
    wanted = sorted(set(step_indices))
    found: list[dict[str, Any]] = []
    for start in range(0, len(wanted), _BATCH):
        chunk = wanted[start : start + _BATCH]
        marks = ", ".join("?" for _ in chunk)
        sql = (
            "SELECT r.participant_id, r.step_index, r.answer, r.last_answered_at, "
            "s.opened_at, s.timer_ends_at FROM workshop_responses r "
            "JOIN workshop_steps s ON s.workshop_id = r.workshop_id "
            "AND s.step_index = r.step_index WHERE r.workshop_id = ? AND r.step_index IN "
        )
        found += db.query(f"{sql}({marks})", [workshop_id, *chunk])
    return found


def participants_of(
    db: Connection, workshop_id: int, ids: Iterable[int] | None = None
) -> list[dict[str, Any]]:
    """A workshop's participants (id, number, nickname), all or those with these ids."""
    sql = "SELECT id, number, nickname FROM workshop_participants WHERE workshop_id = ?"
    if ids is None:
        return list(db.query(sql + " ORDER BY number", [workshop_id]))
    wanted = sorted(set(ids))
    found: list[dict[str, Any]] = []
    for start in range(0, len(wanted), _BATCH):
        chunk = wanted[start : start + _BATCH]
        marks = ", ".join("?" for _ in chunk)
        found += db.query(f"{sql} AND id IN ({marks})", [workshop_id, *chunk])
    return sorted(found, key=lambda row: row["number"])
