"""Live workshops, the participant's side: join with a code, answer, and what a phone shows.

Participants have no account. A random token, which the database keeps only as a
SHA-256, identifies a phone, so a reload or a reconnect lands on the same place with the
same answers. An answer is one conditional upsert that is stored only while its step is
current and open, and the acknowledgement is returned only after it has committed.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from carelab import config
from carelab.errors import CareLabError
from carelab.store import Connection
from carelab.store import reuse as own_steps
from carelab.store import workshops as store
from carelab.workshop import quiz
from carelab.workshop.errors import (
    AnsweringClosed,
    InvalidNickname,
    JoinThrottled,
    NotCurrentStep,
    UnknownCode,
    UnknownParticipant,
    WorkshopEnded,
    WorkshopError,
    WorkshopFull,
)
from carelab.workshop.steps import WorkshopStep, clean_text, is_correct, validate_answer
from carelab.workshop.workshops import (
    TIMER_GRACE_SECONDS,
    Workshop,
    get_workshop,
    normalise_join_code,
    step_at,
    workshop_for_code,
    workshop_from_row,
)

MAX_NICKNAME = 30
MAX_TOKEN = 100
MAX_CLIENT_KEY = 200
# Wrong codes from one address in the window before its wrong codes get 429 instead of 404.
# A right code always joins, so a hospital NAT where many phones mistype is never locked
# out; the limit tells a guesser to stop and bounds the rows one address can add.
MAX_WRONG_CODES = 100
WRONG_CODE_WINDOW_SECONDS = 600
TOUCH_EVERY_SECONDS = 30.0


@dataclass(frozen=True)
class Participant:
    """A phone in the room: its token (for the URL), number and nickname."""

    id: int
    workshop_id: int
    number: int
    nickname: str
    token: str
    joined_at: float


@dataclass(frozen=True)
class AnswerReceipt:
    """The acknowledgement of a committed answer, with the answer as stored."""

    workshop_id: int
    step_index: int
    participant_number: int
    answer: Any
    answered_at: float


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _participant(row: dict[str, Any], token: str) -> Participant:
    return Participant(
        row["id"], row["workshop_id"], row["number"], row["nickname"], token, row["joined_at"]
    )


def clean_nickname(nickname: str | None) -> str:
    """A nickname without control characters or runs of spaces; InvalidNickname if too long."""
    if nickname is not None and not isinstance(nickname, str):
        raise InvalidNickname("Write your nickname as text, or leave it empty.")
    text = clean_text(nickname or "")
    if len(text) > MAX_NICKNAME:
        raise InvalidNickname(
            f"Choose a nickname of at most {MAX_NICKNAME} characters (this one has {len(text)})."
        )
    return text


def _counted(db: Connection, client_key: str, wrong: UnknownCode, now: float) -> WorkshopError:
    """`wrong`, once recorded against the client; JoinThrottled when it has had too many."""
    since = now - WRONG_CODE_WINDOW_SECONDS
    if store.record_failed_join(db, client_key, now, since, MAX_WRONG_CODES):
        return wrong
    # Not recorded once over the limit, so one address keeps at most the limit's rows.
    oldest = min(store.recent_failed_joins(db, client_key, since), default=now)
    return JoinThrottled(int(oldest + WRONG_CODE_WINDOW_SECONDS - now) + 1)


def join(
    db: Connection, code: str, nickname: str | None, client_key: str, now: float | None = None
) -> Participant:
    """Join a workshop by its code; wrong codes, never right ones, are limited per client."""
    now = time.time() if now is None else now
    try:
        # The code is looked up first, so a right code joins whatever came before it.
        workshop = workshop_for_code(db, code)
    except UnknownCode as wrong:
        raise _counted(db, str(client_key)[:MAX_CLIENT_KEY], wrong, now) from None
    if workshop.ended:
        raise WorkshopEnded()
    nickname = clean_nickname(nickname)
    token = secrets.token_urlsafe(18)
    limit = config.max_participants()
    row = store.insert_participant(db, workshop.id, _token_hash(token), nickname, now, limit)
    if row is None:
        raise WorkshopFull(limit)
    return _participant(row, token)


def _find(db: Connection, code: str, token: str) -> tuple[Workshop, dict[str, Any]]:
    # Without a phone's token, a live code and a made-up one must look the same: otherwise
    # state, answer and the stream would tell a guesser which codes are live, with no limit.
    try:
        code = normalise_join_code(code)
    except UnknownCode:  # InvalidCode too: what cannot be a code at all
        raise UnknownParticipant() from None
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        raise UnknownParticipant()
    found = store.workshop_with_participant(db, code, _token_hash(token))
    if found is None or found[1] is None:
        raise UnknownParticipant()
    return workshop_from_row(found[0]), found[1]


def find_phone(db: Connection, code: str, token: str) -> tuple[Workshop, dict[str, Any]]:
    """The workshop and participant row a phone's token opens (one query), or UnknownParticipant."""
    return _find(db, code, token)


