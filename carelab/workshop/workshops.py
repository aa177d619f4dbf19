"""Live workshops, the facilitator's side: join codes, creating a room, pacing and revealing.

Every facilitator action is checked here, on the server, against the signed-in user
(the facilitator who owns the workshop, or an admin), and runs as one short transaction
that raises the room's `version`; phones long-poll that number. The participant's side
(join, answer, what a phone shows) is in carelab.workshop.participants.
"""

from __future__ import annotations

import math
import re
import secrets
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from carelab.auth import User
from carelab.errors import NotFound, PermissionDenied
from carelab.store import Connection
from carelab.store import quiz as quiz_store
from carelab.store import workshops as store
from carelab.workshop import events
from carelab.workshop.errors import (
    InvalidCode,
    UnknownCode,
    WorkshopError,
    WorkshopStateError,
)
from carelab.workshop.settings import clean_settings
from carelab.workshop.steps import WorkshopStep, clean_text, workshop_steps

# No 0/O, 1/I/L (as in certificate codes): a join code is read off a projector and typed
# on a phone. 31 symbols ** 6 is about 887 million codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
CODE_ATTEMPTS = 20
MAX_TITLE = 200
MAX_STEPS = 500
TIMER_MIN_SECONDS = 5
TIMER_MAX_SECONDS = 3600
# An answer sent in the last second of a countdown is still in flight when it ends.
TIMER_GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class Workshop:
    """A workshop room and where it stands."""

    id: int
    code: str
    title: str
    source_kind: str
    source_id: str
    facilitator_id: int | None
    anonymous: bool
    created_at: float
    ended_at: float | None
    step_count: int
    current_step: int
    answering_open: bool
    results_revealed: bool
    answer_revealed: bool
    timer_ends_at: float | None
    version: int
    # The second edition's settings (migration 0013); each is off or empty by default.
    floor_questions: bool = False
    floor_moderated: bool = False
    floor_spotlight_id: int | None = None
    floor_version: int = 0
    scored: bool = False
    speed_bonus: bool = False
    leaderboard_revealed: bool = False
    self_paced: bool = False
    scheduled_for: float | None = None
    copied_from: int | None = None

    @property
    def ended(self) -> bool:
        """Whether the facilitator has ended the workshop."""
        return self.ended_at is not None

    def seconds_left(self, now: float) -> int | None:
        """Whole seconds left on the countdown (0 once it has run out), or None without one."""
        if self.timer_ends_at is None or self.ended:
            return None
        return max(0, math.ceil(self.timer_ends_at - now))

    def accepting_answers(self, now: float) -> bool:
        """Whether a phone should offer the answer form now (open, not ended, time left)."""
        time_left = self.timer_ends_at is None or now < self.timer_ends_at
        return self.answering_open and not self.ended and time_left


def workshop_from_row(row: dict[str, Any]) -> Workshop:
    """A Workshop from its stored row."""
    flags = (
        "anonymous", "answering_open", "results_revealed", "answer_revealed",
        "floor_questions", "floor_moderated", "scored", "speed_bonus",
        "leaderboard_revealed", "self_paced",
    )  # fmt: skip
    return Workshop(
        **{k: row[k] for k in Workshop.__dataclass_fields__} | {f: bool(row[f]) for f in flags}
    )


# --- codes -----------------------------------------------------------------------------


