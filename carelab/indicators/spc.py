"""XmR (individuals and moving range) charts with the NHS "Making Data Count" rules.

Sources (formulas and published numbers only; no code copied):

- NHS England / NHS Improvement. Making Data Count (2019). Limits at mean +/- 2.66 x the mean
  moving range; four signals: a point outside the limits, a run of 7 on one side of the mean,
  7 points rising or falling, 2 of 3 points beyond a near ("two-sigma") limit.
- NHSRplotthedots (nhs-r-community, MIT), R/ptd_spc_standard.R and
  R/ptd_calculate_point_type.R: screening of moving ranges >= 3.267 x their mean, near limits
  at 2/3 of the limit distance, and exactly which points each rule marks.

How points are marked, following NHSRplotthedots:

- "outside_limits": strictly above the upper or below the lower process limit.
- "shift": every point of a run of >= 7 consecutive points strictly on one side of the mean;
  a point exactly on the mean breaks the run.
- "trend": every point of a run of >= 7 points, each strictly above (or each strictly below)
  the one before; an equal neighbour breaks the run.
- "two_of_three": within 3 consecutive points all strictly on the same side of the mean, at
  least 2 lie beyond the near limit on that side but inside the process limit; only those
  points are marked. A point outside the limits does not count towards this rule.

Defined results where NHSRplotthedots gives NaN: one point, or no variation at all, gives a
mean moving range of 0, so every limit equals the mean and no rule fires.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from carelab.indicators.funnel import IndicatorError

LIMIT = 2.66
NEAR = 2.0 * LIMIT / 3.0
SCREEN = 3.267
RUN = 7
COLUMNS = ("period", "value", "mean", "lower", "upper", "near_lower", "near_upper", "rules")

RULES: dict[str, str] = {
    "outside_limits": (
        "The point lies above the upper or below the lower process limit "
        "(NHS England, Making Data Count)."
    ),
    "shift": (
        "The point is one of 7 or more in a row on the same side of the mean "
        "(NHS England, Making Data Count; marking as in NHSRplotthedots)."
    ),
    "trend": (
        "The point is one of 7 or more in a row that each rise, or each fall "
        "(NHS England, Making Data Count; marking as in NHSRplotthedots)."
    ),
    "two_of_three": (
        "The point is one of 2 out of 3 in a row beyond the same near limit, on one side "
        "of the mean (NHS England, Making Data Count; marking as in NHSRplotthedots)."
    ),
}


class InvalidSeries(IndicatorError):
    """A series that cannot be charted; the message names the period."""


def _series(values: object, periods: Sequence[object] | None) -> tuple[np.ndarray, np.ndarray]:
    try:
        y = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise InvalidSeries("Every value in an XmR chart must be a number.") from None
    if y.ndim != 1 or y.size == 0:
        raise InvalidSeries("An XmR chart needs at least one value.")
    labels = np.arange(1, y.size + 1) if periods is None else np.asarray(list(periods))
    if labels.size != y.size:
        raise InvalidSeries(f"Got {y.size} values but {labels.size} periods; give one of each.")
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise InvalidSeries(f"The value for period {labels[bad[0]]} is missing or infinite.")
    return y, labels


def mean_moving_range(values: np.ndarray, screen: bool = True) -> float:
    """Mean absolute difference between neighbours, optionally screened for outliers."""
    mr = np.abs(np.diff(values))
    if mr.size == 0:
        return 0.0
    average = float(mr.mean())
    if screen and average > 0:
        # At least one range is <= the mean < 3.267 x the mean, so the set is never empty.
        average = float(mr[mr < SCREEN * average].mean())
    return average


def _run_lengths(labels: np.ndarray) -> np.ndarray:
    """For each element, the length of the run of equal labels it belongs to."""
    if labels.size == 0:
        return np.zeros(0, dtype=int)
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    lengths = np.diff(np.r_[starts, labels.size])
    return np.repeat(lengths, lengths)


def _shift(side: np.ndarray) -> np.ndarray:
    return (side != 0) & (_run_lengths(side) >= RUN)


def _trend(y: np.ndarray) -> np.ndarray:
    steps = np.sign(np.diff(y))
    # A run of RUN - 1 equal, non-zero steps covers RUN points: both ends of each step.
    in_run = (steps != 0) & (_run_lengths(steps) >= RUN - 1)
    marked = np.zeros(y.size, dtype=bool)
    marked[:-1] |= in_run
    marked[1:] |= in_run
    return marked


def _two_of_three(close: np.ndarray, side: np.ndarray) -> np.ndarray:
    marked = np.zeros(close.size, dtype=bool)
    if close.size < 3:
        return marked
    windows = np.lib.stride_tricks.sliding_window_view
    hits = (windows(close, 3).sum(axis=1) >= 2) & (np.abs(windows(side, 3).sum(axis=1)) == 3)
    for offset in range(3):  # a point belongs to the windows starting 0, 1 or 2 before it
        marked[offset : offset + hits.size] |= hits
    return marked & close


def _rules(
    y: np.ndarray, centre: float, limits: tuple[float, float, float, float]
) -> list[tuple[str, ...]]:
    lower, upper, near_lower, near_upper = limits
    outside = (y > upper) | (y < lower)
    side = np.sign(y - centre).astype(int)
    close = ~outside & ((y < near_lower) | (y > near_upper))
    fired = {
        "outside_limits": outside,
        "shift": _shift(side),
        "trend": _trend(y),
        "two_of_three": _two_of_three(close, side),
    }
    return [tuple(name for name in RULES if fired[name][i]) for i in range(y.size)]


def xmr(
    values: object, periods: Sequence[object] | None = None, screen: bool = True
) -> pd.DataFrame:
    """XmR chart: one row per period with the mean, process and near limits, and rules fired.

    Values must be in time order; periods default to 1, 2, ... n.
    """
    y, labels = _series(values, periods)
    # With no variation, use the value itself so rounding in mean() cannot put points off it.
    centre = float(y[0]) if np.ptp(y) == 0 else float(y.mean())
    spread = mean_moving_range(y, screen)
    limits = (
        centre - LIMIT * spread,
        centre + LIMIT * spread,
        centre - NEAR * spread,
        centre + NEAR * spread,
    )
    frame = pd.DataFrame({"period": labels, "value": y, "mean": centre})
    for name, limit in zip(("lower", "upper", "near_lower", "near_upper"), limits, strict=True):
        frame[name] = limit
    frame["rules"] = _rules(y, centre, limits)
    return frame[list(COLUMNS)]
