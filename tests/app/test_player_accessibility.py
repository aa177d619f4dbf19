"""The player for screen reader and keyboard users (accessibility review 0.4, problem 1 and
sections 1 and 2): each question's input is named by its question, headings go down one level
at a time with no "Link to heading" anchors, the outline names step kinds in a learner's
words, and the script that keeps the learner's place is sent only after a step change.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.proto.LabelVisibility_pb2 import LabelVisibility
from streamlit.testing.v1 import AppTest

from carelab.ui.components import focus
from carelab.ui.components.questions import question_label
from tests.app import test_case_quiz_pages as case_pages
from tests.app.test_learning_pages import MODULE, PLAYER, WRONG, answer, attempt_id, open_player

COLLAPSED = LabelVisibility.LabelVisibilityOptions.COLLAPSED

PROMPTS = {
    1: "Which colour is a clear daytime sky?",
    2: "Which of these numbers are even?",
    3: "True or false: water boils at 100 °C at sea level.",
    4: "What share of the points is the pass mark here?",
    5: "What do we call passing care to the next shift? (One word.)",
}


@pytest.fixture
def module_file(content_root: Path) -> Path:
    """The learning pages' practice module, with a question of every kind."""
    path = content_root / "modules" / "practice.yaml"
    path.write_text(MODULE, encoding="utf-8")
    return path


@pytest.fixture
def case_content(content_root: Path) -> Path:
    """The case quiz pages' case, and a module with it as a step."""
    (content_root / "cases" / "shared.yaml").write_text(case_pages.CASE, encoding="utf-8")
    (content_root / "modules" / "mod.yaml").write_text(case_pages.MODULE, encoding="utf-8")
    return content_root


def focus_scripts(at: AppTest) -> list[str]:
    """The bodies of the page's st.html elements allowed to run JavaScript."""
    return [e.proto.body for e in at.get("html") if e.proto.unsafe_allow_javascript]


def question_headings(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.lstrip("#").startswith(" Question ")]


@pytest.mark.parametrize(
    ("prompt", "label"),
    [
        ("Pick **one**.", "Question 1: Pick one."),
        (
            "See [the guide](https://example.org/g) and `code`.",
            "Question 1: See the guide and code.",
        ),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "Question 1: a b --- --- 1 2"),
        ("word " * 30, "Question 1: " + " ".join(["word"] * 15) + "…"),
    ],
)
def test_a_question_label_is_its_number_and_the_plain_start_of_its_prompt(prompt, label):
    assert question_label(1, prompt) == label


def test_each_input_is_named_by_its_question_not_your_answer(app, learner, module_file, db):
    at = open_player(app, learner, step="checks")
    aid = attempt_id(db, learner)
    radios = {r.key: r.label for r in at.radio}
    assert radios == {
        f"player.{aid}.pick-one": f"Question 1: {PROMPTS[1]}",
        f"player.{aid}.true-or-false": f"Question 3: {PROMPTS[3]}",
    }
    texts = {t.key: t.label for t in at.text_input if t.key.startswith("player.")}
    assert texts == {
        f"player.{aid}.how-many": f"Question 4: {PROMPTS[4]} · Your answer (%)",
        f"player.{aid}.one-word": f"Question 5: {PROMPTS[5]} · Your answer",
    }
    # The prompt is shown just above each input, so the label is for screen readers only.
    inputs = [*at.radio, *(t for t in at.text_input if t.key.startswith("player."))]
    assert [w.proto.label_visibility.value for w in inputs] == [COLLAPSED] * 4


def test_player_headings_go_down_one_level_without_anchors(app, learner, module_file):
    at = open_player(app, learner, step="checks")
    assert at.title[0].proto.hide_anchor and at.header[0].proto.hide_anchor
    # h1 the module, h2 the step, h3 each question: no h5 straight after the h2.
    assert question_headings(at) == [f"### Question {n}" for n in range(1, 6)]
    headings = [m for m in at.markdown if m.value.startswith("#")]
    assert headings and all(m.proto.hide_anchors for m in headings)


def test_case_quiz_headings_sit_one_level_below_their_section(app, case_content, learner):
    # On the case page: h1 case, h2 "Check your understanding", h3 each question.
    page = case_pages.open_case(app, learner)
    assert "Check your understanding" in [h.value for h in page.header]
    assert question_headings(page) == [f"### Question {n}" for n in range(1, 4)]
    # In a module: h2 step and case title, h3 "Check your understanding", h4 questions.
    step = app(user=learner, page=PLAYER, id="mod", step="the-case")
    assert "Check your understanding" in [h.value for h in step.subheader]
    assert question_headings(step) == [f"#### Question {n}" for n in range(1, 4)]


def test_the_outline_names_step_kinds_in_a_learners_words(app, module_file):
    at = app(page=PLAYER, id="practice")  # signed out: the outline
    steps = next(m.value for m in at.markdown if m.value.startswith("1. "))
    assert steps.splitlines() == [
        "1. Introduction · Reading",
        "2. Five checks · Quiz",
        "3. Think it over · Reflection",
    ]
    assert "(quiz)" not in steps


def test_the_place_keeping_script_is_sent_after_a_step_change_only(app, learner, module_file, db):
    at = open_player(app, learner)
    assert focus_scripts(at) == []  # arriving is not a step change
    at.button(key="player.next").click().run()
    [script] = focus_scripts(at)
    assert '".st-key-player-step-1 h2"' in script
    assert at.header[0].value == "Five checks"

    # Checking an answer is not a step change: focus stays where the learner is.
    aid = attempt_id(db, learner)
    answer(at, aid, "pick-one", WRONG["pick-one"])
    assert focus_scripts(at) == []

    # Go to step, Previous and a step change after it each send it again, with a new nonce.
    at.selectbox(key=f"player.goto.{aid}.1").set_value(2).run()
    [to_three] = focus_scripts(at)
    assert '".st-key-player-step-2 h2"' in to_three
    at.button(key="player.previous").click().run()
    [back] = focus_scripts(at)
    assert '".st-key-player-step-1 h2"' in back and back != to_three


@pytest.mark.parametrize("key", ["player-step-1'; alert(1)//", "Player Step", "", "a" * 62])
def test_the_script_takes_only_a_key_the_player_made(key, monkeypatch):
    # Nothing from content or users reaches the script: a key must look like heading_key's.
    monkeypatch.setattr(focus.st, "session_state", {focus.PENDING: True})
    with pytest.raises(ValueError, match="not a container key made by the player"):
        focus.focus_heading_if_asked(key)
    assert focus.heading_key(12) == "player-step-12"