# Step snapshots never change once a workshop is made, so each process keeps the ones in
# use: an answer or a state read then costs one query fewer. The key holds the code and the
# creation time too, so a new workshop that reuses a deleted one's id (SQLite may) misses.
_STEPS: dict[tuple[int, str, float, int], WorkshopStep] = {}
_STEPS_KEPT = 4096


def _step(db: Connection, workshop: Workshop, index: int) -> WorkshopStep:
    key = (workshop.id, workshop.code, workshop.created_at, index)
    step = _STEPS.get(key)
    if step is None:
        step = step_at(db, workshop.id, index)
        if len(_STEPS) >= _STEPS_KEPT:
            _STEPS.clear()
        _STEPS[key] = step
    return step


def rejoin(db: Connection, code: str, token: str, now: float | None = None) -> Participant:
    """The participant a token belongs to, after a reload or reconnect (also once ended)."""
    now = time.time() if now is None else now
    _, row = _find(db, code, token)
    store.touch_participant(db, row["id"], now, TOUCH_EVERY_SECONDS)
    return _participant(row, token)


def _check_open(workshop: Workshop, step_index: Any, now: float) -> None:
    if workshop.ended:
        raise WorkshopEnded()
    if type(step_index) is not int or step_index != workshop.current_step:
        raise NotCurrentStep(workshop.current_step)
    if not workshop.answering_open:
        raise AnsweringClosed("Answering is closed for this step.")
    if workshop.timer_ends_at is not None and now >= workshop.timer_ends_at + TIMER_GRACE_SECONDS:
        raise AnsweringClosed("Time is up: answering has closed for this step.")


def _check_own_step(workshop: Workshop, row: dict[str, Any], step_index: Any, now: float) -> None:
    # A self-paced room: the step this phone is on, once the room has started, until it ends.
    if workshop.ended:
        raise WorkshopEnded()
    if workshop.scheduled_for is not None:
        raise AnsweringClosed("This workshop has not started yet: wait for the start time.")
    if type(step_index) is not int or step_index != _own_step(workshop, row):
        raise NotCurrentStep(_own_step(workshop, row))
    if workshop.timer_ends_at is not None and now >= workshop.timer_ends_at + TIMER_GRACE_SECONDS:
        raise AnsweringClosed("Time is up: answering has closed for this step.")


def _own_step(workshop: Workshop, row: dict[str, Any]) -> int:
    return min(max(int(row.get("at_step") or 0), 0), workshop.step_count - 1)


def _answer_own_step(
    db: Connection, workshop: Workshop, row: dict[str, Any], step_index: Any, value: Any, now: float
) -> AnswerReceipt:
    _check_own_step(workshop, row, step_index, now)
    stored = validate_answer(_step(db, workshop, step_index), value)
    saved = own_steps.insert_own_step_response(
        db, workshop.id, step_index, row["id"], json.dumps(stored), now, TIMER_GRACE_SECONDS
    )
    if not saved:
        earlier = store.response(db, workshop.id, step_index, row["id"])
        if earlier is None:  # switched, scheduled or ended between our check and the write
            _check_own_step(get_workshop(db, workshop.id), row, step_index, now)
            raise AnsweringClosed("Answering is closed for this step.")
        # The first answer stands: this phone has seen the right answer since.
        stored = json.loads(earlier["answer"])
    return AnswerReceipt(workshop.id, step_index, row["number"], stored, now)


def answer(
    db: Connection, code: str, token: str, step_index: int, value: Any, now: float | None = None
) -> AnswerReceipt:
    """Store this phone's answer to the current step (self-paced: its own); once committed."""
    now = time.time() if now is None else now
    workshop, row = _find(db, code, token)
    if workshop.self_paced:
        return _answer_own_step(db, workshop, row, step_index, value, now)
    _check_open(workshop, step_index, now)
    stored = validate_answer(_step(db, workshop, step_index), value)
    saved = store.upsert_response(
        db, workshop.id, step_index, row["id"], json.dumps(stored), now, TIMER_GRACE_SECONDS
    )
    if not saved:
        # The facilitator moved, locked or ended between our check and the write.
        _check_open(get_workshop(db, workshop.id), step_index, now)
        raise AnsweringClosed("Answering is closed for this step.")
    return AnswerReceipt(workshop.id, step_index, row["number"], stored, now)


