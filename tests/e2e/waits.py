"""How long a browser test waits for an outcome: one generous limit, in one place.

Browser tests wait on a condition (Playwright's expect() and wait_for() poll until it holds),
never for a fixed time. The limit is only how long to keep trying before calling it a failure:
these tests failed at 5 s, Playwright's default for expect(), when the machine ran at a load
average of 10 on 2 cores. A condition that holds returns at once, so a generous limit costs
nothing when all is well. Importing this module sets it for every expect().
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

WAIT_MS = 30_000
WAIT_SECONDS = WAIT_MS / 1000

expect.set_options(timeout=WAIT_MS)


def patient(page: Page) -> Page:
    """Give a page's actions and waits the same generous limit; return the page."""
    page.set_default_timeout(WAIT_MS)
    page.set_default_navigation_timeout(WAIT_MS)
    return page
