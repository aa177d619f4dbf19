"""A module's pre-test: what the learner knows before the module, and their gain after it.

A module may declare a short `pre_test:` of questions parallel to its scored ones (same
objective, a different stem). A new attempt starts with it, unless the learner skips it.
Each first answer is scored and saved the moment it is given, but nothing is shown about
it until the whole pre-test is finished, so the pre-test does not teach the answers to
the post-test (the module's own scored questions). It is never graded against the pass
mark. The gain is the pre-test score beside the module score ("Pre-test 45%, post-test
85%"): shown only when both exist, on My learning and on the certificate, which keeps
the pre-test score it was issued with.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from carelab.auth import User
from carelab.content import schema
from carelab.errors import CareLabError
from carelab.learning import grading
from carelab.learning.records import Attempt
from carelab.store import Connection
from carelab.store import db as store_db
from carelab.store import learning as learning_store
from carelab.store import pre_tests as store
from carelab.store.db import write_transaction

TITLE = "Before you start: what do you already know?"
OUTCOMES = ("taken", "skipped")


class PreTestError(CareLabError):
    """A pre-test action that cannot be done: answering after it is over, finishing early."""


@dataclass(frozen=True)
class PreTestAnswer:
    """A first answer to a pre-test question, as saved (response as grading.encode stores it)."""

    question_id: str
    response: str
    score: float
    answered_at: float


@dataclass(frozen=True)
class PreTest:
    """Where an attempt's pre-test stands.

    `offered`: the module has a pre-test and this attempt may take it (it had not begun the
    module) or took or skipped it. `outcome`: 'taken', 'skipped' or None (not finished).
    """

    offered: bool
    outcome: str | None = None
    score: float | None = None
    questions: int = 0
    answers: Mapping[str, PreTestAnswer] = field(default_factory=dict)

    @property
    def pending(self) -> bool:
        """Whether the learner still has the pre-test in front of them."""
        return self.offered and self.outcome is None

    @property
    def taken(self) -> bool:
        """Whether the learner finished the pre-test (so it has a score)."""
        return self.outcome == "taken"


NOT_OFFERED = PreTest(offered=False)


def percent(share: float) -> str:
    """A share from 0 to 1 as a whole percentage, e.g. 45%."""
    return f"{share:.0%}"


def gain_text(pre: float | None, post: float | None) -> str | None:
    """'Pre-test 45%, post-test 85%' when both scores exist; otherwise None."""
    if pre is None or post is None:
        return None
    return f"Pre-test {percent(pre)}, post-test {percent(post)}"


def pre_test_score(answers: Mapping[str, PreTestAnswer], questions: list[Any]) -> float:
    """The share of the pre-test's points: each question's first answer, unanswered as 0."""
    if not questions:
        return 0.0
    return sum(answers[q.id].score for q in questions if q.id in answers) / len(questions)


# --- with a connection (what the tests drive) -------------------------------------------


def _begun(db: Connection, attempt: Attempt) -> bool:
    """Whether the attempt has started the module itself (so it is too late for a pre-test)."""
    return (
        attempt.current_step is not None
        or bool(learning_store.answers_of(db, attempt.id))
        or bool(learning_store.done_steps(db, attempt.id))
    )


def state(db: Connection, attempt: Attempt, module: schema.Module) -> PreTest:
    """Where the attempt's pre-test stands (NOT_OFFERED when the module has none)."""
    if module.pre_test is None or attempt.kind != "module":
        return NOT_OFFERED
    result = store.result_of(db, attempt.id)
    if result is None and (attempt.complete or _begun(db, attempt)):
        # An attempt that began before the module had a pre-test goes on without one.
        return NOT_OFFERED
    answers = {
        row["question_id"]: PreTestAnswer(
            row["question_id"], row["response"], row["score"], row["answered_at"]
        )
        for row in store.answers_of(db, attempt.id)
    }
    questions = len(module.pre_test.questions)
    if result is None:
        return PreTest(True, None, None, questions, answers)
    return PreTest(True, result["outcome"], result["score"], result["questions"], answers)


