"""The learning pages through app.py with AppTest: the module player, My learning, verify.

Most tests use a small module written into a scratch content root, with a text step, a
quiz holding one question of every kind, and a reflection, so they do not depend on the
shipped curriculum; a smoke test per page runs on the shipped content.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from carelab import auth
from carelab.content.catalog import load_catalog
from carelab.learning import active_time, grading, progress
from carelab.store import learning as learning_store
from tests.app.conftest import run_page_as

PLAYER = "carelab/ui/pages/module_player.py"
MY_LEARNING = "carelab/ui/pages/my_learning.py"
VERIFY = "carelab/ui/pages/verify.py"
SOURCE = "Author A. A source for tests. Journal 2020;1:1."

MODULE = """\
id: practice
title: Practice module
summary: A small module with every kind of question.
learning_objectives: [Answer every kind of question]
estimated_minutes: 20
version: "1.0"
pass_mark: 0.6
steps:
  - id: intro
    kind: text
    title: Introduction
    body: Read this first.
    sources: [src]
  - id: checks
    kind: quiz
    title: Five checks
    questions:
      - id: pick-one
        kind: single_choice
        prompt: Which colour is a clear daytime sky?
        options:
          - text: Blue
            correct: true
            feedback: Yes, blue.
          - text: Green
            feedback: Only in paintings.
        explanation: Air scatters blue light the most.
        source: src
      - id: pick-many
        kind: multiple_choice
        prompt: Which of these numbers are even?
        options:
          - text: Two
            correct: true
          - text: Three
          - text: Four
            correct: true
        explanation: Even numbers divide by two.
        source: src
      - id: true-or-false
        kind: true_false
        prompt: "True or false: water boils at 100 °C at sea level."
        answer: true
        feedback_true: Right, at standard pressure.
        feedback_false: It does, at standard pressure.
        explanation: At 1 atmosphere water boils at 100 °C.
        source: src
      - id: how-many
        kind: numeric
        prompt: What share of the points is the pass mark here?
        answer: 42.5
        tolerance: 0.5
        unit: "%"
        explanation: The answer is 42.5%.
        source: src
      - id: one-word
        kind: short_text
        prompt: What do we call passing care to the next shift? (One word.)
        accepted: [handover, "hand*over"]
        explanation: It is a handover.
        source: src
  - id: think
    kind: reflection
    title: Think it over
    prompt: What did you learn?
sources:
  - id: src
    citation: "Author A. A source for tests. Journal 2020;1:1."
"""
# Each question's right and wrong answers as the widgets take them.
RIGHT = {
    "pick-one": 0,
    "pick-many": [0, 2],
    "true-or-false": True,
    "how-many": "42.5",
    "one-word": "Handover",
}
WRONG = {
    "pick-one": 1,
    "pick-many": [1],
    "true-or-false": False,
    "how-many": "12",
    "one-word": "triage",
}
EXPLANATIONS = {
    "pick-one": "Air scatters blue light the most.",
    "pick-many": "Even numbers divide by two.",
    "true-or-false": "At 1 atmosphere water boils at 100 °C.",
    "how-many": "The answer is 42.5%.",
    "one-word": "It is a handover.",
}
NUMBERS = {qid: n for n, qid in enumerate(RIGHT, 1)}
PARTS = ("what", "so_what", "now_what")


@pytest.fixture
def module_file(content_root: Path) -> Path:
    """The practice module, live in the scratch content root."""
    path = content_root / "modules" / "practice.yaml"
    path.write_text(MODULE, encoding="utf-8")
    return path


# --- helpers ---------------------------------------------------------------------------


def attempt_id(db, user: auth.User) -> int:
    """The id of the user's latest attempt (widget keys carry it)."""
    return db.execute(
        "SELECT id FROM attempts WHERE user_id = ? ORDER BY id DESC LIMIT 1", [user.id]
    ).fetchone()[0]


def count(db, sql: str, *params) -> int:
    return db.execute(sql, params).fetchone()[0]


def blocks(node) -> list[Block]:
    """Every container under `node`, outermost first."""
    found = []
    for child in node.children.values():
        if isinstance(child, Block):
            found.append(child)
            found.extend(blocks(child))
    return found


