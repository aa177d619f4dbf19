"""A learner drives a CUSUM signal in a real browser, on a laptop and a phone, and axe passes.

With no excess the simulated unit's CUSUM stays under h; the learner then starts a tripled
odds of death at patient 200 by keyboard, and the chart signals: the sentence above the
charts, the chart's accessible name and the label on the chart all give the patient.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import axe
from tests.e2e.conftest import shot, wait_for_app
from tests.e2e.waits import patient

pytestmark = pytest.mark.browser
CHART = "[data-testid=stVegaLiteChart]"
BODY = "[data-testid=stMarkdownContainer]"
SIGNALLED = re.compile(r"^The CUSUM signals at patients? ([\d,]+)")
PHONE = {"width": 390, "height": 844}


def no_errors(page: Page) -> None:
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    expect(page.locator("[data-testid=stAlertContentError]")).to_have_count(0)


def open_monitoring(page: Page, server: str) -> None:
    patient(page)
    page.goto(server + "/monitoring")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Monitoring over time: CUSUM and VLAD")).to_be_visible()
    no_errors(page)


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option by keyboard: focus the list, type to filter it, Enter."""
    box = page.get_by_role("combobox", name=label)
    box.focus()
    page.keyboard.type(option)
    expect(page.get_by_role("option")).to_have_count(1)
    page.keyboard.press("Enter")
    wait_for_app(page)


def test_starting_an_excess_makes_the_cusum_signal(page: Page, server: str):
    page.set_viewport_size({"width": 1280, "height": 900})
    open_monitoring(page, server)
    expect(page.get_by_text("Simulated data.", exact=True)).to_be_visible()
    expect(page.get_by_text("a prompt to look, not a verdict").first).to_be_visible()
    expect(page.locator("summary", has_text="Reading a CUSUM and a VLAD")).to_be_visible()

    choose(page, "True odds ratio from then on (the simulated truth)", "1 (no excess)")
    summary = page.locator(BODY).filter(has_text=re.compile(r"^(No signal|The CUSUM signals)"))
    expect(summary).to_have_text("No signal in 1,000 patients.")
    cusum_chart = page.get_by_role("tabpanel", name="CUSUM").locator(CHART)
    expect(cusum_chart).to_have_attribute("aria-label", re.compile("never reaches h"))

    # The excess: odds tripled from patient 200, typed in and confirmed with Enter.
    choose(page, "True odds ratio from then on (the simulated truth)", "3")
    start = page.get_by_role("spinbutton", name="Excess starts at patient")
    start.fill("200")
    start.press("Enter")
    wait_for_app(page)
    no_errors(page)
    expect(summary).to_have_text(SIGNALLED)
    first = SIGNALLED.match(summary.inner_text()).group(1)
    assert int(first.replace(",", "")) >= 200, summary.inner_text()
    expect(summary).to_contain_text("The excess starts at patient 200")
    named = re.compile(rf"signals at patients? {first}")
    expect(cusum_chart).to_have_attribute("aria-label", named)
    # The signal is marked by a labelled shape on the chart, not by colour alone.
    expect(cusum_chart.locator("svg text", has_text=f"Signal: patient {first}")).to_be_visible()
    expect(cusum_chart.locator("svg text", has_text="Excess starts: patient 200")).to_be_visible()
    shot(page, "lab-monitoring-signal-desktop")

    page.get_by_role("tab", name="Over many runs").click()
    runs = page.get_by_role("tabpanel", name="Over many runs")
    expect(runs.locator("table")).to_be_visible()
    over_runs = re.compile(r"^Over 1,000 simulated runs with h = 4\.5")
    expect(runs.locator(BODY).filter(has_text=over_runs)).to_be_visible()
    shot(page, "lab-monitoring-runs-desktop")
    axe.assert_accessible(page, "monitoring, laptop, after a signal")


def test_on_a_phone_the_signal_and_the_charts_fit(page: Page, server: str):
    page.set_viewport_size(PHONE)
    open_monitoring(page, server)
    summary = page.locator(BODY).filter(has_text=SIGNALLED)
    expect(summary).to_be_visible()  # the default unit: odds doubled from patient 500
    chart = page.get_by_role("tabpanel", name="CUSUM").locator(CHART)
    expect(chart.locator("svg")).to_be_visible()
    right = chart.evaluate("e => e.getBoundingClientRect().right")
    assert right <= PHONE["width"], f"the CUSUM chart ends at {right:.0f} px"
    page.get_by_role("tab", name="VLAD").click()
    vlad = page.get_by_role("tabpanel", name="VLAD").locator(CHART)
    expect(vlad).to_have_attribute("aria-label", re.compile("^VLAD for the same 1,000"))
    shot(page, "lab-monitoring-phone")
    axe.assert_accessible(page, "monitoring, phone")