def new_join_code() -> str:
    """A fresh random 6-character join code without look-alike characters."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_join_code(text: str) -> str:
    """The canonical form of a join code as typed (any case, spaces or dashes), or InvalidCode."""
    if not isinstance(text, str) or len(text) > 40:
        raise InvalidCode()
    # NFKC folds full-width letters from East Asian keyboards into ASCII.
    compact = re.sub(r"[\s\-_.\u2010-\u2015]", "", unicodedata.normalize("NFKC", text)).upper()
    if len(compact) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in compact):
        raise InvalidCode()
    return compact


# --- creating and reading workshops ----------------------------------------------------


def create_workshop(
    db: Connection,
    facilitator: User | None,
    title: str,
    source_kind: str,
    source_id: str,
    steps: Sequence[WorkshopStep | BaseModel],
    anonymous: bool = True,
    now: float | None = None,
    settings: Mapping[str, Any] | None = None,
    copied_from: int | None = None,
) -> Workshop:
    """Open a new workshop room with a fresh join code, a snapshot of its steps and settings."""
    if facilitator is None or not facilitator.can("facilitator"):
        raise PermissionDenied("Only a facilitator or an administrator can run a workshop.")
    title = clean_text(title)
    if not 1 <= len(title) <= MAX_TITLE:
        raise WorkshopError(f"Give the workshop a title of 1 to {MAX_TITLE} characters.")
    if source_kind not in ("case", "module"):
        raise WorkshopError(f"A workshop comes from a case or a module, not '{source_kind}'.")
    if not isinstance(source_id, str) or not 1 <= len(source_id) <= 100:
        raise WorkshopError("Name the case or module the workshop comes from (its id).")
    snapshot = workshop_steps(steps)
    if not 1 <= len(snapshot) <= MAX_STEPS:
        raise WorkshopError(
            f"A workshop needs 1 to {MAX_STEPS} steps; this one has {len(snapshot)}."
        )
    row = {
        "title": title,
        "source_kind": source_kind,
        "source_id": source_id,
        "facilitator_id": facilitator.id,
        "anonymous": int(anonymous),
        "created_at": time.time() if now is None else now,
        "copied_from": copied_from,
        **clean_settings(settings or {}),
    }
    for _ in range(CODE_ATTEMPTS):
        workshop_id = store.insert_workshop(
            db, {**row, "code": new_join_code()}, [s.to_json() for s in snapshot]
        )
        if workshop_id is not None:
            return get_workshop(db, workshop_id)
    raise WorkshopError("No free join code was found; please try again.")


def get_workshop(db: Connection, workshop_id: int) -> Workshop:
    """A workshop by id, or NotFound (no permission check: use facilitated_workshop on pages)."""
    row = store.workshop(db, workshop_id)
    if row is None:
        raise NotFound(f"There is no workshop {workshop_id}.")
    return workshop_from_row(row)


def workshop_for_code(db: Connection, code: str) -> Workshop:
    """The workshop a join code opens, or UnknownCode / InvalidCode."""
    code = normalise_join_code(code)
    row = store.workshop_by_code(db, code)
    if row is None:
        raise UnknownCode(code)
    return workshop_from_row(row)


def _authorise(user: User | None, row: dict[str, Any]) -> None:
    if user is not None and "admin" in user.roles:
        return
    if user is None or not user.can("facilitator") or user.id != row["facilitator_id"]:
        raise PermissionDenied("Only the facilitator who runs this workshop can do that.")


def facilitated_workshop(db: Connection, user: User | None, workshop_id: int) -> Workshop:
    """A workshop the user may run and export (its facilitator, or an admin)."""
    workshop = get_workshop(db, workshop_id)
    _authorise(user, {"facilitator_id": workshop.facilitator_id})
    return workshop


def list_workshops(db: Connection, user: User | None) -> list[Workshop]:
    """The user's workshops, newest first (an admin sees every workshop)."""
    if user is None or not user.can("facilitator"):
        raise PermissionDenied("Only a facilitator or an administrator can see workshops.")
    rows = store.workshops_of(db, None if "admin" in user.roles else user.id)
    return [workshop_from_row(row) for row in rows]


def workshop_steps_of(db: Connection, workshop_id: int) -> list[WorkshopStep]:
    """Every step of a workshop as snapshotted when it was created."""
    return [WorkshopStep.from_json(text) for text in store.steps(db, workshop_id)]


