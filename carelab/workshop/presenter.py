"""The presenter screen: a token that lets a projector's browser show and pace one workshop.

The facilitator issues the token (`presenter_link`); only its SHA-256 is stored, so the
database never holds a usable key, and issuing again replaces the old one. The token is
specific to its workshop and stops working once the workshop has ended. Every action it
allows (next, previous, reveal, lock, reveal the answer) is the facilitator's own action
from carelab.workshop.workshops, run as the workshop's facilitator, so the rules live in
one place: if the facilitator loses the role, the token loses its powers too.

`presenter_view` is the one JSON object the screen draws. Other parts of the room add
their blocks to it (questions from the floor, the leaderboard, self-paced progress): each
is a key whose value is null when that feature is off.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any

from carelab import auth
from carelab.auth import User
from carelab.errors import NotFound, PermissionDenied
from carelab.store import Connection
from carelab.store import presenter as store
from carelab.workshop import aggregate, floor, quiz, self_paced, workshops
from carelab.workshop.errors import (
    UnknownCode,
    WorkshopEnded,
    WorkshopError,
    WorkshopStateError,
)
from carelab.workshop.workshops import Workshop

TOKEN_BYTES = 32
MAX_TOKEN = 200  # a token as issued is 43 characters; anything far longer is not one


class PresenterRefused(WorkshopError):
    """A presenter token that is missing, wrong, replaced, or for another workshop."""

    def __init__(self) -> None:
        super().__init__(
            "This presenter link is not valid (it may have been replaced by a newer one). "
            "Open the presenter screen again from the Facilitate page."
        )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def presenter_link(db: Connection, user: User | None, workshop_id: int) -> str:
    """Issue a fresh presenter token for a workshop the user runs (replacing any old one)."""
    workshop = workshops.facilitated_workshop(db, user, workshop_id)
    if workshop.ended:
        raise WorkshopStateError("This workshop has ended; it has no presenter screen any more.")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    store.set_presenter_token_hash(db, workshop.id, _hash(token))
    return token


def presenter_path(code: str) -> str:
    """Where the presenter page of a workshop lives (its token goes in the fragment)."""
    return f"/room/present/{code}"


def presenter_workshop(db: Connection, code: str, token: Any) -> Workshop:
    """The workshop a presenter token opens, or PresenterRefused / WorkshopEnded / UnknownCode."""
    try:
        workshop = workshops.workshop_for_code(db, code)
    except UnknownCode:
        # Refused alike: without a token, no one learns which codes are live.
        raise PresenterRefused() from None
    stored = store.presenter_token_hash(db, workshop.id)
    given = _hash(token) if isinstance(token, str) and 0 < len(token) <= MAX_TOKEN else ""
    # Compared in constant time, and a wrong token costs the same as a right one.
    matches = hmac.compare_digest((stored or "").encode(), given.encode())
    if stored is None or not given or not matches:
        raise PresenterRefused()
    if workshop.ended:
        raise WorkshopEnded()
    return workshop


def _facilitator(db: Connection, workshop: Workshop) -> User:
    if workshop.facilitator_id is None:
        raise PermissionDenied("This workshop has no facilitator, so no one can pace it.")
    try:
        return auth.get_user(db, workshop.facilitator_id)
    except NotFound:
        gone = "The facilitator of this workshop no longer has an account."
        raise PermissionDenied(gone) from None


def _plain(value: Any) -> Any:
    """A generic dataclass -> JSON conversion (tuples become lists), field by field."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def results_json(results: aggregate.StepResults, answer_revealed: bool) -> dict[str, Any]:
    """The results as the screen may show them: no step snapshot, no single answers.

    The step (with the facilitator's notes and the right answer) travels separately as its
    public form; which option is right is blanked until the answer is revealed; single
    responses are left out (the screen shows counts, distributions and word counts).
    """
    data = _plain(results)
    data.pop("step", None)
    data.pop("responses", None)
    if not answer_revealed:
        for count in data.get("counts") or []:
            count["correct"] = None
        _blank_right_answers(data)
    return data


