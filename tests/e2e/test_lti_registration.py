"""LTI Dynamic Registration in Chromium: the LMS's "register a tool" page frames CareLab's
registration URL (as Moodle does); CareLab registers itself and asks the LMS to close its
window (postMessage, allowed by its CSP); a registration without an administrator's link
is a readable refusal. axe checks both pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from carelab.integration.lti import dynamic, registration
from carelab.store import db as store_db
from tests.e2e import axe
from tests.e2e.conftest import ServerProcess, shot
from tests.lti.platform import LmsPlatform
from tests.lti.registrar import Registrar

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def carelab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A CareLab server with no platform registered."""
    server = ServerProcess(tmp_path_factory.mktemp("lti-register"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def link_for(server: ServerProcess) -> str:
    """A one-time registration link, as an administrator makes it."""
    with store_db.session(Path(server.env["CARELAB_DB"])) as db:
        return dynamic.make_link(db, server.url, None)


def issuers(server: ServerProcess) -> list[str]:
    with store_db.session(Path(server.env["CARELAB_DB"])) as db:
        return [p.issuer for p in registration.list_platforms(db)]


def test_the_lms_frames_the_registration_and_carelab_asks_it_to_close(carelab, page: Page):
    link = link_for(carelab)
    with LmsPlatform(carelab.url) as lms:
        lms.registrar = Registrar(lms)
        page.goto(f"{lms.url}/register-tool?url={quote(link, safe='')}")
        expect(page.get_by_role("status")).to_have_text("The tool asked to close its window.")
        assert lms.url in issuers(carelab)


def test_the_registered_page_on_a_phone(carelab, page: Page):
    with LmsPlatform(carelab.url) as lms:
        lms.registrar = Registrar(lms)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(lms.registrar.start_url(link_for(carelab)))  # opened as its own window
        expect(page.get_by_role("heading", name="CareLab is registered")).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text(lms.url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        axe.require_axe()
        assert axe.run(page) == []
        shot(page, "lti-registered-390")


def test_without_an_admin_link_the_page_says_who_can_make_one(carelab, page: Page):
    page.set_viewport_size({"width": 390, "height": 844})
    response = page.goto(f"{carelab.url}/lti/register?openid_configuration=https://x.example/c")
    assert response is not None and response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("one-time link from a CareLab administrator")
    axe.require_axe()
    assert axe.run(page) == []
    shot(page, "lti-register-refused-390")