def question_box(at: AppTest, qid: str) -> Block:
    """The bordered container that holds one question, its form and its feedback."""
    heading = f"### Question {NUMBERS[qid]}"
    for block in blocks(at.main):
        if any(getattr(c, "value", None) == heading for c in block.children.values()):
            return block
    raise AssertionError(f"no container for question {qid}")


def answer(at: AppTest, aid: int, qid: str, value) -> AppTest:
    """Fill in one question's widget and press its "Check my answer"."""
    key = f"player.{aid}.{qid}"
    if qid == "pick-many":
        for i in range(3):
            at.checkbox(key=f"{key}.{i}").set_value(i in value)
    elif qid in {"pick-one", "true-or-false"}:
        at.radio(key=key).set_value(value)
    else:
        at.text_input(key=key).input(value)
    at.button(key=f"FormSubmitter:{key}.form-Check my answer").click().run()
    assert not at.exception
    return at


def reflect(at: AppTest, aid: int, what: str = "", so_what: str = "", now_what: str = ""):
    """Type a reflection into the three boxes and press "Save my reflection"."""
    key = f"player.{aid}.think"
    at.text_area(key=f"{key}.what").input(what)
    at.text_area(key=f"{key}.so_what").input(so_what)
    at.text_area(key=f"{key}.now_what").input(now_what)
    at.button(key=f"FormSubmitter:{key}.form-Save my reflection").click().run()
    assert not at.exception
    return at


def open_player(app, user: auth.User, **query) -> AppTest:
    at = app(user=user, page=PLAYER, id="practice", **query)
    assert not at.exception
    return at


def finish_module(db, user: auth.User, root: Path) -> str:
    """Answer everything right, reflect and complete through the core; return the code."""
    module = load_catalog(root).module("practice")
    attempt = progress.current_attempt(db, user, module)
    quiz = module.steps[1]
    for question in quiz.questions:
        progress.record_answer(db, attempt, quiz.id, question, RIGHT[question.id])
    progress.finish_step(db, attempt, "intro")
    progress.save_reflection(
        db, attempt, module.steps[2], {"what": "I learnt to check first.", "so_what": "Safer."}
    )
    # Actions 15 minutes apart in all, none longer than the 15-minute cap.
    for minute in (0, 10, 15):
        active_time.record_action(db, attempt, now=1_000_000 + 60 * minute)
    data = progress.complete(db, user, attempt, module, "http://localhost:8501", {})
    return data.code


def alerts(node, kind: str) -> list[str]:
    """The texts of every element of one kind (error, caption, markdown...) under `node`."""
    return [e.value for e in getattr(node, kind)]


def by_label(widgets, label: str):
    """The one widget with this label."""
    found = [w for w in widgets if w.label == label]
    assert len(found) == 1, f"{len(found)} widgets labelled {label!r}"
    return found[0]


def confirm_with(at: AppTest, typed: str) -> None:
    """Type a password into "Delete my account" (on My account) and press its button."""
    by_label(at.text_input, "Your current password, to confirm").input(typed)
    by_label(at.button, "Delete my account for good").click().run()


# --- the player ------------------------------------------------------------------------


def test_player_starts_at_step_one_and_remembers_the_step(app, learner, module_file, db):
    at = open_player(app, learner)
    assert at.title[0].value == "Practice module"
    assert at.header[0].value == "Introduction"
    bar = at.get("progress")[0]
    assert bar.text == "Step 1 of 3 · 0 of 3 required steps done"
    assert bar.value == 0
    assert at.button(key="player.previous").disabled
    assert not at.button(key="player.next").disabled
    # Sources are body text, not faint captions (accessibility review 0.4, problem 2).
    assert f"Source: {SOURCE}" in alerts(at, "markdown")
    assert not [c for c in alerts(at, "caption") if c.startswith("Source")]

    at.button(key="player.next").click().run()
    assert at.header[0].value == "Five checks"
    assert at.query_params["step"] == "checks"
    bar = at.get("progress")[0]
    assert bar.text == "Step 2 of 3 · 1 of 3 required steps done"  # reading counts as done
    assert not at.button(key="player.previous").disabled
    aid = attempt_id(db, learner)
    assert count(db, "SELECT COUNT(*) FROM step_progress WHERE attempt_id = ?", aid) == 1
    assert db.execute("SELECT current_step FROM attempts WHERE id = ?", [aid]).fetchone()[0] == (
        "checks"
    )

    # A new session for the same learner, with no step in the address, lands on step 2.
    again = open_player(app, learner)
    assert again.header[0].value == "Five checks"
    assert again.get("progress")[0].text.startswith("Step 2 of 3")

    # "Go to step" jumps to the last step, where Next is disabled.
    again.selectbox(key=f"player.goto.{aid}.1").select(2).run()
    assert again.header[0].value == "Think it over"
    assert again.button(key="player.next").disabled
    again.button(key="player.previous").click().run()
    assert again.header[0].value == "Five checks"


