"""A learner answers a case's quiz on the case page in a real browser, reloads, and finds
the answers kept, on a desktop screen (1280 px) and on a phone (390 px).

The case and its right answers are read from the server's own copy of the shipped content
with CareLab's loader, so the test follows the content as its authors change it.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from carelab.content import schema
from carelab.content.catalog import load_catalog
from tests.e2e.conftest import server_env, shot, wait_for_app
from tests.e2e.waits import patient

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def quiz_case(server: str) -> schema.Case:
    """A case this server serves whose quiz opens with a single-choice question."""
    catalog = load_catalog(Path(server_env(server)["CARELAB_CONTENT_DIR"]))
    for case in sorted(catalog.cases.values(), key=lambda c: c.id):
        if len(case.quiz) >= 2 and isinstance(case.quiz[0], schema.SingleChoice):
            return case
    raise AssertionError("no shipped case has a quiz that opens with a single choice")


def sign_up(page: Page, server: str) -> None:
    """Create a fresh account and sign in (other tests may have made the first account)."""
    email = f"case-{uuid.uuid4().hex[:10]}@example.org"
    page.goto(f"{server}/sign-in")
    wait_for_app(page)
    page.get_by_role("tab", name="Create an account").click()
    page.get_by_label("Your name, as it should appear on certificates").fill("Case Reader")
    page.get_by_role("tabpanel").get_by_label("Email").fill(email)
    page.get_by_label("Password (at least 12 characters)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Done. Now sign in on the")).to_be_visible()
    page.get_by_role("tab", name="Sign in").click()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    wait_for_app(page)


def question_box(page: Page, number: int) -> Locator:
    """The bordered container of one question: the innermost block holding its heading."""
    heading = page.get_by_role("heading", name=f"Question {number}", exact=True)
    return page.locator("[data-testid=stVerticalBlock]").filter(has=heading).last


def the_answer(question: schema.SingleChoice | schema.TrueFalse, right: bool) -> str:
    """The label of a right (or a wrong) option, as the radio shows it."""
    if isinstance(question, schema.TrueFalse):
        return "True" if question.answer == right else "False"
    return next(o.text for o in question.options if o.correct == right)


def check(page: Page, number: int, label: str, verdict: str) -> Locator:
    """Choose an option of one question, press "Check my answer", wait for the verdict."""
    box = question_box(page, number)
    box.get_by_role("radiogroup").get_by_text(label, exact=True).click()
    expect(box.get_by_role("radio", name=label, exact=True)).to_be_checked()
    box.get_by_role("button", name="Check my answer").click()
    expect(box.get_by_text(verdict, exact=True)).to_be_visible()
    wait_for_app(page)
    return box


@pytest.mark.parametrize("width", [1280, 390])
def test_a_case_quiz_answer_is_kept_after_a_reload(page: Page, server: str, width: int):
    patient(page)
    case = quiz_case(server)
    first, second = case.quiz[0], case.quiz[1]
    sign_up(page, server)  # at the default size: a phone hides the sidebar that says so
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
    page.goto(f"{server}/case?id={case.id}")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=case.title, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Check your understanding")).to_be_visible()

    wrong = the_answer(first, right=False)
    box = check(page, 1, wrong, "Not quite.")
    expect(box.get_by_text("Why:")).to_be_visible()
    expect(box.get_by_text(re.compile(r"counts towards your score for this case"))).to_be_visible()
    answers = [(wrong, "Not quite.")]
    if isinstance(second, schema.SingleChoice | schema.TrueFalse):
        answers.append((the_answer(second, right=True), "Correct."))
        check(page, 2, *answers[1])
    expect(page.get_by_text(f"Answered {len(answers)} of {len(case.quiz)}")).to_be_visible()

    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Check your understanding")).to_be_visible()
    for number, (label, verdict) in enumerate(answers, 1):
        box = question_box(page, number)
        expect(box.get_by_role("radio", name=label, exact=True)).to_be_checked()
        expect(box.get_by_text(verdict, exact=True)).to_be_visible()
    if len(case.quiz) > len(answers):  # the next question is still unanswered
        expect(question_box(page, len(answers) + 1).get_by_text("Why:")).to_have_count(0)
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"the case page scrolls sideways at {width}px ({scrolled}px)"
    question_box(page, 1).scroll_into_view_if_needed()
    shot(page, f"case-quiz-{width}")