def step_at(db: Connection, workshop_id: int, step_index: int) -> WorkshopStep:
    """One step of a workshop, or NotFound."""
    text = store.step(db, workshop_id, step_index)
    if text is None:
        raise NotFound(f"Workshop {workshop_id} has no step {step_index + 1}.")
    return WorkshopStep.from_json(text)


def state_version(db: Connection, workshop_id: int) -> int:
    """The room's change counter, which rises with every facilitator action."""
    version = store.state_version(db, workshop_id)
    if version is None:
        raise NotFound(f"There is no workshop {workshop_id}.")
    return version


# --- facilitator actions ---------------------------------------------------------------

Decide = Callable[[dict[str, Any]], dict[str, Any]]


def _act(
    db: Connection,
    user: User | None,
    workshop_id: int,
    decide: Decide,
    after_end: bool = False,
    now: float | None = None,
) -> Workshop:
    def checked(row: dict[str, Any]) -> dict[str, Any]:
        _authorise(user, row)
        if row["ended_at"] is not None and not after_end:
            raise WorkshopStateError("This workshop has ended; its steps can no longer change.")
        changes = decide(row)
        # Opening a step starts a scheduled workshop (carelab.workshop.reuse).
        changes = changes | ({"scheduled_for": None} if changes.get("answering_open") else {})
        # A step's first opening and its countdown, kept for quiz scoring (carelab.workshop.quiz).
        quiz_store.record_step_timing(db, row, changes, time.time() if now is None else now)
        return changes

    row = store.change_state(db, workshop_id, checked)
    if row is None:
        raise NotFound(f"There is no workshop {workshop_id}.")
    events.changed(workshop_id)
    return workshop_from_row(row)


def _arrive(db: Connection, row: dict[str, Any], index: Any, open_answering: bool) -> dict:
    count = row["step_count"]
    if type(index) is not int or not 0 <= index < count:
        raise WorkshopStateError(f"There is no such step: this workshop has steps 1 to {count}.")
    opened = int(open_answering and step_at(db, row["id"], index).answerable)
    if index == row["current_step"]:
        return {"answering_open": 1} if opened else {}
    return {
        "current_step": index,
        "answering_open": opened,
        "results_revealed": 0,
        "answer_revealed": 0,
        "timer_ends_at": None,
    }


def go_to_step(
    db: Connection, user: User | None, workshop_id: int, index: int, open_answering: bool = False
) -> Workshop:
    """Show step `index` (0-based): answering locked, results and answer hidden, timer off."""
    return _act(db, user, workshop_id, lambda row: _arrive(db, row, index, open_answering))


def next_step(
    db: Connection, user: User | None, workshop_id: int, open_answering: bool = False
) -> Workshop:
    """Move to the next step; refused on the last one."""

    def decide(row: dict[str, Any]) -> dict[str, Any]:
        if row["current_step"] + 1 >= row["step_count"]:
            raise WorkshopStateError("This is the last step; end the workshop when you are ready.")
        return _arrive(db, row, row["current_step"] + 1, open_answering)

    return _act(db, user, workshop_id, decide)


def previous_step(
    db: Connection, user: User | None, workshop_id: int, open_answering: bool = False
) -> Workshop:
    """Move back one step; refused on the first one."""

    def decide(row: dict[str, Any]) -> dict[str, Any]:
        if row["current_step"] == 0:
            raise WorkshopStateError("This is the first step; there is none before it.")
        return _arrive(db, row, row["current_step"] - 1, open_answering)

    return _act(db, user, workshop_id, decide)


def _current(db: Connection, row: dict[str, Any]) -> WorkshopStep:
    return step_at(db, row["id"], row["current_step"])


def open_answering(
    db: Connection, user: User | None, workshop_id: int, now: float | None = None
) -> Workshop:
    """Let the room answer the current step (a timer that has run out is cleared)."""
    now = time.time() if now is None else now

    def decide(row: dict[str, Any]) -> dict[str, Any]:
        if not _current(db, row).answerable:
            raise WorkshopStateError("This step takes no answers.")
        expired = row["timer_ends_at"] is not None and row["timer_ends_at"] <= now
        return {"answering_open": 1} | ({"timer_ends_at": None} if expired else {})

    return _act(db, user, workshop_id, decide, now=now)


