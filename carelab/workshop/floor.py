"""Questions from the floor: participants ask and upvote, the facilitator moderates.

A phone may ask when the workshop allows it (`floor_questions`), at most ASK_LIMIT questions
in ASK_WINDOW_SECONDS, and not after the end. A question is 'open' at once, or 'pending'
until the facilitator approves it when `floor_moderated` is on. Every phone sees the open
and answered questions (and its own pending ones), most votes first, and upvotes each once.
Questions are anonymous: phones never see who asked, and the facilitator sees "Participant
N" (or the nickname, only when the workshop keeps nicknames).

Keeping phones fresh: each change raises `floor_version`; a vote raises nothing else, so it
never makes the room re-read every phone's state. Phones poll `phone_list(..., since=N)`
every few seconds while the list is on screen: when nothing changed the answer is one
indexed query and a few bytes; when it has, the shared part of the list is read once per
version per process (`_shared`) and only the phone's own votes are read for it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from carelab.auth import User
from carelab.errors import NotFound
from carelab.store import Connection
from carelab.store import floor as store
from carelab.workshop import events
from carelab.workshop.errors import WorkshopEnded, WorkshopError
from carelab.workshop.participants import find_phone
from carelab.workshop.steps import clean_text
from carelab.workshop.workshops import Workshop, facilitated_workshop, get_workshop

MAX_QUESTION = 280
ASK_LIMIT = 3  # questions per phone in the window: enough to follow up, too few to flood
ASK_WINDOW_SECONDS = 60.0
MAX_SHOWN = 100  # the most-voted questions a phone receives; the rest are counted
STATUSES = ("pending", "open", "answered", "hidden")
STATUS_LABELS = {
    "pending": "Waiting for approval",
    "open": "Open",
    "answered": "Answered",
    "hidden": "Hidden",
}


class FloorError(WorkshopError):
    """A problem with a question from the floor, told to the phone or the facilitator."""


class QuestionsOff(FloorError):
    """The workshop does not take questions from the floor (now)."""

    def __init__(self) -> None:
        super().__init__("The facilitator has not opened questions from the floor.")


class InvalidQuestion(FloorError):
    """A question that is empty, not text, or too long once cleaned."""


class TooManyQuestions(FloorError):
    """This phone sent ASK_LIMIT questions within the window."""

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(
            f"You can send {ASK_LIMIT} questions a minute. Your question is still here: "
            f"send it again in {retry_after_seconds} seconds."
        )


class UnknownQuestion(FloorError):
    """No such question in this workshop (or not one this phone may see)."""

    def __init__(self) -> None:
        super().__init__("That question is no longer on the list.")


@dataclass(frozen=True)
class FloorQuestion:
    """A question as the facilitator sees it."""

    id: int
    text: str
    status: str
    votes: int
    asked_at: float
    who: str
    spotlight: bool = False

    @property
    def status_label(self) -> str:
        """The status in words (never a colour alone)."""
        return STATUS_LABELS[self.status]


def clean_question(text: Any) -> str:
    """A question as stored: text, cleaned, not empty, at most MAX_QUESTION characters."""
    if not isinstance(text, str):
        raise InvalidQuestion("Write your question as text.")
    cleaned = clean_text(text)
    if not cleaned:
        raise InvalidQuestion("Write a question first: the box is empty.")
    if len(cleaned) > MAX_QUESTION:
        raise InvalidQuestion(
            f"Keep your question to {MAX_QUESTION} characters (this one has {len(cleaned)})."
        )
    return cleaned


def who_asked(row: dict[str, Any], anonymous: bool) -> str:
    """How the facilitator and the exports name the asker."""
    number = row.get("participant_number")
    if number is None:
        return "A participant who has left"
    if not anonymous and row.get("nickname"):
        return str(row["nickname"])
    return f"Participant {number}"


# --- the phone's side ------------------------------------------------------------------

_SHARED: dict[tuple[int, str, float, int], tuple[list[dict[str, Any]], int]] = {}
_SHARED_KEPT = 256


def _shared(db: Connection, workshop: Workshop) -> tuple[list[dict[str, Any]], int]:
    # The list every phone shares (open and answered, top MAX_SHOWN, and how many more), read
    # once per floor_version in this process: after a vote, a full room asks for it at once.
    # The code and creation time are in the key, as in participants._STEPS: a new workshop
    # that reuses a deleted one's id (SQLite may) must not find the old one's questions.
    key = (workshop.id, workshop.code, workshop.created_at, workshop.floor_version)
    found = _SHARED.get(key)
    if found is None:
        rows = store.questions(db, workshop.id, store.VISIBLE)
        # Answered questions go below the open ones; each part by votes, then oldest first.
        rows.sort(key=lambda r: (r["status"] == "answered", -r["votes"], r["asked_at"], r["id"]))
        found = (rows[:MAX_SHOWN], max(0, len(rows) - MAX_SHOWN))
        if len(_SHARED) >= _SHARED_KEPT:
            _SHARED.clear()
        _SHARED[key] = found
    return found


def _item(row: dict[str, Any], mine: bool, voted: bool) -> dict[str, Any]:
    return {
        "id": row["id"],
        "text": row["text"],
        "votes": row["votes"],
        "status": row["status"],
        "mine": mine,
        "voted": voted,
    }


def _list(db: Connection, workshop: Workshop, participant_id: int) -> dict[str, Any]:
    head = {
        "on": workshop.floor_questions,
        "moderated": workshop.floor_moderated,
        "ended": workshop.ended,
        "version": workshop.floor_version,
        "max_length": MAX_QUESTION,
    }
    if not workshop.floor_questions:
        return {**head, "questions": [], "more": 0}
    shared, more = _shared(db, workshop)
    voted = store.voted_by(db, workshop.id, participant_id)
    pending = store.own_pending(db, workshop.id, participant_id)
    items = [_item(r, True, False) for r in pending]
    items += [_item(r, r["participant_id"] == participant_id, r["id"] in voted) for r in shared]
    return {**head, "questions": items, "more": more}


def phone_list(db: Connection, code: str, token: str, since: Any = None) -> dict[str, Any]:
    """The questions this phone sees, or {"unchanged": true} when `since` is still current."""
    workshop, row = find_phone(db, code, token)
    if type(since) is int and since == workshop.floor_version:
        return {"on": workshop.floor_questions, "version": since, "unchanged": True}
    return _list(db, workshop, row["id"])


def ask(db: Connection, code: str, token: str, text: Any, now: float | None = None) -> dict:
    """Send a question from this phone; return the phone's list with it (once committed)."""
    now = time.time() if now is None else now
    workshop, row = find_phone(db, code, token)
    _check_asking(workshop)
    cleaned = clean_question(text)
    status = "pending" if workshop.floor_moderated else "open"
    since = now - ASK_WINDOW_SECONDS
    added = store.insert_question(
        db, workshop.id, row["id"], cleaned, status, now, since, ASK_LIMIT
    )
    if added is None:
        # Ended or closed between our read and the write, or this phone asked too often.
        _check_asking(get_workshop(db, workshop.id))
        oldest = min(store.recent_question_times(db, workshop.id, row["id"], since), default=now)
        raise TooManyQuestions(max(1, int(oldest + ASK_WINDOW_SECONDS - now) + 1))
    return _list(db, get_workshop(db, workshop.id), row["id"])


