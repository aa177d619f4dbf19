"""Each page has its own title in the browser tab and history, not "CareLab" everywhere."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_for_app
from tests.e2e.waits import patient


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/", "Catalogue · CareLab"),
        ("/lab", "Simulated lab · CareLab"),
        ("/sign-in", "Sign in · CareLab"),
        ("/verify", "Verify a certificate · CareLab"),
    ],
)
def test_each_page_has_its_own_title(page: Page, server: str, path: str, title: str):
    patient(page)
    page.goto(f"{server}{path}")
    wait_for_app(page)
    expect(page).to_have_title(title)
