"""Each page has its own title in the browser tab and history, not "CareLab" everywhere,
and no page makes the browser ask another site for anything (0.4's favicon came from
Google's font host on every page)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_for_app
from tests.e2e.waits import patient

PAGES = [
    ("/", "Catalogue · CareLab"),
    ("/lab", "Simulated lab · CareLab"),
    ("/sign-in", "Sign in · CareLab"),
    ("/verify", "Verify a certificate · CareLab"),
]


@pytest.mark.parametrize(("path", "title"), PAGES)
def test_each_page_has_its_own_title(page: Page, server: str, path: str, title: str):
    patient(page)
    page.goto(f"{server}{path}")
    wait_for_app(page)
    expect(page).to_have_title(title)


def test_no_request_leaves_the_servers_origin(page: Page, server: str):
    patient(page)
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((server, "data:", "blob:")) else elsewhere.append(r.url),
    )
    for path, _ in [*PAGES, ("/case?id=kaiser-permanente", "")]:
        page.goto(f"{server}{path}")
        wait_for_app(page)
        page.wait_for_load_state("networkidle")
    assert elsewhere == []
