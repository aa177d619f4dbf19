"""Evaluation summaries in the module report, on a seeded cohort: numbers, texts, suppression."""

from __future__ import annotations

from datetime import timedelta

import pytest

from carelab import auth
from carelab.content.loader import load_yaml_text
from carelab.content.schema import Module
from carelab.learning import evaluation, evaluation_reports, progress, reports
from carelab.learning.evaluation import Answers
from tests.unit.learning.test_evaluation import MODULE_YAML, NOW

DAY = evaluation.DAY_SECONDS
# (relevance, quality, balance, missing, intent): two learners skip the balance statement.
COHORT = [
    (5, 4, 5, "Audit", "Ask first"),
    (4, 4, None, "", "Check charts"),
    (4, 3, 5, "Cases", ""),
    (2, 5, None, "", "Hand over"),
    (5, 4, 4, "", "Use checklists"),
    (3, 2, 3, "Apps", "Brief the team"),
]


@pytest.fixture
def module():
    return Module.model_validate(load_yaml_text(MODULE_YAML, "ev").data)


def finish(db, user, module):
    attempt = progress.current_attempt(db, user, module)
    for question, answer in zip(module.steps[0].questions, (True, False), strict=True):
        progress.record_answer(db, attempt, "quiz", question, answer)
    progress.complete(db, user, attempt, module, "http://carelab.test")
    return attempt


def seed(db, module, cohort, first=0):
    """Each learner completes and evaluates; returns (user, attempt) pairs."""
    day = evaluation.today(NOW) + timedelta(days=1)
    done = []
    for n, (rel, qual, bal, missing, intent) in enumerate(cohort, first):
        user = auth.create_account(db, f"l{n}@example.org", "correct horse battery", f"L{n}")
        attempt = finish(db, user, module)
        answers = Answers(rel, qual, bal, missing, intent)
        evaluation.submit(db, user, attempt.id, answers, day, NOW)
        done.append((user, attempt))
    return done


def test_ratings_texts_and_follow_ups_with_small_cells_suppressed(db, module):
    learners = seed(db, module, COHORT)
    # A learner's second evaluated attempt is not counted again.
    user, _ = learners[0]
    progress.new_attempt(db, user, module)
    again = finish(db, user, module)
    evaluation.submit(
        db, user, again.id, Answers(1, 1, 1, "Twice", ""), evaluation.today(NOW) + timedelta(1), NOW
    )

    summary = evaluation_reports.evaluation_summary_in(db, module)
    assert summary.respondents == 6 and not summary.suppressed
    relevance, quality, balance = summary.scales
    assert (relevance.n, relevance.counts, relevance.suppressed) == (6, (0, 1, 1, 2, 2), False)
    assert relevance.mean == pytest.approx((5 + 4 + 4 + 2 + 5 + 3) / 6)
    assert (quality.n, quality.mean) == (6, pytest.approx(22 / 6))
    assert (balance.n, balance.suppressed) == (4, True)
    assert summary.missing == ("Apps", "Audit", "Cases")  # sorted, blanks left out
    assert summary.intents == (
        "Ask first", "Brief the team", "Check charts", "Hand over", "Use checklists",
    )  # fmt: skip
    assert summary.follow_ups == 0 and summary.follow_ups_suppressed

    data = evaluation_reports.evaluation_dict(summary)
    assert data["ratings"]["balance"] == {
        "statement": evaluation.ITEMS["balance"],
        "n": reports.SUPPRESSED,
    }
    assert data["ratings"]["relevance"]["counts"] == {
        "Strongly disagree": 0, "Disagree": 1, "Neither agree nor disagree": 1, "Agree": 2,
        "Strongly agree": 2,
    }  # fmt: skip
    assert "follow_up_outcomes" not in data and data["follow_ups"] == reports.SUPPRESSED
    text = evaluation_reports.evaluation_text(summary)
    assert "The module was relevant to my practice. n 6, mean 3.83 of 5" in text
    assert f"The module was balanced and free of commercial bias. {reports.SUPPRESSED}" in text
    assert "L0" not in text and "l0@example.org" not in text

    # Five follow-ups answered: the counts appear, with what got in the way.
    later = NOW + 2 * DAY
    planned = [pair for pair, row in zip(learners, COHORT, strict=True) if row[4]]
    outcomes = ["made", "made", "partly", "not_yet", "made"]
    for (who, attempt), outcome in zip(planned, outcomes, strict=True):
        obstacles = "" if outcome == "made" else "Time"
        evaluation.answer_follow_up(db, who, attempt.id, outcome, obstacles, later)
    summary = evaluation_reports.evaluation_summary_in(db, module)
    assert summary.follow_ups == 5 and not summary.follow_ups_suppressed
    assert dict(summary.outcomes) == {"made": 3, "partly": 1, "not_yet": 1}
    assert summary.obstacles == ("Time", "Time")
    assert "Yes, I made it: 3, Partly: 1, Not yet: 1" in evaluation_reports.evaluation_text(summary)


def test_fewer_than_five_respondents_show_no_numbers_and_no_texts(db, module):
    seed(db, module, COHORT[:4])
    summary = evaluation_reports.evaluation_summary_in(db, module)
    assert summary.suppressed and summary.missing == () and summary.intents == ()
    assert evaluation_reports.evaluation_dict(summary) == {
        "respondents": reports.SUPPRESSED,
        "follow_ups": reports.SUPPRESSED,
    }
    text = evaluation_reports.evaluation_text(summary)
    assert text == (
        f"evaluations: {reports.SUPPRESSED}\nfollow-ups answered: {reports.SUPPRESSED}\n"
    )
    assert "Audit" not in text and "mean" not in text
