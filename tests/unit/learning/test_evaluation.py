"""The evaluation after a module and its follow-up, kept in the database, with a set clock."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

import pytest
from pypdf import PdfReader

from carelab import auth
from carelab.content.loader import load_yaml_text
from carelab.content.schema import Module
from carelab.errors import NotFound
from carelab.learning import evaluation, limits, progress
from carelab.learning.certificate import assessment_line, certificate_pdf
from carelab.learning.errors import TextTooLong
from carelab.learning.evaluation import Answers, EvaluationError
from carelab.store import learning as learning_store

BASE = "http://carelab.test"
DAY = evaluation.DAY_SECONDS
NOW = 1_800_000_000.0  # 15 January 2027, 08:00 UTC
MODULE_YAML = """\
id: ev
title: Evaluated module
summary: S
learning_objectives: [Do a thing]
estimated_minutes: 10
version: "1"
pass_mark: 0.5
steps:
  - id: quiz
    kind: quiz
    title: Quiz
    questions:
      - {id: tf, kind: true_false, prompt: True?, explanation: E, answer: true}
      - {id: tf2, kind: true_false, prompt: False?, explanation: E, answer: false}
"""
ANSWERS = Answers(4, 5, 3, "More on audit.", "I will <b>check</b> the chart first.")


@pytest.fixture
def module():
    return Module.model_validate(load_yaml_text(MODULE_YAML, "ev").data)


@pytest.fixture
def learner(db):
    return auth.create_account(db, "ann@example.org", "correct horse battery", "Ann")


def completed(db, user, module):
    """A completed attempt (both answered right) and its certificate."""
    attempt = progress.current_attempt(db, user, module)
    progress.record_answer(db, attempt, "quiz", module.steps[0].questions[0], True)
    progress.record_answer(db, attempt, "quiz", module.steps[0].questions[1], False)
    return attempt, progress.complete(db, user, attempt, module, BASE)


def test_submitted_once_and_the_certificate_says_so(db, module, learner):
    attempt, certificate = completed(db, learner, module)
    assert certificate.assessment_questions == 2 and certificate.pass_mark == 0.5
    assert not evaluation.evaluation_completed(db, certificate.code)
    assert evaluation.evaluation_of(db, attempt.id) is None
    day = evaluation.default_follow_up(NOW)
    assert day == evaluation.today(NOW) + timedelta(weeks=8)
    saved = evaluation.submit(db, learner, attempt.id, ANSWERS, day, NOW)
    assert saved.submitted and saved.answers == ANSWERS and saved.follow_up_on == day
    assert saved.module_id == "ev" and saved.saved_at == NOW
    assert evaluation.evaluation_of(db, attempt.id) == saved
    assert evaluation.evaluation_completed(db, certificate.code)
    with pytest.raises(EvaluationError, match="already submitted"):
        evaluation.submit(db, learner, attempt.id, Answers(1, 1, 1), day, NOW)
    assert evaluation.evaluation_of(db, attempt.id).answers == ANSWERS


def test_declined_is_not_asked_again_but_may_still_be_submitted(db, module, learner):
    attempt, certificate = completed(db, learner, module)
    declined = evaluation.decline(db, learner, attempt.id, NOW)
    assert declined.status == "declined" and not declined.submitted
    assert not evaluation.evaluation_completed(db, certificate.code)
    again = evaluation.decline(db, learner, attempt.id, NOW + 5)
    assert again.saved_at == NOW  # the first answer stands
    day = evaluation.default_follow_up(NOW)
    evaluation.submit(db, learner, attempt.id, Answers(relevance=2), day, NOW + 9)
    assert evaluation.evaluation_completed(db, certificate.code)
    assert evaluation.evaluation_of(db, attempt.id).answers == Answers(relevance=2)


def test_only_ones_own_completed_attempt_and_valid_answers(db, module, learner):
    other = auth.create_account(db, "bob@example.org", "correct horse battery", "Bob")
    day = evaluation.default_follow_up(NOW)
    open_attempt = progress.current_attempt(db, learner, module)
    with pytest.raises(EvaluationError, match="when you have completed the module"):
        evaluation.submit(db, learner, open_attempt.id, ANSWERS, day, NOW)
    attempt, _ = completed(db, learner, module)
    with pytest.raises(NotFound):
        evaluation.submit(db, other, attempt.id, ANSWERS, day, NOW)
    with pytest.raises(NotFound):
        evaluation.decline(db, other, attempt.id, NOW)
    with pytest.raises(EvaluationError, match="A rating is from 1 to 5"):
        evaluation.submit(db, learner, attempt.id, Answers(relevance=6), day, NOW)
    for bad in (evaluation.today(NOW), evaluation.today(NOW) + timedelta(days=367)):
        with pytest.raises(EvaluationError, match="Choose a follow-up date between"):
            evaluation.submit(db, learner, attempt.id, ANSWERS, bad, NOW)
    long = "x" * (limits.MAX_EVALUATION_TEXT + 1)
    with pytest.raises(TextTooLong, match="What will you change in your practice"):
        evaluation.submit(db, learner, attempt.id, Answers(intent=long), day, NOW)
    assert evaluation.evaluation_of(db, attempt.id) is None  # nothing half-saved


def test_the_follow_up_opens_on_its_date_and_is_answered_once(db, module, learner):
    attempt, _ = completed(db, learner, module)
    day = evaluation.today(NOW) + timedelta(days=10)
    evaluation.submit(db, learner, attempt.id, ANSWERS, day, NOW)
    opens = NOW + 10 * DAY - 8 * 3600  # midnight UTC of the chosen day
    assert evaluation.due_follow_ups(db, learner.id, opens - 1) == []
    with pytest.raises(EvaluationError, match="not open"):
        evaluation.answer_follow_up(db, learner, attempt.id, "made", "", opens - 1)
    (due,) = evaluation.due_follow_ups(db, learner.id, opens)
    assert due.attempt_id == attempt.id and due.answers.intent == ANSWERS.intent
    with pytest.raises(EvaluationError, match="Choose one answer"):
        evaluation.answer_follow_up(db, learner, attempt.id, "maybe", "", opens)
    answered = evaluation.answer_follow_up(db, learner, attempt.id, "partly", " Rota ", opens)
    assert (answered.outcome, answered.obstacles) == ("partly", "Rota")
    assert evaluation.due_follow_ups(db, learner.id, opens + 100 * DAY) == []
    with pytest.raises(EvaluationError, match="not open"):
        evaluation.answer_follow_up(db, learner, attempt.id, "made", "", opens)
    with pytest.raises(EvaluationError, match="already answered"):
        evaluation.move_follow_up(db, learner, attempt.id, day + timedelta(days=3), NOW)


def test_moving_the_follow_up_and_no_follow_up_without_an_intent(db, module, learner):
    attempt, _ = completed(db, learner, module)
    evaluation.submit(db, learner, attempt.id, ANSWERS, evaluation.default_follow_up(NOW), NOW)
    # With the clock set 30 days back, tomorrow then is already past today.
    past = NOW - 30 * DAY
    evaluation.move_follow_up(db, learner, attempt.id, evaluation.today(past) + timedelta(1), past)
    assert [e.attempt_id for e in evaluation.due_follow_ups(db, learner.id, NOW)] == [attempt.id]
    bob = auth.create_account(db, "bob@example.org", "correct horse battery", "Bob")
    plain, _ = completed(db, bob, module)
    evaluation.submit(
        db, bob, plain.id, Answers(quality=4), evaluation.today(NOW) + timedelta(1), NOW
    )
    assert evaluation.due_follow_ups(db, bob.id, NOW + 400 * DAY) == []  # nothing to follow up


def test_certificates_before_the_migration_keep_their_plain_score_line(db, module, learner):
    _, certificate = completed(db, learner, module)
    assert assessment_line(certificate) == "Assessment: 2 questions, pass mark 50%; score 100%"
    older = replace(certificate, assessment_questions=None, pass_mark=None)
    assert assessment_line(older) == "Quiz score: 100%"


def pdf_text(data) -> str:
    reader = PdfReader(io.BytesIO(certificate_pdf(data)))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_certificate_pdf_states_the_assessment_and_then_the_evaluation(db, module, learner):
    attempt, certificate = completed(db, learner, module)
    before = pdf_text(certificate)
    assert "Assessment: 2 questions, pass mark 50%; score 100%" in before
    assert "Evaluation completed" not in before
    evaluation.submit(db, learner, attempt.id, ANSWERS, evaluation.default_follow_up(NOW), NOW)
    done = replace(
        certificate, evaluation_completed=evaluation.evaluation_completed(db, certificate.code)
    )
    assert "Evaluation completed" in pdf_text(done)


def test_my_data_holds_the_evaluation_and_the_follow_up(db, module, learner):
    attempt, _ = completed(db, learner, module)
    day = evaluation.today(NOW) + timedelta(days=1)
    evaluation.submit(db, learner, attempt.id, ANSWERS, day, NOW)
    evaluation.answer_follow_up(db, learner, attempt.id, "made", "", NOW + 2 * DAY)
    data = learning_store.user_data(db, learner.id)
    assert [r["intent"] for r in data["evaluations"]] == [ANSWERS.intent]
    assert [r["outcome"] for r in data["evaluation_follow_ups"]] == ["made"]
