"""Review for the pages (both databases, a controlled clock): what is due and when, a session
of at most ten, an answer saved and rescheduled or learned, questions the catalogue cannot
show skipped and kept, and the calendar file read back by a calendar parser."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import icalendar
import pytest

from carelab import auth
from carelab.content.catalog import Catalog
from carelab.content.loader import load_yaml_text
from carelab.content.schema import Module
from carelab.errors import NotFound
from carelab.learning import review, review_services, reviews
from carelab.learning.progress import ProgressError
from carelab.learning.review_services import DueModule
from tests.unit.learning.test_reviews import MODULE_YAML, finish

DAY = review.DAY_SECONDS
LINK = "https://carelab.example/review"


def catalog_of(tmp_path, *modules: Module) -> Catalog:
    return Catalog(root=tmp_path, modules={m.id: m for m in modules})


@pytest.fixture
def module():
    return Module.model_validate(load_yaml_text(MODULE_YAML, "rv").data)


@pytest.fixture
def learner(db):
    return auth.create_account(db, "ann@example.org", "correct horse battery", "Ann")


@pytest.fixture
def queued(db, module, learner):
    """Ann completed the module: `pick` wrong, `tf` right but a guess, `num` right and sure."""
    finish(db, learner, module, [(1, "high"), (True, "low"), ("10", "high")])
    return reviews.queue(db, learner.id)[0].added_at


def test_due_after_the_interval_answered_and_rescheduled(tmp_path, module, learner, queued):
    cat, added = catalog_of(tmp_path, module), queued
    assert review_services.due_count(learner, cat, added + 2 * DAY - 1) == 0
    early = review_services.due_today(learner, cat, added + DAY)
    assert (early.count, early.modules, early.queued) == (0, (), 2)
    assert early.next_due == added + 2 * DAY

    due = review_services.due_today(learner, cat, added + 2 * DAY)
    assert (due.count, due.modules) == (2, (DueModule("rv", "Review module", 2),))
    session = review_services.next_session(learner, cat, added + 2 * DAY)
    assert [(q.module_title, q.step_id, q.question_id) for q in session] == [
        ("Review module", "quiz", "pick"),
        ("Review module", "quiz", "tf"),
    ]
    assert session[0].question is module.steps[0].questions[0]  # the catalogue's own object

    right = review_services.answer(learner, cat, "rv", "pick", 0, "high", added + 2 * DAY)
    assert right.grade.correct and right.back_at == added + 9 * DAY
    assert review_services.back_in(right) == "Back in 7 days."
    assert review_services.due_count(learner, cat, added + 2 * DAY) == 1  # saved at once
    wrong = review_services.answer(learner, cat, "rv", "tf", False, "medium", added + 2 * DAY)
    assert not wrong.grade.correct and review_services.back_in(wrong) == "Back in 2 days."
    assert review_services.due_count(learner, cat, added + 2 * DAY) == 0

    learned = review_services.answer(learner, cat, "rv", "pick", 0, "medium", added + 9 * DAY)
    assert learned.back_at is None
    assert review_services.back_in(learned) == "Learned: it has left your review queue."
    assert review_services.due_today(learner, cat, added + 9 * DAY).queued == 1  # tf only
    with pytest.raises(NotFound):  # answered twice (two tabs): the second finds it gone
        review_services.answer(learner, cat, "rv", "pick", 0, "medium", added + 9 * DAY)


def test_a_review_answer_needs_a_confidence(tmp_path, module, learner, queued):
    cat = catalog_of(tmp_path, module)
    with pytest.raises(ProgressError, match="how sure"):
        review_services.answer(learner, cat, "rv", "pick", 0, None, queued + 2 * DAY)
    assert review_services.due_count(learner, cat, queued + 2 * DAY) == 2  # nothing saved


def test_questions_the_catalogue_cannot_show_are_skipped_and_kept(
    db, tmp_path, module, learner, queued
):
    later = queued + 2 * DAY
    held_back = catalog_of(tmp_path)  # the module's file has a problem its authors are fixing
    assert review_services.due_count(learner, held_back, later) == 0
    assert review_services.next_session(learner, held_back, later) == []
    assert review_services.due_today(learner, held_back, later).queued == 0
    with pytest.raises(NotFound):
        review_services.answer(learner, held_back, "rv", "pick", 0, "high", later)
    # A new version without `tf`: only `pick` is asked.
    data = load_yaml_text(MODULE_YAML, "rv").data
    data["steps"][0]["questions"] = [q for q in data["steps"][0]["questions"] if q["id"] != "tf"]
    trimmed = catalog_of(tmp_path, Module.model_validate(data))
    assert [q.question_id for q in review_services.next_session(learner, trimmed, later)] == [
        "pick"
    ]
    # Both stay in the queue: a module that returns brings its questions back.
    assert [i.question_id for i in reviews.queue(db, learner.id)] == ["pick", "tf"]
    assert review_services.due_count(learner, catalog_of(tmp_path, module), later) == 2


def test_a_session_asks_at_most_ten_the_most_overdue_first(db, tmp_path, learner):
    questions = "\n".join(
        f"      - {{id: q{n:02d}, kind: true_false, prompt: Q{n}?, explanation: E, answer: true}}"
        for n in range(12)
    )
    text = MODULE_YAML.split("    questions:\n")[0] + "    questions:\n" + questions + "\n"
    big = Module.model_validate(load_yaml_text(text, "rv").data)
    finish(db, learner, big, [(False, "high")] * 12)
    cat = catalog_of(tmp_path, big)
    added = reviews.queue(db, learner.id)[0].added_at
    for n in range(3):  # answered again, so due later than the others
        review_services.answer(learner, cat, "rv", f"q{n:02d}", False, "high", added + DAY)
    now = added + 3 * DAY + 1
    assert review_services.due_count(learner, cat, now) == 12
    session = review_services.next_session(learner, cat, now)
    assert len(session) == review.SESSION_SIZE == 10
    assert [q.question_id for q in session] == [f"q{n:02d}" for n in range(3, 12)] + ["q00"]


def events(text: str) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(text).walk("VEVENT"))


def test_the_calendar_file_parses_and_names_no_one(db, tmp_path, module, learner, queued):
    cat = catalog_of(tmp_path, module)
    text = review_services.calendar_file(learner, cat, LINK, queued)
    found = events(text)
    assert len(found) == 1
    event = found[0]
    due_day = datetime.fromtimestamp(queued + 2 * DAY, UTC).date()
    assert event.decoded("DTSTART") == due_day and isinstance(event.decoded("DTSTART"), date)
    assert str(event["SUMMARY"]) == "CareLab review: 2 questions due"
    assert "Review module" in str(event["DESCRIPTION"]) and str(event["URL"]) == LINK
    uid = str(event["UID"])
    key = uid.removeprefix(f"review-{due_day:%Y%m%d}-").removesuffix("@carelab")
    assert re.fullmatch(r"[0-9a-f]{32}", key), uid  # a keyed hash, not the account's id
    assert "Ann" not in text and "ann@example.org" not in text
    # The same learner gets the same UIDs (a calendar updates its events); another, others.
    assert [str(e["UID"]) for e in events(review_services.calendar_file(learner, cat, LINK))] == [
        uid
    ]
    bo = auth.create_account(db, "bo@example.org", "correct horse battery", "Bo")
    finish(db, bo, module, [(1, "high"), (True, "high"), ("10", "high")])
    assert str(events(review_services.calendar_file(bo, cat, LINK))[0]["UID"]) != uid

    # After a review, the day moves: the file carries the new date.
    review_services.answer(learner, cat, "rv", "pick", 0, "high", queued + 2 * DAY)
    review_services.answer(learner, cat, "rv", "tf", True, "high", queued + 2 * DAY)
    moved = events(review_services.calendar_file(learner, cat, LINK, queued + 2 * DAY))
    assert [e.decoded("DTSTART") for e in moved] == [
        datetime.fromtimestamp(queued + 9 * DAY, UTC).date()
    ]