@pytest.mark.parametrize("qid", list(RIGHT))
def test_each_question_kind_gives_feedback_in_words_and_scores_the_first_answer(
    app, learner, module_file, db, qid
):
    at = open_player(app, learner, step="checks")
    aid = attempt_id(db, learner)
    box = question_box(at, qid)
    assert not box.success and not box.error  # nothing before answering

    answer(at, aid, qid, WRONG[qid])
    box = question_box(at, qid)
    assert alerts(box, "error") == ["Not quite."]
    assert box.error[0].icon == ":material/cancel:"
    assert not box.success
    markdown = alerts(box, "markdown")
    assert f"**Why:** {EXPLANATIONS[qid]}" in markdown
    # The source and the "Saved." line are body text, not captions.
    assert f"Source: {SOURCE}" in markdown
    assert (
        "Saved. Your first answer scored 0% and is the one that counts towards the pass mark; "
        "you can try again to learn." in markdown
    )
    assert not box.caption
    # The other questions stay unanswered.
    others = [q for q in RIGHT if q != qid]
    assert not any(question_box(at, q).error or question_box(at, q).success for q in others)

    answer(at, aid, qid, RIGHT[qid])
    box = question_box(at, qid)
    assert alerts(box, "success") == ["Correct."]
    assert box.success[0].icon == ":material/check_circle:"
    assert not box.error
    assert f"**Why:** {EXPLANATIONS[qid]}" in alerts(box, "markdown")
    assert (
        "Saved. Your first answer scored 0% and is the one that counts towards the pass mark; "
        "you have tried 2 times." in alerts(box, "markdown")
    )
    row = db.execute(
        "SELECT score, tries, last_correct FROM answers WHERE attempt_id = ? AND question_id = ?",
        [aid, qid],
    ).fetchone()
    assert tuple(row) == (0.0, 2, 1)


def test_choice_feedback_names_the_chosen_and_the_right_option(app, learner, module_file, db):
    at = open_player(app, learner, step="checks")
    aid = attempt_id(db, learner)
    answer(at, aid, "pick-one", WRONG["pick-one"])
    markdown = alerts(question_box(at, "pick-one"), "markdown")
    assert "- You chose **Green** (✗ not right): Only in paintings." in markdown
    assert "- **Blue** is also right (✓), and you did not choose it." in markdown
    assert not any("Yes, blue." in m for m in markdown)  # feedback is for those who chose it
    answer(at, aid, "true-or-false", False)
    assert "It does, at standard pressure." in alerts(question_box(at, "true-or-false"), "markdown")
    # One of two right options and nothing wrong: partial credit, said in words.
    answer(at, aid, "pick-many", [0])
    box = question_box(at, "pick-many")
    assert alerts(box, "warning") == ["Partly right (50%)."]
    assert (
        "Saved. Your first answer scored 50% and is the one that counts towards the pass mark; "
        "you can try again to learn." in alerts(box, "markdown")
    )


def test_the_saved_answer_is_shown_again_in_a_new_session(app, learner, module_file, db):
    at = open_player(app, learner)
    aid = attempt_id(db, learner)
    at.button(key="player.next").click().run()  # Next records the step the learner is on
    answer(at, aid, "pick-one", WRONG["pick-one"])
    answer(at, aid, "how-many", RIGHT["how-many"])
    again = open_player(app, learner)  # current_step is "checks"; no step in the address
    assert again.radio(key=f"player.{aid}.pick-one").value == WRONG["pick-one"]
    assert again.text_input(key=f"player.{aid}.how-many").value == "42.5"
    assert alerts(question_box(again, "pick-one"), "error") == ["Not quite."]
    assert alerts(question_box(again, "how-many"), "success") == ["Correct."]


