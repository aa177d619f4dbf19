"""A learner in a real browser: pull a lever in the Indicator Lab, then bring their own data.

The Lab compares crude with risk-adjusted mortality and changes scenario by keyboard; the
"your data" page asks a visitor to sign in, then loads NHS England's A&E data in one click,
draws a funnel plot for type 1 departments in March 2019, downloads the results and draws one
trust's run chart, on a laptop and a phone; an uploaded file is read too; the Lab fits a phone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import AE_CSV
from tests.e2e.conftest import server_env, shot, wait_for_app
from tests.e2e.waits import patient
from tests.e2e.workshop_room import add_account, sign_in

RESULTS_HEADER = "provider,value,n,target,lower95,upper95,lower998,upper998,flag"
CHART = "[data-testid=stVegaLiteChart]"
DRAWN = f"{CHART} svg, {CHART} canvas"
BODY = "[data-testid=stMarkdownContainer]"  # descriptions are body text, not captions
pytestmark = pytest.mark.browser


def no_errors(page: Page) -> None:
    """No Python traceback and no error box on the page."""
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    expect(page.locator("[data-testid=stAlertContentError]")).to_have_count(0)


def open_page(page: Page, url: str, heading: str) -> None:
    patient(page)
    page.goto(url)
    wait_for_app(page)
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    no_errors(page)


def test_risk_adjusting_indicator_a_makes_it_agree_with_b(page: Page, server: str):
    open_page(page, f"{server}/lab?scenario=risk-adjustment", "Indicator Lab")
    expect(page.get_by_text("Simulated data.", exact=True)).to_be_visible()
    funnels = page.get_by_role("tabpanel", name="Funnel plots")
    expect(funnels.locator(CHART)).to_have_count(2)
    expect(funnels.locator(DRAWN).first).to_be_visible()
    summaries = funnels.locator(BODY).filter(has_text=re.compile(r"^200 hospitals: "))
    expect(summaries).to_have_count(2)
    summary_a, summary_b = summaries.nth(0), summaries.nth(1)
    crude = summary_a.inner_text()
    assert crude != summary_b.inner_text(), "crude and adjusted funnels should differ"
    shot(page, "lab-risk-adjustment-crude")

    # Indicator A's column comes first, so its "Risk adjustment" is the first on the page.
    risk_a = page.get_by_role("radiogroup", name="Risk adjustment").first
    full = risk_a.get_by_role("radio", name="Full case mix")
    expect(full).not_to_be_checked()
    risk_a.get_by_text("Full case mix", exact=True).click()  # the label; the input is hidden
    expect(full).to_be_checked()
    expect(summary_a).not_to_have_text(crude)
    wait_for_app(page)
    no_errors(page)
    expect(summary_a).to_have_text(summary_b.inner_text())
    expect(summary_a).to_have_text(re.compile(r"^200 hospitals: "))
    expect(funnels.get_by_text("A: Mortality (outcome), 30-day, fully adjusted")).to_be_visible()
    shot(page, "lab-risk-adjustment-both-adjusted")


def test_scenario_can_be_chosen_with_the_keyboard(page: Page, server: str):
    open_page(page, f"{server}/lab?scenario=risk-adjustment", "Indicator Lab")
    scenario = page.get_by_role("combobox", name="Teaching scenario")
    # Widgets are drawn a moment after the script run ends: Tab would pass them by till then.
    expect(scenario).to_be_visible()
    # Reach the selectbox with Tab alone, from the top of the page.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == (
            "Teaching scenario"
        ):
            break
    expect(scenario).to_be_focused()
    page.keyboard.type("Gaming")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"[?&]scenario=four-hour-gaming(&|$)"))
    wait_for_app(page)
    no_errors(page)
    expect(scenario).to_have_value(re.compile(r"^Gaming a target"))
    expect(page.get_by_role("tabpanel", name="Funnel plots").locator(DRAWN).first).to_be_visible()
    shot(page, "lab-four-hour-gaming-by-keyboard")


def test_your_data_asks_a_visitor_to_sign_in(page: Page, server: str):
    open_page(page, f"{server}/your-data", "Your data: funnel plots and run charts")
    expect(page.get_by_text(re.compile(r"^Sign in to draw funnel plots"))).to_be_visible()
    expect(page.get_by_role("link", name="Sign in or create an account")).to_be_visible()
    expect(page.locator("[data-testid=stFileUploader]")).to_have_count(0)
    expect(page.get_by_role("button", name="Try it with example data")).to_have_count(0)


def signed_in(page: Page, server: str) -> None:
    patient(page)
    sign_in(page, server, add_account(server_env(server)))


def fits(page: Page, width: int) -> None:
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"the page scrolls sideways at {width}px ({scrolled}px)"


def test_one_click_example_funnel_download_and_run_chart(page: Page, server: str, tmp_path: Path):
    signed_in(page, server)
    open_page(page, f"{server}/your-data", "Your data: funnel plots and run charts")
    page.get_by_role("button", name="Try it with example data").click()
    example = page.get_by_text(re.compile(r"^Example data: NHS England A&E attendances"))
    expect(example).to_be_visible()
    # Named in the offer beside the button, then in full with the source: the second.
    licence = page.get_by_role("link", name="Open Government Licence v3.0").last
    expect(licence).to_have_attribute("href", re.compile(r"nationalarchives\.gov\.uk"))
    provider = page.get_by_role("combobox", name="Provider", exact=True).first
    expect(provider).to_have_value("org_code")
    wait_for_app(page)
    no_errors(page)
    expect(page.get_by_role("combobox", name="Numerator", exact=True)).to_have_value("breaches")
    expect(page.get_by_role("combobox", name="Denominator", exact=True)).to_have_value(
        "attendances"
    )

    # The example starts at type 1 departments and the last month: a funnel at once.
    groups = page.get_by_role("group", name="Selected values").nth(0)
    expect(groups.get_by_role("button", name=re.compile(r"^Remove "))).to_have_count(1)
    expect(groups.get_by_role("button", name="Remove 1", exact=True)).to_be_visible()
    periods = page.get_by_role("group", name="Selected values").nth(1)
    expect(periods.get_by_role("button", name=re.compile(r"^Remove "))).to_have_count(1)
    expect(periods.get_by_role("button", name="Remove 2019-03-01", exact=True)).to_be_visible()

    funnel_tab = page.get_by_role("tabpanel", name="Funnel plot")
    expect(funnel_tab.get_by_text(re.compile(r"^134 providers: "))).to_be_visible()
    expect(funnel_tab.locator(DRAWN).first).to_be_visible()
    no_errors(page)
    fits(page, page.viewport_size["width"])
    shot(page, "your-data-example-1280")

    with page.expect_download() as info:
        funnel_tab.get_by_role("button", name="Download results (CSV)").click()
    download = info.value
    assert download.suggested_filename == "funnel-results.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0] == RESULTS_HEADER
    assert len(lines) == 135, f"expected a header and 134 providers, got {len(lines)} lines"

    page.get_by_role("tab", name="Run chart").click()
    run_tab = page.get_by_role("tabpanel", name="Run chart")
    summary = run_tab.locator(BODY).filter(has_text=re.compile(r"^\d+ periods; "))
    expect(summary).to_be_visible()
    pooled = summary.inner_text()
    who = run_tab.get_by_role("combobox", name="Provider for the run chart", exact=True)
    who.click()
    page.keyboard.type("RQM")
    page.keyboard.press("Enter")
    expect(who).to_have_value("RQM")
    expect(summary).not_to_have_text(pooled)
    wait_for_app(page)
    no_errors(page)
    # Type 1 attendances at RQM, one point a month from April 2016 to March 2019.
    expect(summary).to_have_text(re.compile(r"^36 periods; "))
    expect(run_tab.locator(DRAWN).first).to_be_visible()
    shot(page, "your-data-run-chart-rqm")

    # The same page on a phone: nothing scrolls sideways, and the chart is still drawn.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("tab", name="Funnel plot").click()
    expect(funnel_tab.locator(DRAWN).first).to_be_visible()
    fits(page, 390)
    shot(page, "your-data-example-390")


def test_an_uploaded_file_is_read_and_plotted(page: Page, server: str):
    signed_in(page, server)
    open_page(page, f"{server}/your-data", "Your data: funnel plots and run charts")
    page.set_input_files("[data-testid=stFileUploader] input[type=file]", str(AE_CSV))
    read_as = "12,765 rows, read as UTF-8 text, comma-separated; columns: period, org_code"
    expect(page.get_by_text(re.compile(f"^{read_as}"))).to_be_visible()
    wait_for_app(page)
    no_errors(page)
    expect(page.get_by_role("combobox", name="Provider", exact=True).first).to_have_value(
        "org_code"
    )
    # An upload keeps every department type: its own defaults, not the example's.
    groups = page.get_by_role("group", name="Selected values").nth(0)
    expect(groups.get_by_role("button", name=re.compile(r"^Remove "))).to_have_count(3)
    funnel_tab = page.get_by_role("tabpanel", name="Funnel plot")
    expect(funnel_tab.get_by_text(re.compile(r"^\d+ providers: "))).to_be_visible()
    expect(funnel_tab.locator(DRAWN).first).to_be_visible()
    no_errors(page)


def test_lab_fits_a_phone_screen(page: Page, server: str):
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, f"{server}/lab?scenario=small-numbers", "Indicator Lab")
    funnels = page.get_by_role("tabpanel", name="Funnel plots")
    expect(funnels.locator(DRAWN).first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the Lab scrolls sideways on a phone ({width}px)"
    shot(page, "lab-phone-small-numbers")
