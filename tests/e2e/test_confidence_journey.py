"""Confidence in a real browser: in the shipped `indicators` module (confidence on), a new
learner tries to check an answer without saying how sure they are, is asked to, answers
wrongly with High confidence, sees the sure-and-wrong feedback, and then sees their
calibration on My learning. Screenshots at 1280 and 390 px wide go to /tmp."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from carelab.content import schema
from carelab.content.loader import load_yaml_file
from tests.e2e import axe
from tests.e2e.conftest import server_env, wait_for_app
from tests.e2e.test_learner_journey import (
    choose,
    no_errors,
    question_box,
    sign_up,
    step_heading,
    wrong_answer,
)
from tests.e2e.waits import patient

pytestmark = pytest.mark.browser

MODULE_ID = "indicators"
SHOTS = Path("/tmp/carelab-confidence-shots")


def load_module(server: str) -> schema.Module:
    root = Path(server_env(server)["CARELAB_CONTENT_DIR"])
    return schema.Module.model_validate(load_yaml_file(root / "modules" / f"{MODULE_ID}.yaml").data)


def tmp_shot(page: Page, name: str) -> None:
    """The whole page (Streamlit scrolls its main block: grow the window to it) under /tmp."""
    SHOTS.mkdir(exist_ok=True)
    size = page.viewport_size
    height = page.evaluate(
        "Math.max(innerHeight, ...[...document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stSidebarContent]')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": size["width"], "height": min(height, 10_000)})
    with contextlib.suppress(PlaywrightTimeoutError):
        page.locator("[data-testid=stSkeleton]").first.wait_for(state="detached", timeout=5_000)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(size)


@pytest.mark.parametrize("width", [1280, 390])
def test_sure_and_wrong_then_calibration(page: Page, server: str, width: int):
    patient(page)
    page.set_viewport_size({"width": width, "height": 900})
    module = load_module(server)
    assert module.confidence, "the indicators module ships with confidence on"
    quiz = next(s for s in module.steps if isinstance(s, schema.QuizStep))
    number, question = next(
        (n, q) for n, q in enumerate(quiz.questions, 1) if isinstance(q, schema.SingleChoice)
    )
    sign_up(page, server)
    page.goto(f"{server}/module?id={MODULE_ID}&step={quiz.id}")
    wait_for_app(page)
    expect(step_heading(page, quiz)).to_be_visible()
    box = question_box(page, number)
    box.scroll_into_view_if_needed()
    sure = box.get_by_role(
        "radiogroup", name=f"How sure are you of your answer to question {number}?"
    )
    expect(sure).to_be_visible()
    for level in ("Low", "Medium", "High"):
        expect(sure.get_by_role("radio", name=level, exact=True)).not_to_be_checked()

    # Checking without a confidence is refused, in words.
    choose(box, question, wrong_answer(question))
    box.get_by_role("button", name="Check my answer").click()
    expect(
        box.get_by_text("Choose how sure you are (low, medium or high) before checking")
    ).to_be_visible()
    expect(box.get_by_text("Not quite.", exact=True)).to_have_count(0)

    # High, by keyboard: focus the group's first option and move with the arrow keys.
    sure.get_by_role("radio", name="Low", exact=True).focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(sure.get_by_role("radio", name="High", exact=True)).to_be_checked()
    box.get_by_role("button", name="Check my answer").click()
    expect(box.get_by_text("Not quite.", exact=True)).to_be_visible()
    expect(box.get_by_text("You were sure and wrong.")).to_be_visible()
    expect(box.get_by_text(re.compile("Gardner-Medwin"))).not_to_have_count(0)
    expect(box.get_by_text(re.compile(r"certainty-based mark −6"))).to_be_visible()
    wait_for_app(page)
    no_errors(page)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the player scrolls sideways at {width}px ({scroll}px)"
    box.get_by_text("You were sure and wrong.").scroll_into_view_if_needed()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"sure-and-wrong-{width}.png"))
    # The confidence group, the refusal and the warning add no serious axe violation.
    axe.assert_accessible(page, f"sure and wrong at {width}px", whole_page=False)

    page.goto(f"{server}/my-learning")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="How sure you were", level=2)).to_be_visible()
    table = page.get_by_role("table")
    high = table.get_by_role("row").filter(has_text="High")
    expect(high.get_by_role("cell")).to_have_text(
        ["High", "1", "0%", "above about 80% sure", re.compile("low or medium would have")]
    )
    expect(
        page.get_by_text(re.compile("low confidence scores best when you are right less"))
    ).to_be_visible()
    no_errors(page)
    tmp_shot(page, f"my-learning-calibration-{width}")
    axe.assert_accessible(page, f"calibration at {width}px", whole_page=False)
