"""Whole operations of self-paced learning, for the pages: each opens its own connection.

A page calls one of these and gets frozen dataclasses back, or a CareLabError to show; it
never sees a row or a connection. Each is a thin skin over carelab.learning.progress and
case_progress, which take a connection and are what the unit tests drive.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from carelab.auth import User
from carelab.content import schema
from carelab.learning import active_time, case_progress, confidence, events, progress
from carelab.learning.case_progress import CaseRecord, CaseStatus
from carelab.learning.certificate import CertificateData, normalise_certificate_code
from carelab.learning.progress import ProgressError, Status
from carelab.learning.records import Attempt, Certificate, RatedAnswer, Reflection, SavedAnswer
from carelab.learning.reflective_log import ReflectionEntry
from carelab.store import db as store_db
from carelab.store import learning as store


@dataclass(frozen=True)
class Player:
    """What the module player opens on: the attempt, an unfinished older one, the standing."""

    attempt: Attempt
    older: Attempt | None
    status: Status


@dataclass(frozen=True)
class Completion:
    """The end of a module: the standing, the certificate if issued, the time on task."""

    status: Status
    certificate: CertificateData | None
    active_seconds: float


@dataclass(frozen=True)
class MyLearning:
    """A learner's record: module attempts, case attempts and certificates, newest first."""

    attempts: tuple[Attempt, ...]
    cases: tuple[CaseRecord, ...]
    certificates: tuple[CertificateData, ...]
    # Certainty-based marks by module attempt id (attempts answered with a confidence only),
    # and the learner's calibration over every first answer given with a confidence.
    marks: Mapping[int, confidence.MarkTotal] = field(default_factory=dict)
    calibration: tuple[confidence.LevelCalibration, ...] = ()


@dataclass(frozen=True)
class CaseQuiz:
    """A case page's quiz for a learner: their case attempt and its saved answers."""

    attempt: Attempt
    answers: Mapping[str, SavedAnswer]


@dataclass(frozen=True)
class Verification:
    """A typed code in its canonical form, and the certificate it names (None: unknown)."""

    code: str
    certificate: Certificate | None


# --- the module player -----------------------------------------------------------------


def open_player(
    user: User, module: schema.Module, cases: Mapping[str, schema.Case] | None = None
) -> Player:
    """The attempt to continue (started if need be), any older unfinished one, the standing."""
    opened_at = time.time()
    with store_db.session() as db:
        attempt = progress.current_attempt(db, user, module)
        older = progress.older_version_attempt(db, user, module)
        player = Player(attempt, older, progress.status(db, attempt, module, cases))
    if attempt.started_at >= opened_at:  # started by this call
        _tell("launched", attempt, module.title)
    return player


def record_action(attempt: Attempt) -> None:
    """Count one learner action towards the attempt's time on task."""
    with store_db.session() as db:
        active_time.record_action(db, attempt)


def move_to(attempt: Attempt, step_id: str) -> None:
    """Remember the step the learner is on."""
    with store_db.session() as db:
        progress.move_to(db, attempt, step_id)


def leave_step(attempt: Attempt, finished: str | None, to_step: str) -> None:
    """Record the step being left as done (when `finished` names it) and move, together."""
    with store_db.session() as db:
        progress.leave_step(db, attempt, finished, to_step)


def answers(attempt: Attempt) -> dict[str, SavedAnswer]:
    """The attempt's saved answers by the id they are saved under."""
    with store_db.session() as db:
        return progress.answers(db, attempt)


def answer(
    attempt: Attempt,
    step_id: str,
    question: Any,
    response: Any,
    answer_id: str | None = None,
    confidence: str | None = None,
    ask_confidence: bool = False,
) -> SavedAnswer:
    """Mark and save an answer (and its confidence) in a module attempt; return it as saved.

    With `ask_confidence` (the module has confidence on), a first answer needs a confidence.
    """
    key = answer_id or question.id
    with store_db.session() as db:
        progress.record_answer(
            db, attempt, step_id, question, response, key, confidence, ask_confidence
        )
        saved = progress.answers(db, attempt)[key]
    _tell_answer(attempt, step_id, question, saved)
    return saved


