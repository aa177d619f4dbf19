"""A whole live workshop in real Chromium: a facilitator on a laptop and five phones.

The facilitator signs in, creates a workshop from a shipped case's plan on the Facilitate
page and runs it with its buttons; the projector is a second tab. Five phones (390x844,
touch) join on /room, one through the join link. Checked on the way: the acknowledgement
comes only once the server has the answer, the projector hides the results until they are
revealed, a reload keeps an answer, a changed answer is counted once, a locked step refuses
an answer with a message, phones follow the next step without a reload, the CSV export
has one row per answer and no nicknames, and the end stops late answers.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect
from pypdf import PdfReader

from tests.e2e.conftest import shot, wait_for_app
from tests.e2e.waits import WAIT_SECONDS, patient
from tests.e2e.workshop_room import (
    ACK,
    CHOICE_STEP,
    CHOICE_TITLE,
    CLOSED,
    PHONE,
    TALK_STEP,
    TALK_TITLE,
    Host,
    Phone,
    counts,
    counts_text,
    results,
)

pytestmark = pytest.mark.browser

NICKNAMES = ["Nick-Ana", "Nick-Ben", "Nick-Caro", "Nick-Dev", "Nick-Eli"]
FIRST_ANSWERS = [
    "Lilley's community team",
    "Lilley's community team",
    "Different designs for different patients",
    "Porter's condition team",
    "Lilley's community team",
]
CHANGER, RELOADER, LATE = 3, 2, 4  # which phone changes its answer, reloads, misses the lock


def assert_fits(page: Page, screen: int = PHONE["width"]) -> None:
    """No sideways scrolling on a phone `screen` pixels wide."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= screen, f"the page scrolls sideways on a phone ({width}px)"


def wait_until(page: Page, condition, seconds: float = WAIT_SECONDS) -> None:
    """Let Playwright deliver events (route handlers run meanwhile) until `condition()`.

    A route handler's effect has no locator to expect() on, so this polls the condition.
    """
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        page.wait_for_timeout(50)


def projector_shows(screen: Page, text: str) -> None:
    """The projector re-reads the room every 2 s: wait for `text` to come up."""
    expect(screen.get_by_text(text, exact=True)).to_be_visible()


def test_a_facilitator_runs_a_workshop_for_five_phones(
    browser: Browser, server: str, tmp_path: Path
):
    host = Host(browser, server)
    phones = [Phone(browser, server, name) for name in NICKNAMES]
    try:
        run_the_workshop(browser, server, host, phones, tmp_path)
    finally:
        for phone in phones:
            phone.close()
        host.context.close()


