"""The numbers of a ranking and of a re-vote's shift as table rows, for the summary exports.

Pure: each function takes the aggregate's dataclasses and returns (header, rows) pairs that
carelab.workshop.summary writes as Markdown tables and PDF grids.
"""

from __future__ import annotations

from typing import Any

from carelab.workshop.rank_results import RankingSummary
from carelab.workshop.shift import VoteShift

Rows = tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]]


def _mean(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def ranking_rows(ranking: RankingSummary) -> Rows:
    """Items best first: mean rank, how many put it in each position, and its right place."""
    size = len(ranking.items)
    right = any(item.right_place is not None for item in ranking.items)
    header = ("Item", "Mean rank", *(f"Position {k}" for k in range(1, size + 1)))
    header += ("Right place",) if right else ()
    rows = tuple(
        (
            item.label,
            _mean(item.mean_rank),
            *item.positions,
            *((item.right_place,) if right else ()),
        )
        for item in ranking.items
    )
    return header, rows


def shift_rows(shift: VoteShift) -> list[Rows]:
    """The first vote against the re-vote: totals, options or mean ranks, and the changes."""
    tables: list[Rows] = []
    totals = [("Answered", shift.first_answered, shift.second_answered)]
    if shift.right_first is not None:
        totals.append(("Right", _share(shift.right_first), _share(shift.right_second)))
    tables.append((("", "First vote", "Re-vote"), tuple(totals)))
    if shift.options:
        tables.append(
            (
                ("Option", "First vote", "Re-vote"),
                tuple(
                    (
                        o.label + (" (right)" if o.correct else ""),
                        f"{o.first} ({o.first_share:.0%})",
                        f"{o.second} ({o.second_share:.0%})",
                    )
                    for o in shift.options
                ),
            )
        )
    if shift.ranks:
        tables.append(
            (
                ("Item", "Mean rank, first vote", "Mean rank, re-vote"),
                tuple((r.label, _mean(r.first_mean), _mean(r.second_mean)) for r in shift.ranks),
            )
        )
    changes = [("Changed their answer", f"{shift.changed} of {shift.both} who voted twice")]
    if shift.wrong_to_right is not None:
        changes += [
            ("Wrong → right", shift.wrong_to_right),
            ("Right → wrong", shift.right_to_wrong),
            ("Wrong → another wrong answer", shift.wrong_to_wrong),
        ]
    tables.append((("Change", "People"), tuple(changes)))
    if shift.switches:
        tables.append(
            (
                ("From (first vote)", "To (re-vote)", "People"),
                tuple((s.before, s.after, s.count) for s in shift.switches),
            )
        )
    return tables
