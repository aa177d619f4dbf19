"""A case's quiz under AppTest: on the case page, in a module's case step, on My learning,
and as workshop steps on Facilitate.

The content is a small case and module in a scratch content root, so these tests do not
depend on the shipped curriculum (which authors are rewriting).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from carelab import auth
from carelab.learning.records import Attempt
from carelab.store import learning as learning_store
from carelab.workshop import workshops
from tests.app.test_learning_pages import blocks

CASE_PAGE = "carelab/ui/pages/case_reader.py"
PLAYER = "carelab/ui/pages/module_player.py"
MY_LEARNING = "carelab/ui/pages/my_learning.py"
FACILITATE = "carelab/ui/pages/facilitate.py"
CASE = """\
id: shared
title: A shared case
setting: Somewhere, 2020
summary: What happened.
sections:
  - {heading: Story, body: It happened., sources: [s]}
sources:
  - {id: s, citation: "Someone. A source. Journal 2020."}
workshop_plan:
  - {id: talk, kind: discussion, title: Talk, prompt: Talk it over., minutes: 5}
quiz:
  - id: same
    kind: single_choice
    prompt: Which is right?
    shuffle: false
    options:
      - {text: Right, correct: true, feedback: Yes.}
      - {text: Wrong, feedback: It is not.}
    explanation: Because it is.
    source: s
  - {id: sure, kind: true_false, prompt: Is it true?, explanation: It is true., answer: true}
  - {id: count, kind: numeric, prompt: How many?, explanation: Three and a half., answer: 3.5}
"""
# The module asks its own "same" too: the two answers must never meet.
MODULE = """\
id: mod
title: A module with a case
summary: S
learning_objectives: [Read a case]
estimated_minutes: 30
version: "1.0"
pass_mark: 0.5
steps:
  - id: quiz
    kind: quiz
    title: Warm-up
    questions:
      - {id: same, kind: true_false, prompt: Warm-up?, explanation: E, answer: false}
  - {id: the-case, kind: case, title: Read the case, case: shared}
"""
RIGHT = {"same": 0, "sure": True, "count": "3.5"}
WRONG = {"same": 1, "sure": False, "count": "3"}
NUMBERS = {"same": 1, "sure": 2, "count": 3}


@pytest.fixture
def content(content_root: Path) -> Path:
    (content_root / "cases" / "shared.yaml").write_text(CASE, encoding="utf-8")
    (content_root / "modules" / "mod.yaml").write_text(MODULE, encoding="utf-8")
    return content_root


def question_box(at: AppTest, number: int) -> Block:
    """The bordered container of one question, its form and its feedback (the innermost)."""
    # "### Question N" under the case page's h2, "#### Question N" under a case step's h3.
    headings = {f"### Question {number}", f"#### Question {number}"}
    found = [
        b
        for b in blocks(at.main)
        if any(getattr(c, "value", None) in headings for c in b.children.values())
    ]
    assert found, f"no container for question {number}"
    return found[-1]


def texts(node, kind: str) -> list[str]:
    return [e.value for e in getattr(node, kind)]


def answer(at: AppTest, key: str, qid: str, value) -> AppTest:
    """Fill one question's widget (`key` is player.<attempt>.<answer id>) and check it."""
    if qid == "count":
        at.text_input(key=key).input(value)
    else:
        at.radio(key=key).set_value(value)
    at.button(key=f"FormSubmitter:{key}.form-Check my answer").click().run()
    assert not at.exception, at.exception
    return at


def case_attempt(db, user: auth.User) -> Attempt:
    """The learner's latest attempt at the case's quiz (widget keys carry its id)."""
    found = learning_store.latest_attempt(db, user.id, "shared", kind="case")
    assert found is not None
    return found


def open_case(app, user: auth.User | None) -> AppTest:
    at = app(user=user, page=CASE_PAGE, id="shared")
    assert not at.exception, at.exception
    return at


# --- the case page ----------------------------------------------------------------------


def test_a_visitor_is_asked_to_sign_in_to_answer(app, content, db):
    at = open_case(app, None)
    assert "Check your understanding" in texts(at, "header")
    assert texts(at, "info") == [
        "Sign in to answer this case's 3 questions: each answer is saved as you give it, "
        "with feedback and its source."
    ]
    assert not at.radio and not at.text_input
    assert db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 0


def test_an_answer_on_the_case_page_gets_feedback_and_is_kept(app, content, db, learner):
    at = open_case(app, learner)
    headers = texts(at, "header")
    assert headers.index("Check your understanding") == headers.index("References") - 1
    aid = case_attempt(db, learner).id
    answer(at, f"player.{aid}.same", "same", WRONG["same"])
    box = question_box(at, 1)
    assert texts(box, "error") == ["Not quite."]
    assert box.error[0].icon == ":material/cancel:"
    markdown = texts(box, "markdown")
    assert "- You chose **Wrong** (✗ not right): It is not." in markdown
    assert "- **Right** is also right (✓), and you did not choose it." in markdown
    assert "**Why:** Because it is." in markdown
    # In body text, not faint captions (accessibility review 0.4, problem 2).
    assert markdown[-2:] == [
        "Source: Someone. A source. Journal 2020.",
        "Saved. Your first answer scored 0% and is the one that counts towards your score "
        "for this case; you can try again to learn.",
    ]
    assert not box.caption
    assert any("Answered **1 of 3**" in m for m in texts(at, "markdown"))
    row = db.execute(
        "SELECT question_id, score, last_correct FROM answers WHERE attempt_id = ?", [aid]
    ).fetchall()
    assert [tuple(r) for r in row] == [("same", 0.0, 0)]

    # A new session (a reload) shows the same answer and its feedback.
    again = open_case(app, learner)
    assert again.radio(key=f"player.{aid}.same").value == WRONG["same"]
    assert texts(question_box(again, 1), "error") == ["Not quite."]
    assert not question_box(again, 2).error and not question_box(again, 2).success


