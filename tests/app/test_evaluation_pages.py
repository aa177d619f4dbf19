"""The evaluation in the pages (AppTest): offered once after completion, saved when submitted,
never in the certificate's way; its follow-up on My learning from its date (a set clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from carelab.content import schema
from carelab.content.loader import load_yaml_text
from carelab.learning import evaluation, progress
from carelab.learning.evaluation import Answers

PLAYER = "carelab/ui/pages/module_player.py"
MY_LEARNING = "carelab/ui/pages/my_learning.py"
NOW = 1_800_000_000.0  # 15 January 2027, 08:00 UTC
DAY = evaluation.DAY_SECONDS
FORM = "FormSubmitter:evaluation.form-"
MODULE = """\
id: ev
title: Evaluated module
summary: A module with a short quiz.
learning_objectives: [Say true things]
estimated_minutes: 10
version: "1.0"
pass_mark: 0.5
steps:
  - id: checks
    kind: quiz
    title: Two checks
    questions:
      - {id: sky, kind: true_false, prompt: The sky is blue., answer: true, explanation: E}
      - {id: sea, kind: true_false, prompt: The sea is dry., answer: false, explanation: E}
"""
INTENT = "Check the <b>chart</b> before *every* round"


def texts(at: AppTest) -> str:
    parts = [
        e.value for kind in ("markdown", "success", "header", "subheader") for e in at.get(kind)
    ]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def completed(db, learner, content_root, monkeypatch):
    """The learner's completed attempt at `ev`, with the pages' clock at NOW."""
    monkeypatch.setattr(evaluation, "clock", lambda: NOW)
    (content_root / "modules" / "ev.yaml").write_text(MODULE, encoding="utf-8")
    module = schema.Module.model_validate(load_yaml_text(MODULE, "ev").data)
    attempt = progress.current_attempt(db, learner, module)
    for question, answer in zip(module.steps[0].questions, (True, False), strict=True):
        progress.record_answer(db, attempt, "checks", question, answer)
    progress.complete(db, learner, attempt, module, "http://carelab.test")
    return attempt


def saved(db, attempt_id: int) -> tuple | None:
    return db.execute(
        "SELECT status, relevance, quality, balance, intent, follow_up_at FROM evaluations "
        "WHERE attempt_id = ?",
        [attempt_id],
    ).fetchone()


def test_the_evaluation_is_offered_after_completion_and_saved_when_submitted(
    app, learner, completed, db
):
    at = app(user=learner, page=PLAYER, id="ev", step="checks")
    assert not at.exception
    assert "How was this module? (optional)" in texts(at)
    # The certificate is already there: the evaluation never blocks it.
    assert at.get("download_button")[0].proto.label == "Download my certificate (PDF)"
    assert at.radio(key="evaluation.relevance").options == [
        "Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree",
    ]  # fmt: skip
    assert at.date_input(key="evaluation.follow_up").value == evaluation.default_follow_up(NOW)
    at.radio(key="evaluation.relevance").set_value(4)
    at.radio(key="evaluation.balance").set_value(5)
    at.text_area(key="evaluation.intent").input(INTENT)
    at.button(key=f"{FORM}Submit my evaluation").click().run()
    assert not at.exception
    follow_up = evaluation.today(NOW) + timedelta(weeks=8)
    row = saved(db, completed.id)
    assert row[:5] == ("submitted", 4, None, 5, INTENT)
    assert evaluation.today(row[5]) == follow_up
    assert f"Evaluation completed. Thank you. From {follow_up:%d %B %Y}" in texts(at)
    assert "How was this module?" not in texts(at)


def test_no_thanks_is_remembered_and_the_form_is_not_offered_again(app, learner, completed, db):
    at = app(user=learner, page=PLAYER, id="ev", step="checks")
    at.button(key=f"{FORM}No thanks").click().run()
    assert not at.exception
    assert saved(db, completed.id)[0] == "declined"
    again = app(user=learner, page=PLAYER, id="ev", step="checks")
    assert "How was this module?" not in texts(again)
    assert "Evaluation completed" not in texts(again)
    assert again.get("download_button")[0].proto.label == "Download my certificate (PDF)"


def test_the_follow_up_appears_on_its_date_quotes_the_plan_as_text_and_saves(
    app, learner, completed, db, monkeypatch
):
    day = evaluation.today(NOW) + timedelta(days=3)
    evaluation.submit(db, learner, completed.id, Answers(intent=INTENT), day, NOW)
    before = app(user=learner, page=MY_LEARNING)
    assert not before.exception
    assert evaluation.FOLLOW_UP_QUESTION not in texts(before)

    monkeypatch.setattr(evaluation, "clock", lambda: NOW + 3 * DAY)
    at = app(user=learner, page=MY_LEARNING)
    assert not at.exception
    assert evaluation.FOLLOW_UP_QUESTION in [h.value for h in at.header]
    quoted = next(m.value for m in at.markdown if m.value.startswith("> "))
    assert "<b>" not in quoted and "&lt;b" in quoted and r"\*every\*" in quoted
    key = f"evaluation.follow_up.{completed.id}"
    at.radio(key=f"{key}.outcome").set_value("partly")
    at.text_area(key=f"{key}.obstacles").input("Staffing")
    at.button(key=f"FormSubmitter:{key}-Save my answer").click().run()
    assert not at.exception
    assert db.execute(
        "SELECT outcome, obstacles FROM evaluation_follow_ups WHERE attempt_id = ?", [completed.id]
    ).fetchone() == ("partly", "Staffing")
    assert "Thank you: your answer is saved." in texts(at)
    assert evaluation.FOLLOW_UP_QUESTION not in [h.value for h in at.header]


def test_the_reports_page_summarises_evaluations_and_hides_small_cells(app, db, content_root):
    from tests.app.test_reports_page import author
    from tests.unit.learning.test_evaluation_reports import COHORT, seed

    (content_root / "modules" / "ev.yaml").write_text(MODULE, encoding="utf-8")
    module = schema.Module.model_validate(load_yaml_text(MODULE, "ev").data)
    writer = author(db)
    seed(db, module, COHORT[:4])
    at = app(user=writer, page="carelab/ui/pages/reports.py")
    assert not at.exception
    assert "Evaluations are hidden: fewer than 5 learners submitted one." in texts(at)
    assert not at.table and not at.expander
    seed(db, module, [(5, 5, 5, "<i>More</i>", "Plan")], first=4)
    at = app(user=writer, page="carelab/ui/pages/reports.py")
    table = at.table[0].value
    assert list(table["Learners"]) == ["5", "5", "fewer than 5 learners"]
    assert list(table["Mean (1-5)"]) == ["4.00", "4.20", ""]
    assert list(table["Strongly agree"]) == ["2", "2", ""]
    assert [e.label for e in at.expander] == [
        "What was missing (3)",
        "What learners will change (4)",
    ]
    assert "<i>More</i>" in [t.value for t in at.text]  # shown as typed, as plain text
    assert "Follow-ups are hidden: fewer than 5 learners answered one." in texts(at)