def state_for_participant(
    db: Connection, code: str, token: str, now: float | None = None
) -> dict[str, Any]:
    """Everything a phone shows, JSON-ready; the right answer only once it is revealed."""
    now = time.time() if now is None else now
    workshop, row = _find(db, code, token)
    index = _own_step(workshop, row) if workshop.self_paced else workshop.current_step
    step = _step(db, workshop, index)
    mine = store.response(db, workshop.id, index, row["id"])
    scores = quiz.phone_block(quiz.room_scores(db, workshop), row["id"])
    return _state(workshop, step, row, mine["answer"] if mine else None, now, scores)


def states_for_participants(
    db: Connection, code: str, tokens: list[str], now: float | None = None
) -> dict[str, dict[str, Any] | CareLabError]:
    """What each of these phones shows (or why it cannot), in a few queries for the whole room.

    The room's poller calls this when a workshop changes, for every phone listening: reading
    each phone's state on its own took four queries a phone, 8,000 for a 2,000-phone room.
    Each state is what `state_for_participant` gives for that token. A scored room's totals
    take one more query (two with the leaderboard revealed), for the whole room.
    """
    now = time.time() if now is None else now
    try:
        workshop = workshop_for_code(db, code)
    except UnknownCode:
        return {token: UnknownParticipant() for token in tokens}
    except CareLabError as exc:
        return {token: exc for token in tokens}
    step = _step(db, workshop, workshop.current_step)
    hashes = {
        token: _token_hash(token)
        for token in tokens
        if isinstance(token, str) and token and len(token) <= MAX_TOKEN
    }
    rows = store.participants_by_token(db, workshop.id, sorted(set(hashes.values())))
    if workshop.self_paced:  # each phone on its own step: one query for all their answers
        answers = own_steps.answers_at_own_steps(db, workshop.id)
        _cache_steps(db, workshop, {_own_step(workshop, row) for row in rows.values()})
    else:
        answers = store.step_answers(db, workshop.id, workshop.current_step)
    scores = quiz.room_scores(db, workshop)
    found: dict[str, dict[str, Any] | CareLabError] = {}
    for token in tokens:
        row = rows.get(hashes.get(token, ""))
        if row is None:
            found[token] = UnknownParticipant()
        else:
            if workshop.self_paced:
                step = _step(db, workshop, _own_step(workshop, row))
            mine = answers.get(row["id"])
            found[token] = _state(
                workshop, step, row, mine, now, quiz.phone_block(scores, row["id"])
            )
    return found


def _cache_steps(db: Connection, workshop: Workshop, indices: set[int]) -> None:
    # The steps the phones are on, read in one query if any is not kept yet.
    key = (workshop.id, workshop.code, workshop.created_at)
    if all((*key, index) in _STEPS for index in indices):
        return
    if len(_STEPS) + workshop.step_count >= _STEPS_KEPT:
        _STEPS.clear()
    for index, text in enumerate(store.steps(db, workshop.id)):
        _STEPS[(*key, index)] = WorkshopStep.from_json(text)


def _state(
    workshop: Workshop,
    step: WorkshopStep,
    row: dict[str, Any],
    answer: str | None,
    now: float,
    scores: dict[str, Any] | None = None,
) -> dict[str, Any]:
    my_answer = json.loads(answer) if answer is not None else None
    own = workshop.self_paced
    # Self-paced: a phone sees the right answer of a step once it has answered it.
    revealed = answer is not None if own else workshop.answer_revealed
    correct = is_correct(step, my_answer) if revealed and answer is not None else None
    open_now = (
        workshop.scheduled_for is None and answer is None and step.answerable
        if own
        else workshop.answering_open
    )
    time_left = workshop.timer_ends_at is None or now < workshop.timer_ends_at
    return {
        "code": workshop.code,
        "title": workshop.title,
        "ended": workshop.ended,
        "version": workshop.version,
        "step_index": _own_step(workshop, row) if own else workshop.current_step,
        "step_count": workshop.step_count,
        "step": step.public(reveal_answer=revealed),
        "answering_open": open_now and not workshop.ended and time_left,
        "results_revealed": workshop.results_revealed and not own,
        "answer_revealed": revealed,
        "self_paced": own,
        "starts_at": workshop.scheduled_for,
        "my_answer": my_answer,
        "my_answer_correct": correct,
        "timer_ends_at": workshop.timer_ends_at,
        "server_time": now,
        "participant": {"number": row["number"], "nickname": row["nickname"]},
        # Quiz mode: {"points", "rank", "players"} (rank only with the leaderboard revealed).
        "quiz": scores,
        # Questions from the floor: whether they are on, and the list's version as of this
        # state (votes move it without a new state; the phone polls the list, see floor.py).
        "floor": {"on": workshop.floor_questions, "version": workshop.floor_version},
    }