def test_a_numeric_answer_that_is_not_a_number_is_explained_and_not_saved(
    app, learner, module_file, db
):
    at = open_player(app, learner, step="checks")
    aid = attempt_id(db, learner)
    box = question_box(at, "how-many")
    assert at.text_input(key=f"player.{aid}.how-many").label == (
        "Question 4: What share of the points is the pass mark here? · Your answer (%)"
    )
    assert "Your answer (%):" in alerts(box, "markdown")  # the unit, in sight
    answer(at, aid, "how-many", "forty-two")
    box = question_box(at, "how-many")
    assert alerts(box, "error") == ["'forty-two' is not a number. Type digits, e.g. 3.5"]
    assert not box.success and not [m for m in alerts(box, "markdown") if "Saved." in m]
    assert count(db, "SELECT COUNT(*) FROM answers WHERE attempt_id = ?", aid) == 0
    # A decimal comma is a number.
    answer(at, aid, "how-many", "42,5")
    assert alerts(question_box(at, "how-many"), "success") == ["Correct."]


def test_typed_answers_show_their_limit(app, learner, module_file, db):
    at = open_player(app, learner, step="checks")
    aid = attempt_id(db, learner)
    assert at.text_input(key=f"player.{aid}.one-word").proto.max_chars == 280
    assert at.text_input(key=f"player.{aid}.how-many").proto.max_chars == 40
    answer(at, aid, "one-word", "x" * 271 + " handover")  # at the limit exactly: saved
    assert alerts(question_box(at, "one-word"), "error") == ["Not quite."]


def test_a_long_answer_saved_before_the_limit_is_kept_whole_and_explained(
    app, learner, module_file, db
):
    # 0.4 saved short answers of any length; the box must not cut one when it comes back.
    attempt = progress.current_attempt(
        db, learner, load_catalog(module_file.parents[1]).module("practice")
    )
    old = "handover " * 40
    learning_store.save_answer(
        db, attempt.id, "checks", "one-word", grading.encode(old), 0.0, False, 1.0
    )
    at = open_player(app, learner, step="checks")
    key = f"player.{attempt.id}.one-word"
    assert at.text_input(key=key).value == old
    at.button(key=f"FormSubmitter:{key}.form-Check my answer").click().run()
    assert alerts(question_box(at, "one-word"), "error") == [
        "Your answer can be at most 280 characters; it has 360. "
        "Shorten it and check it again: your text is still in the box."
    ]
    assert at.text_input(key=key).value == old
    answer(at, attempt.id, "one-word", "handover")
    assert alerts(question_box(at, "one-word"), "success") == ["Correct."]


# --- reflections -----------------------------------------------------------------------


def test_reflection_empty_too_long_saved_and_identifier_warning(app, learner, module_file, db):
    at = open_player(app, learner, step="think")
    aid = attempt_id(db, learner)
    assert at.header[0].value == "Think it over"

    reflect(at, aid)
    assert "Write at least one part of the reflection before saving it." in alerts(at, "error")

    # Each box shows its limit (the browser stops typing there; the core refuses more).
    boxes = [at.text_area(key=f"player.{aid}.think.{part}") for part in PARTS]
    assert [b.proto.max_chars for b in boxes] == [5000, 5000, 5000]
    assert count(db, "SELECT COUNT(*) FROM reflections WHERE attempt_id = ?", aid) == 0

    reflect(at, aid, what="Checking first saves time.", now_what="Check before I hand over.")
    assert not alerts(at, "error")
    assert [s for s in alerts(at, "success") if s.startswith("Saved at ")]
    assert not [w for w in alerts(at, "warning") if w.startswith("Your reflection may contain")]
    row = db.execute(
        "SELECT what, so_what, now_what FROM reflections WHERE attempt_id = ?", [aid]
    ).fetchone()
    assert tuple(row) == ("Checking first saves time.", "", "Check before I hand over.")

    reflect(at, aid, what="The patient, NHS number 943 476 5919, was seen.")
    assert [s for s in alerts(at, "success") if s.startswith("Saved at ")]
    assert (
        "Your reflection may contain an NHS number. Please check it identifies no patient, "
        "and edit it if it does." in alerts(at, "warning")
    )

    # Opened again later: the saved text is in the boxes, with when it was saved.
    again = open_player(app, learner, step="think")
    assert again.text_area(key=f"player.{aid}.think.what").value == (
        "The patient, NHS number 943 476 5919, was seen."
    )
    assert [m for m in alerts(again, "markdown") if m.startswith("Saved ")]


