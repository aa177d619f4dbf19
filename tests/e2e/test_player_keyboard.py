"""The module player works without a mouse: reach a question, choose, check, read the feedback."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_for_app
from tests.e2e.test_learner_journey import load_module, question_box, sign_up
from tests.e2e.waits import patient

pytestmark = pytest.mark.browser


def test_answer_a_question_with_the_keyboard_only(page: Page, server: str):
    patient(page)
    sign_up(page, server)
    module = load_module(server)
    quiz = next(s for s in module.steps if s.kind == "quiz")
    page.goto(f"{server}/module?id={module.id}&step={quiz.id}")
    wait_for_app(page)
    box = question_box(page, 1)
    first_radio = box.get_by_role("radio").first
    expect(first_radio).to_be_attached()
    # Tab from the page's top until the first option of question 1 has focus.
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if first_radio.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the first option of question 1")
    page.keyboard.press("Space")  # choose it
    expect(first_radio).to_be_checked()
    check = box.get_by_role("button", name="Check my answer")
    for _ in range(10):
        page.keyboard.press("Tab")
        if check.evaluate("el => el === document.activeElement"):
            break
    page.keyboard.press("Enter")
    wait_for_app(page)
    feedback = box.get_by_text("Correct.").or_(box.get_by_text("Not quite."))
    expect(feedback.first).to_be_visible()
    expect(box.get_by_text("Why:", exact=False).first).to_be_visible()
