"""The evaluation after a module and the follow-up on the change the learner meant to make.

CPD bodies ask for an evaluation with each activity, in Kirkpatrick's terms: reaction (level
1: relevance to practice, quality, balance and freedom from commercial bias, each on five
points in words, and what was missing) and the intent to change practice (level 3, as Moore,
Green and Gallis 2009 ask of a learning activity). From a date the learner chooses (8 weeks
on by default) My learning asks whether they made the change and what got in the way.

The evaluation is optional and asked once: a learner who declines is not asked again, and
the certificate never waits for it; once submitted, the certificate says so. Each answer is
saved the moment it is given. Functions taking a connection are the core the tests drive;
the rest, at the end, open their own connection for the pages.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from carelab.auth import User
from carelab.errors import CareLabError, NotFound
from carelab.learning import limits
from carelab.learning.certificate import CertificateData
from carelab.store import Connection
from carelab.store import db as store_db
from carelab.store import evaluations as store
from carelab.store import learning as learning_store
from carelab.store.db import write_transaction

# The three level-1 statements, rated on the same five-point scale of agreement.
ITEMS = {
    "relevance": "The module was relevant to my practice.",
    "quality": "The module was of good quality.",
    "balance": "The module was balanced and free of commercial bias.",
}
SCALE = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}
MISSING_PROMPT = "What was missing?"
INTENT_PROMPT = "What will you change in your practice?"
FOLLOW_UP_QUESTION = "Did you make the change?"
OBSTACLES_PROMPT = "What got in the way?"
OUTCOMES = {"made": "Yes, I made it", "partly": "Partly", "not_yet": "Not yet"}
FOLLOW_UP_WEEKS = 8
LATEST_FOLLOW_UP_DAYS = 366
DAY_SECONDS = 86_400


class EvaluationError(CareLabError):
    """An evaluation or follow-up that cannot be saved; the message says why in one sentence."""


@dataclass(frozen=True)
class Answers:
    """What a learner gives in the evaluation form: ratings 1-5 (None: skipped) and texts."""

    relevance: int | None = None
    quality: int | None = None
    balance: int | None = None
    missing: str = ""
    intent: str = ""


@dataclass(frozen=True)
class Evaluation:
    """An attempt's evaluation as saved ('submitted' or 'declined') and its follow-up."""

    attempt_id: int
    module_id: str
    status: str
    answers: Answers
    follow_up_on: date | None
    saved_at: float
    outcome: str | None = None
    obstacles: str = ""

    @property
    def submitted(self) -> bool:
        """Whether the learner submitted it (rather than declined)."""
        return self.status == "submitted"

    def follow_up_due(self, now: float) -> bool:
        """Whether My learning asks the follow-up now: an intent, its date reached, no reply."""
        return (
            self.submitted
            and bool(self.answers.intent.strip())
            and self.outcome is None
            and self.follow_up_on is not None
            and _day_start(self.follow_up_on) <= now
        )


def today(now: float) -> date:
    """The date (UTC) at a moment."""
    return datetime.fromtimestamp(now, UTC).date()


def default_follow_up(now: float) -> date:
    """The follow-up date offered: 8 weeks from today."""
    return today(now) + timedelta(weeks=FOLLOW_UP_WEEKS)