def reflection(attempt: Attempt, step_id: str) -> Reflection | None:
    """The reflection saved on a step of the attempt, if any."""
    with store_db.session() as db:
        return progress.reflections(db, attempt).get(step_id)


def save_reflection(attempt: Attempt, step: schema.ReflectionStep, texts: dict[str, str]) -> float:
    """Save a reflection (and its step as done); return when it was saved."""
    with store_db.session() as db:
        saved_at = progress.save_reflection(db, attempt, step, texts)
    _tell("reflected", attempt, step.title, step_id=step.id)
    return saved_at


def completion(
    attempt: Attempt,
    module: schema.Module,
    cases: Mapping[str, schema.Case] | None,
    verify_base: str,
) -> Completion:
    """Where the attempt stands, its certificate if issued, and its time on task so far."""
    with store_db.session() as db:
        status = progress.status(db, attempt, module, cases)
        issued = store.certificate_for_attempt(db, attempt.id)
        active = active_time.active_seconds(db, attempt)
    data = progress.certificate_data(issued, verify_base) if issued else None
    return Completion(status, data, active)


def confidence_marks(
    attempt: Attempt, module: schema.Module, cases: Mapping[str, schema.Case] | None
) -> confidence.MarkTotal:
    """The attempt's certainty-based marks so far, over the module's scored questions."""
    with store_db.session() as db:
        return progress.status(db, attempt, module, cases).marks


def complete(
    user: User,
    attempt: Attempt,
    module: schema.Module,
    verify_base: str,
    cases: Mapping[str, schema.Case] | None = None,
) -> CertificateData:
    """Complete the attempt and issue its certificate, or ProgressError saying what is left."""
    with store_db.session() as db:
        before = store.certificate_for_attempt(db, attempt.id)
        try:
            issued = progress.complete(db, user, attempt, module, verify_base, cases)
        except ProgressError:
            state = progress.status(db, attempt, module, cases)
            if state.required_done and not state.passed:
                _tell("failed", attempt, module.title, score=state.score, passed=False)
            raise
        if before is None:
            state = progress.status(db, attempt, module, cases)
            active = active_time.active_seconds(db, attempt)
            _tell("completed", attempt, module.title, score=state.score, passed=True,
                  duration=active)  # fmt: skip
    return issued


def new_attempt(user: User, module: schema.Module) -> Attempt:
    """Start the module again; earlier attempts stay recorded."""
    with store_db.session() as db:
        attempt = progress.new_attempt(db, user, module)
    _tell("launched", attempt, module.title)
    return attempt


# --- a case's quiz on its own page -----------------------------------------------------


def open_case_quiz(user: User, case: schema.Case) -> CaseQuiz:
    """The learner's case attempt to continue (started if need be) and its answers."""
    opened_at = time.time()
    with store_db.session() as db:
        attempt = case_progress.current_case_attempt(db, user, case)
        quiz = CaseQuiz(attempt, progress.answers(db, attempt))
    if attempt.started_at >= opened_at:  # started by this call
        _tell("launched", attempt, case.title)
    return quiz


def answer_case(attempt: Attempt, case: schema.Case, question: Any, response: Any) -> SavedAnswer:
    """Mark and save an answer to a case page's quiz; return it as now saved."""
    with store_db.session() as db:
        was_complete = case_progress.case_status(db, attempt, case).complete
        case_progress.record_case_answer(db, attempt, case, question, response)
        saved = progress.answers(db, attempt)[question.id]
        state = case_progress.case_status(db, attempt, case)
    _tell_answer(attempt, saved.step_id, question, saved)
    if state.complete and not was_complete:
        _tell("completed", attempt, case.title, score=state.completed_score, passed=None)
    return saved


