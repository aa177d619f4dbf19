"""The review queue kept: filled when a module is completed, answered question by question.

The rules are carelab.learning.review (pure); this module keeps each learner's queue in the
database. Completing a module (carelab.learning.progress.complete, in the same transaction)
puts each scored question whose first answer was wrong, or right with low confidence, in the
queue; a question already there keeps its place. A review answer is graded as in the module,
but it changes only the queue: the module's record and certificate stay as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from carelab.content import schema
from carelab.errors import NotFound
from carelab.learning import grading, review
from carelab.learning.progress import ProgressError, check_confidence, scored_questions
from carelab.store import Connection
from carelab.store import reviews as store
from carelab.store.db import write_transaction

FULL_MARKS = 1.0


def _item(row: dict[str, Any]) -> review.ReviewItem:
    return review.ReviewItem(**row)


def queue(db: Connection, user_id: int) -> list[review.ReviewItem]:
    """A learner's whole review queue, soonest due first."""
    return [_item(row) for row in store.items_of(db, user_id)]


def due_now(db: Connection, user_id: int, now: float) -> list[review.ReviewItem]:
    """The questions due for review now, most overdue first."""
    return review.due(queue(db, user_id), now)


def question_for(
    item: review.ReviewItem, module: schema.Module, cases: Mapping[str, schema.Case] | None
) -> Any:
    """The question a queued item asks, from the module as it is now (NotFound if removed)."""
    for step_id, answer_id, question in scored_questions(module, cases):
        if (step_id, answer_id) == (item.step_id, item.question_id):
            return question
    raise NotFound("This question is no longer in its module.")


def answer(
    db: Connection,
    user_id: int,
    module: schema.Module,
    cases: Mapping[str, schema.Case] | None,
    question_id: str,
    response: Any,
    confidence: str | None,
    now: float,
) -> tuple[grading.Grade, review.ReviewItem | None]:
    """Grade a review answer and reschedule (or retire) its question, in one transaction.

    Returns the grade and the item as rescheduled, or None when it has left the queue.
    """
    level = check_confidence(confidence)
    if level is None:
        raise ProgressError("Choose how sure you are before checking your answer.")
    with write_transaction(db):
        row = store.item(db, user_id, module.id, question_id)
        if row is None:
            raise NotFound("This question is not in your review queue.")
        item = _item(row)
        question = question_for(item, module, cases)
        response, result = grading.check_and_grade(question, response)
        after = review.after_review(item, result.score >= FULL_MARKS, level, now)
        if after is None:
            store.remove(db, user_id, module.id, question_id)
        else:
            store.reschedule(db, user_id, asdict(after), now)
    return result, after
