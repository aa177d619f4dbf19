"""The guided reading of NHS England's A&E data in a real browser, on a laptop and a phone.

After the one-click example, the Guided reading tab says which trusts the funnel flags, what
the overdispersion adjustment does to that verdict and draws one trust's run chart; a learner
picks another trust by keyboard; the page fits 390 px and axe finds nothing serious.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import axe
from tests.e2e.conftest import shot, wait_for_app
from tests.e2e.test_indicator_lab_journey import BODY, DRAWN, fits, no_errors, open_page, signed_in

pytestmark = pytest.mark.browser


def test_guided_reading_of_the_ae_example(page: Page, server: str):
    signed_in(page, server)
    open_page(page, f"{server}/your-data", "Your data: funnel plots and run charts")
    page.get_by_role("button", name="Try it with example data").click()
    expect(page.get_by_text(re.compile(r"^Example data: NHS England A&E"))).to_be_visible()
    wait_for_app(page)
    page.get_by_role("tab", name="Guided reading").click()
    guide = page.get_by_role("tabpanel", name="Guided reading")
    first = guide.get_by_text(re.compile(r"^1\. What the funnel plot flags\. For breaches"))
    expect(first).to_contain_text("124 of 134 lie outside the 99.8% limits")
    expect(guide.get_by_text(re.compile(r"^3\. What the adjustment does"))).to_be_visible()
    step4 = guide.locator(BODY).filter(has_text=re.compile(r"^4\. One provider over time\."))
    expect(step4).to_contain_text("RXN (the worst of those")
    expect(guide.locator(DRAWN).first).to_be_visible()
    no_errors(page)
    fits(page, 1280)
    shot(page, "guided-reading-1280")
    axe.assert_accessible(page, "guided reading at 1280")

    who = guide.get_by_role("combobox", name="Trust for step 4's run chart")
    who.click()
    page.keyboard.type("RQM")
    page.keyboard.press("Enter")
    expect(step4).to_contain_text("RQM (your choice)")
    wait_for_app(page)
    no_errors(page)

    page.set_viewport_size({"width": 390, "height": 844})
    expect(guide.locator(DRAWN).first).to_be_visible()
    fits(page, 390)
    shot(page, "guided-reading-390")
    axe.assert_accessible(page, "guided reading at 390")


def test_the_published_case_on_a_phone(page: Page, server: str):
    signed_in(page, server)
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, f"{server}/your-data", "Your data: funnel plots and run charts")
    page.get_by_role("button", name="Open the published case").click()
    expect(page.get_by_text(re.compile(r"^Published, not simulated\."))).to_be_visible()
    expect(page.get_by_text(re.compile(r"^So RHS and GUY: flagged worse"))).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_role("tabpanel", name="Funnel plot").locator(DRAWN).first).to_be_visible()
    no_errors(page)
    fits(page, 390)
    shot(page, "published-case-390")
    axe.assert_accessible(page, "published case at 390")
