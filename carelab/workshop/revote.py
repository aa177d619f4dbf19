"""Vote, discuss, re-vote (peer instruction): one question asked twice with a talk between.

Mazur's pattern (E. Mazur, "Peer Instruction: A User's Manual", Prentice Hall, 1997; C. H.
Crouch and E. Mazur, "Peer Instruction: Ten years of experience and results", Am. J. Phys.
69:970, 2001): everyone votes alone, talks it over with a neighbour, then votes again, and
the room sees how the votes moved. A plan's poll or question with `revote: true` becomes
three workshop steps when the workshop is created: the vote, a discussion, and the re-vote,
which names the step it repeats in its extra data (`revote_of`). Answers stay keyed by step
index, so the answer path is the same as for any step; only the results compare the two.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from carelab.content.schema import REVOTE_PROMPT

# Steps here are carelab.workshop.steps.WorkshopStep, which imports this module: they are
# typed Any so that the two do not import each other.
WorkshopStep = Any

REVOTE_OF = "revote_of"
DISCUSSION_OF = "discussion_of"
# Set by the content conversion, consumed by ask_twice: never left in a snapshot.
_ASK_TWICE = "ask_twice"
DISCUSSION_NOTES = (
    "**Vote, discuss, re-vote.** Keep the first vote's results hidden: people argue better "
    "for an answer they have not yet seen win. Give the room two to four minutes, then open "
    "the re-vote; its results show how the votes moved."
)


def marker(item: Any) -> dict[str, Any]:
    """The extra data that asks ask_twice to repeat a content poll or question, if it says so."""
    if not getattr(item, "revote", False):
        return {}
    return {_ASK_TWICE: [item.revote_prompt or REVOTE_PROMPT, item.discussion_minutes]}


def ask_twice(steps: list[WorkshopStep]) -> list[WorkshopStep]:
    """Steps with each marked one as three: the vote, a discussion, the re-vote."""
    out: list[WorkshopStep] = []
    for step in steps:
        if _ASK_TWICE not in step.extra:
            out.append(step)
            continue
        extra = {k: v for k, v in step.extra.items() if k != _ASK_TWICE}
        prompt, minutes = step.extra[_ASK_TWICE]
        first = len(out)
        out.append(replace(step, title=f"{step.title} (vote)", extra=extra))
        out.append(
            replace(
                step,
                id=f"{step.id}.discuss",
                kind="discussion",
                title=f"{step.title} (discuss)",
                prompt=prompt,
                minutes=minutes,
                mode=None,
                options=(),
                scale_low=None,
                scale_high=None,
                unit=None,
                answer=None,
                explanation=None,
                extra={DISCUSSION_OF: first},
                facilitator_notes=DISCUSSION_NOTES,
            )
        )
        out.append(
            replace(
                step,
                id=f"{step.id}.revote",
                title=f"{step.title} (re-vote)",
                extra={**extra, REVOTE_OF: first},
                facilitator_notes="",
            )
        )
    return out


def repeats(step: WorkshopStep) -> int | None:
    """The index of the step a re-vote repeats, or None for any other step."""
    index = step.extra.get(REVOTE_OF)
    return index if isinstance(index, int) else None
