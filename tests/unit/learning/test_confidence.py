"""Certainty-based marking: every cell of the marks table, the thresholds they imply, the
calibration sums, and the confidence saved with a first answer (on both databases)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from carelab import auth
from carelab.content.loader import load_yaml_text
from carelab.content.schema import Module
from carelab.learning import confidence, progress, services
from carelab.learning.confidence import LevelCalibration, MarkTotal, Rated
from carelab.store import learning as store

# Gardner-Medwin's table (UCL LAPT; Moodle's CBM): level -> (right, wrong).
TABLE = {"low": (1, 0), "medium": (2, -2), "high": (3, -6)}


@pytest.mark.parametrize("level", ["low", "medium", "high"])
@pytest.mark.parametrize("right", [True, False])
def test_every_cell_of_the_marks_table(level, right):
    assert confidence.mark(level, right) == TABLE[level][0 if right else 1]


def test_marks_stay_between_minus_six_and_three():
    every = [confidence.mark(level, ok) for level in TABLE for ok in (True, False)]
    assert (min(every), max(every)) == (confidence.LOWEST, confidence.HIGHEST) == (-6, 3)


def test_the_thresholds_follow_from_the_marks():
    # Expected marks p, 4p - 2, 9p - 6 cross at p = 2/3 (low = medium) and 4/5 (medium = high).
    def expected(level, p):
        right, wrong = TABLE[level]
        return p * right + (1 - p) * wrong

    assert expected("low", Fraction(2, 3)) == expected("medium", Fraction(2, 3))
    assert expected("medium", Fraction(4, 5)) == expected("high", Fraction(4, 5))
    assert confidence.THRESHOLDS == {"medium": 2 / 3, "high": 4 / 5}
    for p, best in [(0.0, "low"), (0.5, "low"), (0.66, "low"), (0.7, "medium"),
                    (0.79, "medium"), (0.81, "high"), (1.0, "high")]:  # fmt: skip
        assert confidence.best_level(p) == best, p
        assert confidence.expected_mark(best, p) == pytest.approx(expected(best, p))


def test_an_unknown_level_is_refused():
    with pytest.raises(confidence.InvalidConfidence):
        confidence.mark("very", True)
    assert confidence.check_level(None) is None


def test_right_means_full_marks_on_the_first_answer():
    assert confidence.is_right(1.0)
    assert not confidence.is_right(0.5)  # partly right counts as wrong
    assert not confidence.is_right(0.0)


def test_sure_and_wrong_is_only_high_and_wrong():
    cells = {(lv, ok): confidence.sure_and_wrong(lv, ok) for lv in TABLE for ok in (True, False)}
    assert [cell for cell, named in cells.items() if named] == [("high", False)]
    assert not confidence.sure_and_wrong(None, False)


def test_totals_and_the_average_per_question():
    rated = [Rated("high", True), Rated("high", False), Rated("low", False), Rated("medium", True)]
    found = confidence.total(rated)
    assert found == MarkTotal(3 - 6 + 0 + 2, 4)
    assert found.average == pytest.approx(-0.25)
    assert confidence.total([]).average is None


def test_calibration_counts_each_level():
    rated = [Rated("high", True)] * 3 + [Rated("high", False), Rated("low", True)]
    assert confidence.calibration(rated) == (
        LevelCalibration("low", 1, 1),
        LevelCalibration("medium", 0, 0),
        LevelCalibration("high", 4, 3),
    )
    high = confidence.calibration(rated)[2]
    assert high.share_right == 0.75
    assert "80%" in confidence.calibration_note(high)  # 75% right at high: should be lower
    assert confidence.calibration_note(LevelCalibration("medium", 0, 0)) == "No answers yet."
    assert "Well matched" in confidence.calibration_note(LevelCalibration("high", 10, 9))


# --- saved with the first answer, on both databases -----------------------------------

MODULE_YAML = """\
id: m
title: A module
summary: S
learning_objectives: [Do a thing]
estimated_minutes: 30
version: "1"
pass_mark: 0.5
confidence: true
steps:
  - id: quiz
    kind: quiz
    title: Quiz
    questions:
      - {id: q1, kind: true_false, prompt: P, explanation: E, answer: true}
      - {id: q2, kind: numeric, prompt: P, explanation: E, answer: 10}
      - {id: q3, kind: numeric, prompt: P, explanation: E, answer: 3}
