"""The pre-test in the player (AppTest): a new attempt starts with it, each answer is saved at
once with no feedback until the whole pre-test is finished, the learner may skip it, and the
gain shows once the module is complete."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from carelab.learning.pre_test import TITLE

PLAYER = "carelab/ui/pages/module_player.py"
MY_LEARNING = "carelab/ui/pages/my_learning.py"
VERIFY = "carelab/ui/pages/verify.py"

MODULE = """\
id: gain
title: Gain module
summary: A module with a pre-test.
learning_objectives: [Know the sky]
estimated_minutes: 10
version: "1.0"
pass_mark: 0.5
pre_test:
  intro: What do you know already?
  questions:
    - id: pre-sky
      kind: single_choice
      shuffle: false
      prompt: Which colour does a clear sky look at noon?
      options:
        - {text: Blue, correct: true}
        - {text: Green}
      explanation: Air scatters short (blue) wavelengths the most.
    - id: pre-water
      kind: true_false
      prompt: At sea level, water boils at 90 °C.
      answer: false
      explanation: At 1 atmosphere it boils at 100 °C.
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
          - {text: Blue, correct: true}
          - {text: Green}
        explanation: Air scatters blue light the most.
      - id: water
        kind: true_false
        prompt: Water boils at 100 °C at sea level.
        answer: true
        explanation: At 1 atmosphere it does.
"""


def texts(at: AppTest) -> str:
    kinds = ("markdown", "error", "warning", "success", "caption", "info", "header")
    return "\n".join(str(e.value) for kind in kinds for e in at.get(kind))


def attempt_id(db, user) -> int:
    return db.execute(
        "SELECT id FROM attempts WHERE user_id = ? ORDER BY id DESC LIMIT 1", [user.id]
    ).fetchone()[0]


def pre_rows(db, aid: int) -> list[tuple]:
    rows = db.execute(
        "SELECT question_id, response, score FROM pre_test_answers WHERE attempt_id = ? "
        "ORDER BY question_id",
        [aid],
    ).fetchall()
    return [tuple(r) for r in rows]


def save(at: AppTest, key: str) -> AppTest:
    at.button(key=f"FormSubmitter:{key}.form-Save my answer").click().run()
    assert not at.exception
    return at


@pytest.fixture
def player(app, learner, content_root: Path):
    (content_root / "modules" / "gain.yaml").write_text(MODULE, encoding="utf-8")

    def open_it() -> AppTest:
        # A link straight to a step still starts a fresh attempt with the pre-test.
        at = app(user=learner, page=PLAYER, id="gain", step="checks")
        assert not at.exception
        return at

    return open_it


def test_the_pre_test_comes_first_saves_each_answer_and_gives_feedback_only_at_the_end(
    player, learner, db
):
    at = player()
    assert [h.value for h in at.header] == [TITLE]
    assert "not graded and does not count towards the pass mark" in texts(at)
    assert "Two checks" not in texts(at)  # the module's steps wait
    aid = attempt_id(db, learner)
    key = f"pre_test.{aid}"

    # Wrong, saved at once: no verdict, no right answer, no explanation yet.
    at.radio(key=f"{key}.pre-sky").set_value(1)
    save(at, f"{key}.pre-sky")
    assert pre_rows(db, aid) == [("pre-sky", "1", 0.0)]
    shown = texts(at)
    assert "Your answer: **Green**" in shown
    assert "Not right" not in shown and "scatters" not in shown and "Blue**" not in shown

    # Finishing early names what is left; nothing is finished.
    at.button(key="pre_test.finish").click().run()
    assert "still to answer: 2" in texts(at)
    at.radio(key=f"{key}.pre-water").set_value(False)
    save(at, f"{key}.pre-water")
    assert pre_rows(db, aid) == [("pre-sky", "1", 0.0), ("pre-water", "false", 1.0)]
    assert "boils at 100" not in texts(at)

    # Now the feedback: score, each verdict, the right answer and why.
    at.button(key="pre_test.finish").click().run()
    assert not at.exception
    shown = texts(at)
    assert "You scored **50%** (1 of 2 right) before the module." in shown
    assert "Not right." in shown and "Right." in shown
    assert "The right answer: **Blue**" in shown and "scatters short (blue)" in shown
    assert "Two checks" not in shown

    # Then the module as now, its pass mark untouched by the pre-test.
    at.button(key="pre_test.start").click().run()
    assert not at.exception
    assert "Two checks" in [h.value for h in at.header]
    assert TITLE not in [h.value for h in at.header]
    for qid, value in (("sky", 0), ("water", True)):
        at.radio(key=f"player.{aid}.{qid}").set_value(value)
        at.button(key=f"FormSubmitter:player.{aid}.{qid}.form-Check my answer").click().run()
    assert "Score (first answers): **100%**" in texts(at)
    at.button(
        key="FormSubmitter:player.complete-Complete the module and get my certificate"
    ).click().run()
    assert not at.exception
    assert "**Your gain:** Pre-test 50%, post-test 100%." in texts(at)


def test_the_learner_may_skip_the_pre_test_and_then_no_gain_is_shown(player, learner, db):
    at = player()
    aid = attempt_id(db, learner)
    at.radio(key=f"pre_test.{aid}.pre-sky").set_value(0)
    save(at, f"pre_test.{aid}.pre-sky")
    at.button(key="pre_test.skip").click().run()
    assert not at.exception
    assert "Two checks" in [h.value for h in at.header]
    outcome = db.execute(
        "SELECT outcome, score FROM pre_test_results WHERE attempt_id = ?", [aid]
    ).fetchone()
    assert tuple(outcome) == ("skipped", None)
    for qid, value in (("sky", 0), ("water", True)):
        at.radio(key=f"player.{aid}.{qid}").set_value(value)
        at.button(key=f"FormSubmitter:player.{aid}.{qid}.form-Check my answer").click().run()
    at.button(
        key="FormSubmitter:player.complete-Complete the module and get my certificate"
    ).click().run()
    assert not at.exception
    assert "Your gain" not in texts(at)


def test_my_learning_and_the_verify_page_show_the_gain(app, player, learner, db):
    at = player()
    aid = attempt_id(db, learner)
    for qid, value in (("pre-sky", 1), ("pre-water", False)):
        at.radio(key=f"pre_test.{aid}.{qid}").set_value(value)
        save(at, f"pre_test.{aid}.{qid}")
    at.button(key="pre_test.finish").click().run()
    at.button(key="pre_test.start").click().run()
    for qid, value in (("sky", 0), ("water", True)):
        at.radio(key=f"player.{aid}.{qid}").set_value(value)
        at.button(key=f"FormSubmitter:player.{aid}.{qid}.form-Check my answer").click().run()
    at.button(
        key="FormSubmitter:player.complete-Complete the module and get my certificate"
    ).click().run()
    assert not at.exception
    mine = app(user=learner, page=MY_LEARNING)
    assert not mine.exception
    table = mine.dataframe[0].value
    assert table["Pre-test and post-test"].tolist() == ["Pre-test 50%, post-test 100%"]
    assert "Pre-test 50%, post-test 100%." in texts(mine)  # beside the certificate
    code = db.execute("SELECT code FROM certificates WHERE attempt_id = ?", [aid]).fetchone()[0]
    check = app(page=VERIFY, verify=code)
    assert not check.exception
    assert "- **Learning gain:** pre-test 50%, post-test 100%" in texts(check)
