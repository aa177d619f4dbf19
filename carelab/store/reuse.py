"""The SQL behind reusing workshops and self-paced rooms: templates, each phone's own step.

A template is a workshop's step snapshots and settings kept under a title, owned by the
facilitator who saved it. In a self-paced room each phone keeps its own position
(workshop_participants.at_step) and answers the step it is on; the answer is one
conditional insert, stored only while the room is self-paced, not waiting for its
scheduled start and not ended, and the first answer to a step stands.
"""

from __future__ import annotations

from typing import Any

from carelab.store.connection import Connection
from carelab.store.db import write_transaction

# --- templates -------------------------------------------------------------------------


def insert_template(db: Connection, row: dict[str, Any]) -> int:
    """Store a template (owner_id, title, source_kind, source_id, steps, settings, created_at)."""
    with write_transaction(db):
        return int(
            db.execute(
                "INSERT INTO workshop_templates "
                "(owner_id, title, source_kind, source_id, steps, settings, created_at) "
                "VALUES (:owner_id, :title, :source_kind, :source_id, :steps, :settings, "
                ":created_at) RETURNING id",
                row,
            ).fetchall()[0][0]
        )


def template(db: Connection, template_id: int) -> dict[str, Any] | None:
    """One template by id, or None."""
    rows = list(db.query("SELECT * FROM workshop_templates WHERE id = ?", [template_id]))
    return rows[0] if rows else None


def templates_of(db: Connection, owner_id: int | None) -> list[dict[str, Any]]:
    """An owner's templates (every template when None), newest first."""
    sql = "SELECT * FROM workshop_templates"
    params: list[Any] = []
    if owner_id is not None:
        sql += " WHERE owner_id = ?"
        params.append(owner_id)
    return list(db.query(sql + " ORDER BY created_at DESC, id DESC", params))


def delete_template(db: Connection, template_id: int) -> bool:
    """Delete a template; return whether it existed."""
    with write_transaction(db):
        cursor = db.execute("DELETE FROM workshop_templates WHERE id = ?", [template_id])
    return cursor.rowcount == 1


def upcoming_workshops(db: Connection, facilitator_id: int | None) -> list[dict[str, Any]]:
    """Workshops waiting for their scheduled start, soonest first (everyone's when None)."""
    sql = "SELECT * FROM workshops WHERE scheduled_for IS NOT NULL AND ended_at IS NULL"
    params: list[Any] = []
    if facilitator_id is not None:
        sql += " AND facilitator_id = ?"
        params.append(facilitator_id)
    return list(db.query(sql + " ORDER BY scheduled_for, id", params))


# --- self-paced rooms ------------------------------------------------------------------


def move_participant(db: Connection, participant_id: int, step_index: int) -> None:
    """Put one phone on a step of a self-paced room."""
    db.execute(
        "UPDATE workshop_participants SET at_step = ? WHERE id = ?", [step_index, participant_id]
    )


def insert_own_step_response(
    db: Connection,
    workshop_id: int,
    step_index: int,
    participant_id: int,
    answer: str,
    now: float,
    timer_grace: float,
) -> bool:
    """Store a first answer to a step of a self-paced room that is open; whether it was stored."""
    # One statement, so the room's state is read with the write: a switch to facilitator
    # pacing, a scheduled start or the end cannot slip in between. A second answer to the
    # same step is not stored (the phone has seen the right answer by then).
    cursor = db.execute(
        "INSERT INTO workshop_responses (workshop_id, step_index, participant_id, answer, "
        "first_answered_at, last_answered_at) "
        "SELECT id, :step_index, :participant_id, :answer, :now, :now FROM workshops "
        "WHERE id = :workshop_id AND self_paced = 1 AND scheduled_for IS NULL "
        "AND ended_at IS NULL AND (timer_ends_at IS NULL OR timer_ends_at + :grace > :now) "
        "AND :step_index < step_count "
        "ON CONFLICT (workshop_id, step_index, participant_id) DO NOTHING",
        {
            "workshop_id": workshop_id,
            "step_index": step_index,
            "participant_id": participant_id,
            "answer": answer,
            "now": now,
            "grace": timer_grace,
        },
    )
    return cursor.rowcount == 1


def answers_at_own_steps(db: Connection, workshop_id: int) -> dict[int, str]:
    """Each phone's answer (JSON text) to the step it is on, by participant id: one query."""
    rows = db.query(
        "SELECT r.participant_id, r.answer FROM workshop_responses r "
        "JOIN workshop_participants p ON p.id = r.participant_id "
        "AND r.step_index = p.at_step WHERE r.workshop_id = ?",
        [workshop_id],
    )
    return {row["participant_id"]: row["answer"] for row in rows}


def positions(db: Connection, workshop_id: int) -> list[dict[str, Any]]:
    """Every phone's number, nickname, step and furthest answered step, and answer count."""
    return list(
        db.query(
            "SELECT p.id, p.number, p.nickname, p.at_step, "
            "MAX(r.step_index) AS furthest_answered, COUNT(r.step_index) AS answered "
            "FROM workshop_participants p LEFT JOIN workshop_responses r "
            "ON r.participant_id = p.id AND r.workshop_id = p.workshop_id "
            "WHERE p.workshop_id = ? "
            "GROUP BY p.id, p.number, p.nickname, p.at_step ORDER BY p.number",
            [workshop_id],
        )
    )


def answers_per_step(db: Connection, workshop_id: int) -> dict[int, int]:
    """How many phones answered each step of a workshop, by step index."""
    rows = db.query(
        "SELECT step_index, COUNT(*) AS answered FROM workshop_responses "
        "WHERE workshop_id = ? GROUP BY step_index",
        [workshop_id],
    )
    return {row["step_index"]: int(row["answered"]) for row in rows}
