"""The review queue in the database: filled on completion, answered, rescheduled, retired."""

from __future__ import annotations

import pytest

from carelab import auth
from carelab.content.loader import load_yaml_text
from carelab.content.schema import Module
from carelab.errors import NotFound
from carelab.learning import progress, review, reviews
from carelab.learning.progress import ProgressError
from carelab.store import learning as learning_store

BASE = "http://carelab.test"
DAY = review.DAY_SECONDS
MODULE_YAML = """\
id: rv
title: Review module
summary: S
learning_objectives: [Do a thing]
estimated_minutes: 10
version: "1"
pass_mark: 0
confidence: true
steps:
  - id: quiz
    kind: quiz
    title: Quiz
    questions:
      - id: pick
        kind: single_choice
        prompt: Which one?
        explanation: E
        shuffle: false
        options:
          - {text: Right one, correct: true}
          - {text: Wrong one}
      - {id: tf, kind: true_false, prompt: True?, explanation: E, answer: true}
      - {id: num, kind: numeric, prompt: How many?, explanation: E, answer: 10, tolerance: 0}
"""


@pytest.fixture
def module():
    return Module.model_validate(load_yaml_text(MODULE_YAML, "rv").data)


@pytest.fixture
def learner(db):
    return auth.create_account(db, "ann@example.org", "correct horse battery", "Ann")


def finish(db, user, module, answers):
    """Answer each question (response, confidence) and complete the attempt."""
    attempt = progress.current_attempt(db, user, module)
    for question, (response, sure) in zip(module.steps[0].questions, answers, strict=True):
        progress.record_answer(
            db, attempt, "quiz", question, response, confidence=sure, ask_confidence=True
        )
    progress.complete(db, user, attempt, module, BASE)
    return attempt


def test_wrong_and_unsure_answers_come_back_after_the_interval_and_leave_when_known(
    db, module, learner
):
    # pick: wrong; tf: right but a guess; num: right and sure (stays out of the queue).
    attempt = finish(db, learner, module, [(1, "high"), (True, "low"), ("10", "high")])
    queued = reviews.queue(db, learner.id)
    assert [(i.question_id, i.stage) for i in queued] == [("pick", 0), ("tf", 0)]
    added = queued[0].added_at
    assert all(i.due_at == added + 2 * DAY for i in queued)
    assert reviews.due_now(db, learner.id, added + DAY) == []  # not yet
    assert len(reviews.due_now(db, learner.id, added + 2 * DAY)) == 2

    before = learning_store.answers_of(db, attempt.id)
    grade, after = reviews.answer(db, learner.id, module, None, "pick", 0, "high", added + 2 * DAY)
    assert grade.correct and (after.stage, after.confident_streak) == (1, 1)
    assert after.due_at == added + 2 * DAY + 7 * DAY  # rescheduled, and saved:
    assert reviews.queue(db, learner.id)[-1] == after  # now the last due
    assert reviews.due_now(db, learner.id, added + 3 * DAY)[0].question_id == "tf"
    grade, gone = reviews.answer(db, learner.id, module, None, "pick", 0, "medium", added + 9 * DAY)
    assert grade.correct and gone is None  # two confident right answers in a row
    assert [i.question_id for i in reviews.queue(db, learner.id)] == ["tf"]

    _grade, wrong = reviews.answer(db, learner.id, module, None, "tf", False, "high", added)
    assert (wrong.stage, wrong.due_at) == (0, added + 2 * DAY)
    # Reviews change the queue only: the module's record is as it was.
    assert learning_store.answers_of(db, attempt.id) == before


def test_a_second_completion_does_not_queue_a_question_twice(db, module, learner):
    finish(db, learner, module, [(1, "high"), (True, "high"), ("10", "high")])
    first = reviews.queue(db, learner.id)
    progress.new_attempt(db, learner, module)
    finish(db, learner, module, [(1, "low"), (True, "high"), ("9", "medium")])
    again = reviews.queue(db, learner.id)
    assert sorted(i.question_id for i in again) == ["num", "pick"]
    assert next(i for i in again if i.question_id == "pick") == first[0]  # kept its place


def test_review_answers_need_a_confidence_and_a_queued_question(db, module, learner):
    finish(db, learner, module, [(1, "high"), (True, "high"), ("10", "high")])
    with pytest.raises(ProgressError, match="how sure"):
        reviews.answer(db, learner.id, module, None, "pick", 0, None, 0.0)
    with pytest.raises(NotFound):
        reviews.answer(db, learner.id, module, None, "num", "10", "high", 0.0)
    other = auth.create_account(db, "bo@example.org", "correct horse battery", "Bo")
    with pytest.raises(NotFound):  # another learner's queue is not yours
        reviews.answer(db, other.id, module, None, "pick", 0, "high", 0.0)


def test_a_review_calendar_lists_the_due_days(db, module, learner):
    finish(db, learner, module, [(1, "high"), (True, "low"), ("10", "high")])
    items = reviews.queue(db, learner.id)
    text = review.calendar(items, "k", "https://carelab.example/", items[0].added_at, {})
    assert text.count("BEGIN:VEVENT") == 1 and "2 questions due" in text