# --- completion ------------------------------------------------------------------------


def test_completing_the_module_gives_the_certificate(app, learner, module_file, db):
    at = open_player(app, learner)
    aid = attempt_id(db, learner)
    at.button(key="player.next").click().run()
    for qid, value in RIGHT.items():
        answer(at, aid, qid, value)
    at.button(key="player.next").click().run()
    assert at.header[0].value == "Think it over"
    assert at.subheader[0].value == "Your progress"
    summary = next(m for m in alerts(at, "markdown") if "Required steps done" in m)
    assert summary.startswith("- Required steps done: **2 of 3** (still to do: Think it over)\n")
    assert not [b for b in at.button if b.label.startswith("Complete the module")]
    assert not at.get("download_button")

    reflect(at, aid, what="I will check first.")
    summary = next(m for m in alerts(at, "markdown") if "Required steps done" in m)
    assert summary == (
        "- Required steps done: **3 of 3**\n- Questions answered: **5 of 5**\n"
        "- Score (first answers): **100%**; pass mark 60%"
    )
    complete = next(b for b in at.button if b.label.startswith("Complete the module"))
    complete.click().run()
    assert not at.exception
    assert any(a.startswith("Module complete. Well done.") for a in alerts(at, "success"))
    labels = [d.label for d in at.get("download_button")]
    assert "Download my certificate (PDF)" in labels
    code = db.execute("SELECT code FROM certificates WHERE attempt_id = ?", [aid]).fetchone()[0]
    assert any(
        m.startswith(f"Verification code {code}: anyone can check it at ")
        for m in alerts(at, "markdown")
    )
    assert db.execute("SELECT completed_at FROM attempts WHERE id = ?", [aid]).fetchone()[0]

    # Back later: the module shows as completed, with the certificate.
    again = open_player(app, learner)
    assert "You have completed this module." in alerts(again, "success")
    assert "Download my certificate (PDF)" in [d.label for d in again.get("download_button")]
    assert [b for b in again.button if b.label == "Start a new attempt"]


def test_the_first_answers_below_the_pass_mark_give_no_certificate(app, learner, module_file, db):
    at = open_player(app, learner)
    aid = attempt_id(db, learner)
    at.button(key="player.next").click().run()
    for qid in RIGHT:
        answer(at, aid, qid, WRONG[qid])
        answer(at, aid, qid, RIGHT[qid])  # later tries are for learning, not the score
    at.button(key="player.next").click().run()
    reflect(at, aid, what="Read the question twice.")
    assert (
        "Your score is 0%, below the pass mark. Start a new attempt to try again; this attempt "
        "stays in your record." in alerts(at, "warning")
    )
    assert not [b for b in at.button if b.label.startswith("Complete the module")]
    assert not [d for d in at.get("download_button") if "certificate" in d.label]
    assert count(db, "SELECT COUNT(*) FROM certificates") == 0

    # A new attempt starts from the beginning with no answers.
    next(b for b in at.button if b.label == "Start a new attempt").click().run()
    assert not at.exception
    assert at.header[0].value == "Introduction"
    assert count(db, "SELECT COUNT(*) FROM attempts WHERE user_id = ?", learner.id) == 2


# --- content changing under the learner -------------------------------------------------


