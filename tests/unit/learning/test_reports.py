"""Item analysis and module reports: a seeded cohort against an independent computation."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest

from carelab import auth
from carelab.content.loader import load_yaml_text
from carelab.content.schema import Module
from carelab.learning import active_time, progress, reports
from carelab.store import learning as store

BASE = "http://carelab.test"
REPORT_YAML = """\
id: r
title: Report module
summary: S
learning_objectives: [Do a thing]
estimated_minutes: 10
version: "1"
pass_mark: 0
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
          - {text: Tempting}
          - {text: Nobody picks this}
      - {id: tf, kind: true_false, prompt: True?, explanation: E, answer: true}
      - {id: num, kind: numeric, prompt: How many?, explanation: E, answer: 10, tolerance: 0}
"""

# Each learner's first answers: (pick option, true/false, number) and their minutes on task.
COHORT = [
    ((0, True, "10"), 10),
    ((0, True, "9"), 12),
    ((1, True, "10"), 14),
    ((1, False, "9"), 20),
    ((0, False, "10"), 8),
    ((1, False, "9"), 30),
]


def module() -> Module:
    return Module.model_validate(load_yaml_text(REPORT_YAML, "r").data)


def complete(db, user, mod, answers, minutes, start=1_000_000.0, sure=None):
    """Answer (rated `sure`), spend `minutes` (a controlled clock) and complete an attempt."""
    attempt = progress.current_attempt(db, user, mod)
    active_time.record_action(db, attempt, now=start)
    for question, response in zip(mod.steps[0].questions, answers, strict=True):
        progress.record_answer(db, attempt, "quiz", question, response, confidence=sure)
    active_time.record_action(db, attempt, now=start + minutes * 60)
    progress.complete(db, user, attempt, mod, BASE)
    return attempt


def learner(db, n):
    return auth.create_account(db, f"learner{n}@example.org", "correct horse battery", f"Name{n}")


@pytest.fixture
def cohort(db):
    mod = module()
    users = [learner(db, n) for n, _ in enumerate(COHORT)]
    for user, (answers, minutes) in zip(users, COHORT, strict=True):
        complete(db, user, mod, answers, minutes)
    # A second attempt, all right, does not count: only each learner's first completion.
    progress.new_attempt(db, users[3], mod)
    complete(db, users[3], mod, (0, True, "10"), 5)
    # Started but never completed: counts as started only.
    progress.current_attempt(db, learner(db, 99), mod)
    return mod


def independent(answers_by_learner):
    """Difficulty and corrected item-total correlation, from the answers alone (numpy)."""
    right = np.array(
        [[a[0] == 0, a[1] is True, a[2] == "10"] for a, _ in answers_by_learner], dtype=float
    )
    total = right.sum(axis=1)
    found = {}
    for index, name in enumerate(("pick", "tf", "num")):
        rest = total - right[:, index]
        found[name] = (right[:, index].mean(), np.corrcoef(right[:, index], rest)[0, 1])
    return found


def test_a_hand_computed_point_biserial():
    # x = 1,1,0,0,1 and rest = 2,1,1,0,2: p = 0.6, mean rest 1.2, population variance
    # 2.8/5 = 0.56; M1 = 5/3, M0 = 1/2, so r = (7/6) / sqrt(0.56) * sqrt(0.24)
    # = (7/6) * sqrt(3/7) = sqrt(7/12) = 0.7638.
    r = reports.point_biserial([1, 1, 0, 0, 1], [2, 1, 1, 0, 2])
    assert r == pytest.approx(math.sqrt(7 / 12))
    assert reports.point_biserial([0, 0, 1, 1], [0, 1, 2, 3]) == pytest.approx(0.8944, abs=1e-4)


def test_zero_variance_gives_no_discrimination_rather_than_a_crash():
    assert reports.point_biserial([1, 1, 1, 1, 1], [0, 1, 2, 3, 4]) is None  # all right
    assert reports.point_biserial([0, 0, 0, 0, 0], [0, 1, 2, 3, 4]) is None  # all wrong
    assert reports.point_biserial([1, 0, 1, 0, 1], [2, 2, 2, 2, 2]) is None  # equal rests
    assert reports.point_biserial([1], [1]) is None


def test_item_analysis_matches_an_independent_computation(db, cohort):
    analysis = reports.item_analysis_in(db, cohort)
    assert (analysis.learners, analysis.suppressed) == (6, False)
    expected = independent(COHORT)
    for item in analysis.items:
        difficulty, discrimination = expected[item.answer_id]
        assert item.learners == 6 and not item.suppressed
        assert item.difficulty == pytest.approx(difficulty)
        assert item.discrimination == pytest.approx(discrimination)
        assert item.mean_confidence is None  # the module does not ask how sure
    pick = analysis.items[0]
    assert [(o.label, o.chosen) for o in pick.options] == [
        ("Right one", 3),
        ("Tempting", 3),
        ("Nobody picks this", 0),
    ]
    assert "unused distractor: Nobody picks this" in pick.flags
    assert [o.label for o in analysis.items[1].options] == ["True", "False"]
    assert analysis.items[2].options == ()


def test_flags_for_easy_hard_and_poorly_discriminating_items():
    def stats(x, rest):
        return reports._flags(sum(x) / len(x), reports.point_biserial(x, rest), ())

    assert stats([1] * 10, list(range(10))) == ["too easy"]  # and no discrimination flag
    assert stats([0] * 9 + [1], list(range(10))) == ["too hard"]
    assert stats([1, 0, 1, 0, 1, 0], [0, 5, 1, 4, 2, 3]) == ["poor discrimination"]


def test_module_report_counts_first_completions_time_and_scores(db, cohort):
    report = reports.module_report_in(db, cohort)
    assert (report.started, report.completed, report.suppressed) == (7, 6, False)
    assert report.median_minutes == pytest.approx(13)  # first attempts: 8 10 12 14 20 30
    scores = sorted(round(s, 4) for s in (3 / 3, 2 / 3, 2 / 3, 0, 2 / 3, 0))
    assert report.scores.median == pytest.approx(np.median(scores), abs=1e-3)
    assert report.scores.maximum == pytest.approx(1) and report.scores.minimum == 0
    text = reports.report_text(report)
    assert "median time on task: 13.0 min" in text
    assert "pre/post gain: no learner has both a pre-test and a completion" in text


def test_fewer_than_five_learners_shows_no_numbers(db):
    mod = module()
    for n, (answers, minutes) in enumerate(COHORT[:4]):
        complete(db, learner(db, n), mod, answers, minutes)
    analysis = reports.item_analysis_in(db, mod)
    assert analysis.suppressed and all(i.difficulty is None for i in analysis.items)
    rows = list(csv.DictReader(io.StringIO(reports.items_csv(analysis))))
    assert {r["learners"] for r in rows} == {"fewer than 5 learners"}
    assert {r["difficulty"] + r["discrimination"] + r["option_rates"] for r in rows} == {""}
    data = json.loads(reports.items_json(analysis))
    assert data["learners"] == "fewer than 5 learners"
    assert all(set(i) == {"question", "step", "kind", "prompt", "learners"} for i in data["items"])
    report = reports.report_dict(reports.module_report_in(db, mod))
    assert report["completed"] == "fewer than 5 learners" and "scores" not in report


def test_no_output_names_a_learner(db, cohort):
    outputs = [
        reports.items_csv(reports.item_analysis_in(db, cohort)),
        reports.items_json(reports.item_analysis_in(db, cohort)),
        reports.report_text(reports.module_report_in(db, cohort)),
        json.dumps(reports.report_dict(reports.module_report_in(db, cohort))),
    ]
    attempts = [a for n in range(7) for a in store.attempts_of(db, n + 1)]
    for output in outputs:
        assert "@example.org" not in output and "Name" not in output
        assert "user" not in output.lower()
    assert attempts  # the ids below are real ones
    assert all(f'"attempt_id": {a.id}' not in outputs[1] for a in attempts)


def test_mean_confidence_on_the_certainty_scale_when_the_module_asks(db):
    mod = Module.model_validate(
        load_yaml_text(
            REPORT_YAML.replace("pass_mark: 0", "pass_mark: 0\nconfidence: true"), "r"
        ).data
    )
    sure = ["low", "medium", "high", "high", "high", "medium"]
    for n, ((answers, minutes), rating) in enumerate(zip(COHORT, sure, strict=True)):
        complete(db, learner(db, n), mod, answers, minutes, sure=rating)
    analysis = reports.item_analysis_in(db, mod)
    assert [i.mean_confidence for i in analysis.items] == [pytest.approx(14 / 6)] * 3
    assert json.loads(reports.items_json(analysis))["items"][0]["mean_confidence"] == (
        pytest.approx(14 / 6)
    )
    assert reports.item_analysis_in(db, module()).items[0].mean_confidence == pytest.approx(14 / 6)


def test_learners_who_answered_everything_but_did_not_pass_are_in_the_item_analysis(db):
    mod = module()
    users = [learner(db, n) for n, _ in enumerate(COHORT)]
    for user, (answers, _minutes) in zip(users, COHORT, strict=True):
        attempt = progress.current_attempt(db, user, mod)  # answered, never completed
        for question, response in zip(mod.steps[0].questions, answers, strict=True):
            progress.record_answer(db, attempt, "quiz", question, response)
    halfway = progress.current_attempt(db, learner(db, 99), mod)  # not finished: left out
    progress.record_answer(db, halfway, "quiz", mod.steps[0].questions[0], 1)
    analysis = reports.item_analysis_in(db, mod)
    assert analysis.learners == 6
    expected = independent(COHORT)
    for item in analysis.items:
        assert item.difficulty == pytest.approx(expected[item.answer_id][0])
    assert reports.module_report_in(db, mod).completed == 0
