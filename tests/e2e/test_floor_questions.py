"""Questions from the floor in real browsers: five phones ask and upvote, the facilitator moderates.

The facilitator works on the Facilitate page (Streamlit) and the five phones on the lean
/room page, each in its own browser context at 390 px. The database is only read, to find
a question's id and to check what the server stored.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from carelab import auth
from carelab.store import accounts
from carelab.store import db as store_db
from carelab.store import floor as floor_store
from carelab.workshop import presenter
from tests.e2e import axe
from tests.e2e.conftest import server_env, shot, wait_for_app
from tests.e2e.workshop_room import CASE_TITLE, Host, Phone, no_errors

pytestmark = pytest.mark.browser

ASKED = {
    0: "Who owns the diabetes pathway budget?",
    1: "How were complications costed?",
    2: "Does this apply to rural practices?",
}


def create_with_questions(host: Host) -> None:
    """Create a workshop on Facilitate with questions from the floor, moderated."""
    page = host.page
    page.get_by_role("link", name="Facilitate").click()
    wait_for_app(page)
    page.get_by_label("Run the plan of").click()
    page.get_by_role("option", name=f"Case: {CASE_TITLE}").click()
    page.get_by_label("Title shown to participants (optional)").fill("Questions huddle")
    page.get_by_text("Let participants send questions", exact=True).click()
    page.get_by_text("Approve questions before others see them", exact=True).click()
    page.get_by_role("button", name="Create workshop").click()
    code = page.get_by_text(re.compile(r"^Code: [2-9A-Z]{6}$"))
    expect(code).to_be_visible()
    host.code = code.inner_text().removeprefix("Code: ").strip()
    page.wait_for_url(re.compile(r"[?&]w=\d+"))
    host.workshop_id = int(re.search(r"[?&]w=(\d+)", page.url).group(1))
    wait_for_app(page)
    no_errors(page)


def stored(server: str, workshop_id: int) -> dict[str, dict]:
    """The questions the server holds, by text."""
    with store_db.session(server_env(server)["CARELAB_DB"]) as db:
        return {q["text"]: q for q in floor_store.questions(db, workshop_id)}


def question_on_facilitate(host: Host, text: str) -> Locator:
    qid = stored(host.server, host.workshop_id)[text]["id"]
    return host.page.locator(f".st-key-floor-q-{qid}")


def moderate(host: Host, text: str, button: str, applied) -> None:
    """Press one of a question's buttons on Facilitate once; wait until `applied(question)` holds.

    One press must do: a press lost while the page's live sections refresh is a defect
    (tests/e2e/test_facilitate_clicks.py presses Facilitate's buttons at random moments).
    """
    box = question_on_facilitate(host, text)
    expect(box).to_be_visible()
    box.get_by_role("button", name=button, exact=True).click()
    wait_for_app(host.page)
    no_errors(host.page)
    for _ in range(50):  # the click's run may start after wait_for_app returned
        if applied(stored(host.server, host.workshop_id)[text], spotlight(host)):
            return
        time.sleep(0.2)
    raise AssertionError(f"{button} on {text!r} was pressed once and did not take effect")


def spotlight(host: Host) -> int | None:
    """The id of the question on the presenter screen, read from the server's database."""
    with store_db.session(server_env(host.server)["CARELAB_DB"]) as db:
        return db.execute(
            "SELECT floor_spotlight_id FROM workshops WHERE id = ?", [host.workshop_id]
        ).fetchone()[0]


def status_is(status: str):
    return lambda question, shown: question["status"] == status


def open_presenter(browser: Browser, host: Host):
    """The presenter screen at 1280x720, opened with a token issued to the facilitator."""
    with store_db.session(server_env(host.server)["CARELAB_DB"]) as db:
        user = auth.get_user(db, accounts.user_by_email(db, host.email)["id"])
        token = presenter.presenter_link(db, user, host.workshop_id)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{host.server}{presenter.presenter_path(host.code)}#{token}")
    return context, page


def listed(page: Page) -> Locator:
    return page.locator("#floor-list > li")


def item(page: Page, text: str) -> Locator:
    return listed(page).filter(has_text=text)


def upvote(page: Page, text: str, pressed: str = "true") -> None:
    button = item(page, text).get_by_role("button", name="Upvote")
    button.tap()
    expect(button).to_have_attribute("aria-pressed", pressed)


def test_five_phones_ask_and_upvote_while_the_facilitator_moderates(browser: Browser, server):
    host = Host(browser, server)
    phones: list[Phone] = []
    try:
        create_with_questions(host)
        for n in range(5):
            phone = Phone(browser, server, f"Phone {n}")
            phone.join(host.code)
            phones.append(phone)
            expect(phone.page.get_by_role("heading", name="Questions", exact=True)).to_be_visible()

        # Three phones ask; under moderation only the asker sees the question, as waiting.
        for n, text in ASKED.items():
            page = phones[n].page
            box = page.get_by_label("Ask the facilitator a question")
            box.fill(text)
            expect(page.get_by_text(f"{len(text)} of 280 characters")).to_be_visible()
            page.get_by_role("button", name="Send question").tap()
            expect(page.get_by_text("Sent ✓ The facilitator will approve it")).to_be_visible()
            expect(box).to_have_value("")
            expect(item(page, text)).to_contain_text("Your question: waiting for the facilitator")
        expect(phones[3].page.get_by_text("No questions yet.")).to_be_visible()

        # An empty question is refused on the phone with a clear message.
        phones[4].page.get_by_role("button", name="Send question").tap()
        expect(
            phones[4].page.get_by_text("Write a question first: the box is empty.")
        ).to_be_visible()
        expect(phones[4].page.get_by_label("Ask the facilitator a question")).to_be_focused()

        expect(host.page.get_by_text("3 waiting for your approval")).to_be_visible()
        for text in ASKED.values():
            expect(question_on_facilitate(host, text)).to_contain_text("Participant")
            moderate(host, text, "Approve", status_is("open"))
        for phone in phones:
            expect(listed(phone.page)).to_have_count(3)

        # Votes: four phones for the first question, two for the third; one taps twice.
        for n in (1, 2, 3, 4):
            upvote(phones[n].page, ASKED[0])
        for n in (3, 4):
            upvote(phones[n].page, ASKED[2])
        upvote(phones[4].page, ASKED[0], "false")  # withdrawn
        upvote(phones[4].page, ASKED[0], "true")  # and given again: still one vote
        # Keyboard: Tab to a vote button and press Space.
        page = phones[0].page
        expect(item(page, ASKED[0])).to_contain_text("4 votes · Your question")
        button = item(page, ASKED[2]).get_by_role("button", name="Upvote")
        button.focus()
        page.keyboard.press("Space")
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(button).to_be_focused()
        votes = {text: q["votes"] for text, q in stored(server, host.workshop_id).items()}
        assert votes == {ASKED[0]: 4, ASKED[1]: 0, ASKED[2]: 3}
        for phone in phones:
            expect(listed(phone.page).locator("p:first-child")).to_have_text(
                [ASKED[0], ASKED[2], ASKED[1]]
            )
        shot(phones[0].page, "floor-phone-390")
        axe.assert_accessible(phones[0].page, "questions from the floor on a phone")

        # The facilitator sees them by votes, spotlights one, hides one, answers one.
        expect(host.page.get_by_text("4 votes · Open")).to_be_visible()
        screen_context, screen = open_presenter(browser, host)
        expect(screen.get_by_text("3 questions from the floor", exact=True)).to_be_visible()
        moderate(host, ASKED[0], "Put on the screen", lambda q, shown: shown == q["id"])
        expect(question_on_facilitate(host, ASKED[0])).to_contain_text("On the screen")
        expect(screen.locator(".floor-spot")).to_have_text(ASKED[0])
        expect(screen.locator(".floor-votes")).to_have_text("4 votes")
        upvote(phones[0].page, ASKED[0])  # the screen follows a vote on it
        expect(screen.locator(".floor-votes")).to_have_text("5 votes")
        shot(screen, "floor-presenter-1280")
        moderate(host, ASKED[1], "Hide", status_is("hidden"))
        moderate(host, ASKED[2], "Mark answered", status_is("answered"))
        shot(host.page, "floor-facilitate-1280")
        for phone in phones:
            expect(listed(phone.page)).to_have_count(2)
            expect(item(phone.page, ASKED[2])).to_contain_text("Answered")
            expect(item(phone.page, ASKED[1])).to_have_count(0)
        final = stored(server, host.workshop_id)
        assert [final[t]["status"] for t in ASKED.values()] == ["open", "hidden", "answered"]
        assert final[ASKED[0]]["votes"] == 5
        assert spotlight(host) == final[ASKED[0]]["id"]
        moderate(host, ASKED[0], "Take off the screen", lambda q, shown: shown is None)
        expect(screen.get_by_text("1 question from the floor", exact=True)).to_be_visible()
        expect(screen.locator(".floor-spot")).to_have_count(0)
        screen_context.close()

        # Turned off mid-session: the phones' Questions section goes away.
        host.page.get_by_text("Let participants send questions", exact=True).last.click()
        wait_for_app(host.page)
        for phone in phones:
            expect(phone.page.locator("#floor")).to_be_hidden()
        width = phones[0].page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the phone page scrolls sideways ({width}px)"
    finally:
        for phone in phones:
            phone.close()
        host.context.close()
