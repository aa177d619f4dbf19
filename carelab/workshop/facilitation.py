"""The facilitator's workshop as whole operations for the pages: no connection in, dataclasses out.

Each function opens its own connection, checks on the server that the user runs the
workshop (its facilitator, or an admin), does one thing and returns a frozen dataclass
(`Workshop`, `WorkshopStep`, `StepResults`, `LiveRoom`) or bytes, or raises a
CareLabError. The rules are in carelab.workshop.workshops, aggregate and summary, whose
functions take a connection so that the room, the shell and the tests can share one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from carelab.auth import User
from carelab.content import schema
from carelab.store import db as store_db
from carelab.workshop import aggregate, summary, workshops
from carelab.workshop.aggregate import StepResults
from carelab.workshop.steps import WorkshopStep, steps_from_case, steps_from_module
from carelab.workshop.workshops import Workshop


@dataclass(frozen=True)
class LiveRoom:
    """What the facilitator's and the projector's live views show: the room as it is now."""

    workshop: Workshop
    step: WorkshopStep
    results: StepResults


def create(
    user: User | None,
    source: schema.Case | schema.Module,
    title: str,
    anonymous: bool = True,
    with_quiz: bool = False,
    settings: Mapping[str, Any] | None = None,
) -> Workshop:
    """Open a workshop from a case's plan (and its quiz) or a module's steps, with `settings`."""
    if isinstance(source, schema.Case):
        kind, steps = "case", steps_from_case(source, with_quiz)
    else:
        kind, steps = "module", steps_from_module(source)
    with store_db.session() as db:
        return workshops.create_workshop(
            db,
            user,
            title.strip() or source.title,
            kind,
            source.id,
            steps,
            anonymous,
            settings=settings,
        )


def mine(user: User | None) -> list[Workshop]:
    """The user's workshops, newest first (an admin sees every workshop)."""
    with store_db.session() as db:
        return workshops.list_workshops(db, user)


def facilitated(user: User | None, workshop_id: int) -> Workshop:
    """A workshop the user may run, or NotFound / PermissionDenied."""
    with store_db.session() as db:
        return workshops.facilitated_workshop(db, user, workshop_id)


def steps_of(user: User | None, workshop_id: int) -> list[WorkshopStep]:
    """Every step of a workshop the user runs, as snapshotted when it was created."""
    with store_db.session() as db:
        workshop = workshops.facilitated_workshop(db, user, workshop_id)
        return workshops.workshop_steps_of(db, workshop.id)


def results(user: User | None, workshop_id: int, step_index: int) -> StepResults:
    """One step's results in a workshop the user runs, without moving the room."""
    with store_db.session() as db:
        workshop = workshops.facilitated_workshop(db, user, workshop_id)
        return aggregate.results(db, workshop.id, step_index)


def live(user: User | None, workshop_id: int) -> LiveRoom:
    """The workshop the user runs, its current step and that step's results, read together."""
    with store_db.session() as db:
        workshop = workshops.facilitated_workshop(db, user, workshop_id)
        step = workshops.step_at(db, workshop.id, workshop.current_step)
        found = aggregate.results(db, workshop.id, workshop.current_step)
    return LiveRoom(workshop, step, found)


# --- facilitator actions: each one transaction, checked against the user -----------------


def previous_step(user: User | None, workshop_id: int) -> Workshop:
    """Move the room back one step; refused on the first one."""
    with store_db.session() as db:
        return workshops.previous_step(db, user, workshop_id)


def next_step(user: User | None, workshop_id: int) -> Workshop:
    """Move the room to the next step; refused on the last one."""
    with store_db.session() as db:
        return workshops.next_step(db, user, workshop_id)


def open_answering(user: User | None, workshop_id: int) -> Workshop:
    """Let the room answer the current step."""
    with store_db.session() as db:
        return workshops.open_answering(db, user, workshop_id)


def lock_answering(user: User | None, workshop_id: int) -> Workshop:
    """Stop answers to the current step; answers already given stay."""
    with store_db.session() as db:
        return workshops.lock_answering(db, user, workshop_id)


def reveal_results(user: User | None, workshop_id: int) -> Workshop:
    """Show the room's results for the current step."""
    with store_db.session() as db:
        return workshops.reveal_results(db, user, workshop_id)


def hide_results(user: User | None, workshop_id: int) -> Workshop:
    """Hide the current step's results again."""
    with store_db.session() as db:
        return workshops.hide_results(db, user, workshop_id)


def reveal_answer(user: User | None, workshop_id: int) -> Workshop:
    """Show the current step's right answer; answering locks."""
    with store_db.session() as db:
        return workshops.reveal_answer(db, user, workshop_id)


def end_workshop(user: User | None, workshop_id: int) -> Workshop:
    """End the workshop: no more joining or answers."""
    with store_db.session() as db:
        return workshops.end_workshop(db, user, workshop_id)


def start_timer(user: User | None, workshop_id: int, seconds: float) -> Workshop:
    """Start (or restart) a countdown; answering closes when it runs out."""
    with store_db.session() as db:
        return workshops.start_timer(db, user, workshop_id, seconds)


def hide_response(
    user: User | None, workshop_id: int, step_index: int, participant_number: int
) -> None:
    """Hide one participant's answer to a step (moderation), in a workshop the user runs."""
    with store_db.session() as db:
        workshops.hide_response(db, user, workshop_id, step_index, participant_number)


# --- exports: made when asked, so they hold every answer given so far ------------------


def export_csv(user: User | None, workshop_id: int) -> bytes:
    """Every response of a workshop the user runs, as CSV (UTF-8 with a byte-order mark)."""
    with store_db.session() as db:
        workshop = workshops.facilitated_workshop(db, user, workshop_id)
        return aggregate.export_csv(db, workshop.id)


def summary_markdown(user: User | None, workshop_id: int) -> bytes:
    """The summary of a workshop the user runs, as Markdown in UTF-8."""
    with store_db.session() as db:
        workshop = workshops.facilitated_workshop(db, user, workshop_id)
        return summary.summary_markdown(db, workshop.id).encode("utf-8")


def summary_pdf(user: User | None, workshop_id: int) -> bytes:
    """The summary of a workshop the user runs, as a PDF."""
    with store_db.session() as db:
        workshop = workshops.facilitated_workshop(db, user, workshop_id)
        return summary.summary_pdf(db, workshop.id)
