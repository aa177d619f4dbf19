"""Confidence in the pages (AppTest): in a module with `confidence: true` the learner must say
how sure they are before checking a first answer; the answer and the confidence are saved
together; a sure-and-wrong answer is named; the mark and calibration show on My learning."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from carelab import auth
from carelab.content import schema
from carelab.content.catalog import load_catalog
from carelab.learning import case_progress

PLAYER = "carelab/ui/pages/module_player.py"
MY_LEARNING = "carelab/ui/pages/my_learning.py"

MODULE = """\
id: sure
title: Sure module
summary: A module that asks how sure you are.
learning_objectives: [Know what you know]
estimated_minutes: 10
version: "1.0"
pass_mark: 0.5
confidence: {confidence}
steps:
  - id: checks
    kind: quiz
    title: Two checks
    questions:
      - id: sky
        kind: single_choice
        shuffle: false
        prompt: Which colour is a clear daytime sky?
        options:
          - {{text: Blue, correct: true}}
          - {{text: Green}}
        explanation: Air scatters blue light the most.
      - id: water
        kind: true_false
        prompt: Water boils at 100 °C at sea level.
        answer: true
        explanation: At 1 atmosphere it does.
"""


def write_module(root: Path, confidence: bool) -> None:
    text = MODULE.format(confidence="true" if confidence else "false")
    (root / "modules" / "sure.yaml").write_text(text, encoding="utf-8")


def attempt_id(db, user: auth.User) -> int:
    return db.execute(
        "SELECT id FROM attempts WHERE user_id = ? ORDER BY id DESC LIMIT 1", [user.id]
    ).fetchone()[0]


def saved_rows(db, aid: int) -> list[tuple]:
    return [
        tuple(row)
        for row in db.execute(
            "SELECT question_id, first_confidence, score, tries FROM answers "
            "WHERE attempt_id = ? ORDER BY question_id",
            [aid],
        ).fetchall()
    ]


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "error", "warning", "success", "caption", "subheader")
             for e in at.get(kind)]  # fmt: skip
    return "\n".join(str(p) for p in parts)


def check(at: AppTest, key: str) -> AppTest:
    at.button(key=f"FormSubmitter:{key}.form-Check my answer").click().run()
    assert not at.exception
    return at


@pytest.fixture
def player(app, learner, content_root):
    def open_it(confidence: bool = True) -> AppTest:
        write_module(content_root, confidence)
        at = app(user=learner, page=PLAYER, id="sure", step="checks")
        assert not at.exception
        return at

    return open_it


def test_confidence_is_asked_before_checking_and_saved_with_the_answer(player, learner, db):
    at = player()
    aid = attempt_id(db, learner)
    key = f"player.{aid}.sky"
    sure = at.radio(key=f"{key}.confidence")
    assert sure.label == "How sure are you of your answer to question 1?"
    assert sure.options == ["Low", "Medium", "High"] and sure.value is None

    # An answer without a confidence is not checked and not saved.
    at.radio(key=key).set_value(1)
    check(at, key)
    assert "Choose how sure you are (low, medium or high) before checking" in texts(at)
    assert saved_rows(db, aid) == []

    # Sure and wrong: saved together at once, and named in the feedback.
    at.radio(key=key).set_value(1)
    at.radio(key=f"{key}.confidence").set_value("high")
    check(at, key)
    assert saved_rows(db, aid) == [("sky", "high", 0.0, 1)]
    shown = texts(at)
    assert "You were sure and wrong." in shown
    assert "Gardner-Medwin" in shown and "certainty-based mark **−6**" in shown
    # A later try is for learning: no confidence asked, the first one kept.
    at.radio(key=key).set_value(0)
    check(at, key)
    assert saved_rows(db, aid) == [("sky", "high", 0.0, 2)]
    assert not [r for r in at.radio if r.key == f"{key}.confidence"]
    assert "You were sure and wrong." in texts(at)  # it was the first answer that counts

    # Right at medium: +2. The completion screen shows the mark beside the score.
    wkey = f"player.{aid}.water"
    at.radio(key=wkey).set_value(True)
    at.radio(key=f"{wkey}.confidence").set_value("medium")
    check(at, wkey)
    assert saved_rows(db, aid) == [("sky", "high", 0.0, 2), ("water", "medium", 1.0, 1)]
    shown = texts(at)
    assert "Your confidence-based mark" in shown
    assert "**−4** over 2 questions; average **−2** per question" in shown
    assert "Score (first answers): **50%**; pass mark 50%" in shown


def test_a_module_without_confidence_asks_nothing(player, learner, db):
    at = player(confidence=False)
    aid = attempt_id(db, learner)
    assert not [r for r in at.radio if r.key and r.key.endswith(".confidence")]
    at.radio(key=f"player.{aid}.sky").set_value(0)
    check(at, f"player.{aid}.sky")
    assert saved_rows(db, aid) == [("sky", None, 1.0, 1)]
    assert "Your confidence-based mark" not in texts(at)


def test_my_learning_shows_the_mark_and_the_calibration(app, player, learner, db):
    at = player()
    aid = attempt_id(db, learner)
    for qid, value, level in (("sky", 1, "high"), ("water", True, "high")):
        at.radio(key=f"player.{aid}.{qid}").set_value(value)
        at.radio(key=f"player.{aid}.{qid}.confidence").set_value(level)
        check(at, f"player.{aid}.{qid}")
    mine = app(user=learner, page=MY_LEARNING)
    assert not mine.exception
    modules = mine.dataframe[0].value
    assert modules["Confidence mark"].tolist() == ["−3 (−1.5 a question)"]
    calibration = mine.table[0].value.to_dict("records")
    assert [(r["Confidence"], r["First answers"], r["Right"]) for r in calibration] == [
        ("Low", 0, "–"),
        ("Medium", 0, "–"),
        ("High", 2, "50%"),
    ]
    assert calibration[2]["Best when you are"] == "above about 80% sure"
    assert "low or medium would have scored more" in calibration[2]["What it suggests"]
    assert "low confidence scores best when you are right less than about 67%" in texts(mine)


def test_my_learning_with_a_case_record_still_lists_certificates(app, learner, db, shipped_content):
    # The page once reused its record's name for the case loop and then read .certificates
    # from a case record: it raised for every learner who had answered a case's quiz.
    case = next(c for c in load_catalog(shipped_content).cases.values() if c.quiz)
    question = case.quiz[0]
    response = {schema.SingleChoice: 0, schema.MultipleChoice: [0], schema.TrueFalse: True}
    attempt = case_progress.current_case_attempt(db, learner, case)
    case_progress.record_case_answer(db, attempt, case, question, response.get(type(question), "1"))
    mine = app(user=learner, page=MY_LEARNING)
    assert not mine.exception
    assert mine.dataframe[0].value["Case"].tolist() == [case.title]
    assert "Certificates appear here when you complete a module." in texts(mine)
