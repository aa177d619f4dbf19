"""How much a learner may type into each field the self-paced side stores.

The bounds are far above honest use and there to keep one pasted book out of the database,
the reflective log PDF and the matching code. The same numbers are the widgets' max_chars,
so the player shows a counter; the core checks again, because a page is not the only client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from carelab import answers
from carelab.content import schema
from carelab.learning.errors import TextTooLong

# Each of What? / So what? / Now what?: about 800 words, two pages of the log PDF.
MAX_REFLECTION = 5000
# Each free text of the evaluation after a module and of its follow-up: about 300 words.
MAX_EVALUATION_TEXT = 2000
# A short answer, as the room's open answers: the same question takes the same answer in a
# workshop and on one's own. Accepted answers are a word or a phrase.
MAX_SHORT_ANSWER = answers.MAX_OPEN_ANSWER
# A number as typed, as the room's numeric answers.
MAX_NUMBER_TEXT = answers.MAX_NUMBER_TEXT


def answer_limit(question: Any) -> int | None:
    """How many characters a question's typed answer may have; None for choice questions."""
    if isinstance(question, schema.Numeric):
        return MAX_NUMBER_TEXT
    if isinstance(question, schema.ShortAnswer):
        return MAX_SHORT_ANSWER
    return None


def check_lengths(texts: Mapping[str, str], limit: int, action: str) -> None:
    """Raise TextTooLong naming every field of `texts` (label -> text) over `limit`."""
    over = [(label, len(text)) for label, text in texts.items() if len(text) > limit]
    if over:
        raise TextTooLong(over, limit, action)


def check_answer(question: Any, response: Any) -> None:
    """Raise TextTooLong when a typed answer is longer than its question allows."""
    limit = answer_limit(question)
    if limit is not None and isinstance(response, str):
        check_lengths({"Your answer": response}, limit, "check it again")