def case_status(attempt: Attempt, case: schema.Case) -> CaseStatus:
    """How far the case attempt is, and its fixed score once complete."""
    with store_db.session() as db:
        return case_progress.case_status(db, attempt, case)


def new_case_attempt(user: User, case: schema.Case) -> Attempt:
    """Start a case's quiz again; the earlier attempt stays recorded."""
    with store_db.session() as db:
        attempt = case_progress.new_case_attempt(db, user, case)
    _tell("launched", attempt, case.title)
    return attempt


# --- telling listeners (carelab.learning.events) what the learner did -------------------


def _tell(
    kind: str,
    attempt: Attempt,
    title: str,
    *,
    step_id: str | None = None,
    score: float | None = None,
    passed: bool | None = None,
    duration: float | None = None,
) -> None:
    events.emit(
        events.LearningEvent(
            kind=kind,
            user_id=attempt.user_id,
            activity_kind=attempt.kind,
            activity_id=attempt.module_id,
            activity_title=title,
            attempt_id=attempt.id,
            at=time.time(),
            step_id=step_id,
            score_scaled=score,
            passed=passed,
            duration_seconds=duration,
        )
    )


def _tell_answer(attempt: Attempt, step_id: str, question: Any, saved: SavedAnswer) -> None:
    events.emit(
        events.LearningEvent(
            kind="answered",
            user_id=attempt.user_id,
            activity_kind=attempt.kind,
            activity_id=attempt.module_id,
            activity_title=attempt.module_id,
            attempt_id=attempt.id,
            at=saved.answered_at,
            step_id=step_id,
            question_id=saved.question_id,
            question_text=getattr(question, "prompt", None),
            question_kind=getattr(question, "kind", None),
            response=saved.last_response,
            correct=saved.last_correct,
            score_scaled=saved.score,
        )
    )


# --- My learning and Verify ------------------------------------------------------------


def my_learning(user: User, cases: Mapping[str, schema.Case], verify_base: str) -> MyLearning:
    """The learner's module attempts, case attempts and certificates."""
    with store_db.session() as db:
        attempts = store.attempts_of(db, user.id)
        records = case_progress.case_records(db, user.id, cases)
        certificates = store.certificates_of(db, user.id)
        rated = store.rated_answers(db, user.id)
    issued = (progress.certificate_data(c, verify_base) for c in certificates)
    by_attempt: dict[int, list[RatedAnswer]] = {}
    for found in rated:
        by_attempt.setdefault(found.attempt_id, []).append(found)
    marks = {aid: progress.attempt_marks(answers) for aid, answers in by_attempt.items()}
    calibration = confidence.calibration(progress.rated(rated))
    return MyLearning(tuple(attempts), tuple(records), tuple(issued), marks, calibration)


def reflection_entries(
    user: User, titles: Mapping[str, str], module_id: str | None = None
) -> list[ReflectionEntry]:
    """The learner's reflections as log entries, for one module or all; `titles` by id."""
    with store_db.session() as db:
        found = store.user_reflections(db, user.id)
    return [
        ReflectionEntry(
            module_title=titles.get(r.module_id, r.module_id),
            module_version=r.module_version,
            step_title=r.step_title,
            prompt=r.prompt,
            what=r.what,
            so_what=r.so_what,
            now_what=r.now_what,
            saved_at=datetime.fromtimestamp(r.saved_at, UTC),
        )
        for r in found
        if module_id is None or r.module_id == module_id
    ]


def my_data_json(user: User) -> str:
    """Everything stored about the learner, as the JSON of "Download my data"."""
    with store_db.session() as db:
        data = store.user_data(db, user.id)
    return json.dumps(data, indent=2, default=str)


def verify(typed: str) -> Verification:
    """Look up a code as typed; CertificateError when it cannot be a code at all."""
    code = normalise_certificate_code(typed)
    with store_db.session() as db:
        return Verification(code, store.certificate(db, code))