def run_the_workshop(browser, server, host: Host, phones: list[Phone], tmp_path: Path) -> None:
    code = host.create_workshop("Diabetes huddle")
    wid = host.workshop_id
    host.expect_step(0, "Welcome: what this session is for")
    screen = host.projector()
    expect(screen.get_by_role("heading", name="Diabetes huddle", level=1)).to_be_visible()
    expect(screen.get_by_text(f"Code: {code}", exact=True)).to_be_visible()
    # The QR code has a text alternative saying what it does and where it leads.
    qr = screen.get_by_role("img", name=re.compile(rf"^QR code: scan it .* join workshop {code}$"))
    expect(qr).to_be_visible()
    assert screen.title() == "Projector · CareLab"

    # --- Join: four type the code off the projector, one follows the join link. ----------
    for i, phone in enumerate(phones):
        phone.join(code.lower() if i % 2 else code, by_link=i == len(phones) - 1)
        expect(phone.page.get_by_role("heading", name="Diabetes huddle")).to_be_visible()
        phone.expect_step(0, "Welcome: what this session is for")
    expect(screen.get_by_text(f"Code: {code}", exact=True)).to_be_visible()

    # --- The facilitator moves to the single-choice poll and opens answering. -------------
    host.go_to(CHOICE_STEP, CHOICE_TITLE)
    for phone in phones:
        phone.expect_step(CHOICE_STEP, CHOICE_TITLE)
        expect(phone.page.get_by_text("Answering has not opened yet.", exact=False)).to_be_visible()
    host.click("Open answering")
    host.expect_status("open", "hidden")
    for phone in phones:
        expect(phone.page.get_by_role("button", name="Send")).to_be_enabled()

    # --- The first phone's acknowledgement waits for the server. ---------------------------
    first = phones[0]
    held: list[Route] = []
    first.page.route("**/room/api/answer", lambda route: held.append(route))
    first.choose(FIRST_ANSWERS[0])
    first.send()
    expect(first.status).to_have_text("Sending…")
    wait_until(first.page, lambda: len(held) == 1)
    assert results(server, wid, CHOICE_STEP).answered == 0, "stored before it was sent"
    expect(first.page.get_by_text(ACK)).to_have_count(0)
    held[0].continue_()
    expect(first.status).to_have_text(ACK)
    assert results(server, wid, CHOICE_STEP).answered == 1
    first.page.unroute("**/room/api/answer")
    shot(first.page, "workshop-phone-answered")

    for phone, option in zip(phones[1:], FIRST_ANSWERS[1:], strict=True):
        phone.answer(option)
    assert counts(server, wid, CHOICE_STEP) == dict(Counter(FIRST_ANSWERS)) | {"Not sure": 0}

    # --- The projector counts answers but shows no results until they are revealed. --------
    projector_shows(screen, "5 of 5 answered")
    expect(
        screen.get_by_text("Results are hidden until the facilitator reveals them.")
    ).to_be_visible()
    expect(screen.get_by_text(re.compile(r"Lilley's community team: \d"))).to_have_count(0)
    expect(screen.locator("[data-testid=stVegaLiteChart]")).to_have_count(0)
    shot(screen, "workshop-projector-hidden")
    host.click("Reveal results")
    host.expect_status("open", "shown")
    projector_shows(screen, counts_text(Counter(FIRST_ANSWERS)))
    expect(screen.locator("[data-testid=stVegaLiteChart]")).to_have_count(1)
    expect(
        screen.get_by_text("Results are hidden until the facilitator reveals them.")
    ).to_have_count(0)
    for phone in phones:
        expect(phone.page.get_by_text("The results are on the screen.")).to_be_visible()

    # --- A reload mid-step keeps the answer. ------------------------------------------------
    reloader = phones[RELOADER]
    reloader.page.reload()
    reloader.expect_step(CHOICE_STEP, CHOICE_TITLE)
    expect(reloader.page.get_by_label(FIRST_ANSWERS[RELOADER], exact=True)).to_be_checked()
    expect(reloader.status).to_have_text(ACK)
    expect(reloader.page.get_by_role("button", name="Send change")).to_be_enabled()

    # --- A changed answer replaces the first one: counted once. -----------------------------
    changer = phones[CHANGER]
    changer.choose("Lilley's community team")
    expect(changer.status).to_have_text("Changed: press Send change to update your answer.")
    changer.send()
    expect(changer.status).to_have_text(ACK)
    final = FIRST_ANSWERS.copy()
    final[CHANGER] = "Lilley's community team"
    assert counts(server, wid, CHOICE_STEP) == dict(Counter(final)) | {
        "Porter's condition team": 0,
        "Not sure": 0,
    }
    projector_shows(screen, counts_text(Counter(final)))
    projector_shows(screen, "5 of 5 answered")
    shot(screen, "workshop-projector-revealed")
    shot(host.page, "workshop-facilitator")

    # The Facilitate and Projector pages on a 390 px phone, in the facilitator's session.
    small = browser.new_context(storage_state=host.context.storage_state(), viewport=PHONE,
                                is_mobile=True, has_touch=True)  # fmt: skip
    try:
        for name, path in (("facilitate", "facilitate"), ("projector", "projector")):
            look = small.new_page()
            patient(look)
            look.goto(f"{server}/{path}?w={wid}")
            wait_for_app(look)
            expect(look.get_by_text(counts_text(Counter(final)), exact=True)).to_be_visible()
            assert_fits(look)
            shot(look, f"workshop-{name}-phone")
    finally:
        small.close()

    # --- Lock. One phone misses the news (its stream is held) and tries to answer. ----------
    late = phones[LATE]
    streams: list[Route] = []
    late.page.route("**/room/api/stream?*", lambda route: streams.append(route))
    late.page.reload()
    late.expect_step(CHOICE_STEP, CHOICE_TITLE)
    expect(late.page.get_by_role("button", name="Send change")).to_be_enabled()
    wait_until(late.page, lambda: len(streams) == 1)  # it is listening, and hears nothing
    host.click("Lock answering")
    host.expect_status("locked", "shown")
    for phone in phones[:LATE]:
        expect(phone.page.get_by_text(CLOSED, exact=True)).to_be_visible()
        expect(phone.page.get_by_role("button", name="Send change")).to_be_disabled()
    assert final[LATE] != "Different designs for different patients"
    late.choose("Different designs for different patients")
    late.send()
    expect(late.status).to_have_text("Not sent: your earlier answer still counts.")
    expect(late.status).to_have_class("bad")
    # The form shows what is recorded again, not the choice that was refused.
    expect(late.page.get_by_label(final[LATE], exact=True)).to_be_checked()
    expect(
        late.page.get_by_label("Different designs for different patients", exact=True)
    ).not_to_be_checked()
    expect(late.page.get_by_text(CLOSED, exact=True)).to_have_count(1)
    # The refusal made the page catch up: the form is closed now, like everyone's.
    expect(late.page.get_by_role("button", name="Send change")).to_be_disabled()
    shot(late.page, "workshop-phone-refused")
    assert counts(server, wid, CHOICE_STEP)[
        "Different designs for different patients"
    ] == final.count("Different designs for different patients")
    # Let its stream through again.
    for route in streams:
        route.continue_()
    late.page.unroute("**/room/api/stream?*")

    # --- Next step: every phone follows without a reload. -----------------------------------
    for phone in phones:
        phone.mark()
    host.click("Next →")
    host.expect_step(TALK_STEP, TALK_TITLE)
    for phone in phones:
        phone.expect_step(TALK_STEP, TALK_TITLE)
        expect(
            phone.page.get_by_text("Look at the screen: the facilitator leads this step.")
        ).to_be_visible()
        assert phone.was_not_reloaded()
    expect(screen.get_by_role("heading", name=f"{TALK_STEP + 1}. {TALK_TITLE}")).to_be_visible()

    # --- The CSV export: one row per answer, with the final values and no nicknames. --------
    with host.page.expect_download() as info:
        host.page.get_by_role("link", name="Every response (CSV)").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name == f"workshop-{code}.csv"
    text = saved.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert "nickname" not in rows[0]
    assert not [name for name in NICKNAMES if name in text], "a nickname is in the export"
    assert len(rows) == len(phones)
    assert {r["step"] for r in rows} == {str(CHOICE_STEP + 1)}
    assert {r["step_title"] for r in rows} == {CHOICE_TITLE}
    assert {r["mode"] for r in rows} == {"single"}
    assert {r["hidden"] for r in rows} == {"no"}
    # Participants are numbered in the order they joined: phone i is number i + 1.
    assert {int(r["participant"]): r["answer"] for r in rows} == {
        number: answer for number, answer in enumerate(final, 1)
    }
    stored = {r.participant_number: r.answer for r in results(server, wid, CHOICE_STEP).responses}
    assert {int(r["participant"]): r["answer"] for r in rows} == stored
    assert all(r["first_answered_at"] <= r["last_answered_at"] for r in rows)

    # --- The PDF summary: the same numbers the projector showed, and no nicknames. ----------
    with host.page.expect_download() as info:
        host.page.get_by_role("link", name="Summary (PDF)").click()
    pdf = tmp_path / info.value.suggested_filename
    info.value.save_as(pdf)
    assert pdf.name == f"workshop-{code}.pdf"
    summary = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(str(pdf)).pages)
    assert "Workshop summary" in summary and f"{CHOICE_STEP + 1}. {CHOICE_TITLE}" in summary
    assert "5 of 5 answered." in summary
    for option, count in Counter(final).items():
        assert f"{option} {count} (" in summary
    assert not [name for name in NICKNAMES if name in summary], "a nickname is in the summary"

    # --- The end: phones and projector say so, and a late answer is refused. ---------------
    host.end()
    for phone in phones:
        expect(phone.page.get_by_role("heading", name="This workshop has ended")).to_be_visible()
        expect(phone.page.get_by_role("button")).to_have_count(0)
    expect(
        screen.get_by_role("heading", name="This workshop has ended. Thank you.")
    ).to_be_visible()
    shot(phones[0].page, "workshop-phone-ended")
    refused = phones[0].page.evaluate(
        """async ([code, p, step]) => {
            const r = await fetch("/room/api/answer", {method: "POST",
              headers: {"Content-Type": "application/json"},
              body: JSON.stringify({code, p, step_index: step, value: 0})});
            return [r.status, await r.json()];
        }""",
        [code, phones[0].token, TALK_STEP],
    )
    assert refused == [
        410,
        {"error": "This workshop has ended, so it takes no more answers. Thank you!"},
    ]
    assert results(server, wid, CHOICE_STEP).answered == len(phones)
    for phone in phones:
        assert_fits(phone.page)
