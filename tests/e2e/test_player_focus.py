"""The module player keeps the learner's place: after a step change the new step's heading is
at the top of the view and has focus, by mouse and by keyboard; checking an answer moves
nothing. Each question's input is named by its question (accessibility review 0.4, problem 1
and section 2).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from carelab.content import schema
from tests.e2e.conftest import wait_for_app
from tests.e2e.test_learner_journey import (
    load_module,
    question_box,
    sign_up,
    step_heading,
    wrong_answer,
)
from tests.e2e.waits import patient

pytestmark = pytest.mark.browser

# Where "the top of the view" is: the heading's top edge is not under Streamlit's fixed top bar
# and is less than this far down the window (px), above where the step's content starts.
TOP_BELOW = 200
PLACE_KEPT = """([heading, below]) => {
    const bar = document.querySelector('[data-testid=stHeader]');
    const low = bar ? bar.getBoundingClientRect().bottom : 0;
    const top = heading.getBoundingClientRect().top;
    return top >= low - 1 && top < below && document.activeElement === heading;
}"""


def where(heading: Locator) -> dict:
    """Where the heading and the top bar are and what has focus, for a failure message."""
    return heading.evaluate(
        """h => ({top: Math.round(h.getBoundingClientRect().top),
                  bar: Math.round(document.querySelector('[data-testid=stHeader]')
                                  .getBoundingClientRect().bottom),
                  scrollTop: document.querySelector('[data-testid=stMain]').scrollTop,
                  active: document.activeElement.outerHTML.slice(0, 80)})"""
    )


def expect_place_kept(page: Page, step: schema.Step) -> None:
    """The step's heading has focus, and its top is at the top of the view, clear of the bar."""
    heading = step_heading(page, step)
    expect(heading).to_be_visible()
    wait_for_app(page)
    try:
        page.wait_for_function(PLACE_KEPT, arg=[heading.element_handle(), TOP_BELOW])
    except PlaywrightTimeoutError:
        pytest.fail(f"after moving to {step.title!r}: {where(heading)}")
    assert heading.evaluate("h => h.tabIndex") == -1


def test_next_and_previous_keep_the_learners_place(page: Page, server: str):
    patient(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_up(page, server)
    module = load_module(server)
    steps = module.steps
    page.goto(f"{server}/module?id={module.id}&step={steps[0].id}")
    wait_for_app(page)
    expect(step_heading(page, steps[0])).to_be_visible()

    # By mouse: Next sits below a long reading step, so clicking it scrolls the page down.
    page.get_by_role("button", name="Next →").click()
    expect_place_kept(page, steps[1])

    # By keyboard: focus on Next, Enter; then Previous, Space.
    page.get_by_role("button", name="Next →").focus()
    page.keyboard.press("Enter")
    expect_place_kept(page, steps[2])
    page.get_by_role("button", name="← Previous").focus()
    page.keyboard.press("Space")
    expect_place_kept(page, steps[1])

    # Go to step, by keyboard: typing filters the list, Enter picks the match.
    quiz_index = next(i for i, s in enumerate(steps) if isinstance(s, schema.QuizStep))
    page.get_by_role("combobox", name="Go to step").focus()
    page.keyboard.type(f"{quiz_index + 1}. {steps[quiz_index].title}")
    expect(page.get_by_role("option")).to_have_count(1)
    page.keyboard.press("Enter")
    expect_place_kept(page, steps[quiz_index])


def test_checking_an_answer_leaves_focus_alone_and_names_each_question(page: Page, server: str):
    patient(page)
    sign_up(page, server)
    module = load_module(server)
    quiz = next(s for s in module.steps if isinstance(s, schema.QuizStep))
    page.goto(f"{server}/module?id={module.id}&step={quiz.id}")
    wait_for_app(page)

    # Every radio group is named by its question and the start of its prompt, not by a
    # shared "Your answer".
    groups = [
        (number, q) for number, q in enumerate(quiz.questions, 1)
        if isinstance(q, schema.SingleChoice)
    ]  # fmt: skip
    assert groups
    for number, question in groups:
        start = " ".join(question.prompt.replace("*", "").split()[:4])
        name = re.compile(rf"^Question {number}: {re.escape(start)}")
        expect(page.get_by_role("radiogroup", name=name)).to_have_count(1)
    expect(page.get_by_role("radiogroup", name="Your answer", exact=True)).to_have_count(0)

    first = quiz.questions[0]
    assert isinstance(first, schema.SingleChoice)
    box = question_box(page, 1)
    box.get_by_role("radiogroup").get_by_text(wrong_answer(first), exact=True).click()
    check = box.get_by_role("button", name="Check my answer")
    check.focus()
    page.keyboard.press("Enter")
    expect(box.get_by_text("Not quite.", exact=True)).to_be_visible()
    wait_for_app(page)
    # No step change, so no move: the heading did not take focus.
    heading = step_heading(page, quiz)
    assert not heading.evaluate("h => h === document.activeElement"), where(heading)
