"""LTI 1.3 in Chromium: a real platform (lti1p3platform) launches CareLab and the learner
lands signed in on the module; an instructor picks content in CareLab's picker and it goes
back to the platform; a refused launch is a readable page. axe checks CareLab's LTI pages."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from carelab.content.catalog import load_catalog
from tests.e2e import axe
from tests.e2e.conftest import server_env, shot, wait_for_app
from tests.e2e.test_learner_journey import answer_quiz, no_errors, step_heading
from tests.lti.platform import INSTRUCTOR, LEARNER, LmsPlatform
from tests.lti.served import lms_and_carelab

pytestmark = pytest.mark.browser
CUSTOM = {"carelab_kind": "module", "carelab_id": "lti-m"}
THOUGHTS = {
    "What?": "The night nurse and I handed over by the bedside for the first time.",
    "So what?": "The patient corrected a drug dose we had both written down wrongly.",
    "Now what?": "I will hand over at the bedside and ask the patient what we missed.",
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LmsPlatform, str]]:
    """A CareLab server with the platform registered; yield the platform and CareLab's URL."""
    with lms_and_carelab(tmp_path_factory.mktemp("lti-browser")) as (lms, server):
        yield lms, server.url


def _clean(page: Page) -> None:
    axe.require_axe()
    assert axe.run(page) == []


def test_a_launch_lands_signed_in_on_the_module(served, page: Page):
    lms, url = served
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(lms.login_url("student-b", [LEARNER], custom=CUSTOM))
    page.wait_for_url(f"{url}/module?id=lti-m*")
    wait_for_app(page)
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_contain_text(
        "Ada Lovelace (learner)"
    )
    expect(page.get_by_role("heading", name="Handover basics").first).to_be_visible()
    shot(page, "lti-launch-module-390")


def test_an_instructor_picks_a_module_and_it_returns_to_the_platform(served, page: Page):
    lms, _ = served
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(lms.login_url("teacher-b", [INSTRUCTOR], deep_link=True))
    expect(page.get_by_role("heading", name="Choose CareLab content")).to_be_visible()
    _clean(page)
    shot(page, "lti-deep-link-picker-390")
    page.get_by_label("Handover basics").check()
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Add to course").click()
    expect(page.get_by_text("Content added to the course.")).to_be_visible()
    assert lms.content_items[-1]["custom"] == CUSTOM


def test_a_refused_launch_is_a_readable_page(served, page: Page):
    _, url = served
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 800})
        response = page.goto(f"{url}/lti/login?iss=https://lms.evil.example&login_hint=x")
        assert response is not None and response.status == 403
        expect(page.get_by_role("alert")).to_contain_text("does not know the platform")
        shot(page, f"lti-refused-{width}")
    _clean(page)


def test_in_the_course_page_open_in_a_new_window_signs_the_learner_in(served, page: Page):
    lms, url = served
    page.goto(lms.login_url("student-f", [LEARNER], custom=CUSTOM, framed=True))
    tool = page.frame_locator("iframe[name=tool]")
    expect(tool.get_by_role("heading", name="Welcome, Ada Lovelace")).to_be_visible()
    expect(tool.get_by_role("link", name="Continue")).to_have_attribute("href", "/module?id=lti-m")
    shot(page, "lti-framed-landing-1280")
    with page.expect_popup() as opened:
        tool.get_by_role("button", name="Open in a new window").click()
    window = opened.value
    window.wait_for_url(f"{url}/module?id=lti-m*")
    wait_for_app(window)
    expect(window.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_contain_text(
        "Ada Lovelace (learner)"
    )


def _pick_module_in_the_lms(lms: LmsPlatform, page: Page) -> dict:
    """An instructor adds the module through Deep Linking; return the platform's new link."""
    page.goto(lms.login_url("teacher-g", [INSTRUCTOR], deep_link=True))
    page.get_by_label("Handover basics").check()
    page.get_by_role("button", name="Add to course").click()
    expect(page.get_by_text("Content added to the course.")).to_be_visible()
    return lms.content_items[-1]["_link"]


def test_a_launched_learner_finishes_in_the_player_and_the_lms_gets_the_score(
    served, page: Page, browser
):
    """Everything after the launch happens in the browser and the CareLab server: the
    server's own learning-event listener queues the score and its sender posts it (AGS)."""
    lms, url = served
    teacher = browser.new_context()
    try:
        link = _pick_module_in_the_lms(lms, teacher.new_page())
    finally:
        teacher.close()
    assert link["line_item"] is not None
    module = load_catalog(Path(server_env(url)["CARELAB_CONTENT_DIR"])).module("lti-m")
    read, quiz, think = module.steps
    before = len(lms.scores)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(lms.launch_for(link, "student-g", [LEARNER]))
    page.wait_for_url(f"{url}/module?id=lti-m*")
    wait_for_app(page)
    expect(step_heading(page, read)).to_be_visible()
    page.get_by_role("button", name="Next →").click()  # read, then on to the quiz
    expect(step_heading(page, quiz)).to_be_visible()
    wait_for_app(page)
    answer_quiz(page, quiz.questions)
    page.get_by_role("button", name="Next →").click()
    expect(step_heading(page, think)).to_be_visible()
    wait_for_app(page)
    for label, text in THOUGHTS.items():
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_role("button", name="Save my reflection").click()
    expect(page.get_by_text(re.compile(r"^Saved at \d\d:\d\d\.$"))).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_text("Score (first answers): 100%; pass mark")).to_be_visible()
    assert lms.scores[before:] == [], "a score went to the LMS before the module was complete"
    page.get_by_role("button", name="Complete the module and get my certificate").click()
    expect(page.get_by_text(re.compile(r"^Module complete\. Well done\."))).to_be_visible()
    wait_for_app(page)
    no_errors(page)
    shot(page, "lti-player-complete-390")

    deadline = time.monotonic() + 30
    while len(lms.scores) == before and time.monotonic() < deadline:
        time.sleep(0.3)
    sent = lms.scores[before:]
    assert sent, "the CareLab server sent no score to the LMS within 30 s of completion"
    (score,) = sent
    assert score["line_item"] == link["line_item"] and score["userId"] == "student-g"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (100.0, 100)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
