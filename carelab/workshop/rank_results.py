"""A ranking step's results: each item's mean rank, best first, and where people put it.

Position 1 is the top. The mean rank is the average position the room gave an item (1 is
best); the distribution says how many put it in each position, so a split room (half put
it first, half last) is not hidden behind a middling mean.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RankedItem:
    """One item of a ranking: its mean position and how many put it in each position."""

    index: int  # in the step's options
    label: str
    mean_rank: float
    positions: tuple[int, ...]  # positions[k]: how many put it in position k + 1
    right_place: int | None  # its position (1 = top) in the right order, if there is one


@dataclass(frozen=True)
class RankingSummary:
    """The room's ranking: items sorted by mean rank, best (lowest) first."""

    n: int
    items: tuple[RankedItem, ...]


def ranking_summary(
    options: Sequence[str], orders: Sequence[Sequence[int]], right: Sequence[int] | None = None
) -> RankingSummary | None:
    """Mean rank and distribution of each option over the given orders; None with no answers."""
    valid = [list(o) for o in orders if sorted(o) == list(range(len(options)))]
    if not valid:
        return None
    size = len(options)
    places = {i: [order.index(i) + 1 for order in valid] for i in range(size)}
    right_place = {item: place for place, item in enumerate(right, 1)} if right else {}
    items = [
        RankedItem(
            i,
            options[i],
            statistics.fmean(places[i]),
            tuple(places[i].count(k) for k in range(1, size + 1)),
            right_place.get(i),
        )
        for i in range(size)
    ]
    items.sort(key=lambda item: (item.mean_rank, item.index))
    return RankingSummary(len(valid), tuple(items))


def ranking_of(step: Any, values: Sequence[Any]) -> RankingSummary | None:
    """The ranking summary of a workshop step's stored answers."""
    right = step.answer.get("order") if step.answer else None
    return ranking_summary(step.options, [v for v in values if isinstance(v, list)], right)
