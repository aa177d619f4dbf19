"""Spaced retrieval: who enters the review queue, when questions return, when they leave."""

from __future__ import annotations

from datetime import date

import icalendar
import pytest

from carelab.learning import review

NOW = 1_800_000_000.0
DAY = review.DAY_SECONDS


@pytest.mark.parametrize(
    ("correct", "confidence", "enters"),
    [
        (False, None, True),
        (False, "high", True),
        (True, "low", True),  # right, but a guess: worth seeing again
        (True, "medium", False),
        (True, "high", False),
        (True, None, False),  # a module without confidence: right is right
    ],
)
def test_wrong_or_unsure_first_answers_enter_the_queue(correct, confidence, enters):
    assert review.enters_review(correct, confidence) is enters


def test_a_question_returns_at_expanding_intervals_and_leaves_after_two_confident_rights():
    item = review.first_review("teamwork", "quiz", "q1", NOW)
    assert item.due_at == NOW + 2 * DAY
    item = review.after_review(item, True, "high", item.due_at)
    assert (item.stage, item.confident_streak) == (1, 1)
    assert item.due_at - (NOW + 2 * DAY) == 7 * DAY
    assert review.after_review(item, True, "medium", item.due_at) is None  # two in a row


def test_a_wrong_answer_starts_again_and_an_unsure_right_one_resets_the_run():
    item = review.first_review("teamwork", "quiz", "q1", NOW)
    item = review.after_review(item, True, "high", NOW + 2 * DAY)  # stage 1, streak 1
    unsure = review.after_review(item, True, "low", NOW + 9 * DAY)
    assert (unsure.stage, unsure.confident_streak) == (1, 0)
    assert unsure.due_at == NOW + 9 * DAY + 7 * DAY
    wrong = review.after_review(unsure, False, "high", NOW + 16 * DAY)
    assert (wrong.stage, wrong.confident_streak) == (0, 0)
    assert wrong.due_at == NOW + 16 * DAY + 2 * DAY


def test_the_longest_interval_is_the_last_and_bad_confidence_is_refused():
    item = review.ReviewItem("m", "s", "q", 3, 0, NOW, NOW)
    later = review.after_review(item, True, "low", NOW)
    assert later.due_at == NOW + 60 * DAY
    with pytest.raises(ValueError, match="confidence"):
        review.after_review(item, True, "certain", NOW)


def test_a_session_takes_the_most_overdue_ten():
    items = [review.ReviewItem("m", "s", f"q{i:02}", 0, 0, NOW - i * 3600, NOW) for i in range(15)]
    items.append(review.ReviewItem("m", "s", "later", 0, 0, NOW + DAY, NOW))
    chosen = review.session(items, NOW)
    assert len(chosen) == 10
    assert chosen[0].question_id == "q14" and "later" not in {i.question_id for i in chosen}
    assert len(review.due(items, NOW)) == 15


def test_the_calendar_file_parses_with_one_all_day_event_per_day():
    items = [
        review.first_review("teamwork", "quiz", "q1", NOW),
        review.first_review("indicators", "quiz", "q2", NOW),
        review.ReviewItem("teamwork", "quiz", "q3", 1, 1, NOW + 10 * DAY, NOW),
    ]
    titles = {"teamwork": "Teams, integration, and care pathways", "indicators": "Measuring; what"}
    text = review.calendar(items, "k3y", "https://carelab.example/my_learning", NOW, titles)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    parsed = icalendar.Calendar.from_ical(text)
    events = list(parsed.walk("VEVENT"))
    assert len(events) == 2
    first, second = events
    assert first.decoded("DTSTART") == date(2027, 1, 17)  # NOW is 2027-01-15 08:00 UTC
    assert str(first["SUMMARY"]) == "CareLab review: 2 questions due"
    assert "Measuring; what" in str(first["DESCRIPTION"])  # escaped and read back
    assert str(second["SUMMARY"]) == "CareLab review: 1 question due"
    assert str(first["UID"]) != str(second["UID"])
    again = review.calendar(items, "k3y", "https://carelab.example/my_learning", NOW + 60, titles)
    assert [str(e["UID"]) for e in icalendar.Calendar.from_ical(again).walk("VEVENT")] == [
        str(first["UID"]),
        str(second["UID"]),
    ]  # re-importing updates the same events
