"""What counts as an answer: the one place the player and the room check an answer's form.

Each rule takes what a widget or a phone sent and returns the answer in its stored form,
or raises InvalidAnswer with one sentence saying what to fix. Marking (scores, partial
credit, feedback) is the player's (carelab.learning.grading) and the room's
(carelab.workshop.steps.is_correct); the form of an answer is checked only here.

The room and the player word a few refusals differently because their buttons differ
("Send" on a phone, "Check my answer" in the player); the rules behind them are the same.
Pure: no Streamlit, no SQL.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from carelab.errors import CareLabError

SCALE = range(1, 6)
# A typed answer in the room and a short answer in the player: a long sentence.
MAX_OPEN_ANSWER = 280
# A number as typed: "1 234 567,89 %" is 14.
MAX_NUMBER_TEXT = 40
MAX_NUMBER = 1e12
NUMBER_MESSAGE = "Enter a number, such as 12 or 12.5."
_STRIPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})


class InvalidAnswer(CareLabError):
    """An answer that does not fit its question: the message says what to fix."""


def is_int(value: Any) -> bool:
    """Whether a value is an int and not a bool (JSON true must not pick option 1)."""
    return isinstance(value, int) and not isinstance(value, bool)


def parse_number(text: Any) -> float:
    """Read a number as people type it: spaces, a comma for thousands or a decimal comma."""
    if is_int(text) or isinstance(text, float):
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


def clean_text(text: str) -> str:
    """Text without control or format characters, whitespace runs collapsed, trimmed."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))
    # Cf holds bidi overrides and zero-width characters (spoofing); keep the zero-width
    # joiner, which emoji sequences need.
    kept = "".join(
        c for c in text if c == "\u200d" or unicodedata.category(c) not in _STRIPPED_CATEGORIES
    )
    return re.sub(r" {2,}", " ", kept).strip()


# --- the room's rules: what a phone may send for each mode ---------------------------


def single(options: int, value: Any) -> int:
    """One option's index out of `options`."""
    if not is_int(value) or not 0 <= value < options:
        raise InvalidAnswer("Choose one of the options.")
    return int(value)


def multiple(options: int, value: Any) -> list[int]:
    """At least one option index out of `options`, sorted, each once."""
    if not isinstance(value, list | tuple) or not all(
        is_int(v) and 0 <= v < options for v in value
    ):
        raise InvalidAnswer("Choose options from the list.")
    if not value:
        raise InvalidAnswer("Choose at least one option.")
    return sorted(set(value))


def scale(value: Any) -> int:
    """A whole number on the 1-5 scale."""
    if not is_int(value) or value not in SCALE:
        raise InvalidAnswer("Choose a whole number from 1 to 5.")
    return int(value)


def numeric(value: Any) -> float:
    """A number typed or sent as one, within ±MAX_NUMBER."""
    if isinstance(value, str) and (not value.strip() or len(value) > MAX_NUMBER_TEXT):
        raise InvalidAnswer(NUMBER_MESSAGE)
    if not (isinstance(value, str | float) or is_int(value)):
        raise InvalidAnswer(NUMBER_MESSAGE)
    try:
        number = parse_number(value)
    except InvalidAnswer:
        raise InvalidAnswer(NUMBER_MESSAGE) from None
    if abs(number) > MAX_NUMBER:
        raise InvalidAnswer("Enter a number between -1,000,000,000,000 and 1,000,000,000,000.")
    return number


def open_text(value: Any) -> str:
    """Typed text, cleaned, not empty and at most MAX_OPEN_ANSWER characters."""
    if not isinstance(value, str):
        raise InvalidAnswer("Write your answer as text.")
    text = clean_text(value)
    if not text:
        raise InvalidAnswer("Write an answer before sending it.")
    if len(text) > MAX_OPEN_ANSWER:
        raise InvalidAnswer(
            f"Keep your answer to {MAX_OPEN_ANSWER} characters; this one has {len(text)}."
        )
    return text


def ranking(items: int, value: Any, labels: list[str] | None = None) -> tuple[int, ...]:
    """An order of `items` items: each item's index once, the top-ranked first.

    `labels` (the items' texts) name a repeated or missing item in the message.
    """
    if not isinstance(value, list | tuple) or not all(is_int(v) for v in value):
        raise InvalidAnswer("Put the items in order before sending.")
    order = [int(v) for v in value]
    if any(not 0 <= i < items for i in order):
        raise InvalidAnswer(f"Use only the {items} items listed.")
    name = (lambda i: f"'{labels[i]}'") if labels else (lambda i: f"item {i + 1}")
    repeated = [i for i in dict.fromkeys(order) if order.count(i) > 1]
    if repeated:
        places = [str(p) for p, i in enumerate(order, 1) if i == repeated[0]]
        who = name(repeated[0])
        raise InvalidAnswer(
            f"{who[0].upper()}{who[1:]} is in positions {' and '.join(places)}: "
            "give each item one position."
        )
    missing = [i for i in range(items) if i not in order]
    if missing:
        raise InvalidAnswer(f"Give {name(missing[0])} a position: order all {items} items.")
    return tuple(order)


def by_mode(mode: str | None, options: int, value: Any) -> Any:
    """The room's answer to a step of `mode` in its stored form, or InvalidAnswer."""
    if mode == "single":
        return single(options, value)
    if mode == "multiple":
        return multiple(options, value)
    if mode == "scale":
        return scale(value)
    if mode == "numeric":
        return numeric(value)
    if mode == "open":
        return open_text(value)
    if mode == "ranking":
        return list(ranking(options, value))
    raise InvalidAnswer("This step takes no answers.")


# --- the player's rules: what a question's widget may give ---------------------------


def chosen_options(options: int, response: Any, one: bool) -> set[int]:
    """The option indexes a choice question's widget gave; `one` for single choice."""
    picked = response if isinstance(response, list) else [response]
    if any(not is_int(i) for i in picked):
        raise InvalidAnswer("Choose an option before checking your answer.")
    chosen = set(picked)
    if not chosen or not chosen <= set(range(options)):
        raise InvalidAnswer("Choose an option before checking your answer.")
    if one and len(chosen) != 1:
        raise InvalidAnswer("Choose one option.")
    return chosen


def true_or_false(response: Any) -> bool:
    """A true/false question's answer."""
    if not isinstance(response, bool):
        raise InvalidAnswer("Choose true or false.")
    return response


def short_text(response: Any, case_sensitive: bool) -> str:
    """A short answer with its spacing collapsed (and case folded unless it matters)."""
    text = " ".join(str(response).split())
    given = text if case_sensitive else text.casefold()
    if not given:
        raise InvalidAnswer("Type an answer before checking it.")
    return given