def _day_start(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _check_day(day: date, now: float) -> None:
    first, last = today(now) + timedelta(days=1), today(now) + timedelta(LATEST_FOLLOW_UP_DAYS)
    if not first <= day <= last:
        raise EvaluationError(
            f"Choose a follow-up date between {first:%d %B %Y} and {last:%d %B %Y}."
        )


def _check_answers(answers: Answers) -> None:
    for name in ITEMS:
        value = getattr(answers, name)
        if value is not None and value not in SCALE:
            raise EvaluationError(f"A rating is from 1 to 5; {name} was {value!r}.")
    limits.check_lengths(
        {MISSING_PROMPT: answers.missing, INTENT_PROMPT: answers.intent},
        limits.MAX_EVALUATION_TEXT,
        "submit it again",
    )


def _evaluation(row: dict[str, Any]) -> Evaluation:
    answers = Answers(
        row["relevance"], row["quality"], row["balance"], row["missing"], row["intent"]
    )
    at = row["follow_up_at"]
    return Evaluation(
        attempt_id=int(row["attempt_id"]),
        module_id=row["module_id"],
        status=row["status"],
        answers=answers,
        follow_up_on=None if at is None else today(at),
        saved_at=row["saved_at"],
        outcome=row["outcome"],
        obstacles=row["obstacles"] or "",
    )


def _own_completed(db: Connection, user: User, attempt_id: int) -> None:
    attempt = learning_store.attempt(db, attempt_id)
    if attempt is None or attempt.user_id != user.id or attempt.kind != "module":
        raise NotFound("There is no such module attempt in your record.")
    if not attempt.complete:
        raise EvaluationError("The evaluation opens when you have completed the module.")


def evaluation_of(db: Connection, attempt_id: int) -> Evaluation | None:
    """An attempt's evaluation, or None if the learner has not been through it."""
    row = store.of_attempt(db, attempt_id)
    return None if row is None else _evaluation(row)


def submit(
    db: Connection, user: User, attempt_id: int, answers: Answers, follow_up_on: date, now: float
) -> Evaluation:
    """Save a completed attempt's evaluation, once (after a decline, the learner may still)."""
    _check_answers(answers)
    _check_day(follow_up_on, now)
    with write_transaction(db):
        _own_completed(db, user, attempt_id)
        row = {
            "attempt_id": attempt_id, "status": "submitted", "relevance": answers.relevance,
            "quality": answers.quality, "balance": answers.balance,
            "missing": answers.missing.strip(), "intent": answers.intent.strip(),
            "follow_up_at": _day_start(follow_up_on), "saved_at": now,
        }  # fmt: skip
        if not store.save(db, row):
            raise EvaluationError("You have already submitted the evaluation of this attempt.")
        return _evaluation(store.of_attempt(db, attempt_id) or {})


def decline(db: Connection, user: User, attempt_id: int, now: float) -> Evaluation:
    """Record that the learner would rather not evaluate this attempt: not asked again."""
    with write_transaction(db):
        _own_completed(db, user, attempt_id)
        if store.of_attempt(db, attempt_id) is None:
            store.save(
                db,
                {"attempt_id": attempt_id, "status": "declined", "relevance": None,
                 "quality": None, "balance": None, "missing": "", "intent": "",
                 "follow_up_at": None, "saved_at": now},
            )  # fmt: skip
        return _evaluation(store.of_attempt(db, attempt_id) or {})


def _own_evaluation(db: Connection, user: User, attempt_id: int) -> Evaluation:
    _own_completed(db, user, attempt_id)
    found = evaluation_of(db, attempt_id)
    if found is None or not found.submitted:
        raise NotFound("This attempt has no submitted evaluation.")
    return found


def move_follow_up(db: Connection, user: User, attempt_id: int, day: date, now: float) -> None:
    """Move the follow-up to another date (from tomorrow, at most a year on)."""
    _check_day(day, now)
    with write_transaction(db):
        found = _own_evaluation(db, user, attempt_id)
        if found.outcome is not None:
            raise EvaluationError("You have already answered this follow-up.")
        store.set_follow_up_at(db, attempt_id, _day_start(day))


def answer_follow_up(
    db: Connection, user: User, attempt_id: int, outcome: str, obstacles: str, now: float
) -> Evaluation:
    """Save whether the learner made the change and what got in the way, once."""
    if outcome not in OUTCOMES:
        raise EvaluationError("Choose one answer: made it, partly or not yet.")
    limits.check_lengths({OBSTACLES_PROMPT: obstacles}, limits.MAX_EVALUATION_TEXT, "send it again")
    with write_transaction(db):
        found = _own_evaluation(db, user, attempt_id)
        if not found.follow_up_due(now):
            raise EvaluationError("This follow-up is not open: its date has not come yet.")
        row = {"attempt_id": attempt_id, "outcome": outcome, "obstacles": obstacles.strip(),
               "answered_at": now}  # fmt: skip
        store.save_follow_up(db, row)
        return _evaluation(store.of_attempt(db, attempt_id) or {})


def due_follow_ups(db: Connection, user_id: int, now: float) -> list[Evaluation]:
    """The learner's follow-ups open now, earliest date first."""
    found = [_evaluation(row) for row in store.of_user(db, user_id)]
    return [e for e in found if e.follow_up_due(now)]


def evaluation_completed(db: Connection, code: str) -> bool:
    """Whether the learner submitted the evaluation of the attempt a certificate is for."""
    return store.submitted_for_certificate(db, code)


# --- for the pages: each opens its own connection ------------------------------------------


def clock() -> float:
    """The time now; tests replace it to move the calendar."""
    return time.time()


def for_attempt(attempt_id: int) -> Evaluation | None:
    """An attempt's evaluation, if the learner has been through it."""
    with store_db.session() as db:
        return evaluation_of(db, attempt_id)


def submit_now(user: User, attempt_id: int, answers: Answers, follow_up_on: date) -> Evaluation:
    """Submit an attempt's evaluation now."""
    with store_db.session() as db:
        return submit(db, user, attempt_id, answers, follow_up_on, clock())


def decline_now(user: User, attempt_id: int) -> Evaluation:
    """Decline an attempt's evaluation now."""
    with store_db.session() as db:
        return decline(db, user, attempt_id, clock())


def due_now(user: User) -> list[Evaluation]:
    """The learner's follow-ups open today."""
    with store_db.session() as db:
        return due_follow_ups(db, user.id, clock())


def answer_now(user: User, attempt_id: int, outcome: str, obstacles: str) -> Evaluation:
    """Answer a follow-up now."""
    with store_db.session() as db:
        return answer_follow_up(db, user, attempt_id, outcome, obstacles, clock())


def completed_for(code: str) -> bool:
    """Whether the certificate with this code has its evaluation submitted."""
    with store_db.session() as db:
        return evaluation_completed(db, code)


def with_evaluation(data: CertificateData) -> CertificateData:
    """The certificate's data saying whether its evaluation was completed, as it is now."""
    return dataclasses.replace(data, evaluation_completed=completed_for(data.code))
