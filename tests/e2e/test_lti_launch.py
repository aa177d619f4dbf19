"""LTI 1.3 in Chromium: a real platform (lti1p3platform) launches CareLab and the learner
lands signed in on the module; an instructor picks content in CareLab's picker and it goes
back to the platform; a refused launch is a readable page. axe checks CareLab's LTI pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from carelab.integration.lti import registration
from carelab.store import db as store_db
from tests.e2e import axe
from tests.e2e.conftest import ServerProcess, shot, wait_for_app
from tests.lti.platform import INSTRUCTOR, LEARNER, LmsPlatform
from tests.server.test_lti_platform import MODULE

pytestmark = pytest.mark.browser
CUSTOM = {"carelab_kind": "module", "carelab_id": "lti-m"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LmsPlatform, str]]:
    """A CareLab server with the platform registered; yield the platform and CareLab's URL."""
    work = tmp_path_factory.mktemp("lti-browser")
    server = ServerProcess(work)
    (work / "content" / "modules" / "lti-m.yaml").write_text(MODULE, encoding="utf-8")
    with LmsPlatform(server.url) as lms:
        server.start()
        with store_db.session(Path(server.env["CARELAB_DB"])) as db:
            e = lms.endpoints
            registration.add_platform(db, e["issuer"], e["client_id"], [e["deployment_id"]],
                                      e["jwks_url"], e["auth_url"], e["token_url"])  # fmt: skip
        try:
            yield lms, server.url
        finally:
            server.stop()


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
