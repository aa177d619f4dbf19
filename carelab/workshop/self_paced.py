"""Self-paced rooms: each phone moves through the steps on its own; the facilitator sees progress.

In a self-paced workshop (setting `self_paced`) a phone's position is its own
(workshop_participants.at_step): it goes Next and Previous itself, answers the answerable
step it is on while the room has started and not ended, and sees that step's right answer
and explanation once it has answered (its first answer stands). The room-wide step, lock
and reveal of facilitator pacing do not apply. Switching a room back to facilitator
pacing puts every phone on the facilitator's step again (carelab.workshop.participants).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from carelab.auth import User
from carelab.store import Connection
from carelab.store import reuse as store
from carelab.workshop import participants, workshops
from carelab.workshop.errors import (
    AnsweringClosed,
    NotCurrentStep,
    WorkshopEnded,
    WorkshopStateError,
)
from carelab.workshop.workshops import Workshop


@dataclass(frozen=True)
class StepProgress:
    """How far the room has come on one step: phones that reached it and that answered it."""

    index: int
    title: str
    answerable: bool
    reached: int
    answered: int


@dataclass(frozen=True)
class PhoneProgress:
    """One phone's place: its step (1-based), answers given, and whether it has finished."""

    number: int
    nickname: str
    at_step: int
    answered: int
    finished: bool


@dataclass(frozen=True)
class Progress:
    """A self-paced room's progress, per step and per phone."""

    steps: tuple[StepProgress, ...]
    phones: tuple[PhoneProgress, ...]
    answerable: int

    @property
    def finished(self) -> int:
        """How many phones have finished: answered every answerable step and reached the end."""
        return sum(phone.finished for phone in self.phones)


def move(
    db: Connection, code: str, token: str, step_index: Any, now: float | None = None
) -> dict[str, Any]:
    """Put this phone on step `step_index` of a self-paced room; return what it shows then."""
    workshop, row = participants.find_phone(db, code, token)
    if not workshop.self_paced:
        raise NotCurrentStep(workshop.current_step)
    if workshop.ended:
        raise WorkshopEnded()
    if workshop.scheduled_for is not None:
        raise AnsweringClosed("This workshop has not started yet: wait for the start time.")
    if type(step_index) is not int or not 0 <= step_index < workshop.step_count:
        raise WorkshopStateError(
            f"There is no such step: this workshop has steps 1 to {workshop.step_count}."
        )
    store.move_participant(db, row["id"], step_index)
    return participants.state_for_participant(db, code, token, now)


def progress(db: Connection, workshop: Workshop) -> Progress:
    """Per step how many phones reached and answered it, and each phone's place (3 queries)."""
    steps = workshops.workshop_steps_of(db, workshop.id)
    answerable = [i for i, step in enumerate(steps) if step.answerable]
    per_step = store.answers_per_step(db, workshop.id)
    last = len(steps) - 1
    phones, furthest = [], []
    for row in store.positions(db, workshop.id):
        at = min(int(row["at_step"]), last)
        # A phone that went back has still reached the steps it answered beyond.
        furthest.append(max(at, row["furthest_answered"] or 0))
        done = int(row["answered"]) >= len(answerable) and furthest[-1] >= last
        phones.append(PhoneProgress(row["number"], row["nickname"], at + 1, int(row["answered"]),
                                    done))  # fmt: skip
    per_index = [
        StepProgress(i, s.title, s.answerable, sum(f >= i for f in furthest), per_step.get(i, 0))
        for i, s in enumerate(steps)
    ]
    return Progress(tuple(per_index), tuple(phones), len(answerable))


def progress_block(db: Connection, workshop: Workshop) -> dict[str, Any] | None:
    """The presenter's progress block (per step reached and answered, and finished), or None."""
    if not workshop.self_paced:
        return None
    found = progress(db, workshop)
    steps = [
        {
            "index": s.index,
            "title": s.title,
            "reached": s.reached,
            "answered": s.answered,
            "answerable": s.answerable,
        }
        for s in found.steps
    ]
    return {"steps": steps, "finished": found.finished, "joined": len(found.phones)}


def set_self_paced(db: Connection, user: User | None, workshop_id: int, on: bool) -> Workshop:
    """Switch a room between self-paced and facilitator-paced; phones follow at once."""
    return workshops.change_settings(db, user, workshop_id, self_paced=on)


def progress_dict(found: Progress) -> dict[str, Any]:
    """Progress as plain JSON-ready data (for exports and tests)."""
    return asdict(found) | {"finished": found.finished}
