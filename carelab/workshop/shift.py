"""How the votes moved between a vote and its re-vote (see carelab.workshop.revote).

Participants are matched by their number in the workshop. For a question with a right
answer the shift says the share right before and after, and how many went from wrong to
right, right to wrong, or from one wrong answer to another; for any step, how many changed
their answer, and the commonest changes (from which answer to which).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_SWITCHES = 10


@dataclass(frozen=True)
class OptionShift:
    """One option (or scale point) in both votes: counts and shares of those who answered."""

    index: int
    label: str
    first: int
    second: int
    first_share: float
    second_share: float
    correct: bool | None


@dataclass(frozen=True)
class RankShift:
    """One ranked item's mean rank in both votes (1 is the top)."""

    index: int
    label: str
    first_mean: float | None
    second_mean: float | None


@dataclass(frozen=True)
class Switch:
    """How many changed from one answer to another."""

    before: str
    after: str
    count: int


@dataclass(frozen=True)
class VoteShift:
    """The first vote against the re-vote."""

    first_step_index: int
    first_answered: int
    second_answered: int
    both: int  # answered both votes
    changed: int  # of those who answered both
    right_first: float | None  # share right in the first vote; None without a right answer
    right_second: float | None
    wrong_to_right: int | None
    right_to_wrong: int | None
    wrong_to_wrong: int | None  # changed from one wrong answer to another
    options: tuple[OptionShift, ...] = ()
    ranks: tuple[RankShift, ...] = ()
    switches: tuple[Switch, ...] = ()

    @property
    def changed_label(self) -> str:
        """'N of M who voted twice changed their answer'."""
        return f"{self.changed} of {self.both} who voted twice changed their answer"


def _share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def vote_shift(
    first_step_index: int,
    first: Mapping[int, Any],
    second: Mapping[int, Any],
    correct: Callable[[Any], bool | None],
    label: Callable[[Any], Any],
    options: tuple[OptionShift, ...] = (),
    ranks: tuple[RankShift, ...] = (),
) -> VoteShift:
    """The shift between two votes, each {participant number: stored answer}."""
    both = [p for p in second if p in first]
    changed = [p for p in both if first[p] != second[p]]
    has_answer = any(correct(v) is not None for v in (*first.values(), *second.values()))
    moves: Counter[tuple[bool, bool]] = Counter(
        (bool(correct(first[p])), bool(correct(second[p]))) for p in changed
    )
    switches = Counter((str(label(first[p])), str(label(second[p]))) for p in changed)
    ranked = sorted(switches.items(), key=lambda item: (-item[1], item[0]))
    return VoteShift(
        first_step_index,
        len(first),
        len(second),
        len(both),
        len(changed),
        _share([bool(correct(v)) for v in first.values()]) if has_answer else None,
        _share([bool(correct(v)) for v in second.values()]) if has_answer else None,
        moves[(False, True)] if has_answer else None,
        moves[(True, False)] if has_answer else None,
        moves[(False, False)] if has_answer else None,
        options,
        ranks,
        tuple(Switch(a, b, n) for (a, b), n in ranked[:MAX_SWITCHES]),
    )
