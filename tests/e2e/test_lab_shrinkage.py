"""Shrinkage and regression to the mean in a real browser, by keyboard, at 1280 and 390 px.

The League tables tab's switch puts shrunken estimates beside the raw ones: the table gains
its shrunken and true-rank columns, and the page passes axe-core. The Regression to the mean
page shows its tables and chart on a laptop and on a phone without sideways scrolling.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import axe
from tests.e2e.conftest import shot, wait_for_app
from tests.e2e.waits import patient

pytestmark = pytest.mark.browser
SWITCH = "Show shrunken estimates beside the raw ones"
CHART = "[data-testid=stVegaLiteChart]"
SIZES = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def no_sideways_scroll(page: Page, width: int) -> None:
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"the page scrolls sideways at {width}px ({scrolled}px)"


@pytest.mark.parametrize("size", list(SIZES))
def test_the_shrinkage_switch_changes_the_league_table(page: Page, server: str, size: str):
    axe.require_axe()
    page.set_viewport_size(SIZES[size])
    patient(page)
    page.goto(f"{server}/lab?scenario=small-numbers")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Indicator Lab", level=1)).to_be_visible()
    page.get_by_role("tab", name="League tables").click()
    panel = page.get_by_role("tabpanel", name="League tables")
    body = panel.locator("[data-testid=stMarkdownContainer]")
    raw_words = body.filter(has_text=re.compile(r"^Median width of a 95% rank interval"))
    shrunk_words = body.filter(has_text=re.compile(r"^Each hospital's estimate is pulled towards"))
    expect(raw_words).to_have_count(2)  # indicator A and B: rank intervals of raw values
    expect(shrunk_words).to_have_count(0)
    switch = panel.get_by_label(SWITCH, exact=True).first
    switch.focus()
    page.keyboard.press("Space")  # a keyboard flips it: no mouse needed
    expect(switch).to_be_checked()
    wait_for_app(page)
    expect(shrunk_words).to_have_count(1)
    expect(raw_words).to_have_count(1)  # A now shows raw beside shrunken; B is unchanged
    grid = panel.locator("[data-testid=stDataFrame]").first
    grid.scroll_into_view_if_needed()
    expect(grid).to_be_visible()
    # The grid draws on a canvas; a screen reader reads the table Streamlit keeps beside it.
    for name in ("Raw (O/E)", "Shrunken (O/E)"):  # columns off screen are not drawn
        header = grid.get_by_role("columnheader", name=name, include_hidden=True)
        expect(header).to_be_attached()
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    no_sideways_scroll(page, SIZES[size]["width"])
    shot(page, f"lab-shrinkage-{size}")
    axe.assert_accessible(page, f"league tables, shrunken, {size}")


@pytest.mark.parametrize("size", list(SIZES))
def test_regression_to_the_mean_page_reads_on_a_laptop_and_a_phone(
    page: Page, server: str, size: str
):
    axe.require_axe()
    page.set_viewport_size(SIZES[size])
    patient(page)
    page.goto(f"{server}/rtm")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Regression to the mean", level=1)).to_be_visible()
    expect(page.get_by_text("Simulated data.", exact=True)).to_be_visible()
    expect(page.get_by_text("Apparent improvement of the flagged")).to_be_visible()
    chart = page.locator(CHART).first
    expect(chart.locator("svg, canvas").first).to_be_visible()
    label = chart.get_attribute("aria-label") or ""
    assert label.startswith("The 20 hospitals with the highest death rates"), label
    effect = page.get_by_role("radiogroup", name="What the intervention truly does in year two")
    effect.get_by_text("Odds ratio 0.7", exact=True).click()
    wait_for_app(page)
    expect(effect.get_by_role("radio", name="Odds ratio 0.7")).to_be_checked()
    expect(page.get_by_text(re.compile(r"^Split the flagged hospitals at random"))).to_be_visible()
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    no_sideways_scroll(page, SIZES[size]["width"])
    shot(page, f"lab-regression-{size}")
    axe.assert_accessible(page, f"regression to the mean, {size}")