def lock_answering(db: Connection, user: User | None, workshop_id: int) -> Workshop:
    """Stop answers to the current step; answers already given stay."""
    return _act(db, user, workshop_id, lambda row: {"answering_open": 0})


def reveal_results(db: Connection, user: User | None, workshop_id: int) -> Workshop:
    """Show the room's results for the current step."""

    def decide(row: dict[str, Any]) -> dict[str, Any]:
        if not _current(db, row).answerable:
            raise WorkshopStateError("This step has no results to reveal.")
        return {"results_revealed": 1}

    return _act(db, user, workshop_id, decide)


def hide_results(db: Connection, user: User | None, workshop_id: int) -> Workshop:
    """Hide the current step's results again."""
    return _act(db, user, workshop_id, lambda row: {"results_revealed": 0})


def reveal_answer(db: Connection, user: User | None, workshop_id: int) -> Workshop:
    """Show the right answer of the current step; answering locks so no one can copy it."""

    def decide(row: dict[str, Any]) -> dict[str, Any]:
        if not _current(db, row).has_answer:
            raise WorkshopStateError("This step has no right answer to reveal.")
        return {"answer_revealed": 1, "answering_open": 0}

    return _act(db, user, workshop_id, decide)


def start_timer(
    db: Connection, user: User | None, workshop_id: int, seconds: float, now: float | None = None
) -> Workshop:
    """Start (or restart) a countdown; answering closes when it runs out."""
    now = time.time() if now is None else now
    if type(seconds) not in (int, float) or not TIMER_MIN_SECONDS <= seconds <= TIMER_MAX_SECONDS:
        raise WorkshopStateError(
            f"Choose a timer of {TIMER_MIN_SECONDS} seconds to {TIMER_MAX_SECONDS // 60} minutes."
        )
    return _act(db, user, workshop_id, lambda row: {"timer_ends_at": now + seconds})


def clear_timer(db: Connection, user: User | None, workshop_id: int) -> Workshop:
    """Stop the countdown."""
    return _act(db, user, workshop_id, lambda row: {"timer_ends_at": None})


def change_settings(
    db: Connection, user: User | None, workshop_id: int, **settings: Any
) -> Workshop:
    """Change settings of a workshop that has not ended (see SETTINGS); phones follow at once."""
    cleaned = clean_settings(settings)
    if cleaned.get("scored") == 0:  # scoring off hides the leaderboard, and it stays hidden
        cleaned["leaderboard_revealed"] = 0
    return _act(db, user, workshop_id, lambda row: cleaned)


def end_workshop(
    db: Connection, user: User | None, workshop_id: int, now: float | None = None
) -> Workshop:
    """End the workshop: no more joining or answers (ending twice changes nothing)."""
    now = time.time() if now is None else now

    def decide(row: dict[str, Any]) -> dict[str, Any]:
        if row["ended_at"] is not None:
            return {}
        return {"ended_at": now, "answering_open": 0, "timer_ends_at": None}

    return _act(db, user, workshop_id, decide, after_end=True)


def hide_response(
    db: Connection,
    user: User | None,
    workshop_id: int,
    step_index: int,
    participant_number: int,
    hidden: bool = True,
) -> None:
    """Hide (or show again) one participant's answer to a step: moderation, also after the end."""
    workshop = facilitated_workshop(db, user, workshop_id)
    participant_id = store.participant_id_by_number(db, workshop.id, participant_number)
    if participant_id is None or not store.set_response_hidden(
        db, workshop.id, step_index, participant_id, hidden
    ):
        raise NotFound(f"Participant {participant_number} gave no answer to step {step_index + 1}.")