def _open(db: Connection, attempt: Attempt, module: schema.Module) -> PreTest:
    current = learning_store.attempt(db, attempt.id) or attempt
    found = state(db, current, module)
    if not found.offered:
        raise PreTestError("This attempt has no pre-test: it has begun the module already.")
    if found.outcome is not None:
        raise PreTestError("The pre-test is over for this attempt; carry on with the module.")
    return found


def _question(module: schema.Module, question_id: str) -> Any:
    assert module.pre_test is not None
    for question in module.pre_test.questions:
        if question.id == question_id:
            return question
    raise PreTestError(f"The pre-test has no question '{question_id}'.")


def record_answer(
    db: Connection, attempt: Attempt, module: schema.Module, question_id: str, response: Any
) -> PreTestAnswer:
    """Mark a pre-test answer and save it at once; only the first answer to a question counts."""
    question = _question(module, question_id) if module.pre_test else None
    with write_transaction(db):
        found = _open(db, attempt, module)
        if question_id in found.answers:
            return found.answers[question_id]
        response, result = grading.check_and_grade(question, response)
        saved = PreTestAnswer(question_id, grading.encode(response), result.score, time.time())
        store.save_answer(
            db, attempt.id, question_id, saved.response, saved.score, saved.answered_at
        )
    return saved


def finish(db: Connection, attempt: Attempt, module: schema.Module) -> PreTest:
    """End the pre-test once every question has an answer; its score is then fixed."""
    with write_transaction(db):
        found = _open(db, attempt, module)
        assert module.pre_test is not None
        questions = module.pre_test.questions
        missing = [i + 1 for i, q in enumerate(questions) if q.id not in found.answers]
        if missing:
            listed = ", ".join(str(n) for n in missing)
            raise PreTestError(
                f"Answer every question first (still to answer: {listed}), or skip the pre-test."
            )
        score = pre_test_score(found.answers, questions)
        store.finish(db, attempt.id, "taken", score, len(questions), time.time())
    return state(db, attempt, module)


def skip(db: Connection, attempt: Attempt, module: schema.Module) -> PreTest:
    """Skip the pre-test: the module goes on as usual, and no gain is shown for this attempt."""
    with write_transaction(db):
        found = _open(db, attempt, module)
        store.finish(db, attempt.id, "skipped", None, found.questions, time.time())
    return state(db, attempt, module)


def certificate_score(db: Connection, attempt_id: int) -> float | None:
    """The pre-test score a certificate for this attempt keeps (None: skipped or none)."""
    result = store.result_of(db, attempt_id)
    return result["score"] if result and result["outcome"] == "taken" else None


# --- for the pages: each opens its own connection ---------------------------------------


def open_pre_test(attempt: Attempt, module: schema.Module) -> PreTest:
    """Where the attempt's pre-test stands."""
    with store_db.session() as db:
        return state(db, attempt, module)


def answer(
    attempt: Attempt, module: schema.Module, question_id: str, response: Any
) -> PreTestAnswer:
    """Mark and save a pre-test answer; return it as saved."""
    with store_db.session() as db:
        return record_answer(db, attempt, module, question_id, response)


def finish_pre_test(attempt: Attempt, module: schema.Module) -> PreTest:
    """Finish the pre-test (every question answered), fixing its score."""
    with store_db.session() as db:
        return finish(db, attempt, module)


def skip_pre_test(attempt: Attempt, module: schema.Module) -> PreTest:
    """Skip the pre-test."""
    with store_db.session() as db:
        return skip(db, attempt, module)


def scores(user: User) -> dict[int, float]:
    """The learner's pre-test scores by module attempt id (finished pre-tests only)."""
    with store_db.session() as db:
        return store.scores_of(db, user.id)
