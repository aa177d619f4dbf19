"""A module's pre-test in the database: first answers kept, finished or skipped, the gain."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from pypdf import PdfReader

from carelab import auth
from carelab.content.loader import load_yaml_text
from carelab.content.schema import Module
from carelab.learning import pre_test, progress
from carelab.learning.certificate import CertificateError, certificate_pdf
from carelab.learning.pre_test import PreTestError
from carelab.store import learning as learning_store
from carelab.store import pre_tests

BASE = "http://carelab.test"
MODULE_YAML = """\
id: pp
title: Pre and post
summary: S
learning_objectives: [Read a chart]
estimated_minutes: 10
version: "1"
pass_mark: 0.5
pre_test:
  intro: What do you know?
  questions:
    - id: pre-pick
      kind: single_choice
      prompt: Which chart shows change over time?
      explanation: E
      shuffle: false
      options:
        - {text: A run chart, correct: true}
        - {text: A pie chart}
    - {id: pre-tf, kind: true_false, prompt: A funnel plot has limits?, explanation: E,
       answer: true}
    - {id: pre-num, kind: numeric, prompt: Points for a shift?, explanation: E, answer: 6}
    - {id: pre-text, kind: short_text, prompt: Name the limits., explanation: E,
       accepted: [control limits]}
steps:
  - id: read
    kind: text
    title: Read
    body: Run charts.
  - id: quiz
    kind: quiz
    title: Quiz
    questions:
      - {id: post-tf, kind: true_false, prompt: A run chart plots time?, explanation: E,
         answer: true}
      - {id: post-num, kind: numeric, prompt: How many points make a trend?, explanation: E,
         answer: 5}
