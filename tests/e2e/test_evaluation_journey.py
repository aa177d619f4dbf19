"""The evaluation and its follow-up in a real browser: a new learner completes a short module,
submits the evaluation, sees "Evaluation completed" on the certificate's verify page; the
follow-up date is moved into the past through the service (with a clock set a month back),
and the learner answers "Did you make the change?" on My learning. Screenshots of the form
and the follow-up at 1280 and 390 px go to /tmp."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from carelab import auth
from carelab.content import schema
from carelab.content.loader import load_yaml_text
from carelab.learning import evaluation
from carelab.store import db as store_db
from tests.e2e.conftest import ServerProcess, wait_for_app
from tests.e2e.test_confidence_journey import tmp_shot
from tests.e2e.test_learner_journey import CODE, answer_quiz, no_errors, sign_up
from tests.e2e.waits import patient

pytestmark = pytest.mark.browser

MODULE = """\
id: evaluated
title: A short evaluated module
summary: Two checks, then the evaluation.
learning_objectives: [Tell true from false]
estimated_minutes: 5
version: "1"
pass_mark: 0.8
steps:
  - id: checks
    kind: quiz
    title: Two checks
    questions:
      - {id: sky, kind: true_false, prompt: The sky is blue., answer: true, explanation: Yes.}
      - {id: sea, kind: true_false, prompt: The sea is dry., answer: false, explanation: No.}
"""
INTENT = "Check the <b>chart</b> before every handover"
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def evaluated_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose content adds the short module."""
    server = ServerProcess(tmp_path_factory.mktemp("evaluation-server"))
    modules = Path(server.env["CARELAB_CONTENT_DIR"]) / "modules"
    (modules / "evaluated.yaml").write_text(MODULE, encoding="utf-8")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def shots_at_both_widths(page: Page, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()  # a page opened narrow starts with the sidebar closed, as on a phone
        wait_for_app(page)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{name} scrolls sideways at {width}px ({scroll}px)"
        tmp_shot(page, f"{name}-{width}")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.reload()
    wait_for_app(page)


def move_follow_up_into_the_past(server: ServerProcess) -> None:
    """Through the service, with the clock a month back: the follow-up date is then past."""
    past = time.time() - 30 * evaluation.DAY_SECONDS
    with store_db.session(server.env["CARELAB_DB"]) as db:
        (row,) = db.query(
            "SELECT e.attempt_id, a.user_id FROM evaluations e JOIN attempts a "
            "ON a.id = e.attempt_id"
        )
        user = auth.get_user(db, row["user_id"])
        day = evaluation.today(past) + timedelta(days=1)
        evaluation.move_follow_up(db, user, row["attempt_id"], day, past)


def test_evaluate_then_answer_the_follow_up(page: Page, evaluated_server: ServerProcess):
    server = evaluated_server.url
    patient(page)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    module = schema.Module.model_validate(load_yaml_text(MODULE, "evaluated").data)
    sign_up(page, server)
    page.goto(f"{server}/module?id=evaluated&step=checks")
    wait_for_app(page)
    answer_quiz(page, module.steps[0].questions)
    page.get_by_role("button", name="Complete the module and get my certificate").click()
    expect(page.get_by_text(re.compile(r"^Module complete\. Well done\."))).to_be_visible()
    form = page.get_by_test_id("stForm").filter(has_text="Submit my evaluation")
    expect(page.get_by_role("heading", name="How was this module? (optional)")).to_be_visible()
    # The certificate is there before any evaluation.
    expect(page.get_by_role("button", name="Download my certificate (PDF)")).to_be_visible()
    code = CODE.search(page.get_by_text(re.compile(r"^Verification code CL-")).inner_text())[0]
    shots_at_both_widths(page, "evaluation-form")

    for statement, answer in zip(
        evaluation.ITEMS.values(), ("Agree", "Strongly agree", "Agree"), strict=True
    ):
        group = form.get_by_role("radiogroup", name=statement)
        group.get_by_text(answer, exact=True).click()
        expect(group.get_by_role("radio", name=answer, exact=True)).to_be_checked()
    form.get_by_role("textbox", name="What was missing?").fill("A worked audit")
    form.get_by_role("textbox", name="What will you change in your practice?").fill(INTENT)
    # The follow-up date offered: 8 weeks from today (day, month and year fields).
    when = evaluation.default_follow_up(time.time())
    label = "When should we ask whether you made the change?"
    for part, shown in (("day", f"{when:%d}"), ("month", f"{when:%m}"), ("year", f"{when:%Y}")):
        expect(form.get_by_role("spinbutton", name=f"{part}, {label}")).to_have_text(shown)
    form.get_by_role("button", name="Submit my evaluation").click()
    expect(page.get_by_text(re.compile(r"^Evaluation completed\. Thank you\."))).to_be_visible()
    expect(page.get_by_role("heading", name="How was this module? (optional)")).to_have_count(0)
    wait_for_app(page)
    no_errors(page)

    page.goto(f"{server}/verify?verify={code}")
    wait_for_app(page)
    expect(page.get_by_text(f"Valid certificate {code}.")).to_be_visible()
    expect(page.get_by_text("Assessment: 2 questions, pass mark 80%; score 100%")).to_be_visible()
    expect(page.get_by_text("Evaluation completed", exact=True)).to_be_visible()
    no_errors(page)

    # Before its date, My learning asks nothing; once the date has passed, it asks.
    page.goto(f"{server}/my-learning")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="My learning", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Did you make the change?")).to_have_count(0)
    move_follow_up_into_the_past(evaluated_server)
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Did you make the change?", level=2)).to_be_visible()
    expect(page.get_by_text(INTENT, exact=True)).to_be_visible()  # as typed, not as HTML
    expect(page.locator("blockquote b")).to_have_count(0)
    shots_at_both_widths(page, "evaluation-follow-up")
    follow_up = page.get_by_test_id("stForm").filter(has_text="Save my answer")
    follow_up.get_by_role("radiogroup").get_by_text("Partly", exact=True).click()
    follow_up.get_by_role("textbox", name="What got in the way?").fill("Staffing on nights")
    follow_up.get_by_role("button", name="Save my answer").click()
    expect(page.get_by_text("Thank you: your answer is saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Did you make the change?")).to_have_count(0)
    no_errors(page)
    with store_db.session(evaluated_server.env["CARELAB_DB"]) as db:
        rows = list(db.query("SELECT outcome, obstacles FROM evaluation_follow_ups"))
    assert rows == [{"outcome": "partly", "obstacles": "Staffing on nights"}]
