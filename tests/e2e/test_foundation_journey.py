"""First run in a real browser: the setup link from the server's console makes the
administrator, who browses, reads a case, reloads, signs out and signs in again.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import VALID_CASE
from tests.e2e.conftest import ServerProcess, server_env, shot, wait_for_app
from tests.e2e.waits import patient

pytestmark = pytest.mark.browser
PASSWORD = "tidal quince morning forty-seven"


def setup_link(server: ServerProcess) -> str:
    """The one-time link the server printed on its console (its log here)."""
    found = re.findall(r"http://\S+/setup\?token=[\w-]+", server.log.read_text())
    assert len(found) == 1, f"expected one setup link in the log, found {found}"
    return found[0]


def test_first_run_link_makes_the_admin_who_browses_reloads_and_signs_in_again(
    page: Page, fresh_server: ServerProcess
):
    server = fresh_server.url
    patient(page)
    link = setup_link(fresh_server)
    assert link.startswith(f"{server}/setup?token=")

    # Signing up on a fresh install gives a learner, not the administrator.
    page.goto(f"{server}/sign-in")
    wait_for_app(page)
    page.get_by_role("tab", name="Create an account").click()
    page.get_by_label("Your name, as it should appear on certificates").fill("Eve Early")
    page.get_by_role("tabpanel").get_by_label("Email").fill("eve@example.org")
    page.get_by_label("Password (at least 12 characters)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Done. Now sign in on the")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)

    # The console's link, on a phone-sized screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Set up CareLab", level=1)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the setup page scrolls sideways on a phone ({width}px)"
    shot(page, "setup-phone")
    page.get_by_label("Your name").fill("Åsa Öberg")
    page.get_by_label("Email").fill("asa@example.org")
    page.get_by_label("Password (at least 12 characters)").fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Create the administrator").click()
    expect(page.get_by_text("Signed in as")).to_be_attached()
    assert "token" not in page.url
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_text("Åsa Öberg")).to_be_visible()
    expect(page.get_by_role("link", name="Users and content")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "carelab_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert "carelab_session" not in page.url and "code" not in page.url

    # Browse the catalogue and search.
    page.get_by_role("link", name="Catalogue").click()
    expect(page.get_by_role("heading", name="Modules", level=2)).to_be_visible()
    search = page.get_by_label("Search")
    search.fill("kaiser-permanente")
    search.press("Enter")
    expect(page.get_by_role("heading", name="Modules", level=2)).to_have_count(0)
    shot(page, "catalogue-search")

    # Open the case.
    page.get_by_role("link", name=re.compile("^Read the case: Kaiser Permanente")).click()
    expect(page.get_by_role("heading", name="Key figures", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="References", level=2)).to_be_visible()
    assert "id=kaiser-permanente" in page.url
    shot(page, "case-reader")

    # Reload: still signed in, still on the case.
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(page.get_by_role("heading", name="Key figures", level=2)).to_be_visible()

    # Sign out: the cookie goes, and a reload stays signed out.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("Not signed in.")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "carelab_session"]
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text("Not signed in.")).to_be_visible()
    expect(page.get_by_role("link", name="Users and content")).to_have_count(0)

    # The link is spent; the administrator signs in with the password.
    page.goto(link)
    wait_for_app(page)
    expect(page.get_by_text("This CareLab already has an administrator")).to_be_visible()
    expect(page.get_by_label("The same password again")).to_have_count(0)
    page.goto(f"{server}/sign-in")
    wait_for_app(page)
    page.get_by_role("tabpanel").get_by_label("Email").fill("asa@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Users and content")).to_be_visible()


def test_wrong_password_gets_a_clear_message(page: Page, server: str):
    patient(page)
    page.goto(f"{server}/sign-in")
    wait_for_app(page)
    page.get_by_role("tabpanel").get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password", exact=True).fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The email or password is not right.")).to_be_visible()


def test_html_in_a_case_is_shown_as_text_not_run(page: Page, server: str):
    patient(page)
    page.goto(f"{server}/case?id=script-test")
    wait_for_app(page)
    body = page.get_by_text("Before <script>")
    expect(body).to_be_visible()
    expect(body).to_contain_text("<b>not bold</b>")
    assert page.evaluate("window.carelabInjected") is None


def test_catalogue_on_a_phone_sized_screen(page: Page, server: str):
    patient(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Catalogue", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Case studies", level=2)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    shot(page, "catalogue-phone")


def test_sign_in_with_the_keyboard_only(page: Page, server: str):
    """An existing user signs in without a mouse: type, Tab, type, Enter."""
    subprocess.run(
        [sys.executable, "-m", "carelab", "user", "add", "kb@example.org", "--name", "Kim",
         "--password-stdin"],
        input="keyboard only password\n", text=True, check=True, env=server_env(server),
    )  # fmt: skip
    patient(page)
    page.goto(f"{server}/sign-in")
    wait_for_app(page)
    page.get_by_role("tabpanel").get_by_label("Email").focus()
    page.keyboard.type("kb@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("keyboard only password")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(page.get_by_text("Kim", exact=True)).to_be_visible()


def test_a_new_content_file_appears_without_a_restart(page: Page, server: str):
    content = Path(server_env(server)["CARELAB_CONTENT_DIR"])
    patient(page)
    page.goto(server)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Fresh from an author")).to_have_count(0)
    (content / "cases" / "fresh.yaml").write_text(
        VALID_CASE.format(id="fresh").replace("A test case", "Fresh from an author")
    )
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Fresh from an author")).to_be_visible()
    (content / "cases" / "fresh.yaml").unlink()
