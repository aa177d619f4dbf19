"""Reuse and self-paced rooms in real Chromium: duplicate, template, schedule, work at own pace.

A facilitator on the Facilitate page duplicates a workshop and saves it as a template,
starts a scheduled workshop from the template (a phone in another time zone sees "Starts
at" in its own local time and cannot answer), and runs a self-paced room where two phones
move through the steps at their own pace while the Facilitate page shows their progress.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from carelab.store import db as store_db
from carelab.workshop import reuse, workshops
from tests.e2e import axe
from tests.e2e.conftest import SHOTS, server_env, shot, wait_for_app
from tests.e2e.waits import patient
from tests.e2e.workshop_room import (
    ACK,
    CASE_TITLE,
    Host,
    Phone,
    no_errors,
    plan_list,
    workshop_state,
)

pytestmark = pytest.mark.browser
PHONE_ZONE = "Asia/Tokyo"


def db_path(server: str) -> str:
    return server_env(server)["CARELAB_DB"]


def open_new_workshop(host: Host) -> Page:
    """The Facilitate page with the New workshop form open."""
    page = host.page
    page.get_by_role("link", name="Facilitate").click()
    wait_for_app(page)
    new = page.get_by_text("New workshop", exact=True)
    if not page.get_by_role("button", name="Create workshop").is_visible():
        new.click()
    return page


def answer_here(phone: Phone, step: dict) -> None:
    """Answer the step on screen with its first choice (or a short text), and wait for ACK."""
    page = phone.page
    if step["mode"] == "open":
        page.locator("#txt").fill("Fewer amputations")
    elif step["mode"] == "numeric":
        page.locator("#num").fill("3")
    else:
        page.locator("#answer-form input").first.check()
    page.get_by_role("button", name="Send").tap()
    expect(phone.status).to_have_text(ACK)


def test_duplicate_template_schedule_and_a_self_paced_room(browser: Browser, server: str):
    host = Host(browser, server)
    first_code = host.create_workshop("Diabetes round")
    first_id = host.workshop_id
    page = host.page

    # Duplicate: a copy with a new code and the chosen title, opened at once.
    page.get_by_role("button", name="Duplicate").click()
    page.get_by_label("Title of the copy").fill("Diabetes round, March")
    page.get_by_label("Title of the copy").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Make the copy").click()
    page.wait_for_url(re.compile(rf"[?&]w=(?!{first_id}\b)\d+"))
    wait_for_app(page)
    no_errors(page)
    copy_id = int(re.search(r"[?&]w=(\d+)", page.url).group(1))
    copy = workshop_state(server, copy_id)
    assert copy.copied_from == first_id and copy.code != first_code
    assert copy.title == "Diabetes round, March"
    expect(page.get_by_text(f"Code: {copy.code}", exact=True)).to_be_visible()

    # Save it as a template. The run that opened the copy may still show the first
    # workshop's popover for a moment: wait until only the copy's is on the page.
    expect(page.get_by_role("button", name="Save as template")).to_have_count(1)
    page.get_by_role("button", name="Save as template").click()
    expect(page.get_by_label("Template name")).to_have_count(1)
    page.get_by_label("Template name").fill("Diabetes plan")
    page.get_by_label("Template name").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("Saved the template “Diabetes plan”", exact=False)).to_be_visible()

    # Start a scheduled workshop from the template, to share its link ahead.
    open_new_workshop(host)
    page.get_by_text("My templates", exact=True).click()
    wait_for_app(page)
    plan_list(page, "Template").click()
    page.get_by_role("option", name=re.compile(r"^Template: Diabetes plan")).click()
    page.get_by_label("Title shown to participants (optional)").fill("Diabetes, next week")
    page.get_by_text("Schedule for a later start", exact=True).click()
    page.get_by_role("button", name="Create workshop").click()
    expect(page.get_by_text(re.compile(r"^Scheduled for .*Share the link now"))).to_be_visible()
    wait_for_app(page)
    no_errors(page)
    expect(page.get_by_role("heading", name="Upcoming workshops")).to_be_visible()
    scheduled_id = int(re.search(r"[?&]w=(\d+)", page.url).group(1))
    scheduled = workshop_state(server, scheduled_id)
    assert scheduled.scheduled_for is not None and scheduled.step_count == copy.step_count
    shot(page, "reuse-facilitate-scheduled-1280")

    # A phone in Tokyo joins early: it sees the start in its own time and cannot answer.
    early = Phone(browser, server, "Early")
    early.context.close()
    early.context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        timezone_id=PHONE_ZONE, locale="en-GB",
    )  # fmt: skip
    early.page = early.context.new_page()
    patient(early.page)
    early.join(scheduled.code, by_link=True)
    local = datetime.fromtimestamp(scheduled.scheduled_for, ZoneInfo(PHONE_ZONE))
    starts = early.page.locator("#starts")
    expect(starts).to_contain_text("Starts at ")
    expect(starts).to_contain_text(local.strftime("%H:%M"))
    expect(starts).to_contain_text(local.strftime("%A"))
    shot(early.page, "reuse-phone-starts-at-390")
    axe.assert_accessible(early.page, "a phone waiting for a scheduled start", whole_page=False)
    # The facilitator starts early: the phone stops showing the start time.
    page.get_by_role("button", name="Start now").click()
    wait_for_app(page)
    expect(starts).to_be_hidden()
    early.close()

    # A self-paced room: the case with its quiz, each phone at its own pace.
    open_new_workshop(host)
    page.get_by_text("A case", exact=True).click()
    wait_for_app(page)
    plan_list(page, "Case").click()
    page.get_by_role("option", name=f"Case: {CASE_TITLE}").click()
    page.get_by_label("Title shown to participants (optional)").fill("Before Thursday")
    page.get_by_text("Add the case's quiz questions", exact=False).click()
    page.get_by_text("Self-paced: each participant moves", exact=False).first.click()
    if page.get_by_label("Schedule for a later start").is_checked():  # kept from the last one
        page.get_by_text("Schedule for a later start", exact=True).click()
    expect(page.get_by_label("Schedule for a later start")).not_to_be_checked()
    page.get_by_role("button", name="Create workshop").click()
    expect(page.get_by_role("heading", name="Progress")).to_be_visible()
    wait_for_app(page)
    room_id = int(re.search(r"[?&]w=(\d+)", page.url).group(1))
    room = workshop_state(server, room_id)
    assert room.self_paced
    with store_db.session(db_path(server)) as db:
        steps = [s.public(False) for s in workshops.workshop_steps_of(db, room.id)]
    last = len(steps) - 1

    ann, bob = Phone(browser, server, "Ann"), Phone(browser, server, "Bob")
    ann.join(room.code, by_link=True)
    bob.join(room.code, by_link=True)
    ann.expect_step(0, steps[0]["title"])
    expect(ann.page.get_by_role("button", name="← Previous")).to_be_disabled()
    # Bob answers the scale step and stays there.
    bob.page.get_by_role("button", name="Next →").tap()
    bob.expect_step(1, steps[1]["title"])
    answer_here(bob, steps[1])
    # Ann works through every step, answering each question; a quiz step shows the answer.
    for index in range(1, last + 1):
        ann.page.get_by_role("button", name="Next →").tap()
        ann.expect_step(index, steps[index]["title"])
        if steps[index]["mode"]:
            answer_here(ann, steps[index])
            if steps[index]["has_answer"]:
                expect(ann.page.locator("#reveal")).to_contain_text("The answer: ")
                if index == last:
                    shot(ann.page, "reuse-phone-self-paced-answer-390")
    expect(ann.page.get_by_role("button", name="Next →")).to_be_disabled()
    expect(ann.page.get_by_text("This is the last step.", exact=False)).to_be_visible()
    axe.assert_accessible(ann.page, "a self-paced phone after answering", whole_page=False)
    # Bob is still where he was, with his answer.
    bob.page.reload()
    bob.expect_step(1, steps[1]["title"])
    expect(bob.status).to_have_text(ACK)

    # The facilitator sees the progress: Ann finished, Bob reached two steps.
    expect(page.get_by_text("1 of 2 finished", exact=False)).to_be_visible(timeout=15_000)
    expect(page.get_by_text(f"2. {steps[1]['title']}: 2 of 2 reached, 2 answered")).to_be_visible()
    expect(page.get_by_text(f"3. {steps[2]['title']}: 1 of 2 reached, 1 answered")).to_be_visible()
    final = f"{last + 1}. {steps[last]['title']}: 1 of 2 reached, 1 answered"
    expect(page.get_by_text(final)).to_be_visible()
    wait_for_app(page)
    shot(page, "reuse-facilitate-progress-1280")
    # The presenter screen shows the same progress: a bar per step, the counts as text.
    with host.context.expect_page() as opened:
        page.get_by_role("link", name="Open presenter screen").click()
    screen = patient(opened.value)
    screen.set_viewport_size({"width": 1280, "height": 720})
    progress = screen.locator("#block-progress")
    expect(progress.get_by_role("heading", name="Self-paced progress")).to_be_visible()
    expect(progress).to_contain_text("1 of 2 finished")

    def row(index: int):
        return progress.locator(".bar-row", has_text=f"{index + 1}. {steps[index]['title']}")

    expect(row(1)).to_contain_text("2 of 2")
    expect(row(1)).to_contain_text("2 answered")
    expect(row(2)).to_contain_text("1 of 2")
    # Bob moves on: the presenter follows without a reload.
    bob.page.get_by_role("button", name="Next →").tap()
    bob.expect_step(2, steps[2]["title"])
    expect(row(2)).to_contain_text("2 of 2")
    screen.wait_for_timeout(800)  # let the bars finish growing, for the picture
    SHOTS.mkdir(exist_ok=True)
    screen.screenshot(path=str(SHOTS / "reuse-presenter-progress-1280.png"))
    axe.assert_accessible(screen, "presenter with self-paced progress", whole_page=False)
    screen.close()
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_text("1 of 2 finished", exact=False)).to_be_visible()
    shot(page, "reuse-facilitate-progress-390")
    with store_db.session(db_path(server)) as db:
        assert len(reuse.list_templates(db, host_user(db, host.email))) == 1
    ann.close()
    bob.close()


def host_user(db, email: str):
    """The facilitator's account, read from the server's database."""
    from carelab import auth

    row = db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()
    return auth.get_user(db, row[0])
