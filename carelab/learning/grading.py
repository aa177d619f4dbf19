"""Marking answers: a score from 0 to 1, right or wrong, and the feedback to show.

Multiple choice gives partial credit: each option's weight (Moodle-style percent) is
added up; by default the right options share 100% and each wrong choice takes away the
same share, never below zero. Option order is shuffled per attempt (when the author
allows) from the attempt's seed, so a reload shows the same order and a new attempt a
new one.

A numeric or short-text answer that matches one of the question's `wrong_answers` gets that
answer's own feedback, so "3" where 3.5 is right can be told what it missed.
"""

from __future__ import annotations

import fnmatch
import json
import math
import random
import re
from dataclasses import dataclass
from typing import Any

from carelab.content import schema
from carelab.errors import CareLabError


class InvalidAnswer(CareLabError):
    """An answer that cannot be marked, e.g. text where a number is needed."""


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
    picked = response if isinstance(response, list) else [response]
    if any(not isinstance(i, int) or isinstance(i, bool) for i in picked):
        raise InvalidAnswer("Choose an option before checking your answer.")
    chosen = set(picked)
    if not chosen or not chosen <= set(range(len(question.options))):
        raise InvalidAnswer("Choose an option before checking your answer.")
    if isinstance(question, schema.SingleChoice) and len(chosen) != 1:
        raise InvalidAnswer("Choose one option.")
    weights = _weights(question)
    score = min(1.0, max(0.0, sum(weights[i] for i in chosen) / 100.0))
    right = {i for i, o in enumerate(question.options) if o.correct}
    options = tuple(
        OptionFeedback(o.text, i in chosen, o.correct, o.feedback)
        for i, o in enumerate(question.options)
    )
    return Grade(round(score, 4), chosen == right, options, None, question.explanation)


def parse_number(text: Any) -> float:
    """Read a number as people type it: spaces, a comma for thousands or a decimal comma."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = float(text)
    else:
        cleaned = str(text).strip().replace(" ", "").replace("\u00a0", "")
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", cleaned):
            cleaned = cleaned.replace(",", "")
        elif re.fullmatch(r"-?\d+,\d+", cleaned):
            cleaned = cleaned.replace(",", ".")
        try:
            value = float(cleaned.rstrip("%"))
        except ValueError:
            raise InvalidAnswer(f"'{text}' is not a number. Type digits, e.g. 3.5") from None
    if not math.isfinite(value):
        raise InvalidAnswer("Type a finite number, e.g. 3.5")
    return value


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
    given = _normal(response, question.case_sensitive)
    if not given:
        raise InvalidAnswer("Type an answer before checking it.")

    def matches(pattern: str) -> bool:
        return fnmatch.fnmatchcase(given, _normal(pattern, question.case_sensitive))

    ok = any(matches(pattern) for pattern in question.accepted)
    feedback = None
    if not ok:
        feedback = next((w.feedback for w in question.wrong_answers if matches(w.answer)), None)
    return Grade(1.0 if ok else 0.0, ok, (), feedback, question.explanation)


def _true_false(question: schema.TrueFalse, response: Any) -> Grade:
    if not isinstance(response, bool):
        raise InvalidAnswer("Choose true or false.")
    ok = response == question.answer
    feedback = question.feedback_true if response else question.feedback_false
    return Grade(1.0 if ok else 0.0, ok, (), feedback, question.explanation)


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
    raise InvalidAnswer(f"Questions of kind '{question.kind}' cannot be marked.")


def encode(response: Any) -> str:
    """A response as stored: canonical JSON, so equal answers compare equal."""
    if isinstance(response, list):
        response = sorted(response)
    return json.dumps(response, sort_keys=True)


def decode(stored: str) -> Any:
    """A stored response, back as the widget value it came from."""
    return json.loads(stored)
