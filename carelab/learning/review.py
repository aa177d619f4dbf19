"""Spaced retrieval: which questions come back for review, and when.

After a module, a question the learner got wrong on their first answer, or right but with
low confidence, enters their review queue. It comes back at expanding intervals (2, 7, 21
and 60 days: the stages) and leaves the queue after two confident right answers in a row
(medium or high confidence). A wrong answer sends it back to the first stage; a right one
given with low confidence keeps it at its stage and starts the run of confident answers
again. Why at all: in Kerfoot and colleagues' trial, questions sent again after the
teaching improved what students still knew months later (Kerfoot et al., "Spaced education
improves the retention of clinical knowledge by medical students: a randomised controlled
trial", Medical Education, 2007; that trial sent them weekly). The expanding intervals
here are CareLab's choice, kept simple so that a learner can predict when a question
returns; docs/learners.md explains it.

Pure functions over a small frozen record: the store keeps the records, the pages ask
what is due.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

INTERVALS_DAYS = (2, 7, 21, 60)
CONFIDENT_RIGHT_TO_LEAVE = 2
CONFIDENCES = ("low", "medium", "high")
SESSION_SIZE = 10  # a review session is short: at most this many questions
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class ReviewItem:
    """One question in a learner's review queue."""

    module_id: str
    step_id: str  # the step holding the question, to find it again in the module
    question_id: str
    stage: int  # 0..len(INTERVALS_DAYS) - 1: which interval it waits now
    confident_streak: int  # confident right answers in a row so far
    due_at: float  # seconds since the epoch
    added_at: float


def _confident(confidence: str | None) -> bool:
    return confidence in ("medium", "high")


def enters_review(correct: bool, confidence: str | None) -> bool:
    """Whether a first answer in a module puts its question in the review queue."""
    return not correct or confidence == "low"


def first_review(module_id: str, step_id: str, question_id: str, now: float) -> ReviewItem:
    """A question entering the queue now: due after the first interval."""
    due_at = now + INTERVALS_DAYS[0] * DAY_SECONDS
    return ReviewItem(module_id, step_id, question_id, 0, 0, due_at, now)


def after_review(
    item: ReviewItem, correct: bool, confidence: str | None, now: float
) -> ReviewItem | None:
    """The item after a review answer, or None once it has left the queue."""
    if confidence is not None and confidence not in CONFIDENCES:
        raise ValueError(f"confidence must be one of {', '.join(CONFIDENCES)}")
    if not correct:
        stage, streak = 0, 0
    elif _confident(confidence):
        streak = item.confident_streak + 1
        if streak >= CONFIDENT_RIGHT_TO_LEAVE:
            return None
        stage = min(item.stage + 1, len(INTERVALS_DAYS) - 1)
    else:
        stage, streak = item.stage, 0
    due = now + INTERVALS_DAYS[stage] * DAY_SECONDS
    return replace(item, stage=stage, confident_streak=streak, due_at=due)


def due(items: list[ReviewItem], now: float) -> list[ReviewItem]:
    """The items due by now, longest overdue first."""
    return sorted((i for i in items if i.due_at <= now), key=lambda i: (i.due_at, i.question_id))


def session(items: list[ReviewItem], now: float, size: int = SESSION_SIZE) -> list[ReviewItem]:
    """The questions of one short review session: the most overdue, at most `size`."""
    return due(items, now)[:size]


# --- iCalendar -------------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, as RFC 5545 section 3.1 asks."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # not inside a UTF-8 character
            end -= 1
        parts.append(data[start:end].decode())
        start, limit = end, 74  # continuation lines start with a space
    return "\r\n ".join(parts)


def calendar(
    items: list[ReviewItem], learner_key: str, link: str, now: float, module_titles: dict[str, str]
) -> str:
    """An iCalendar file (RFC 5545) with one all-day event per day that has reviews due.

    `learner_key` makes the events' UIDs stable for this learner (re-importing updates
    them rather than adding copies) without naming the learner; `link` is where to review.
    """
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%SZ")
    by_day: dict[str, list[ReviewItem]] = {}
    for item in items:
        day = datetime.fromtimestamp(max(item.due_at, now), UTC).strftime("%Y%m%d")
        by_day.setdefault(day, []).append(item)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//CareLab//Review reminders//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:CareLab review",
    ]
    for day, found in sorted(by_day.items()):
        modules = sorted({module_titles.get(i.module_id, i.module_id) for i in found})
        count = len(found)
        summary = f"CareLab review: {count} question{'s' if count != 1 else ''} due"
        next_day = (datetime.strptime(day, "%Y%m%d") + timedelta(days=1)).strftime("%Y%m%d")
        lines += [
            "BEGIN:VEVENT",
            f"UID:review-{day}-{learner_key}@carelab",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day}",
            f"DTEND;VALUE=DATE:{next_day}",
            f"SUMMARY:{_escape(summary)}",
            f"DESCRIPTION:{_escape('From: ' + '; '.join(modules) + '. Review at ' + link)}",
            f"URL:{link}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
