"""Questions from the floor for the facilitator's pages: each call opens its own connection.

As in carelab.workshop.facilitation, every function checks on the server that the user runs
the workshop (its facilitator, or an admin) and returns dataclasses or bytes, never a row.
"""

from __future__ import annotations

from carelab.auth import User
from carelab.store import db as store_db
from carelab.workshop import floor, floor_export, workshops
from carelab.workshop.floor import FloorQuestion


def questions(user: User | None, workshop_id: int) -> list[FloorQuestion]:
    """Every question of a workshop the user runs, most votes first."""
    with store_db.session() as db:
        return floor.questions(db, user, workshop_id)


def set_status(user: User | None, workshop_id: int, question_id: int, status: str) -> None:
    """Approve ('open'), hide or mark answered one question."""
    with store_db.session() as db:
        floor.set_status(db, user, workshop_id, question_id, status)


def spotlight(user: User | None, workshop_id: int, question_id: int | None) -> None:
    """Put a question on the presenter screen, or take it off (None)."""
    with store_db.session() as db:
        floor.spotlight(db, user, workshop_id, question_id)


def export_csv(user: User | None, workshop_id: int) -> bytes:
    """Every question of a workshop the user runs, as CSV (UTF-8 with a byte-order mark)."""
    with store_db.session() as db:
        workshop = workshops.facilitated_workshop(db, user, workshop_id)
        return floor_export.export_csv(db, workshop.id)


def change_settings(
    user: User | None,
    workshop_id: int,
    questions: bool | None = None,
    moderated: bool | None = None,
) -> workshops.Workshop:
    """Turn questions from the floor or their moderation (each left alone when None) on or off."""
    chosen = {"floor_questions": questions, "floor_moderated": moderated}
    with store_db.session() as db:
        return workshops.change_settings(
            db, user, workshop_id, **{k: v for k, v in chosen.items() if v is not None}
        )
