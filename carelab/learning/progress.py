"""A learner's way through a module: attempts, saved answers, finished steps, completion.

An attempt belongs to one module version. When an author raises the version, earlier
answers stay with the old attempt and are never shown against the new questions: the
learner's next visit starts a new attempt. Completion needs every required step done
and the quiz score at or above the module's pass mark; the score counts each question's
first answer, and later tries are for learning.

A case step shows its case's quiz, and those answers belong to the module attempt, so the
module's score counts them. They are stored as `<case step id>.<question id>`: a case's
question may share an id with one of the module's own (the co-production module and the
Jönköping case both ask `always-coproduced`). A case's quiz on the case page is the
learner's own case attempt (carelab.learning.case_progress), kept apart from modules.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from carelab.auth import User
from carelab.content import schema, timing
from carelab.errors import CareLabError
from carelab.learning import active_time, confidence, grading, limits, pre_test, review
from carelab.learning.certificate import CertificateData, attested_minutes, new_code
from carelab.learning.records import Attempt, Certificate, RatedAnswer, Reflection, SavedAnswer
from carelab.store import Connection
from carelab.store import learning as store
from carelab.store import reviews as review_store
from carelab.store.db import write_transaction

# Each part's field name and the label the player shows it under.
REFLECTION_FIELDS = {"what": "What?", "so_what": "So what?", "now_what": "Now what?"}
# Patterns that suggest a patient could be identified: an NHS number, a date of birth,
# a hospital number. A warning, not a block: the learner decides, and nothing is lost.
IDENTIFIER_PATTERNS = {
    "an NHS number": re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b"),
    "a date of birth": re.compile(r"\b(dob|d\.o\.b|born on)\b", re.IGNORECASE),
    "a full date": re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"),
    "a hospital number": re.compile(r"\b(mrn|hospital (number|no))\b", re.IGNORECASE),
}


class ProgressError(CareLabError):
    """A learning action that cannot be done, e.g. completing before the rule is met."""


@dataclass(frozen=True)
class Status:
    """Where an attempt stands against the completion rule."""

    done: frozenset[str]
    required: tuple[str, ...]
    answered: int
    questions: int
    score: float
    pass_mark: float
    complete: bool
    # Certainty-based marks over the first answers given with a confidence (none: 0 of 0).
    marks: confidence.MarkTotal = confidence.NO_MARKS

    @property
    def required_done(self) -> bool:
        """Whether every required step is finished."""
        return all(step in self.done for step in self.required)

    @property
    def passed(self) -> bool:
        """Whether the quiz score meets the pass mark (no questions: passed)."""
        return self.questions == 0 or self.score >= self.pass_mark - 1e-9


def case_answer_id(step_id: str, question_id: str) -> str:
    """The id a case step's question is saved under in a module attempt."""
    # Slugs have no dots, so this never meets a module question's own id.
    return f"{step_id}.{question_id}"


def scored_questions(
    module: schema.Module, cases: Mapping[str, schema.Case] | None = None
) -> list[tuple[str, str, Any]]:
    """Every question the module's score counts, as (step id, answer id, question), in order.

    With the catalog's `cases`, a case step's quiz counts too; a case missing from them
    (held back while its authors fix it) counts no questions until it returns.
    """
    found: list[tuple[str, str, Any]] = []
    for step in module.steps:
        if isinstance(step, schema.QuizStep):
            found.extend((step.id, q.id, q) for q in step.questions)
        elif isinstance(step, schema.CaseStep) and cases and step.case in cases:
            quiz = cases[step.case].quiz
            found.extend((step.id, case_answer_id(step.id, q.id), q) for q in quiz)
    return found


def current_attempt(db: Connection, user: User, module: schema.Module) -> Attempt:
    """The attempt to continue: the latest one for this version, or a new one."""
    latest = store.latest_attempt(db, user.id, module.id)
    if latest and latest.module_version == module.version:
        return latest
    return store.create_attempt(
        db, user.id, module.id, module.version, secrets.randbelow(2**31), time.time()
    )


def older_version_attempt(db: Connection, user: User, module: schema.Module) -> Attempt | None:
    """An unfinished attempt at an earlier version, while the current version is unfinished."""
    mine = [a for a in store.attempts_of(db, user.id) if a.module_id == module.id]
    if any(a.module_version == module.version and a.complete for a in mine):
        return None
    for found in mine:
        if found.module_version != module.version:
            return None if found.complete else found
    return None


def new_attempt(db: Connection, user: User, module: schema.Module) -> Attempt:
    """Start again: a fresh attempt with a new option order; earlier ones stay recorded."""
    return store.create_attempt(
        db, user.id, module.id, module.version, secrets.randbelow(2**31), time.time()
    )


