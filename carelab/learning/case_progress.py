"""A learner's own progress on a case's quiz, answered on the case page.

A case attempt is stored like a module attempt (kind 'case'), through the same store
functions: one per case version, a seed for the option order, every answer saved the
moment it is given, and the first answer to each question scored. The case is complete
once every question of its quiz has an answer; its score, the mean of those first answers,
is fixed then. Trying a question again stays open after that, to learn, and changes no
score. Starting again opens a new attempt; the old one stays in the record.

A module's case step does not use this: its answers belong to the module attempt, so the
module's score counts them (see carelab.learning.progress.scored_questions).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from carelab.auth import User
from carelab.content import schema
from carelab.learning import grading
from carelab.learning.progress import ProgressError, grade_and_save
from carelab.learning.records import Attempt
from carelab.store import Connection
from carelab.store import learning as store
from carelab.store.db import write_transaction

# The step id a case page's answers are saved under (a case has no steps of its own).
CASE_QUIZ_STEP = "case-quiz"


@dataclass(frozen=True)
class CaseStatus:
    """Where a case attempt stands: answers given, the score so far, completion."""

    answered: int
    questions: int
    score: float  # mean of the first answers over every question; unanswered count 0
    complete: bool
    completed_score: float | None  # the score fixed at completion


@dataclass(frozen=True)
class CaseRecord:
    """One case attempt as My learning lists it."""

    case_id: str
    title: str
    version: str
    number: int
    started_at: float
    answered: int
    questions: int | None  # None when the case is not in the catalog now
    completed_at: float | None
    score: float | None


def _new(db: Connection, user: User, case: schema.Case) -> Attempt:
    return store.create_attempt(
        db, user.id, case.id, case.version, secrets.randbelow(2**31), time.time(), kind="case"
    )


def current_case_attempt(db: Connection, user: User, case: schema.Case) -> Attempt:
    """The case attempt to continue: the latest one for this version, or a new one."""
    latest = store.latest_attempt(db, user.id, case.id, kind="case")
    if latest and latest.module_version == case.version:
        return latest
    return _new(db, user, case)


def new_case_attempt(db: Connection, user: User, case: schema.Case) -> Attempt:
    """Start the case's quiz again: a new attempt and option order; the old one stays."""
    return _new(db, user, case)


def case_status(db: Connection, attempt: Attempt, case: schema.Case) -> CaseStatus:
    """Answers given to the case's current quiz, the score so far, and completion."""
    answers = store.answers_of(db, attempt.id)
    given = [answers[q.id] for q in case.quiz if q.id in answers]
    current = store.attempt(db, attempt.id) or attempt
    return CaseStatus(
        answered=len(given),
        questions=len(case.quiz),
        score=sum(answer.score for answer in given) / len(case.quiz) if case.quiz else 0.0,
        complete=current.complete,
        completed_score=current.score,
    )


def record_case_answer(
    db: Connection, attempt: Attempt, case: schema.Case, question: Any, response: Any
) -> grading.Grade:
    """Save an answer to the case's quiz at once; the last first answer completes the case."""
    if attempt.kind != "case" or attempt.module_id != case.id:
        raise ProgressError("This answer belongs to another case. Reload the page.")
    if question not in case.quiz:
        raise ProgressError("This question is no longer in the case. Reload the page.")
    # The answer and the completion it brings are one transaction, so two tabs finishing
    # together record one score (the store's UPDATE also takes only the first).
    with write_transaction(db):
        result = grade_and_save(db, attempt, CASE_QUIZ_STEP, question.id, question, response)
        state = case_status(db, attempt, case)
        if state.answered == state.questions and not state.complete:
            store.complete_attempt(db, attempt.id, state.score, time.time())
    return result


def case_records(
    db: Connection, user_id: int, cases: Mapping[str, schema.Case]
) -> list[CaseRecord]:
    """The user's case attempts with at least one answer, newest first."""
    records = []
    for row in store.answered_case_attempts(db, user_id):
        attempt = row.attempt
        case = cases.get(attempt.module_id)
        records.append(
            CaseRecord(
                case_id=attempt.module_id,
                title=case.title if case else attempt.module_id,
                version=attempt.module_version,
                number=attempt.number,
                started_at=attempt.started_at,
                answered=row.answered,
                questions=len(case.quiz) if case else None,
                completed_at=attempt.completed_at,
                score=attempt.score,
            )
        )
    return records
