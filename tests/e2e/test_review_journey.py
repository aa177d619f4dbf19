"""Review in a real browser: a learner completes a short module with one wrong answer, sees
nothing due yet, then (the clock moved through the service API) sees "Review (1)", answers
it, and sees it rescheduled 7 days on; the calendar file downloads and parses. Screenshots at
390 and 1280 px go to /tmp; axe checks the session and the overview."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import Page, expect

from carelab import auth
from carelab.content.catalog import load_catalog
from carelab.learning import review, review_services
from carelab.store import db as store_db
from tests.e2e import axe, test_confidence_journey
from tests.e2e.conftest import ServerProcess, wait_for_app
from tests.e2e.test_confidence_journey import tmp_shot
from tests.e2e.test_learner_journey import download, no_errors, sign_up
from tests.e2e.waits import patient

pytestmark = pytest.mark.browser

DAY = review.DAY_SECONDS
SHOTS = Path("/tmp/carelab-review-shots")
MODULE = """\
id: review-e2e
title: Hand hygiene check
summary: Two questions, to try Review.
learning_objectives: [Know the five moments]
estimated_minutes: 5
version: "1"
pass_mark: 0.5
steps:
  - id: quiz
    kind: quiz
    title: Two questions
    questions:
      - id: moments
        kind: single_choice
        shuffle: false
        prompt: How many moments for hand hygiene does the WHO name?
        options:
          - {text: Five, correct: true}
          - {text: Three}
        explanation: Before touching a patient, before a clean procedure, after body fluid
          exposure, after touching a patient, after touching their surroundings.
      - id: gloves
        kind: true_false
        prompt: Gloves replace hand hygiene.
        answer: false
        explanation: Hands are cleaned before and after gloves.
"""


@pytest.fixture
def review_server(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> Iterator[str]:
    """A server with the short module; this process's services point at its database."""
    server = ServerProcess(tmp_path_factory.mktemp("review-server"))
    content = Path(server.env["CARELAB_CONTENT_DIR"])
    (content / "modules" / "review-e2e.yaml").write_text(MODULE, encoding="utf-8")
    monkeypatch.setenv("CARELAB_DB", server.env["CARELAB_DB"])
    monkeypatch.setenv("CARELAB_CONTENT_DIR", str(content))
    monkeypatch.setattr(test_confidence_journey, "SHOTS", SHOTS)  # tmp_shot saves here
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def nav_item(page: Page, text: str):
    return page.locator("[data-testid=stSidebarNav]").get_by_text(text, exact=True)


def learner_with(email: str) -> auth.User:
    with store_db.session() as db:
        found = next(u for u in auth.list_users(db) if u.email == email)
        return auth.get_user(db, found.id)


def test_a_wrong_answer_comes_back_in_review_and_is_rescheduled(
    page: Page, review_server: str, tmp_path: Path
):
    server = review_server
    patient(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    email = sign_up(page, server)

    # The module, in the browser: the first answer wrong, the second right, then complete.
    page.goto(f"{server}/module?id=review-e2e&step=quiz")
    wait_for_app(page)
    page.get_by_role("radiogroup").first.get_by_text("Three", exact=True).click()
    page.get_by_role("button", name="Check my answer").first.click()
    expect(page.get_by_text("Not quite.", exact=True)).to_be_visible()
    wait_for_app(page)
    page.get_by_role("radiogroup").nth(1).get_by_text("False", exact=True).click()
    page.get_by_role("button", name="Check my answer").nth(1).click()
    expect(page.get_by_text("Correct.", exact=True)).to_be_visible()
    wait_for_app(page)
    page.get_by_role("button", name="Complete the module and get my certificate").click()
    expect(page.get_by_text(re.compile("^Module complete. Well done."))).to_be_visible()
    wait_for_app(page)

    # Queued, but not due for 2 days.
    page.goto(f"{server}/review")
    wait_for_app(page)
    expect(nav_item(page, "Review")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Nothing is due now\. 1 question waits"))).to_be_visible()

    # Two days pass: the learner answered it wrongly again, two days ago (the service's clock).
    learner = learner_with(email)
    catalog = load_catalog(Path(os.environ["CARELAB_CONTENT_DIR"]))
    back = review_services.answer(
        learner, catalog, "review-e2e", "moments", 1, "low", time.time() - 2 * DAY
    )
    assert back.back_at is not None and back.back_at <= time.time()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/review")
    wait_for_app(page)
    if not nav_item(page, "Review (1)").is_visible():  # a phone folds the sidebar away
        page.get_by_role("button", name=re.compile("sidebar", re.I)).first.click()
    expect(nav_item(page, "Review (1)")).to_be_visible()
    expect(page.get_by_text("1 question is due for review now.")).to_be_visible()
    tmp_shot(page, "review-due-390")
    page.get_by_role("button", name="Start review").click()
    expect(page.get_by_role("heading", name="Question 1 of 1", level=2)).to_be_visible()
    wait_for_app(page)

    # How sure you are is asked every time, and required.
    page.get_by_role("radiogroup").first.get_by_text("Five", exact=True).click()
    page.get_by_role("button", name="Check my answer").click()
    expect(page.get_by_text("Choose how sure you are before checking your answer.")).to_be_visible()
    sure = page.get_by_role("radiogroup", name="How sure are you of your answer to question 1?")
    sure.get_by_text("High", exact=True).click()
    page.get_by_role("button", name="Check my answer").click()
    expect(page.get_by_text("Correct.", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Saved\. Back in 7 days \(on "))).to_be_visible()
    wait_for_app(page)
    no_errors(page)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 390, f"Review scrolls sideways on a phone ({scroll}px)"
    tmp_shot(page, "review-answered-390")
    axe.assert_accessible(page, "a review answer at 390px", whole_page=False)

    # Saved at once: the queue holds it 7 days on.
    due = review_services.due_today(learner, catalog)
    assert due.count == 0 and due.next_due is not None
    assert abs(due.next_due - (time.time() + 7 * DAY)) < DAY

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Finish review").click()
    expect(page.get_by_text(re.compile(r"^Nothing is due now\. 1 question waits"))).to_be_visible()
    expect(nav_item(page, "Review")).to_be_visible()
    wait_for_app(page)
    tmp_shot(page, "review-overview-1280")
    axe.assert_accessible(page, "the Review page at 1280px", whole_page=False)

    # The calendar file, as the browser saves it, read by a calendar parser.
    saved = download(page, "Add to my calendar (.ics)", tmp_path)
    assert saved.suffix == ".ics"
    events = list(icalendar.Calendar.from_ical(saved.read_bytes()).walk("VEVENT"))
    assert len(events) == 1
    assert events[0].decoded("DTSTART") == datetime.fromtimestamp(due.next_due, UTC).date()
    assert str(events[0]["SUMMARY"]) == "CareLab review: 1 question due"
    assert str(events[0]["URL"]) == f"{server}/review"
    assert "Hand hygiene check" in str(events[0]["DESCRIPTION"])