"""


def module() -> Module:
    return Module.model_validate(load_yaml_text(MODULE_YAML, "m").data)


def test_confidence_defaults_off():
    plain = MODULE_YAML.replace("confidence: true\n", "")
    assert Module.model_validate(load_yaml_text(plain, "m").data).confidence is False
    assert module().confidence is True


@pytest.fixture
def learner(db):
    return auth.create_account(db, "lee@example.org", "correct horse battery", "Lee")


def test_the_first_answer_keeps_its_confidence_and_later_tries_do_not_change_it(db, learner):
    mod = module()
    attempt = progress.current_attempt(db, learner, mod)
    q1, q2, q3 = mod.steps[0].questions
    progress.record_answer(db, attempt, "quiz", q1, False, confidence="high", ask_confidence=True)
    progress.record_answer(db, attempt, "quiz", q1, True, confidence="low", ask_confidence=True)
    progress.record_answer(db, attempt, "quiz", q1, True, ask_confidence=True)  # a later try
    progress.record_answer(db, attempt, "quiz", q2, "10", confidence="medium", ask_confidence=True)
    saved = progress.answers(db, attempt)
    assert saved["q1"].first_confidence == "high" and saved["q1"].score == 0
    assert saved["q1"].tries == 2 and saved["q1"].last_correct
    assert saved["q2"].first_confidence == "medium"
    state = progress.status(db, attempt, mod)
    assert state.marks == MarkTotal(-6 + 2, 2)
    assert state.score == pytest.approx(1 / 3)  # the pass mark still uses quiz points
    rated = store.rated_answers(db, learner.id)
    assert [(r.question_id, r.confidence, r.score) for r in rated] == [
        ("q1", "high", 0.0),
        ("q2", "medium", 1.0),
    ]
    # q3 was never answered: no row, nothing rated.
    assert "q3" not in saved and q3.id == "q3"


def test_a_first_answer_needs_a_confidence_when_the_module_asks(db, learner):
    mod = module()
    attempt = progress.current_attempt(db, learner, mod)
    q1 = mod.steps[0].questions[0]
    with pytest.raises(progress.ProgressError, match="how sure"):
        progress.record_answer(db, attempt, "quiz", q1, True, ask_confidence=True)
    assert progress.answers(db, attempt) == {}
    with pytest.raises(progress.ProgressError, match="low, medium, high"):
        progress.record_answer(db, attempt, "quiz", q1, True, confidence="sure")
    assert progress.answers(db, attempt) == {}
    # A module without confidence saves answers without one, as before.
    progress.record_answer(db, attempt, "quiz", q1, True)
    assert progress.answers(db, attempt)["q1"].first_confidence is None


def test_the_database_refuses_a_level_that_is_not_one(db, learner):
    attempt = progress.current_attempt(db, learner, module())
    with pytest.raises(Exception, match=r"(?i)check"):
        store.save_answer(db, attempt.id, "quiz", "q1", "true", 1.0, True, 1.0, "certain")


def test_my_learning_gives_marks_per_attempt_and_calibration(db_path, db, learner):
    mod = module()
    q1, q2, q3 = mod.steps[0].questions
    first = progress.current_attempt(db, learner, mod)
    progress.record_answer(db, first, "quiz", q1, False, confidence="high")
    progress.record_answer(db, first, "quiz", q2, "10", confidence="high")
    second = progress.new_attempt(db, learner, mod)
    progress.record_answer(db, second, "quiz", q1, True, confidence="low")
    progress.record_answer(db, second, "quiz", q3, "4", confidence="low")
    progress.record_answer(db, second, "quiz", q2, "10")  # asked nothing: not rated
    record = services.my_learning(learner, {}, "https://example.org")
    assert record.marks == {first.id: MarkTotal(-3, 2), second.id: MarkTotal(1, 2)}
    assert record.calibration == (
        LevelCalibration("low", 2, 1),
        LevelCalibration("medium", 0, 0),
        LevelCalibration("high", 2, 1),
    )
