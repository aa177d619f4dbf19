"""Spaced review for the pages: what is due, a short session, an answer, the calendar file.

Each opens its own connection, as carelab.learning.services does; a page gets frozen
dataclasses back and never sees a row or a connection. The rules are carelab.learning.review
and the kept queue carelab.learning.reviews.

A queued question whose module is not in the catalogue (held back while its authors fix it)
or no longer holds it (a new version dropped it) is skipped: left in the queue, untouched,
and counted nowhere, so a module that returns brings its questions back. Reading never
writes here, so a full or read-only disk still shows what is due.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from carelab.auth import User
from carelab.content.catalog import Catalog
from carelab.errors import NotFound
from carelab.learning import grading, review, reviews
from carelab.store import accounts as account_store
from carelab.store import db as store_db
from carelab.store.db import write_transaction

CALENDAR_KEY = "review_calendar_key"  # a random site key: the calendar's UIDs name nobody


@dataclass(frozen=True)
class DueModule:
    """How many questions of one module are due."""

    module_id: str
    title: str
    count: int


@dataclass(frozen=True)
class DueToday:
    """What is due now, by module, and when the next question comes due if none is."""

    count: int
    modules: tuple[DueModule, ...]
    queued: int  # every question in the learner's queue that can be shown
    next_due: float | None  # the soonest due time among the queue, None when it is empty


@dataclass(frozen=True)
class ReviewQuestion:
    """One question of a review session, found again in its module as it is now."""

    module_id: str
    module_title: str
    step_id: str
    question_id: str
    question: Any  # a carelab.content.schema question
    sources: dict[str, str]  # the module's sources by id, as the player cites them


@dataclass(frozen=True)
class ReviewOutcome:
    """A review answer marked: its grade, and when the question comes back (None: learned)."""

    grade: grading.Grade
    confidence: str
    back_at: float | None
    answered_at: float


def _now(now: float | None) -> float:
    return time.time() if now is None else now


def _found(item: review.ReviewItem, catalog: Catalog) -> ReviewQuestion | None:
    module = catalog.modules.get(item.module_id)
    if module is None:
        return None
    try:
        question = reviews.question_for(item, module, catalog.cases)
    except NotFound:
        return None
    cited = {s.id: s.citation + (f" {s.url}" if s.url else "") for s in module.sources}
    return ReviewQuestion(module.id, module.title, item.step_id, item.question_id, question, cited)


def _showable(user: User, catalog: Catalog) -> list[review.ReviewItem]:
    """The learner's queue without the questions the catalogue cannot show now."""
    with store_db.session() as db:
        queued = reviews.queue(db, user.id)
    return [item for item in queued if _found(item, catalog) is not None]


def due_count(user: User, catalog: Catalog, now: float | None = None) -> int:
    """How many of the learner's review questions are due now (for the navigation)."""
    return len(review.due(_showable(user, catalog), _now(now)))


def due_today(user: User, catalog: Catalog, now: float | None = None) -> DueToday:
    """What is due now, by module in title order, with the size of the queue."""
    showable = _showable(user, catalog)
    found = review.due(showable, _now(now))
    counts = Counter(item.module_id for item in found)
    modules = sorted(
        (DueModule(mid, catalog.modules[mid].title, n) for mid, n in counts.items()),
        key=lambda m: (m.title, m.module_id),
    )
    soonest = min((item.due_at for item in showable), default=None)
    return DueToday(len(found), tuple(modules), len(showable), soonest)


def next_session(user: User, catalog: Catalog, now: float | None = None) -> list[ReviewQuestion]:
    """The questions of the next review session: the most overdue, at most review.SESSION_SIZE."""
    picked = review.session(_showable(user, catalog), _now(now))
    return [q for q in (_found(item, catalog) for item in picked) if q is not None]


def answer(
    user: User,
    catalog: Catalog,
    module_id: str,
    question_id: str,
    response: Any,
    confidence: str | None,
    now: float | None = None,
) -> ReviewOutcome:
    """Mark one review answer and save it at once: the question rescheduled or learned.

    ProgressError without a confidence; NotFound when the question has left the queue or
    its module the catalogue.
    """
    at = _now(now)
    module = catalog.module(module_id)
    with store_db.session() as db:
        grade, after = reviews.answer(
            db, user.id, module, catalog.cases, question_id, response, confidence, at
        )
    return ReviewOutcome(grade, str(confidence), None if after is None else after.due_at, at)


def learner_key(user: User) -> str:
    """A stable key for the learner's calendar events that names nobody (an HMAC of the id)."""
    with store_db.session() as db, write_transaction(db):
        site = account_store.setting(db, CALENDAR_KEY, lambda: secrets.token_urlsafe(32))
    mac = hmac.new(site.encode(), f"review:{user.id}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def calendar_file(user: User, catalog: Catalog, link: str, now: float | None = None) -> str:
    """The learner's review due dates as an iCalendar (.ics) file; `link` opens Review."""
    titles = {m.id: m.title for m in catalog.modules.values()}
    items = _showable(user, catalog)
    return review.calendar(items, learner_key(user), link, _now(now), titles)


def back_in(outcome: ReviewOutcome) -> str:
    """When the question comes back, in words: "Back in 7 days", or that it was learned."""
    if outcome.back_at is None:
        return "Learned: it has left your review queue."
    days = round((outcome.back_at - outcome.answered_at) / review.DAY_SECONDS)
    return f"Back in {days} day{'s' if days != 1 else ''}."
