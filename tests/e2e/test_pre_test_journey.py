"""The pre-test in a real browser: in the shipped `coproduction` module a new learner meets
"Before you start: what do you already know?", answers each question (saved, no verdict yet),
sees the answers only after finishing, starts the module, completes it, and finds the gain,
"Pre-test 75%, post-test 100%", on the player, My learning and the certificate's verify page.
Screenshots at 1280 and 390 px wide go to /tmp/carelab-pre-test-shots."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from carelab.content import schema
from carelab.content.loader import load_yaml_file
from carelab.learning.pre_test import TITLE
from tests.e2e.conftest import server_env, wait_for_app
from tests.e2e.test_accessibility import fill_module
from tests.e2e.test_learner_journey import (
    choose,
    no_errors,
    question_box,
    right_answer,
    sign_up,
    step_heading,
    wrong_answer,
)
from tests.e2e.waits import patient

pytestmark = pytest.mark.browser

MODULE_ID = "coproduction"
SHOTS = Path("/tmp/carelab-pre-test-shots")
GAIN = "Pre-test 75%, post-test 100%"


def load_module(server: str) -> schema.Module:
    root = Path(server_env(server)["CARELAB_CONTENT_DIR"])
    return schema.Module.model_validate(load_yaml_file(root / "modules" / f"{MODULE_ID}.yaml").data)


def shots(page: Page, name: str) -> None:
    """The page at 1280 and at 390 px wide, and no sideways scrolling on the phone.

    Loaded afresh at each width, as a phone opens it (the sidebar starts closed there).
    """
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        wait_for_app(page)
        no_errors(page)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{name} scrolls sideways at {width}px ({scroll}px)"
        # Streamlit scrolls its main block: grow the window to it for a whole-page shot.
        height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
        page.set_viewport_size({"width": width, "height": min(max(height, 900), 10_000)})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})  # the rest of the test
    page.reload()
    wait_for_app(page)


def test_pre_test_then_module_then_gain_on_my_learning_and_the_certificate(page: Page, server: str):
    patient(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    module = load_module(server)
    assert module.pre_test is not None, "the coproduction module ships with a pre-test"
    questions = module.pre_test.questions
    email = sign_up(page, server)
    # Even a link to a later step opens on the pre-test for a new attempt.
    page.goto(f"{server}/module?id={MODULE_ID}&step={module.steps[2].id}")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=TITLE, level=2)).to_be_visible()
    expect(step_heading(page, module.steps[2])).to_have_count(0)

    # The first answer wrong, the rest right: each saved, and nothing said about it yet.
    for number, question in enumerate(questions, 1):
        box = question_box(page, number)
        box.scroll_into_view_if_needed()
        value = right_answer(question)
        if number == 1:
            value = not value if isinstance(question, schema.TrueFalse) else wrong_answer(question)
        choose(box, question, value)
        box.get_by_role("button", name="Save my answer").click()
        expect(
            box.get_by_text(re.compile(r"^Saved\. The right answer and why come"))
        ).to_be_visible()
        wait_for_app(page)
    expect(page.get_by_text("The right answer:", exact=False)).to_have_count(0)
    expect(page.get_by_text("Not right.", exact=True)).to_have_count(0)
    no_errors(page)
    shots(page, "pre-test-answered")

    page.get_by_role("button", name="Finish the pre-test and see the answers").click()
    expect(page.get_by_text(re.compile(r"You scored 75% \(3 of 4 right\)"))).to_be_visible()
    expect(page.get_by_text("Not right.", exact=True)).to_have_count(1)
    expect(page.get_by_text("Right.", exact=True)).to_have_count(3)
    no_errors(page)
    shots(page, "pre-test-feedback")
    page.get_by_role("button", name="Start the module →").click()
    expect(step_heading(page, module.steps[0])).to_be_visible()
    wait_for_app(page)

    # The module itself, as now: every step but the last through CareLab's own functions
    # (the learner journey walks the pages), then the last step and completion here.
    fill_module(server, email, MODULE_ID, complete=False)
    last = module.steps[-1]
    page.goto(f"{server}/module?id={MODULE_ID}&step={last.id}")
    wait_for_app(page)
    expect(step_heading(page, last)).to_be_visible()
    page.get_by_role("button", name="Finish this step").click()
    expect(page.get_by_text("This is the last step. Press")).to_have_count(0)
    wait_for_app(page)
    complete = page.get_by_role("button", name="Complete the module and get my certificate")
    expect(complete).to_be_visible()
    complete.click()
    expect(page.get_by_text(re.compile(r"^Module complete\. Well done\."))).to_be_visible()
    expect(page.get_by_text(f"Your gain: {GAIN}.")).to_be_visible()
    no_errors(page)

    page.goto(f"{server}/my-learning")
    wait_for_app(page)
    grid = page.locator("[data-testid=stDataFrame]").first
    expect(grid.get_by_role("columnheader", name="Pre-test and post-test", include_hidden=True))
    expect(grid.get_by_role("gridcell", name=GAIN, include_hidden=True)).to_have_count(1)
    beside = page.get_by_text(f"{GAIN}.", exact=True)
    expect(beside).to_be_visible()
    code = page.get_by_text(re.compile(r"^Verification code CL-")).first.inner_text()
    no_errors(page)
    beside.scroll_into_view_if_needed()
    shots(page, "my-learning-gain")

    found = re.search(r"CL(-[0-9A-Z]{4}){4}", code)
    assert found, code
    page.goto(f"{server}/verify?verify={found.group(0)}")
    wait_for_app(page)
    expect(page.get_by_text(f"Valid certificate {found.group(0)}.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=GAIN)).to_have_count(1)
    no_errors(page)
    shots(page, "verify-gain")
