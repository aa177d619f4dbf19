"""Marking answers: a score from 0 to 1, right or wrong, and the feedback to show.

Multiple choice gives partial credit: each option's weight (Moodle-style percent) is
added up; by default the right options share 100% and each wrong choice takes away the
same share, never below zero. Option order is shuffled per attempt (when the author
allows) from the attempt's seed, so a reload shows the same order and a new attempt a
new one.

A ranking gets full marks only for the right order. Any other order gets partial credit
by the normalised Spearman footrule: the places each item is away from its right place,
added up, as a share of the most that any order can be away (n²/2, rounded down, for n
items), taken from 1. A reversed order scores 0; a random order about a third. The
feedback shows the learner's order, the right one, and the sum that gave the score.

A numeric or short-text answer that matches one of the question's `wrong_answers` gets that
answer's own feedback, so "3" where 3.5 is right can be told what it missed.
"""

from __future__ import annotations

import fnmatch
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from carelab import answers
from carelab.answers import InvalidAnswer as InvalidAnswer
from carelab.answers import parse_number as parse_number
from carelab.content import schema
from carelab.learning import limits


@dataclass(frozen=True)
class OptionFeedback:
    """What to say about one option after answering."""

    text: str
    chosen: bool
    correct: bool
    feedback: str | None


@dataclass(frozen=True)
class Grade:
    """The mark for one answer and everything the learner should see about it."""

    score: float
    correct: bool
    options: tuple[OptionFeedback, ...]
    feedback: str | None
    explanation: str


def option_order(question: Any, seed: int) -> list[int]:
    """The order to show a choice question's options in, fixed for an attempt."""
    order = list(range(len(question.options)))
    if getattr(question, "shuffle", False):
        random.Random(f"{seed}:{question.id}").shuffle(order)  # noqa: S311 - not security
    return order


def _weights(question: schema.SingleChoice | schema.MultipleChoice) -> list[float]:
    right = [o.correct for o in question.options]
    share = 100.0 / max(1, sum(right))
    return [
        o.weight if o.weight is not None else (share if ok else -share)
        for o, ok in zip(question.options, right, strict=True)
    ]


def _choice(question: schema.SingleChoice | schema.MultipleChoice, response: Any) -> Grade:
    one = isinstance(question, schema.SingleChoice)
    chosen = answers.chosen_options(len(question.options), response, one)
    weights = _weights(question)
    score = min(1.0, max(0.0, sum(weights[i] for i in chosen) / 100.0))
    right = {i for i, o in enumerate(question.options) if o.correct}
    options = tuple(
        OptionFeedback(o.text, i in chosen, o.correct, o.feedback)
        for i, o in enumerate(question.options)
    )
    return Grade(round(score, 4), chosen == right, options, None, question.explanation)


def _numeric(question: schema.Numeric, response: Any) -> Grade:
    value = parse_number(response)
    ok = abs(value - question.answer) <= question.tolerance + 1e-9
    feedback = None
    if not ok:
        feedback = next(
            (
                w.feedback
                for w in question.wrong_answers
                if abs(value - w.answer) <= w.tolerance + 1e-9
            ),
            None,
        )
    return Grade(1.0 if ok else 0.0, ok, (), feedback, question.explanation)


def _normal(text: str, case_sensitive: bool) -> str:
    text = " ".join(str(text).split())
    return text if case_sensitive else text.casefold()


def _short(question: schema.ShortAnswer, response: Any) -> Grade:
    given = answers.short_text(response, question.case_sensitive)

    def matches(pattern: str) -> bool:
        return fnmatch.fnmatchcase(given, _normal(pattern, question.case_sensitive))

    ok = any(matches(pattern) for pattern in question.accepted)
    feedback = None
    if not ok:
        feedback = next((w.feedback for w in question.wrong_answers if matches(w.answer)), None)
    return Grade(1.0 if ok else 0.0, ok, (), feedback, question.explanation)


def _true_false(question: schema.TrueFalse, response: Any) -> Grade:
    ok = answers.true_or_false(response) == question.answer
    feedback = question.feedback_true if response else question.feedback_false
    return Grade(1.0 if ok else 0.0, ok, (), feedback, question.explanation)


def item_order(question: schema.Ranking, seed: int) -> list[int]:
    """The order a ranking's items start in for an attempt: shuffled, never the right one."""
    order = list(range(len(question.items)))
    random.Random(f"{seed}:{question.id}").shuffle(order)  # noqa: S311 - not security
    return order[::-1] if order == sorted(order) else order


def footrule(order: Sequence[int]) -> tuple[int, int]:
    """(places the items are away from their right places in all, the most possible)."""
    n = len(order)
    return sum(abs(place - item) for place, item in enumerate(order)), n * n // 2


def _numbered(items: Sequence[str], order: Sequence[int]) -> str:
    return " · ".join(f"{place}. {items[i]}" for place, i in enumerate(order, 1))


def _ranking(question: schema.Ranking, response: Any) -> Grade:
    items = list(question.items)
    order = answers.ranking(len(items), response, items)
    away, most = footrule(order)
    score = 1.0 - away / most
    in_place = sum(place == item for place, item in enumerate(order))
    lines = [f"Your order: {_numbered(items, order)}"]
    if away:
        lines += [
            "",
            f"The right order: {_numbered(items, range(len(items)))}",
            "",
            f"{in_place} of {len(items)} items in their right place. Partial credit: your "
            f"items are {away} place{'s' if away != 1 else ''} away from their right places "
            f"in all, of at most {most} for {len(items)} items, so the score is "
            f"1 − {away}/{most} = {score:.0%}.",
        ]
    return Grade(round(score, 4), away == 0, (), "\n".join(lines), question.explanation)


def grade(question: Any, response: Any) -> Grade:
    """Mark one answer to a question; raise InvalidAnswer when it cannot be marked."""
    if isinstance(question, schema.SingleChoice | schema.MultipleChoice):
        return _choice(question, response)
    if isinstance(question, schema.TrueFalse):
        return _true_false(question, response)
    if isinstance(question, schema.Numeric):
        return _numeric(question, response)
    if isinstance(question, schema.ShortAnswer):
        return _short(question, response)
    if isinstance(question, schema.Ranking):
        return _ranking(question, response)
    raise InvalidAnswer(f"Questions of kind '{question.kind}' cannot be marked.")


def check_and_grade(question: Any, response: Any) -> tuple[Any, Grade]:
    """Check an answer's size and form, then grade it: (the response as stored, its grade).

    The one path every answer takes, in a module, a pre-test or a review: size limits
    first (carelab.learning.limits), a numeric answer read as a number, then the grade.
    """
    limits.check_answer(question, response)
    if isinstance(question, schema.Numeric):
        response = parse_number(response)
    if isinstance(question, schema.Ranking):
        # A tuple: an order, which encode keeps (a list of chosen options it sorts).
        response = answers.ranking(len(question.items), response, list(question.items))
    return response, grade(question, response)


def encode(response: Any) -> str:
    """A response as stored: canonical JSON, so equal answers compare equal.

    A list (chosen options) is sorted; a tuple (a ranking's order) keeps its order.
    """
    if isinstance(response, list):
        response = sorted(response)
    return json.dumps(response, sort_keys=True)


def decode(stored: str) -> Any:
    """A stored response, back as the widget value it came from."""
    return json.loads(stored)