def test_a_module_that_breaks_mid_way_is_unavailable_and_progress_is_kept(
    app, learner, module_file, db
):
    at = open_player(app, learner, step="checks")
    aid = attempt_id(db, learner)
    answer(at, aid, "pick-one", RIGHT["pick-one"])
    at.button(key="player.next").click().run()
    reflect(at, aid, what="Kept safe.")

    module_file.write_text(MODULE.replace("kind: quiz", "kind: quizz"), encoding="utf-8")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Modules"
    assert at.warning[0].value == (
        "The module 'practice' is temporarily unavailable: its authors are fixing a problem "
        "in it. Your progress is kept and will be here when it returns."
    )
    assert count(db, "SELECT COUNT(*) FROM attempts WHERE user_id = ?", learner.id) == 1
    assert count(db, "SELECT COUNT(*) FROM answers WHERE attempt_id = ?", aid) == 1
    assert count(db, "SELECT COUNT(*) FROM reflections WHERE attempt_id = ?", aid) == 1

    # Fixed again: the learner is back where they were, answers and all.
    module_file.write_text(MODULE, encoding="utf-8")
    back = open_player(app, learner, step="checks")
    assert attempt_id(db, learner) == aid
    assert alerts(question_box(back, "pick-one"), "success") == ["Correct."]


def test_a_new_module_version_starts_afresh_and_says_so(app, learner, module_file, db):
    at = open_player(app, learner, step="checks")
    old = attempt_id(db, learner)
    answer(at, old, "pick-one", RIGHT["pick-one"])
    answer(at, old, "one-word", RIGHT["one-word"])

    module_file.write_text(MODULE.replace('version: "1.0"', 'version: "1.1"'), encoding="utf-8")
    at.run()
    assert not at.exception
    assert at.info[0].value == (
        "This module was updated to version 1.1. Your answers to version 1.0 are kept in "
        "your record; this is a fresh start."
    )
    new = attempt_id(db, learner)
    assert new != old
    assert at.header[0].value == "Five checks"
    assert at.radio(key=f"player.{new}.pick-one").value is None
    assert at.text_input(key=f"player.{new}.one-word").value == ""
    assert not any(question_box(at, q).success or question_box(at, q).error for q in RIGHT)
    assert count(db, "SELECT COUNT(*) FROM answers WHERE attempt_id = ?", old) == 2
    assert count(db, "SELECT COUNT(*) FROM answers WHERE attempt_id = ?", new) == 0


def test_the_new_version_notice_goes_once_the_new_version_is_completed(
    app, learner, module_file, content_root, db
):
    open_player(app, learner)  # an attempt at version 1.0, left unfinished
    module_file.write_text(MODULE.replace('version: "1.0"', 'version: "1.1"'), encoding="utf-8")
    finish_module(db, learner, content_root)  # version 1.1, completed
    at = open_player(app, learner)
    assert not [i for i in alerts(at, "info") if "this is a fresh start" in i]


# --- My learning -----------------------------------------------------------------------


def test_my_learning_lists_an_attempt_in_progress(app, learner, module_file):
    open_player(app, learner)
    at = app(user=learner, page=MY_LEARNING)
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Module"].tolist() == ["Practice module"]
    assert table["Status"].tolist() == ["⏳ In progress"]
    assert "Certificates appear here when you complete a module." in alerts(at, "caption")
    links = [p.label for p in at.get("page_link")]
    assert "Continue: Practice module" in links


def test_my_learning_lists_the_certificate_and_deleting_keeps_it_valid(
    app, learner, module_file, content_root, db
):
    code = finish_module(db, learner, content_root)
    at = app(user=learner, page=MY_LEARNING)
    assert not at.exception
    assert at.title[0].value == "My learning"
    table = at.dataframe[0].value
    assert table.to_dict("records")[0] | {"Started": None} == {
        "Module": "Practice module",
        "Version": "1.0",
        "Attempt": 1,
        "Started": None,
        "Status": "✅ Completed",
        "Score": "100%",
    }
    assert any(
        m.startswith("**Practice module** (version 1.0), completed ")
        for m in alerts(at, "markdown")
    )
    labels = [d.label for d in at.get("download_button")]
    assert labels == [
        "Download my certificate (PDF)",
        "Reflective log (Markdown)",
        "Reflective log (PDF)",
        "Download my data (JSON)",
    ]
    assert any(m.startswith(f"Verification code {code}") for m in alerts(at, "markdown"))

    # Deleting (on My account) needs the current password.
    at.switch_page("carelab/ui/pages/account.py").run()
    confirm_with(at, "not my password")
    assert "The current password is not right." in alerts(at, "error")
    assert auth.get_user(db, learner.id) is not None

    confirm_with(at, "correct horse battery")
    assert not at.exception
    assert "Your account has been deleted." in alerts(at, "success")
    assert count(db, "SELECT COUNT(*) FROM users WHERE id = ?", learner.id) == 0
    assert count(db, "SELECT COUNT(*) FROM attempts") == 0
    assert count(db, "SELECT COUNT(*) FROM reflections") == 0

    verify = app(verify=code)
    assert not verify.exception
    assert alerts(verify, "success") == [f"Valid certificate {code}."]
    details = "\n".join(alerts(verify, "markdown"))
    assert "Name removed at the learner's request" in details
    assert "Lee Learner" not in details


