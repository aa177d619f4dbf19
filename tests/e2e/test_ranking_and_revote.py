"""A ranking step and a vote, discuss, re-vote step in a live workshop, end to end.

Phones order four barriers with Move up / Move down (one by keyboard alone), then vote on
a question, see the discussion prompt, and vote again; the facilitator sees the mean ranks
with their distribution and how the votes moved, and so does the presenter screen.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

import tests.e2e.waits  # noqa: F401 - sets the generous limit for every expect()
from carelab import auth
from carelab.content import schema
from carelab.store import db as store_db
from carelab.workshop import presenter, workshops
from tests.e2e import axe
from tests.e2e.conftest import server_env, shot, wait_for_app
from tests.e2e.waits import patient
from tests.e2e.workshop_room import ACK, Host, Phone, no_errors, results

pytestmark = pytest.mark.browser

BARRIERS = ["Records", "Funding", "Culture", "Workforce"]
RANK, VOTE, DISCUSS, REVOTE = 0, 1, 2, 3
OPTIONS = ["Antibiotics first", "Cultures first", "Fluids first"]


def plan() -> list:
    """A ranking poll, then a question asked twice with a discussion between."""
    return [
        schema.PollStep(
            id="barriers", kind="poll", title="Which barrier matters most?",
            prompt="Put the barriers in order, the biggest at the top.", mode="ranking",
            options=BARRIERS,
        ),
        schema.QuizStep(
            id="check", kind="quiz", title="Sepsis",
            questions=[
                schema.SingleChoice(
                    id="first", kind="single_choice", prompt="What comes first in sepsis?",
                    explanation="Cultures, if they do not delay antibiotics beyond the hour.",
                    options=[schema.Option(text=OPTIONS[0]),
                             schema.Option(text=OPTIONS[1], correct=True),
                             schema.Option(text=OPTIONS[2])],
                    revote=True,
                )
            ],
        ),
    ]  # fmt: skip


def make_workshop(server: str, email: str) -> tuple[int, str, str]:
    """The workshop, made through the core for the signed-in facilitator; id, code, token."""
    with store_db.session(Path(server_env(server)["CARELAB_DB"])) as db:
        summary = next(u for u in auth.list_users(db) if u.email == email)
        user = auth.get_user(db, summary.id)
        made = workshops.create_workshop(db, user, "Ranking and re-vote", "case", "e2e", plan())
        return made.id, made.code, presenter.presenter_link(db, user, made.id)


def rank_on(phone: Phone, moves: list[tuple[str, str]]) -> None:
    """Press Move <item> up/down for each (item, direction), then send."""
    for item, direction in moves:
        phone.page.get_by_role("button", name=f"Move {item} {direction}").tap()
    phone.send()
    expect(phone.status).to_have_text(ACK)


def order_on(page: Page) -> list[str]:
    return page.locator("#rank .item").all_inner_texts()


def test_phones_rank_and_revote_and_the_facilitator_and_presenter_see_both(
    browser: Browser, server: str
):
    host = Host(browser, server)
    phones = [Phone(browser, server, name) for name in ("Ann", "Bo", "Cy")]
    workshop_id, code, token = make_workshop(server, host.email)
    screen_context = browser.new_context(viewport={"width": 1280, "height": 720})
    screen = screen_context.new_page()
    patient(screen)
    try:
        host.page.goto(f"{server}/facilitate?w={workshop_id}")
        wait_for_app(host.page)
        host.expect_step(RANK, "Which barrier matters most?")
        host.click("Open answering")
        for phone in phones:
            phone.join(code)
            phone.expect_step(RANK, "Which barrier matters most?")
        screen.goto(f"{server}{presenter.presenter_path(code)}#{token}")
        expect(screen.locator("#title")).to_have_text("Which barrier matters most?")

        # Ann orders by keyboard alone: focus stays on the item she moves, and each move is
        # announced. At the top, Up is disabled and focus moves to Down.
        ann = phones[0].page
        assert order_on(ann) == BARRIERS
        ann.get_by_role("button", name="Move Workforce up").focus()
        for _ in range(3):
            ann.keyboard.press("Enter")
        assert order_on(ann) == ["Workforce", "Records", "Funding", "Culture"]
        expect(ann.locator("#announce")).to_have_text("Workforce: now 1 of 4.")
        expect(ann.get_by_role("button", name="Move Workforce up")).to_be_disabled()
        expect(ann.get_by_role("button", name="Move Workforce down")).to_be_focused()
        shot(ann, "ranking-phone-390")
        axe.assert_accessible(ann, "a ranking on a phone", whole_page=False)
        assert ann.evaluate("document.documentElement.scrollWidth") <= 390
        phones[0].send()
        expect(phones[0].status).to_have_text(ACK)
        rank_on(phones[1], [])
        rank_on(phones[2], [("Funding", "up")])
        stored = sorted(r.answer for r in results(server, workshop_id, RANK).responses)
        assert stored == sorted([
            "1. Workforce; 2. Records; 3. Funding; 4. Culture",
            "1. Records; 2. Funding; 3. Culture; 4. Workforce",
            "1. Funding; 2. Records; 3. Culture; 4. Workforce",
        ])  # fmt: skip

        # Mean ranks: Records 1.67 (2, 1, 2), Funding 2.00, Workforce 3.00, Culture 3.33.
        host.click("Reveal results")
        table = host.page.get_by_role("table").filter(has_text="Mean rank").first
        expect(table).to_contain_text("Records")
        rows = [re.sub(r"\s+", " ", r).strip() for r in table.locator("tbody tr").all_inner_texts()]
        assert rows == [
            "Records 1.67 1 2 0 0",
            "Funding 2.00 1 1 1 0",
            "Workforce 3.00 1 0 0 2",
            "Culture 3.33 0 0 2 1",
        ]
        expect(host.page.get_by_text(re.compile(r"^3 rankings\. Mean rank")).first).to_be_visible()
        expect(screen.locator(".bar-row").first).to_contain_text("1. Records")
        expect(screen.locator(".bar-row .bar-value").first).to_have_text("1.67")
        expect(screen.locator(".summary")).to_have_text(
            "Mean rank (1 = top) from 3 rankings, best first; the number on each bar"
        )
        shot(host.page, "ranking-facilitate-1280")
        shot(screen, "ranking-presenter-1280")

        # Vote, discuss, re-vote: B is right. First: A, B, C; re-vote: B, B, A.
        host.go_to(VOTE, "Sepsis: question 1 of 1 (vote)")
        host.click("Open answering")
        for phone, option in zip(phones, OPTIONS, strict=True):
            phone.expect_step(VOTE, "Sepsis: question 1 of 1 (vote)")
            phone.answer(option)
        host.go_to(DISCUSS, "Sepsis: question 1 of 1 (discuss)")
        for phone in phones:
            expect(phone.page.locator("#prompt")).to_contain_text(
                "Discuss your answer with your neighbour"
            )
        expect(screen.locator("#prompt")).to_contain_text("Discuss your answer")
        host.go_to(REVOTE, "Sepsis: question 1 of 1 (re-vote)")
        host.click("Open answering")
        for phone, option in zip(phones, [OPTIONS[1], OPTIONS[1], OPTIONS[0]], strict=True):
            phone.expect_step(REVOTE, "Sepsis: question 1 of 1 (re-vote)")
            phone.answer(option)
        host.click("Reveal results")
        expect(host.page.get_by_text("How the votes moved since step 2")).to_be_visible()
        expect(
            host.page.get_by_text("2 of 3 who voted twice changed their answer.", exact=True)
        ).to_be_visible()
        expect(screen.locator(".summary")).to_have_text(
            "2 of 3 who voted twice changed their answer"
        )
        host.click("Reveal the right answer")
        expect(
            host.page.get_by_text(re.compile(r"Right: 33% in the first vote, 67% in the re-vote"))
        ).to_be_visible()
        expect(
            host.page.get_by_text(re.compile(r"Wrong → right: 1 · right → wrong: 0"))
        ).to_be_visible()
        shift = host.page.get_by_role("table").filter(has_text="First vote").first
        expect(shift).to_contain_text("Cultures first ✓ right")
        expect(screen.locator(".summary")).to_have_text(
            "2 of 3 who voted twice changed their answer · right: 33% in the first vote, "
            "67% in the re-vote"
        )
        expect(screen.get_by_text("✓ Cultures first (right answer) · first vote")).to_be_visible()
        no_errors(host.page)
        shot(host.page, "revote-facilitate-1280")
        shot(screen, "revote-presenter-1280")
        remote = host.context.new_page()  # the facilitator's phone, signed in alike
        remote.set_viewport_size({"width": 390, "height": 844})
        remote.goto(f"{server}/facilitate?w={workshop_id}")
        wait_for_app(remote)
        expect(remote.get_by_text("How the votes moved since step 2")).to_be_visible()
        assert remote.evaluate("document.documentElement.scrollWidth") <= 390
        shot(remote, "revote-facilitate-390")
        shot(phones[2].page, "revote-phone-390")
    finally:
        for phone in phones:
            phone.close()
        screen_context.close()
        host.context.close()