def _check_asking(workshop: Workshop) -> None:
    if workshop.ended:
        raise WorkshopEnded()
    if not workshop.floor_questions:
        raise QuestionsOff()


def vote(
    db: Connection, code: str, token: str, question_id: Any, up: Any, now: float | None = None
) -> dict[str, Any]:
    """Upvote a question once (`up` true) or withdraw the vote; return the phone's list."""
    now = time.time() if now is None else now
    workshop, row = find_phone(db, code, token)
    _check_asking(workshop)
    if type(question_id) is not int or not isinstance(up, bool):
        raise FloorError("Send which question (its number) and whether you vote for it.")
    if up:
        if not store.add_vote(db, workshop.id, question_id, row["id"], now):
            # Not counted: voted already (a double tap counts once), or not votable.
            found = store.question(db, workshop.id, question_id)
            if found is None or found["status"] not in store.VISIBLE:
                raise UnknownQuestion()
    else:
        store.remove_vote(db, workshop.id, question_id, row["id"])
    return _list(db, get_workshop(db, workshop.id), row["id"])


# --- the facilitator's side ------------------------------------------------------------


def questions(db: Connection, user: User | None, workshop_id: int) -> list[FloorQuestion]:
    """Every question of a workshop, most votes first, for its facilitator or an admin."""
    workshop = facilitated_workshop(db, user, workshop_id)
    return [
        FloorQuestion(
            id=r["id"],
            text=r["text"],
            status=r["status"],
            votes=r["votes"],
            asked_at=r["asked_at"],
            who=who_asked(r, workshop.anonymous),
            spotlight=r["id"] == workshop.floor_spotlight_id,
        )
        for r in store.questions(db, workshop.id)
    ]


def set_status(
    db: Connection,
    user: User | None,
    workshop_id: int,
    question_id: int,
    status: str,
    now: float | None = None,
) -> None:
    """Approve ('open'), hide, or mark answered one question; also after the end."""
    now = time.time() if now is None else now
    if status not in STATUSES:
        raise FloorError(f"'{status}' is not a question status.")
    workshop = facilitated_workshop(db, user, workshop_id)
    if not store.set_status(db, workshop.id, question_id, status, now):
        raise NotFound(f"Workshop {workshop.id} has no question {question_id}.")
    events.changed(workshop.id)


def spotlight(
    db: Connection,
    user: User | None,
    workshop_id: int,
    question_id: int | None,
    now: float | None = None,
) -> None:
    """Put a question on the presenter screen (None takes it off); a hidden one cannot be."""
    now = time.time() if now is None else now
    workshop = facilitated_workshop(db, user, workshop_id)
    if not store.set_spotlight(db, workshop.id, question_id, now):
        raise FloorError("That question is hidden or gone, so it cannot go on the screen.")
    events.changed(workshop.id)


def presenter_block(db: Connection, workshop: Workshop) -> dict[str, Any] | None:
    """What the presenter screen shows of the floor: the spotlighted question, open count."""
    if not workshop.floor_questions and workshop.floor_spotlight_id is None:
        return None
    counts = store.count_by_status(db, workshop.id)
    shown = None
    if workshop.floor_spotlight_id is not None:
        row = store.question(db, workshop.id, workshop.floor_spotlight_id)
        if row is not None and row["status"] in store.VISIBLE:
            shown = {"id": row["id"], "text": row["text"], "votes": row["votes"]}
    return {"spotlight": shown, "open": counts.get("open", 0)}