def _blank_right_answers(data: dict[str, Any]) -> None:
    """Hide what would give the answer away: a ranking's right places, a re-vote's rights."""
    for item in (data.get("ranking") or {}).get("items", []):
        item["right_place"] = None
    shift = data.get("shift")
    if shift:
        for key in ("right_first", "right_second", "wrong_to_right", "right_to_wrong",
                    "wrong_to_wrong"):  # fmt: skip
            shift[key] = None
        for option in shift["options"]:
            option["correct"] = None


def _blocks(db: Connection, workshop: Workshop) -> dict[str, dict[str, Any] | None]:
    """The view's blocks from other parts of the room, each None while its feature is off.

    To add one: import its module above and put `"name": module.block(db, workshop)` here
    (floor.presenter_block, quiz.leaderboard_block, self_paced.progress_block), then a
    render function under the same name in BLOCKS in static/present.js.
    """
    return {
        "floor": floor.presenter_block(db, workshop),
        "leaderboard": quiz.leaderboard_block(db, workshop),
        "progress": self_paced.progress_block(db, workshop),
    }


def presenter_view(db: Connection, workshop_id: int, now: float | None = None) -> dict[str, Any]:
    """Everything the presenter screen shows now, JSON-ready (results only once revealed)."""
    now = time.time() if now is None else now
    workshop = workshops.get_workshop(db, workshop_id)
    step = workshops.step_at(db, workshop.id, workshop.current_step)
    found = aggregate.results(db, workshop.id, workshop.current_step)
    shown = workshop.results_revealed and step.answerable
    view: dict[str, Any] = {
        "title": workshop.title,
        "code": workshop.code,
        "join_path": f"/room/{workshop.code}",
        "ended": workshop.ended,
        "version": workshop.version,
        "step_index": workshop.current_step,
        "step_count": workshop.step_count,
        "step": step.public(reveal_answer=workshop.answer_revealed),
        # The step's text body: on the projector, text and discussion steps show it too.
        "body": step.prompt if not step.answerable else None,
        "answering_open": workshop.accepting_answers(now),
        "results_revealed": workshop.results_revealed,
        "answer_revealed": workshop.answer_revealed,
        "timer_ends_at": workshop.timer_ends_at if not workshop.ended else None,
        "server_time": now,
        "answered": found.answered,
        "joined": found.participants,
        "results": results_json(found, workshop.answer_revealed) if shown else None,
    }
    return view | _blocks(db, workshop)


# --- actions the token allows: the facilitator's own, run as the facilitator ------------


def _toggle_results(db: Connection, user: User, workshop: Workshop) -> Workshop:
    act = workshops.hide_results if workshop.results_revealed else workshops.reveal_results
    return act(db, user, workshop.id)


def _toggle_answering(db: Connection, user: User, workshop: Workshop) -> Workshop:
    if workshop.accepting_answers(time.time()):
        return workshops.lock_answering(db, user, workshop.id)
    return workshops.open_answering(db, user, workshop.id)


ACTIONS: dict[str, Callable[[Connection, User, Workshop], Workshop]] = {
    "next": lambda db, user, w: workshops.next_step(db, user, w.id),
    "previous": lambda db, user, w: workshops.previous_step(db, user, w.id),
    "reveal": _toggle_results,
    "lock": _toggle_answering,
    "answer": lambda db, user, w: workshops.reveal_answer(db, user, w.id),
}


def presenter_act(
    db: Connection, code: str, token: Any, action: Any, now: float | None = None
) -> dict[str, Any]:
    """Do one presenter action with the token, as the workshop's facilitator; the new view."""
    workshop = presenter_workshop(db, code, token)
    if not isinstance(action, str) or action not in ACTIONS:
        raise WorkshopError(f"The presenter screen can do {', '.join(ACTIONS)}; not that.")
    ACTIONS[action](db, _facilitator(db, workshop), workshop)
    return presenter_view(db, workshop.id, now)


def presenter_start(db: Connection, code: str, token: Any) -> tuple[int, dict[str, Any]]:
    """Check a token and the facilitator behind it; the workshop's id and its view now."""
    workshop = presenter_workshop(db, code, token)
    # The token lends the facilitator's rights: it opens nothing once they are gone.
    workshops.facilitated_workshop(db, _facilitator(db, workshop), workshop.id)
    return workshop.id, presenter_view(db, workshop.id)
