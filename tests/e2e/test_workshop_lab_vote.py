"""A Lab step in a live workshop: phones vote on the worst hospital before the truth is shown."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

import tests.e2e.waits  # noqa: F401 - sets the generous limit for every expect()
from tests.e2e.conftest import shot
from tests.e2e.workshop_room import Host, Phone, counts, no_errors

pytestmark = pytest.mark.browser

LAB_STEP, LAB_TITLE = 2, "Lab: process against outcome"


def test_the_room_votes_on_the_worst_hospital_then_sees_the_funnel_and_the_truth(
    browser: Browser, server: str
):
    host = Host(browser, server)
    phones = [Phone(browser, server, name) for name in ("Ann", "Bo")]
    try:
        code = host.create_workshop("Indicators", source="Module: Measuring what matters")
        for phone in phones:
            phone.join(code)
        host.go_to(LAB_STEP, LAB_TITLE)
        host.click("Open answering")
        screen = host.projector()

        # Five simulated hospitals, each with its numbers, on every phone and the projector.
        options = phones[0].page.get_by_role("radio")
        expect(options).to_have_count(5)
        labels = [re.sub(r"\s+", " ", t).strip() for t in options.evaluate_all(
            "els => els.map(e => e.closest('label').textContent)")]  # fmt: skip
        assert all(re.match(r"^H\d{3}: observed/expected \d\.\d\d \(", t) for t in labels)
        expect(phones[0].page.get_by_text(re.compile(r"^Simulated data: 5 of 200"))).to_be_visible()
        expect(screen.get_by_text(labels[0], exact=True)).to_be_visible()

        # The room votes; the projector counts but shows neither votes nor the funnel.
        phones[0].answer(labels[0])
        phones[1].answer(labels[3])
        assert sum(counts(server, host.workshop_id, LAB_STEP).values()) == 2
        expect(screen.get_by_text("2 of 2 answered", exact=True)).to_be_visible()
        expect(screen.locator("[data-testid=stVegaLiteChart]")).to_have_count(0)
        shot(screen, "workshop-lab-vote-projector")

        # The votes, then the truth: the funnel plot with the five named, and each true rank.
        host.click("Reveal results")
        expect(screen.locator("[data-testid=stVegaLiteChart]")).to_have_count(1)
        host.click("Reveal the right answer")
        expect(screen.locator("[data-testid=stVegaLiteChart]")).to_have_count(2)
        expect(screen.get_by_text(re.compile(r"^Simulated truth: H\d{3} gives the worst care"))
               ).to_be_visible()  # fmt: skip
        expect(screen.get_by_text("True quality rank (1 = worst)")).to_be_visible()
        no_errors(screen)
        shot(screen, "workshop-lab-vote-truth")
        for phone in phones:
            expect(phone.page.get_by_text(re.compile(r"^The answer: H\d{3}: "))).to_be_visible()
            expect(phone.page.get_by_text(re.compile(r"^(✓ Right|✗ Not right)"))).to_be_visible()
        shot(phones[0].page, "workshop-lab-vote-phone")
    finally:
        for phone in phones:
            phone.close()
        host.context.close()