def test_my_learning_asks_a_signed_out_visitor_to_sign_in(app, module_file):
    # Signed out, the page is not in the navigation; run directly, it asks to sign in.
    direct = run_page_as(MY_LEARNING, None)
    assert not direct.exception
    assert direct.warning[0].value == "Sign in to see this page."
    assert not direct.get("download_button")


# --- verify ----------------------------------------------------------------------------


def test_verify_a_real_code_an_unknown_code_and_a_malformed_one(
    app, learner, module_file, content_root, db
):
    code = finish_module(db, learner, content_root)
    at = app(verify=code)  # signed out: anyone can check a certificate
    assert not at.exception
    assert at.title[0].value == "Verify a certificate"
    assert alerts(at, "success") == [f"Valid certificate {code}."]
    details = "\n".join(alerts(at, "markdown"))
    assert "- **Learner:** Lee Learner" in details
    assert "- **Module:** Practice module (version 1\\.0)" in details  # escaped Markdown
    # 15 minutes measured in the player, against 16 estimated from the module's content.
    assert "- **Time on task:** 15 minutes (estimated duration 16 minutes)" in details
    assert any(
        c.startswith("Time on task is the learner's active time") for c in alerts(at, "caption")
    )
    assert "CareLab itself awards no CME or CPD credit." in alerts(at, "caption")

    # Typed by hand: lower case, spaces for dashes.
    at.text_input(key="verify.code").input(code.lower().replace("-", " ")).run()
    assert alerts(at, "success") == [f"Valid certificate {code}."]

    at.text_input(key="verify.code").input("CL-AAAA-BBBB-CCCC-DDDD").run()
    assert not at.success
    assert alerts(at, "error") == [
        "The code CL-AAAA-BBBB-CCCC-DDDD is unknown: CareLab issued no certificate with it. "
        "Check the code for typing mistakes."
    ]

    at.text_input(key="verify.code").input("hello").run()
    assert not at.success
    assert alerts(at, "error") == [
        "The code is unknown. That is not a CareLab verification code: codes look like "
        "CL-7K3M-9QXD-2HTP-R4WN."
    ]


# --- smoke tests on the shipped content ---------------------------------------------------


def test_player_runs_every_step_of_a_shipped_module(app, learner, shipped_content):
    module = load_catalog(shipped_content).module("teamwork")
    total = len(module.steps)
    anonymous = app(page=PLAYER, id="teamwork")
    assert not anonymous.exception
    assert anonymous.title[0].value == module.title
    assert anonymous.info[0].value.startswith("Sign in to start")

    at = app(user=learner, page=PLAYER, id="teamwork")
    assert not at.exception
    assert at.get("progress")[0].text == f"Step 1 of {total} · 0 of {total} required steps done"
    for number, step in enumerate(module.steps, 1):
        assert at.header[0].value == step.title
        assert at.get("progress")[0].text.startswith(f"Step {number} of {total}")
        if number < total:
            at.button(key="player.next").click().run()
            assert not at.exception
    assert at.subheader[0].value == "Your progress"


@pytest.mark.usefixtures("shipped_content")
def test_my_learning_runs_on_shipped_content(app, learner):
    at = app(user=learner, page=MY_LEARNING)
    assert not at.exception
    assert at.info[0].value.startswith("You have not started a module yet.")
    assert "Download my data (JSON)" in [d.label for d in at.get("download_button")]


@pytest.mark.usefixtures("shipped_content")
def test_verify_page_runs_on_shipped_content(app):
    at = app(page=VERIFY)
    assert not at.exception
    assert at.title[0].value == "Verify a certificate"
    assert not at.error and not at.success