"""


@pytest.fixture
def module():
    return Module.model_validate(load_yaml_text(MODULE_YAML, "pp").data)


@pytest.fixture
def learner(db):
    return auth.create_account(db, "ann@example.org", "correct horse battery", "Ann")


def answer_all(db, attempt, module, responses):
    for question_id, response in responses.items():
        pre_test.record_answer(db, attempt, module, question_id, response)


def test_a_new_attempt_starts_with_the_pre_test_and_keeps_each_first_answer(db, module, learner):
    attempt = progress.current_attempt(db, learner, module)
    found = pre_test.state(db, attempt, module)
    assert found.offered and found.pending and found.questions == 4 and not found.answers
    saved = pre_test.record_answer(db, attempt, module, "pre-pick", 1)  # wrong
    assert saved.score == 0
    # Saved the moment it is given, and a later answer to it changes nothing.
    again = pre_test.record_answer(db, attempt, module, "pre-pick", 0)
    assert again == saved
    assert pre_test.state(db, attempt, module).answers["pre-pick"].score == 0
    # Nothing of the pre-test reaches the module's own answers or its pass mark.
    assert learning_store.answers_of(db, attempt.id) == {}


def test_finishing_needs_every_answer_then_fixes_the_score(db, module, learner):
    attempt = progress.current_attempt(db, learner, module)
    pre_test.record_answer(db, attempt, module, "pre-pick", 0)
    with pytest.raises(PreTestError, match=r"still to answer: 2, 3, 4"):
        pre_test.finish(db, attempt, module)
    answer_all(db, attempt, module, {"pre-tf": False, "pre-num": "6", "pre-text": "nope"})
    found = pre_test.finish(db, attempt, module)
    assert found.taken and not found.pending and found.score == pytest.approx(0.5)
    with pytest.raises(PreTestError, match="over"):
        pre_test.record_answer(db, attempt, module, "pre-tf", True)
    with pytest.raises(PreTestError, match="over"):
        pre_test.skip(db, attempt, module)
    assert pre_test.state(db, attempt, module).score == pytest.approx(0.5)


def test_the_gain_reaches_the_certificate_and_my_data(db, module, learner):
    attempt = progress.current_attempt(db, learner, module)
    answer_all(db, attempt, module, {"pre-pick": 1, "pre-tf": True, "pre-num": "3",
                                     "pre-text": "Control limits"})  # fmt: skip
    pre_test.finish(db, attempt, module)
    progress.finish_step(db, attempt, "read")
    quiz = module.steps[1].questions
    progress.record_answer(db, attempt, "quiz", quiz[0], True)
    progress.record_answer(db, attempt, "quiz", quiz[1], "5")
    data = progress.complete(db, learner, attempt, module, BASE)
    assert data.score == 1.0
    stored = learning_store.certificate(db, data.code)
    assert stored is not None and stored.pre_test_score == pytest.approx(0.5)
    assert pre_test.gain_text(stored.pre_test_score, stored.score) == (
        "Pre-test 50%, post-test 100%"
    )
    assert learning_store.user_data(db, learner.id)["pre_test_results"][0]["score"] == 0.5
    assert json.dumps(learning_store.user_data(db, learner.id), default=str)
    assert pre_tests.scores_of(db, learner.id) == {attempt.id: pytest.approx(0.5)}


def test_a_skipped_pre_test_shows_no_gain(db, module, learner):
    attempt = progress.current_attempt(db, learner, module)
    pre_test.record_answer(db, attempt, module, "pre-tf", True)
    found = pre_test.skip(db, attempt, module)
    assert found.outcome == "skipped" and found.score is None and not found.pending
    with pytest.raises(PreTestError):
        pre_test.finish(db, attempt, module)
    progress.finish_step(db, attempt, "read")
    for question, response in zip(module.steps[1].questions, [True, "5"], strict=True):
        progress.record_answer(db, attempt, "quiz", question, response)
    data = progress.complete(db, learner, attempt, module, BASE)
    stored = learning_store.certificate(db, data.code)
    assert stored is not None and stored.pre_test_score is None
    assert pre_test.gain_text(stored.pre_test_score, stored.score) is None


def test_an_attempt_that_began_the_module_is_not_offered_the_pre_test(db, module, learner):
    attempt = progress.current_attempt(db, learner, module)
    progress.move_to(db, attempt, "read")
    begun = learning_store.attempt(db, attempt.id)
    assert not pre_test.state(db, begun, module).offered
    with pytest.raises(PreTestError, match="no pre-test"):
        pre_test.record_answer(db, begun, module, "pre-tf", True)
    # A new attempt starts with it again.
    fresh = progress.new_attempt(db, learner, module)
    assert pre_test.state(db, fresh, module).pending


def test_a_module_without_a_pre_test_and_an_unknown_question(db, module, learner):
    plain = module.model_copy(update={"pre_test": None})
    attempt = progress.current_attempt(db, learner, plain)
    assert pre_test.state(db, attempt, plain) is pre_test.NOT_OFFERED
    with pytest.raises(PreTestError, match="no question 'nope'"):
        pre_test.record_answer(db, attempt, module, "nope", True)


def test_the_certificate_pdf_states_the_gain_only_with_a_pre_test(db, module, learner):
    attempt = progress.current_attempt(db, learner, module)
    answer_all(db, attempt, module, {"pre-pick": 0, "pre-tf": False, "pre-num": "1",
                                     "pre-text": "no"})  # fmt: skip
    pre_test.finish(db, attempt, module)
    progress.finish_step(db, attempt, "read")
    for question, response in zip(module.steps[1].questions, [True, "1"], strict=True):
        progress.record_answer(db, attempt, "quiz", question, response)
    data = progress.complete(db, learner, attempt, module, BASE)
    assert data.pre_test_score == pytest.approx(0.25) and data.score == pytest.approx(0.5)

    def text(pdf: bytes) -> str:
        return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)

    assert "Pre-test 25%, post-test 50%" in " ".join(text(certificate_pdf(data)).split())
    without = dataclasses.replace(data, pre_test_score=None)
    assert "Pre-test" not in text(certificate_pdf(without))
    with pytest.raises(CertificateError, match="pre-test score must be between 0 and 1"):
        dataclasses.replace(data, pre_test_score=1.5)


# Each learner: pre-test answers right (of pick, tf, num, text) and the module's two answers.
COHORT = [
    ((True, False, False, False), (True, "5")),  # pre 25%, post 100%
    ((True, True, False, False), (True, "4")),  # pre 50%, post 50%
    ((False, False, False, False), (True, "5")),  # pre 0%, post 100%
    ((True, True, True, False), (True, "5")),  # pre 75%, post 100%
    ((False, True, False, False), (False, "5")),  # pre 25%, post 50%
    ((True, True, True, True), (True, "5")),  # pre 100%, post 100%
]


def _take(db, user, module, pre_right, post):
    attempt = progress.current_attempt(db, user, module)
    right = {"pre-pick": 0, "pre-tf": True, "pre-num": "6", "pre-text": "control limits"}
    wrong = {"pre-pick": 1, "pre-tf": False, "pre-num": "2", "pre-text": "no idea"}
    for (question_id, good), ok in zip(right.items(), pre_right, strict=True):
        pre_test.record_answer(db, attempt, module, question_id, good if ok else wrong[question_id])
    pre_test.finish(db, attempt, module)
    progress.finish_step(db, attempt, "read")
    quiz = module.steps[1].questions
    progress.record_answer(db, attempt, "quiz", quiz[0], post[0])
    progress.record_answer(db, attempt, "quiz", quiz[1], post[1])
    progress.complete(db, user, attempt, module, BASE)


def test_the_module_report_gives_the_mean_gain_with_its_95_percent_interval(db, module):
    import numpy as np
    from scipy import stats

    from carelab.learning import reports

    for n, (pre_right, post) in enumerate(COHORT):
        user = auth.create_account(db, f"l{n}@example.org", "correct horse battery", f"L{n}")
        _take(db, user, module, pre_right, post)
    report = reports.module_report_in(db, module)
    pre = np.array([sum(p) / 4 for p, _ in COHORT])
    post = np.array([(post[0] is True) * 0.5 + (post[1] == "5") * 0.5 for _, post in COHORT])
    gains = post - pre
    half = stats.t.ppf(0.975, len(gains) - 1) * gains.std(ddof=1) / np.sqrt(len(gains))
    g = report.gain
    assert (report.gain_learners, g.learners) == (6, 6)
    assert (g.mean_pre, g.mean_post) == (pytest.approx(pre.mean()), pytest.approx(post.mean()))
    assert g.mean_gain == pytest.approx(gains.mean())
    assert g.low == pytest.approx(gains.mean() - half)
    assert g.high == pytest.approx(gains.mean() + half)
    line = reports.gain_line(report)
    assert line.startswith("pre/post gain (6 learners with both): pre-test 46%, post-test 83%")
    assert reports.report_dict(report)["pre_post_gain"]["learners"] == 6


def test_a_gain_from_fewer_than_five_learners_is_not_shown(db, module):
    from carelab.learning import reports

    for n, (pre_right, post) in enumerate(COHORT[:4]):
        user = auth.create_account(db, f"l{n}@example.org", "correct horse battery", f"L{n}")
        _take(db, user, module, pre_right, post)
    report = reports.module_report_in(db, module)
    assert report.gain is None and report.gain_learners == 4
    assert "pre_post_gain" not in reports.report_dict(report)
    assert reports.gain_line(report) == (
        "pre/post gain: hidden, fewer than 5 learners took both the pre-test and the module"
    )
