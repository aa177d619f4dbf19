"""Helpers for the live-workshop browser tests: a facilitator in Streamlit, phones on /room.

Everything here goes through the pages as people use them (the facilitator's buttons, a
phone's form); the database is only read, to check what the server has stored.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from urllib.parse import urljoin

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from carelab.store import db as store_db
from carelab.workshop import aggregate, workshops
from tests.e2e.conftest import server_env, wait_for_app
from tests.e2e.waits import patient

PASSWORD = "correct horse battery"
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ACK = "Answer received ✓"
CLOSED = "Answering is closed for this step."
# The shipped case whose workshop plan is run: 1 notes, 2 a 1-5 scale, 3 a single choice...
CASE_TITLE = (
    "Diabetes as an integrated practice unit: outcomes, value and the cost of complications"
)
SCALE_STEP, CHOICE_STEP, TALK_STEP = 1, 2, 3
CHOICE_TITLE, TALK_TITLE = "Which model for our patients?", "Where the money goes"
OPTIONS = [
    "Porter's condition team",
    "Lilley's community team",
    "Different designs for different patients",
    "Not sure",
]


def add_account(env: dict[str, str], role: str = "learner", name: str = "Lee Learner") -> str:
    """An account with `role`, made as an operator would (`carelab user add`); its email."""
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.org"
    subprocess.run(
        [sys.executable, "-m", "carelab", "user", "add", email, "--name", name,
         "--role", role, "--password-stdin"],
        input=f"{PASSWORD}\n", text=True, check=True, env=env, capture_output=True,
    )  # fmt: skip
    return email


def add_facilitator(env: dict[str, str]) -> str:
    """An account with the facilitator role; return its email."""
    return add_account(env, "facilitator", "Fay Facilitator")


def sign_in(page: Page, server: str, email: str) -> None:
    page.goto(f"{server}/sign-in")
    wait_for_app(page)
    page.get_by_role("tabpanel").get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    wait_for_app(page)


def no_errors(page: Page) -> None:
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def plan_list(page, kind: str):
    """The create form's "Run the plan of" list once it offers `kind` (Case, Module, Template).

    Under load the list of the previous choice can stay on the page beside the new one for
    a while (a new widget, because its options changed): pick the one that offers `kind`.
    """
    found = page.locator(f'input[aria-label="Run the plan of"][value^="{kind}:"]')
    expect(found).to_have_count(1)
    return found


class Host:
    """The facilitator's browser: the Facilitate page, plus the projector in a second tab."""

    def __init__(self, browser: Browser, server: str) -> None:
        self.server = server
        self.context = browser.new_context(viewport=LAPTOP)
        self.page = self.context.new_page()
        patient(self.page)
        self.email = add_facilitator(server_env(server))
        sign_in(self.page, server, self.email)
        self.code = ""
        self.workshop_id = 0

    def create_workshop(self, title: str, source: str = f"Case: {CASE_TITLE}") -> str:
        """Create a workshop on the Facilitate page (the case's plan unless told); its code."""
        page = self.page
        page.get_by_role("link", name="Facilitate").click()
        expect(page.get_by_role("heading", name="Facilitate a workshop")).to_be_visible()
        wait_for_app(page)
        # "Start from" picks the list "Run the plan of" offers: cases, modules or templates.
        kind = {"Module": "A module", "Template": "My templates"}.get(source.split(":")[0])
        if kind:
            page.get_by_text(kind, exact=True).click()
            # The list changes in the run the click starts: wait until it shows that kind.
            wait_for_app(page)
        plan_list(page, source.split(":")[0]).click()
        page.get_by_role("option", name=source).click()
        page.get_by_label("Title shown to participants (optional)").fill(title)
        expect(page.get_by_label("Anonymous (no nicknames in exports)")).to_be_checked()
        page.get_by_role("button", name="Create workshop").click()
        code = page.get_by_text(re.compile(r"^Code: [2-9A-Z]{6}$"))
        expect(code).to_be_visible()
        self.code = code.inner_text().removeprefix("Code: ").strip()
        page.wait_for_url(re.compile(r"[?&]w=\d+"))
        self.workshop_id = int(re.search(r"[?&]w=(\d+)", page.url).group(1))
        wait_for_app(page)
        no_errors(page)
        return self.code

    def click(self, label: str) -> None:
        """Press one of the facilitator's buttons and wait for the page to settle."""
        self.page.get_by_role("button", name=label, exact=True).click()
        wait_for_app(self.page)
        no_errors(self.page)

    def expect_step(self, index: int, title: str) -> None:
        heading = re.compile(rf"^Step {index + 1} of \d+: {re.escape(title)}$")
        expect(self.page.get_by_role("heading", name=heading)).to_be_visible()

    def go_to(self, index: int, title: str) -> None:
        """Press Next, one step at a time, until step `index` (0-based) is on screen."""
        current = int(self.current_step().group(1)) - 1
        for number in range(current + 2, index + 2):
            self.click("Next →")
            step = re.compile(rf"^Step {number} of \d+: ")
            expect(self.page.get_by_role("heading", name=step)).to_be_visible()
        self.expect_step(index, title)

    def current_step(self) -> re.Match:
        heading = self.page.get_by_role("heading", name=re.compile(r"^Step \d+ of \d+: "))
        return re.match(r"Step (\d+) of (\d+)", heading.inner_text())

    def expect_status(self, answering: str, results: str) -> None:
        """The caption under the step: 'Answering open · results hidden on the projector'."""
        caption = f"Answering {answering} · results {results} on the projector"
        expect(self.page.get_by_text(caption, exact=True)).to_be_visible()

    def projector(self) -> Page:
        """Open the projector view from the Facilitate page's link, in a second tab."""
        href = self.page.get_by_role("link", name="Open the projector view").get_attribute("href")
        assert href and f"w={self.workshop_id}" in href
        screen = self.context.new_page()
        patient(screen)
        screen.goto(urljoin(self.page.url, href))
        wait_for_app(screen)
        no_errors(screen)
        return screen

    def end(self) -> None:
        self.page.get_by_role("button", name="End the workshop").click()
        self.page.get_by_role("button", name="End it now").click()
        wait_for_app(self.page)
        expect(self.page.get_by_text(re.compile(r"^Answering ended · results"))).to_be_visible()


