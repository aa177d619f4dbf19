"""A phone in a real Chromium follows a live workshop through the room endpoint.

The facilitator's side is driven through carelab.workshop.workshops against the server's
own database, so this test checks only what a participant sees: join by typing the code,
answer, reload and keep the answer, follow the next step without a reload, the lock, the
revealed answer, and the end.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from carelab import auth
from carelab.content import schema
from carelab.store import db as store_db
from carelab.workshop import workshops
from tests.e2e.conftest import server_env, shot
from tests.e2e.waits import patient

pytestmark = pytest.mark.browser


def steps() -> list:
    """A single-choice poll, then a quiz question with a right answer."""
    return [
        schema.PollStep(
            id="ward",
            kind="poll",
            title="Your ward",
            prompt="Which <b>ward</b> do you work on?",
            mode="single",
            options=["Medical", "Surgical", "Emergency"],
        ),
        schema.QuizStep(
            id="check",
            kind="quiz",
            title="Check",
            questions=[
                schema.SingleChoice(
                    id="sepsis",
                    kind="single_choice",
                    prompt="Which comes first in suspected sepsis?",
                    explanation="Antibiotics within the hour save lives.",
                    options=[
                        schema.Option(text="Wait for cultures"),
                        schema.Option(text="Give antibiotics within one hour", correct=True),
                    ],
                )
            ],
        ),
    ]


class Facilitator:
    """The facilitator's actions, made through the core against the server's database."""

    def __init__(self, server: str) -> None:
        self.path = Path(server_env(server)["CARELAB_DB"])
        with store_db.session(self.path) as db:
            email = f"room-{uuid.uuid4().hex[:10]}@example.org"
            user = auth.create_account(db, email, "correct horse battery", "Fay")
            auth.grant_role_as_operator(db, user.id, "facilitator")
            self.user = auth.get_user(db, user.id)
            self.workshop = workshops.create_workshop(
                db, self.user, "Sepsis <i>huddle</i>", "module", "room-e2e", steps()
            )

    def do(self, action, *args, **kwargs) -> None:
        """Run one session action (go_to_step, lock_answering, ...) on this workshop."""
        with store_db.session(self.path) as db:
            action(db, self.user, self.workshop.id, *args, **kwargs)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A 390x844 touch screen; closed after the test, so no stream holds the server open."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    patient(page)
    yield page
    context.close()


def test_a_phone_joins_answers_reloads_and_follows_the_facilitator(phone: Page, server: str):
    page = phone
    host = Facilitator(server)
    host.do(workshops.go_to_step, 0, open_answering=True)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    # Join by typing the code, as read off the projector.
    page.goto(f"{server}/room")
    expect(page.get_by_role("heading", name="Join a workshop")).to_be_visible()
    page.get_by_label("Workshop code").fill(host.workshop.code.lower())
    page.get_by_label("Nickname (optional)").fill("<b>Sam</b>")
    page.get_by_role("button", name="Join").click()
    page.wait_for_url("**/room/*?p=*")
    assert host.workshop.code in page.url
    expect(page.get_by_role("heading", name="Sepsis <i>huddle</i>")).to_be_visible()
    expect(page.get_by_text("Step 1 of 2", exact=True)).to_be_visible()
    expect(page.get_by_text("Which <b>ward</b> do you work on?")).to_be_visible()

    # Answer, and see the acknowledgement only once the server has it.
    page.get_by_label("Surgical").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Answer received ✓")).to_be_visible()

    # A reload lands on the same step with the same answer.
    page.reload()
    expect(page.get_by_label("Surgical")).to_be_checked()
    expect(page.get_by_text("Answer received ✓")).to_be_visible()
    assert_fits(page)

    # The facilitator moves on: the phone follows without a reload (how fast is measured by
    # bench/room_nudge.py, not asserted here, where a busy machine would make it flaky).
    host.do(workshops.next_step, open_answering=True)
    expect(page.get_by_text("Step 2 of 2", exact=True)).to_be_visible()
    expect(page.get_by_text("Which comes first in suspected sepsis?")).to_be_visible()
    page.get_by_label("Give antibiotics within one hour").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Answer received ✓")).to_be_visible()

    # Lock: the phone says so and offers no Send.
    host.do(workshops.lock_answering)
    expect(page.get_by_text("Answering is closed for this step.")).to_be_visible()
    expect(page.get_by_role("button", name="Send change")).to_be_disabled()

    # Reveal: right or wrong in words and a sign, not colour alone.
    host.do(workshops.reveal_answer)
    expect(page.get_by_text("✓ Right: your answer is correct.")).to_be_visible()
    expect(page.get_by_text("The answer: Give antibiotics within one hour")).to_be_visible()
    shot(page, "room-phone")

    # End: the phone says the workshop has ended and offers nothing to send.
    host.do(workshops.end_workshop)
    expect(page.get_by_role("heading", name="This workshop has ended")).to_be_visible()
    expect(page.get_by_role("button")).to_have_count(0)
    assert all(url.startswith(server) for url in requested), "a third-party request was made"


def assert_fits(page: Page, screen: int = 390) -> None:
    """No sideways scrolling on a phone `screen` pixels wide."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= screen, f"the page scrolls sideways on a phone ({width}px)"


def test_by_keyboard_on_a_small_phone_with_only_the_long_poll(browser: Browser, server: str):
    """No EventSource (as behind a buffering proxy): the long poll follows within 2 s."""
    host = Facilitator(server)
    host.do(workshops.go_to_step, 0, open_answering=True)
    context = browser.new_context(viewport={"width": 360, "height": 640})
    context.add_init_script("delete window.EventSource")
    try:
        page = context.new_page()
        patient(page)
        page.goto(f"{server}/room/{host.workshop.code}")
        expect(page.get_by_label("Workshop code")).to_have_value(host.workshop.code)
        page.get_by_label("Workshop code").focus()
        page.keyboard.press("Tab")
        page.keyboard.type("Kim")
        page.keyboard.press("Enter")
        page.wait_for_url("**/room/*?p=*")
        expect(page.get_by_text("Which <b>ward</b> do you work on?")).to_be_visible()

        # Tab into the radio group, pick with the arrow keys, Tab to Send, press Enter.
        page.keyboard.press("Tab")
        page.keyboard.press("ArrowDown")
        expect(page.get_by_label("Surgical")).to_be_checked()
        expect(page.get_by_label("Surgical")).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Send")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_text("Answer received ✓")).to_be_visible()
        assert_fits(page, 360)

        host.do(workshops.next_step, open_answering=True)
        expect(page.get_by_text("Step 2 of 2", exact=True)).to_be_visible()
        host.do(workshops.end_workshop)
        expect(page.get_by_role("heading", name="This workshop has ended")).to_be_visible()
    finally:
        context.close()
