"""The Indicator Lab for a phone and for a screen reader.

On a 390x844 phone the first result (a funnel plot and its description) is within the first
two screens, not 3,103 px down below the levers as in 0.4. Every chart is one described
graphic whose marks are hidden from assistive technology, and on a laptop each funnel has a
table of the values it draws.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import shot, wait_for_app
from tests.e2e.waits import patient

pytestmark = pytest.mark.browser
LAB = "/lab?scenario=risk-adjustment"
CHART = "[data-testid=stVegaLiteChart]"
PHONE = {"width": 390, "height": 844}

# How far down the scrolled page an element starts: Streamlit scrolls stMain, not the document.
TOP_IN_PAGE = """el => {
  const main = document.querySelector('[data-testid=stMain]');
  return el.getBoundingClientRect().top + main.scrollTop - main.getBoundingClientRect().top;
}"""
# Vega draws each layer's marks in a g.role-mark group; count those a screen reader would walk
# into (0.4 exposed 208 per funnel, each labelled with raw floats).
EXPOSED_MARKS = """svg => [...svg.querySelectorAll('g.role-mark')]
  .filter(g => !g.closest('[aria-hidden=true]')).length"""
ALL_MARKS = "svg => svg.querySelectorAll('g.role-mark').length"


def open_lab(page: Page, server: str) -> None:
    patient(page)
    page.goto(server + LAB)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Indicator Lab", level=1)).to_be_visible()


def test_on_a_phone_the_first_result_comes_before_the_levers(page: Page, server: str):
    page.set_viewport_size(PHONE)
    open_lab(page, server)
    funnels = page.get_by_role("tabpanel", name="Funnel plots")
    first_chart = funnels.locator(CHART).first
    expect(first_chart.locator("svg")).to_be_visible()
    chart_top = first_chart.evaluate(TOP_IN_PAGE)
    levers_top = page.get_by_role("heading", name="Indicator A").evaluate(TOP_IN_PAGE)
    print(f"first chart starts {chart_top:.0f} px down; the levers {levers_top:.0f} px")
    assert chart_top < 2 * PHONE["height"], f"first chart {chart_top:.0f} px down the page"
    assert chart_top < levers_top, "the levers come before the first result"
    # The truth table fits: its B column is on screen, not scrolled off to the right.
    page.get_by_role("tab", name="Against the truth").click()
    # The first table is the truth metrics; the raw and shrunken rank orders' table follows.
    truth = page.get_by_role("tabpanel", name="Against the truth").locator("table").first
    expect(truth).to_be_visible()
    right = truth.locator("th", has_text="B").first.evaluate("e => e.getBoundingClientRect().right")
    assert right <= PHONE["width"], f"the truth table's B column ends at {right:.0f} px"
    shot(page, "lab-accessible-phone")


def test_each_chart_is_one_described_graphic_with_its_marks_hidden(page: Page, server: str):
    page.set_viewport_size(PHONE)
    open_lab(page, server)
    chart = page.get_by_role("tabpanel", name="Funnel plots").locator(CHART).first
    svg = chart.locator("svg").first
    expect(svg).to_be_visible()
    # Vega names the chart's container from the spec's description: one graphic, one name.
    expect(chart).to_have_attribute("role", "graphics-document")
    label = chart.get_attribute("aria-label") or ""
    assert label.startswith("200 hospitals: "), f"the chart's name is {label!r}"
    assert svg.evaluate(ALL_MARKS) > 0
    assert svg.evaluate(EXPOSED_MARKS) == 0, "chart marks are exposed to screen readers"
    # The same words are body text beside the chart, not a faint caption.
    words = label.split(".")[0]
    expect(page.locator("[data-testid=stMarkdownContainer]", has_text=words).first).to_be_visible()
    expect(page.locator("[data-testid=stCaptionContainer]", has_text=words)).to_have_count(0)


def test_on_a_laptop_each_funnel_has_a_table_of_the_values(page: Page, server: str):
    page.set_viewport_size({"width": 1280, "height": 800})
    open_lab(page, server)
    funnels = page.get_by_role("tabpanel", name="Funnel plots")
    expect(funnels.locator(CHART)).to_have_count(2)
    tables = funnels.get_by_text("Table of the values", exact=True)
    expect(tables).to_have_count(2)
    tables.first.click()  # the expander's summary: a keyboard can reach and open it too
    grid = funnels.locator("[data-testid=stDataFrame]").first
    expect(grid).to_be_visible()
    # The grid draws on a canvas; what a screen reader reads is the table Streamlit keeps
    # beside it, visually hidden (so Playwright must be told to look at hidden elements).
    headers = grid.get_by_role("columnheader", include_hidden=True)
    expect(headers).to_have_text(["Hospital", "Value (%)", "Patients (n)", "Verdict"])
    shot(page, "lab-accessible-desktop")