def test_answering_every_question_completes_the_case_and_my_learning_lists_it(
    app, content, db, learner
):
    at = open_case(app, learner)
    aid = case_attempt(db, learner).id
    answer(at, f"player.{aid}.same", "same", RIGHT["same"])
    answer(at, f"player.{aid}.sure", "sure", WRONG["sure"])
    before = app(user=learner, page=MY_LEARNING)
    [cases] = before.dataframe  # no module started: the only table is the cases one
    assert cases.value[["Case", "Answered", "Status", "Score"]].values.tolist() == [
        ["A shared case", "2 of 3", "⏳ In progress", "–"]
    ]
    assert "Continue: A shared case" in [p.label for p in before.get("page_link")]

    answer(at, f"player.{aid}.count", "count", RIGHT["count"])
    assert texts(at, "success")[-1] == (
        "Case complete: you answered all 3 questions, and your score (first answers) is 67%. "
        "It is listed on My learning."
    )
    after = app(user=learner, page=MY_LEARNING)
    assert after.dataframe[0].value[["Case", "Answered", "Status", "Score"]].values.tolist() == [
        ["A shared case", "3 of 3", "✅ Completed", "67%"]
    ]
    assert not [p for p in after.get("page_link") if p.label.startswith("Continue")]

    at.button(key=f"case.again.{aid}").click().run()
    fresh = case_attempt(db, learner).id
    assert fresh != aid
    assert at.radio(key=f"player.{fresh}.same").value is None
    assert any("Answered **0 of 3**" in m for m in texts(at, "markdown"))


# --- a module's case step ---------------------------------------------------------------


def test_a_module_case_step_shows_the_quiz_and_counts_it_in_the_module(app, content, db, learner):
    at = app(user=learner, page=PLAYER, id="mod", step="the-case")
    assert not at.exception, at.exception
    assert "Check your understanding" in texts(at, "subheader")
    aid = db.execute("SELECT id FROM attempts WHERE kind = 'module'").fetchone()[0]
    assert any("count towards this module's score" in m for m in texts(at, "markdown"))
    answer(at, f"player.{aid}.the-case.same", "same", RIGHT["same"])
    box = question_box(at, 1)
    assert texts(box, "success") == ["Correct."]
    assert "**Why:** Because it is." in texts(box, "markdown")
    assert (
        "Saved. Your first answer scored 100% and is the one that counts towards the pass "
        "mark; you can try again to learn." in texts(box, "markdown")
    )
    # Saved under the module attempt, apart from the module's own "same"; no case attempt.
    ids = [r[0] for r in db.execute("SELECT question_id FROM answers WHERE attempt_id = ?", [aid])]
    assert ids == ["the-case.same"]
    assert db.execute("SELECT COUNT(*) FROM attempts WHERE kind = 'case'").fetchone()[0] == 0
    # The last step's progress panel counts the case's questions with the module's own.
    assert any(
        "Questions answered: **1 of 4**" in m and "Score (first answers): **25%**" in m
        for m in texts(at, "markdown")
    )
    # Every case question answered: the step is done (ticked) without leaving it.
    answer(at, f"player.{aid}.the-case.sure", "sure", WRONG["sure"])
    answer(at, f"player.{aid}.the-case.count", "count", RIGHT["count"])
    at.run()
    assert at.get("progress")[0].text == "Step 2 of 2 · 1 of 2 required steps done"
    assert "✓ 2. Read the case" in at.selectbox(key=f"player.goto.{aid}.1").options


# --- Facilitate -------------------------------------------------------------------------


@pytest.mark.parametrize("with_quiz", [False, True])
def test_a_workshop_from_a_case_can_include_its_quiz(app, content, db, admin, with_quiz):
    at = app(user=admin, page=FACILITATE)
    assert not at.exception, at.exception
    at.selectbox[0].select("case:shared")
    tick = next(c for c in at.checkbox if c.label.startswith("Add the case's quiz"))
    tick.set_value(with_quiz)
    at.main.button[0].click().run()  # Create workshop (the form's submit button)
    assert not at.exception, at.exception
    [workshop] = workshops.list_workshops(db, admin)
    titles = [s.title for s in workshops.workshop_steps_of(db, workshop.id)]
    quiz = [f"Case quiz: question {n} of 3" for n in (1, 2, 3)]
    assert titles == ["Talk"] + (quiz if with_quiz else [])