def record_answer(
    db: Connection,
    attempt: Attempt,
    step_id: str,
    question: Any,
    response: Any,
    answer_id: str | None = None,
    confidence: str | None = None,
    ask_confidence: bool = False,
) -> grading.Grade:
    """Mark an answer and save it at once; the first answer to a question is the scored one.

    `answer_id` is what it is saved under when that is not the question's id (a case step's
    question: see case_answer_id). `confidence` is how sure the learner said they were
    (carelab.learning.confidence), kept with the first answer; with `ask_confidence` (the
    module has confidence on) a first answer without one is refused.
    """
    key = answer_id or question.id
    level = check_confidence(confidence)
    # One transaction: an attempt completed in another tab between the check and the
    # save must not take the answer.
    with write_transaction(db):
        _check_open(db, attempt)
        if ask_confidence and level is None and key not in store.answers_of(db, attempt.id):
            raise ProgressError("Choose how sure you are before checking your answer.")
        return grade_and_save(db, attempt, step_id, key, question, response, level)


def check_confidence(value: str | None) -> confidence.Level | None:
    """A confidence as the learner gave it, or ProgressError when it is not a level."""
    try:
        return confidence.check_level(value)
    except confidence.InvalidConfidence as exc:
        raise ProgressError(str(exc)) from None


def grade_and_save(
    db: Connection,
    attempt: Attempt,
    step_id: str,
    answer_id: str,
    question: Any,
    response: Any,
    level: str | None = None,
) -> grading.Grade:
    """Check the answer's size and form, grade it and save it at once (no open check)."""
    response, result = grading.check_and_grade(question, response)
    store.save_answer(
        db, attempt.id, step_id, answer_id, grading.encode(response),
        result.score, result.correct, time.time(), level,
    )  # fmt: skip
    return result


def _check_open(db: Connection, attempt: Attempt) -> None:
    # Read it afresh: the attempt may have been completed since the page loaded it.
    current = store.attempt(db, attempt.id)
    if current is None or current.complete:
        raise ProgressError("This attempt is complete. Start a new attempt to answer again.")


def identifier_warnings(*texts: str) -> list[str]:
    """What in a reflection looks like it could identify a patient."""
    joined = "\n".join(texts)
    return [name for name, pattern in IDENTIFIER_PATTERNS.items() if pattern.search(joined)]


def save_reflection(
    db: Connection,
    attempt: Attempt,
    step: schema.ReflectionStep,
    answers: dict[str, str],
) -> float:
    """Save a What? / So what? / Now what? reflection; return when it was saved."""
    texts = {name: (answers.get(name) or "").strip() for name in REFLECTION_FIELDS}
    if not any(texts.values()):
        raise ProgressError("Write at least one part of the reflection before saving it.")
    labelled = {f"“{REFLECTION_FIELDS[name]}”": text for name, text in texts.items()}
    limits.check_lengths(labelled, limits.MAX_REFLECTION, "save again")
    saved_at = time.time()
    fields = {"step_title": step.title, "prompt": step.prompt, **texts, "saved_at": saved_at}
    # The reflection and its step's "done" are saved together or not at all.
    with write_transaction(db):
        _check_open(db, attempt)
        store.save_reflection(db, attempt.id, step.id, fields)
        store.mark_step_done(db, attempt.id, step.id, saved_at)
    return saved_at


def answers(db: Connection, attempt: Attempt) -> dict[str, SavedAnswer]:
    """The attempt's saved answers by question id."""
    return store.answers_of(db, attempt.id)


def reflections(db: Connection, attempt: Attempt) -> dict[str, Reflection]:
    """The attempt's saved reflections by step id."""
    return store.reflections_of(db, attempt.id)


def finish_step(db: Connection, attempt: Attempt, step_id: str) -> None:
    """Record a step as done (reading, a case, a lab, a discussion)."""
    store.mark_step_done(db, attempt.id, step_id, time.time())


def move_to(db: Connection, attempt: Attempt, step_id: str) -> None:
    """Remember the step the learner is on."""
    store.set_current_step(db, attempt.id, step_id)


def leave_step(db: Connection, attempt: Attempt, finished: str | None, to_step: str) -> None:
    """Record the step being left as done (when `finished` names it) and move, together."""
    with write_transaction(db):
        if finished is not None:
            finish_step(db, attempt, finished)
        move_to(db, attempt, to_step)


def status(
    db: Connection,
    attempt: Attempt,
    module: schema.Module,
    cases: Mapping[str, schema.Case] | None = None,
) -> Status:
    """Where the attempt stands: steps done, quiz score, and whether it is complete.

    Pass the catalog's `cases` so that the questions of the module's case steps count.
    """
    answers = store.answers_of(db, attempt.id)
    questions = scored_questions(module, cases)
    done = set(store.done_steps(db, attempt.id))
    # A quiz step, or a case step with a quiz, is done once each of its questions is answered.
    unanswered = {step_id for step_id, key, _ in questions if key not in answers}
    done |= {step_id for step_id, _, _ in questions if step_id not in unanswered}
    score = sum(answers[key].score for _, key, _ in questions if key in answers)
    return Status(
        done=frozenset(done),
        required=tuple(s.id for s in module.steps if s.required),
        answered=sum(1 for _, key, _ in questions if key in answers),
        questions=len(questions),
        score=score / len(questions) if questions else 1.0,
        pass_mark=module.pass_mark,
        complete=attempt.complete,
        marks=attempt_marks(answers[key] for _, key, _ in questions if key in answers),
    )


