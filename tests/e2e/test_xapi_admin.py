"""In Chromium: a server whose LRS is down shows the admin what is failing, and why, at
1280 and 390 px, with no axe violation; 'Retry now' makes the statements due again."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from carelab.store import db as store_db
from carelab.store import xapi as store
from tests.e2e.conftest import shot
from tests.e2e.test_accessibility import DESKTOP, SIZES, Walk
from tests.e2e.workshop_room import add_account, sign_in
from tests.serving import ServerProcess
from tests.smtp_server import free_port


@pytest.fixture
def lrs_down_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A CareLab server sending xAPI statements to an LRS address where nothing listens."""
    env = {
        "CARELAB_XAPI_ENDPOINT": f"http://127.0.0.1:{free_port()}/xAPI/",
        "CARELAB_XAPI_USERNAME": "carelab",
        "CARELAB_XAPI_PASSWORD": "secret-never-shown",
        "CARELAB_PUBLIC_URL": "https://carelab.hospital.example",
    }
    server = ServerProcess(tmp_path_factory.mktemp("xapi-server"), env=env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_an_admin_sees_failing_statements_and_retries_them(
    browser: Browser, lrs_down_server: ServerProcess
):
    server = lrs_down_server
    email = add_account(server.env, "admin", name="Ada Admin")
    with store_db.session(server.env["CARELAB_DB"]) as db:
        store.enqueue(db, None, [("s1", "{}"), ("s2", "{}")], time.time())
        deadline = time.monotonic() + 30  # the server's sender tries within seconds
        while store.status(db).failing < 2 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert store.status(db).failing == 2
    context = browser.new_context(viewport=DESKTOP)
    walk = Walk(context.new_page())
    sign_in(walk.page, server.url, email)
    page = walk.goto(server.url, "/admin")
    section = page.get_by_role("heading", name="xAPI learning records")
    section.scroll_into_view_if_needed()
    expect(page.get_by_text("could not be reached")).to_be_visible()
    assert "secret-never-shown" not in page.content()
    walk.look("admin: xAPI failing")
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        walk.settle()
        shot(page, f"xapi-admin-{name}")
    page.set_viewport_size(DESKTOP)
    walk.settle()
    page.get_by_role("button", name="Retry now").click()
    expect(page.get_by_text("2 xAPI statement(s) due now")).to_be_visible()
    context.close()
    walk.assert_clean()
