"""Quiz mode in a real browser: a scored workshop, three phones, and a leaderboard only on reveal.

The facilitator creates a scored workshop from a case's quiz on the Facilitate page; three
phones answer two questions. Until the facilitator reveals the leaderboard, neither the
projector nor any phone shows one (each phone sees only its own points once an answer is
revealed); then the projector lists the top in the right order and each phone its own
place. Turning scoring off hides every score at once.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

import tests.e2e.waits  # noqa: F401 - sets the generous limit for every expect()
from tests.e2e import axe
from tests.e2e.conftest import shot, wait_for_app
from tests.e2e.workshop_room import PHONE, Host, Phone, no_errors, workshop_state

pytestmark = pytest.mark.browser

CASE = "Case: Kaiser Permanente and the NHS: integration, ownership and a contested comparison"
FIRST_QUESTION = 9  # the case's plan has 9 steps; its quiz follows, one question a step
Q1 = ("X uses about 4 times Y's bed days; its stays are about twice as long", "X admits four "
      "times as many patients")  # fmt: skip
Q2 = ("One side of a dispute, presented as a finding",
      "Wrong: Feachem and colleagues showed the two systems cost the same")  # fmt: skip


def create_scored(host: Host) -> None:
    """Create the workshop with the case's quiz and 'Score answers (quiz mode)' ticked."""
    page = host.page
    page.get_by_role("link", name="Facilitate").click()
    wait_for_app(page)
    page.get_by_label("Run the plan of").click()
    page.get_by_role("option", name=CASE).click()
    page.get_by_label("Title shown to participants (optional)").fill("Quiz night")
    page.get_by_text("Add the case's quiz questions after its plan, one step each").click()
    score = page.get_by_role("checkbox", name="Score answers (quiz mode)")
    expect(score).not_to_be_checked()  # off by default
    speed = page.get_by_role("checkbox", name="Faster right answers score more")
    expect(speed).not_to_be_checked()
    page.get_by_text("Score answers (quiz mode)", exact=True).click()
    expect(score).to_be_checked()
    page.get_by_role("button", name="Create workshop").click()
    code = page.get_by_text(re.compile(r"^Code: [2-9A-Z]{6}$"))
    expect(code).to_be_visible()
    host.code = code.inner_text().removeprefix("Code: ").strip()
    page.wait_for_url(re.compile(r"[?&]w=\d+"))
    host.workshop_id = int(re.search(r"[?&]w=(\d+)", page.url).group(1))
    wait_for_app(page)
    no_errors(page)


def ask(host: Host, phones: list[Phone], index: int, title: str, picks: list[str]) -> None:
    """Go to a question, let each phone answer, then reveal the right answer."""
    host.go_to(index, title)
    host.click("Open answering")
    for phone, pick in zip(phones, picks, strict=True):
        phone.answer(pick)
    host.click("Reveal the right answer")


def presenter(host: Host) -> Page:
    """The presenter screen, opened as the Facilitate page's link does (a fresh token)."""
    screen = host.context.new_page()
    screen.set_viewport_size({"width": 1280, "height": 720})
    screen.goto(f"{host.server}/room/present/{host.code}/open")
    expect(screen.locator("#progress")).to_have_text(re.compile(r"^Step \d+ of \d+"))
    return screen


def no_leaderboard(screen: Page, phones: list[Phone], big: Page) -> None:
    expect(screen.get_by_role("heading", name="Leaderboard")).to_have_count(0)
    expect(big.get_by_role("heading", name="Leaderboard")).to_have_count(0)
    for phone in phones:
        expect(phone.page.get_by_text(re.compile(r"on the leaderboard\.$"))).to_have_count(0)


def test_the_leaderboard_shows_only_after_the_reveal_and_goes_with_scoring(
    browser: Browser, server: str
):
    host = Host(browser, server)
    phones = [Phone(browser, server, name) for name in ("Ann", "Bo", "Cy")]
    try:
        create_scored(host)
        assert workshop_state(server, host.workshop_id).scored
        for phone in phones:
            phone.join(host.code)
        screen = host.projector()
        big = presenter(host)
        ask(host, phones, FIRST_QUESTION, "Case quiz: question 1 of 5", [Q1[0], Q1[0], Q1[1]])
        ask(host, phones, FIRST_QUESTION + 1, "Case quiz: question 2 of 5",
            [Q2[0], Q2[1], Q2[1]])  # fmt: skip

        # Each phone sees its own points once the answer is revealed, and no leaderboard.
        for phone, points in zip(phones, ("2,000 points", "1,000 points", "0 points"), strict=True):
            expect(phone.page.get_by_text(f"You have {points}", exact=True)).to_be_visible()
        no_leaderboard(screen, phones, big)
        # The facilitator alone sees the standings, and is told the room does not.
        expect(host.page.get_by_text(re.compile("the leaderboard is hidden from the room"))
               ).to_be_visible()  # fmt: skip
        standings = host.page.get_by_role("table").last
        expect(standings).to_contain_text("Ann")
        shot(phones[0].page, "quiz-phone-points")

        host.click("Reveal the leaderboard")
        expect(screen.get_by_role("heading", name="Leaderboard")).to_be_visible()
        places = screen.get_by_role("heading", name=re.compile(r"^\d+\. .+ points$"))
        expect(places).to_have_text(["1. Ann: 2,000 points", "2. Bo: 1,000 points"])
        expect(screen.get_by_text("Cy")).to_have_count(0)  # no points: never listed
        leaders = big.locator(".leader")
        expect(leaders).to_have_text(["1.Ann2,000 points", "2.Bo1,000 points"])
        expect(big.get_by_role("heading", name="Leaderboard")).to_be_visible()
        expect(big.locator("#block-leaderboard")).not_to_contain_text("Cy")
        for phone, place in zip(phones, ("1st", "2nd", "3rd"), strict=True):
            line = f"You are {place} of 3 on the leaderboard."
            expect(phone.page.get_by_text(line, exact=True)).to_be_visible()
        no_errors(screen)
        shot(screen, "quiz-projector-leaderboard")
        shot(big, "quiz-presenter-leaderboard-1280x720")
        axe.assert_accessible(big, "presenter screen with the leaderboard", whole_page=False)
        shot(phones[2].page, "quiz-phone-rank")
        shot(host.page, "quiz-facilitate-1280")
        axe.assert_accessible(host.page, "facilitate, quiz mode")
        axe.assert_accessible(phones[0].page, "phone with points and rank")
        host.page.set_viewport_size(PHONE)
        wait_for_app(host.page)
        shot(host.page, "quiz-facilitate-390")
        axe.assert_accessible(host.page, "facilitate, quiz mode at 390 px")

        host.click("Turn scoring off")
        expect(host.page.get_by_text("Scoring is off: no points or leaderboard anywhere.")
               ).to_be_visible()  # fmt: skip
        state = workshop_state(server, host.workshop_id)
        assert not state.scored and not state.leaderboard_revealed
        no_leaderboard(screen, phones, big)
        for phone in phones:
            expect(phone.page.get_by_text(re.compile(r"^You have "))).to_have_count(0)
    finally:
        for phone in phones:
            phone.close()
        host.context.close()