def rated(answers: Iterable[SavedAnswer | RatedAnswer]) -> list[confidence.Rated]:
    """First answers as certainty-based marking sees them; those without a confidence left out."""
    found = []
    for answer in answers:
        level = answer.confidence if isinstance(answer, RatedAnswer) else answer.first_confidence
        if level in confidence.LEVELS:
            found.append(confidence.Rated(level, confidence.is_right(answer.score)))
    return found


def attempt_marks(answers: Iterable[SavedAnswer | RatedAnswer]) -> confidence.MarkTotal:
    """The certainty-based marks of some first answers (those without a confidence skipped)."""
    return confidence.total(rated(answers))


def complete(
    db: Connection,
    user: User,
    attempt: Attempt,
    module: schema.Module,
    verify_base: str,
    cases: Mapping[str, schema.Case] | None = None,
) -> CertificateData:
    """Complete the attempt and issue its certificate (once; asking again returns it).

    The certificate attests the attempt's time on task (carelab.learning.active_time), up
    to a cap, against the duration estimated from the module's content. The check, the
    completion and the certificate are one transaction: a completed attempt always has its
    certificate, and two tabs completing at once issue one.
    """
    with write_transaction(db):
        return _complete(db, user, attempt, module, verify_base, cases)


def _complete(
    db: Connection,
    user: User,
    attempt: Attempt,
    module: schema.Module,
    verify_base: str,
    cases: Mapping[str, schema.Case] | None,
) -> CertificateData:
    existing = store.certificate_for_attempt(db, attempt.id)
    if existing:
        return certificate_data(existing, verify_base)
    state = status(db, attempt, module, cases)
    if not state.required_done:
        missing = len([s for s in state.required if s not in state.done])
        raise ProgressError(f"Finish the {missing} remaining required steps first.")
    if not state.passed:
        raise ProgressError(
            f"Your score is {state.score:.0%}; the pass mark is {state.pass_mark:.0%}. "
            "Start a new attempt to try again: this one stays in your record."
        )
    now = time.time()
    active = active_time.active_seconds(db, attempt)
    estimated = timing.module_minutes(module, cases or {})
    store.complete_attempt(db, attempt.id, state.score, now)
    row = {
        "code": new_code(), "attempt_id": attempt.id, "user_id": user.id,
        "learner_name": user.display_name, "module_id": module.id,
        "module_title": module.title, "module_version": module.version,
        "objectives": json.dumps(list(module.learning_objectives)),
        "estimated_minutes": estimated,
        "attested_minutes": attested_minutes(active, estimated),
        "score": state.score, "completed_at": now,
        "assessment_questions": state.questions, "pass_mark": state.pass_mark,
        "pre_test_score": pre_test.certificate_score(db, attempt.id),
    }  # fmt: skip
    store.insert_certificate(db, row)
    queue_for_review(db, user.id, attempt.id, module, cases, now)
    return certificate_data(Certificate.from_row(row), verify_base)


def queue_for_review(
    db: Connection,
    user_id: int,
    attempt_id: int,
    module: schema.Module,
    cases: Mapping[str, schema.Case] | None,
    now: float,
) -> int:
    """Queue an attempt's wrong or unsure first answers for spaced review; how many were added.

    Part of completing a module (one transaction with it); a question already in the
    learner's queue keeps its place (carelab.learning.review has the rules).
    """
    saved = store.answers_of(db, attempt_id)
    added = 0
    for step_id, answer_id, _question in scored_questions(module, cases):
        got = saved.get(answer_id)
        if got is None or not review.enters_review(got.score >= 1, got.first_confidence):
            continue
        item = review.first_review(module.id, step_id, answer_id, now)
        added += review_store.add_if_absent(db, user_id, asdict(item))
    return added


def certificate_data(certificate: Certificate, verify_base: str) -> CertificateData:
    """A stored certificate as the data the PDF and the verify page show."""
    return CertificateData(
        code=certificate.code,
        learner_name=certificate.learner_name,
        module_title=certificate.module_title,
        module_version=certificate.module_version,
        objectives=certificate.objectives,
        estimated_minutes=certificate.estimated_minutes,
        attested_minutes=certificate.attested_minutes,
        completed_at=datetime.fromtimestamp(certificate.completed_at, UTC),
        verify_url=f"{verify_base.rstrip('/')}/?verify={certificate.code}",
        score=certificate.score,
        time_basis=certificate.time_basis,
        assessment_questions=certificate.assessment_questions,
        pass_mark=certificate.pass_mark,
        pre_test_score=certificate.pre_test_score,
    )