class Phone:
    """One participant's phone: a 390x844 touch screen on the lean /room page."""

    def __init__(self, browser: Browser, server: str, nickname: str) -> None:
        self.server = server
        self.nickname = nickname
        self.context: BrowserContext = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
        )
        self.page = self.context.new_page()
        patient(self.page)

    def join(self, code: str, by_link: bool = False) -> None:
        """Join by typing the code on /room, or through the join link /room/CODE."""
        page = self.page
        if by_link:
            page.goto(f"{self.server}/room/{code}")
            expect(page.get_by_label("Workshop code")).to_have_value(code.upper())
        else:
            page.goto(f"{self.server}/room")
            page.get_by_label("Workshop code").fill(code)
        page.get_by_label("Nickname (optional)").fill(self.nickname)
        page.get_by_role("button", name="Join").tap()
        page.wait_for_url(f"**/room/{code.upper()}?p=*")

    @property
    def token(self) -> str:
        return self.page.url.split("?p=", 1)[1]

    @property
    def status(self) -> Locator:
        return self.page.get_by_role("status")

    def expect_step(self, index: int, title: str) -> None:
        expect(self.page.locator("#step-title")).to_have_text(title)
        progress = self.page.get_by_text(re.compile(rf"^Step {index + 1} of \d+$"))
        expect(progress).to_be_visible()

    def choose(self, option: str) -> None:
        self.page.get_by_label(option, exact=True).tap()
        expect(self.page.get_by_label(option, exact=True)).to_be_checked()

    def send(self) -> None:
        self.page.get_by_role("button", name=re.compile(r"^Send( change)?$")).tap()

    def answer(self, option: str) -> None:
        """Choose an option, send it and wait for the server's acknowledgement."""
        self.choose(option)
        self.send()
        expect(self.status).to_have_text(ACK)

    def mark(self) -> None:
        """Leave a mark in the page's window: still there later means no reload happened."""
        self.page.evaluate("window.carelabNoReload = true")

    def was_not_reloaded(self) -> bool:
        return self.page.evaluate("window.carelabNoReload === true")

    def close(self) -> None:
        self.context.close()


def results(server: str, workshop_id: int, step_index: int) -> aggregate.StepResults:
    """What the server has stored for a step, read from its database."""
    with store_db.session(server_env(server)["CARELAB_DB"]) as db:
        return aggregate.results(db, workshop_id, step_index)


def counts(server: str, workshop_id: int, step_index: int) -> dict[str, int]:
    return {c.label: c.count for c in results(server, workshop_id, step_index).counts}


def counts_text(found: dict[str, int]) -> str:
    """The text line under a chart: 'Not sure: 3 · ...', every option in option order."""
    return " · ".join(f"{option}: {found.get(option, 0)}" for option in OPTIONS)


def workshop_state(server: str, workshop_id: int) -> workshops.Workshop:
    with store_db.session(server_env(server)["CARELAB_DB"]) as db:
        return workshops.get_workshop(db, workshop_id)
