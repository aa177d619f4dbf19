"""Monitoring one surgeon or unit over time: the risk-adjusted CUSUM and the VLAD.

Sources (formulas only; no code copied):

- Steiner SH, Cook RJ, Farewell VT, Treasure T (2000). Monitoring surgical performance using
  risk-adjusted cumulative sum charts. Biostatistics 1(4):441-452. Patient t, with expected
  risk p_t of the outcome (death) and outcome y_t (1 = died), adds the log-likelihood ratio of
  an odds ratio R_A against R_0 (here R_0 = 1, "as expected"):

      W_t = y_t log(R_A / R_0) + log((1 - p_t + R_0 p_t) / (1 - p_t + R_A p_t))

  and the chart is X_t = max(0, X_{t-1} + W_t), X_0 = 0, signalling when X_t >= h. R_A = 2
  looks for a doubling of the odds of death (deterioration); R_A = 0.5 for a halving
  (improvement). Steiner et al. draw the improvement chart below zero, as -X_t; this module
  keeps every chart at or above zero, so "X_t >= h" reads the same for both.
- Lovegrove J, Valencia O, Treasure T, Sherlaw-Johnson C, Gallivan S (1997). Monitoring the
  results of cardiac surgery by variable life-adjusted display. Lancet 350(9085):1128-1130.
  The VLAD is the cumulative sum of expected minus observed, V_t = sum(p_i - y_i): the
  "statistical lives saved" above zero, lost below it.

Signals: `signal` is true at each patient where the chart reaches h from below. With
`reset`, the chart restarts at 0 after each signal (the next patient starts afresh), as
Steiner et al. describe; without it, the chart carries on and signals again only after it
has fallen below h and climbed back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carelab.indicators.funnel import IndicatorError

FIRST_WINDOW = 256
COLUMNS = ("patient", "outcome", "expected", "weight", "cusum", "signal", "vlad")
STEINER_2000 = (
    "Steiner SH, Cook RJ, Farewell VT, Treasure T (2000). Monitoring surgical performance "
    "using risk-adjusted cumulative sum charts. Biostatistics 1(4):441-452."
)
LOVEGROVE_1997 = (
    "Lovegrove J, Valencia O, Treasure T, Sherlaw-Johnson C, Gallivan S (1997). Monitoring "
    "the results of cardiac surgery by variable life-adjusted display. Lancet "
    "350(9085):1128-1130."
)


class InvalidMonitoring(IndicatorError):
    """Settings or data a CUSUM or VLAD cannot use; the message says which and where."""


@dataclass(frozen=True)
class Cusum:
    """A CUSUM chart: one weight and value per patient, and where it signalled."""

    weights: np.ndarray
    values: np.ndarray
    signals: np.ndarray  # bool, true where the chart reached h

    def signal_patients(self) -> list[int]:
        """The patients (numbered from 1) at which the chart signalled."""
        return [int(i) + 1 for i in np.flatnonzero(self.signals)]


def check_settings(odds_ratio: float, h: float) -> None:
    """Refuse an alternative odds ratio of 1 or below 0, or a control limit that is not > 0."""
    if not np.isfinite(odds_ratio) or odds_ratio <= 0 or odds_ratio == 1:
        raise InvalidMonitoring(
            f"The odds ratio to detect must be above 0 and not 1 (got {odds_ratio:g}): "
            "2 looks for a doubling of the odds, 0.5 for a halving."
        )
    if not np.isfinite(h) or h <= 0:
        raise InvalidMonitoring(f"The control limit h must be above 0 (got {h:g}).")


def _checked(outcomes: object, expected: object) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(outcomes, dtype=float)
    p = np.asarray(expected, dtype=float)
    if y.shape != p.shape or y.ndim not in (1, 2):
        raise InvalidMonitoring("Give one outcome and one expected risk for each patient.")
    if not np.isin(y, (0.0, 1.0)).all():
        raise InvalidMonitoring("Every outcome must be 0 (survived) or 1 (died).")
    if not ((p > 0) & (p < 1)).all():
        raise InvalidMonitoring("Every expected risk must be above 0 and below 1.")
    return y, p


def weights(outcomes: object, expected: object, odds_ratio: float) -> np.ndarray:
    """Steiner et al.'s log-likelihood-ratio weight of each patient for R_A against R_0 = 1."""
    y, p = _checked(outcomes, expected)
    check_settings(odds_ratio, 1.0)
    return y * np.log(odds_ratio) - np.log1p((odds_ratio - 1.0) * p)


def path(w: np.ndarray, start: float = 0.0) -> np.ndarray:
    """X_t = max(0, X_{t-1} + W_t) from X_0 = start, along the last axis, without a loop.

    Lindley's identity: X_t = C_t - min(-start, min_{s<=t} C_s), where C is the running sum
    of W (with start = 0, the familiar C_t - min(0, min_{s<=t} C_s)).
    """
    running = np.cumsum(w, axis=-1)
    return running - np.minimum(np.minimum.accumulate(running, axis=-1), -start)


def _crossings(values: np.ndarray, h: float) -> np.ndarray:
    above = values >= h
    before = np.concatenate([[False], above[:-1]])
    return above & ~before


def chart(w: np.ndarray, h: float, reset: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The CUSUM values and signals for one series of weights and control limit h."""
    w = np.asarray(w, dtype=float)
    if not reset:
        values = path(w)
        return values, _crossings(values, h)
    values = np.empty_like(w)
    signals = np.zeros(w.size, dtype=bool)
    # Look ahead in windows that double while the chart does not signal and shrink after
    # each signal, so many signals cost no more than a few (each window is vectorised).
    position, level, window = 0, 0.0, FIRST_WINDOW
    while position < w.size:
        segment = path(w[position : position + window], level)
        hit = np.flatnonzero(segment >= h)
        used = segment.size if hit.size == 0 else int(hit[0]) + 1
        values[position : position + used] = segment[:used]
        if hit.size:
            signals[position + used - 1] = True
            level, window = 0.0, FIRST_WINDOW
        else:
            level, window = float(segment[-1]), 2 * window
        position += used
    return values, signals


def cusum(
    outcomes: object, expected: object, odds_ratio: float = 2.0, h: float = 4.5, reset: bool = False
) -> Cusum:
    """Risk-adjusted Bernoulli CUSUM (Steiner et al. 2000) for patients in time order."""
    check_settings(odds_ratio, h)
    w = weights(outcomes, expected, odds_ratio)
    if w.ndim != 1:
        raise InvalidMonitoring("A CUSUM chart is drawn for one series of patients at a time.")
    values, signals = chart(w, h, reset)
    return Cusum(w, values, signals)


def vlad(outcomes: object, expected: object) -> np.ndarray:
    """VLAD (Lovegrove et al. 1997): cumulative expected minus observed deaths."""
    y, p = _checked(outcomes, expected)
    return np.cumsum(p - y, axis=-1)


def table(
    outcomes: object, expected: object, odds_ratio: float = 2.0, h: float = 4.5, reset: bool = False
) -> pd.DataFrame:
    """One row per patient: outcome, expected risk, weight, CUSUM, signal (0/1) and VLAD."""
    y, p = _checked(outcomes, expected)
    chart_ = cusum(y, p, odds_ratio, h, reset)
    return pd.DataFrame(
        {
            "patient": np.arange(1, y.size + 1),
            "outcome": y.astype(int),
            "expected": p,
            "weight": chart_.weights,
            "cusum": chart_.values,
            "signal": chart_.signals.astype(int),
            "vlad": vlad(y, p),
        }
    )[list(COLUMNS)]
