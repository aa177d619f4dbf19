"""A simulated surgeon or unit over time, with a known excess risk from a chosen patient.

Everything here is simulated, so the truth is known: each patient's expected risk (what a
risk model would predict) is drawn from a made-up case mix, and from patient `excess_start`
on the true odds of death are `true_odds_ratio` times the expected odds. The CUSUM and VLAD
(carelab.indicators.cusum) then see only the outcomes and the expected risks, as a real
unit's charts do, and many seeded runs show how often the chart signals before the excess
(a false alarm) and how many patients after it starts it takes to signal (the run length).

The case mix is an assumption of this teaching model, not a published one: the log-odds of
each patient's expected risk are normal, centred on the log-odds of `median_risk`, with
standard deviation `spread`. The whole simulation is vectorised over runs: one (runs x
patients) array per quantity, and the CUSUM path by Lindley's identity (cusum.path).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from carelab.indicators import cusum
from carelab.indicators.cusum import InvalidMonitoring

MAX_PATIENTS = 20_000
MAX_RUNS = 5_000
ARL_COLUMNS = (
    "h",
    "false_alarm_share",
    "detected_share",
    "average_run_length",
    "median_run_length",
    "runs",
)


@dataclass(frozen=True)
class MonitoringSpec:
    """One simulated surgeon or unit: how many patients, and when and how much excess risk."""

    patients: int = 1000
    excess_start: int = 500  # the first patient (from 1) with the excess risk
    true_odds_ratio: float = 2.0  # 1 means no excess at all
    median_risk: float = 0.05
    spread: float = 1.0  # standard deviation of the log-odds of expected risk
    seed: int = 2000

    def check(self) -> None:
        """Raise InvalidMonitoring naming the setting that cannot be simulated."""
        if not 10 <= self.patients <= MAX_PATIENTS:
            raise InvalidMonitoring(f"Patients must be from 10 to {MAX_PATIENTS:,}.")
        if not 1 <= self.excess_start <= self.patients:
            raise InvalidMonitoring(
                f"The excess must start at a patient from 1 to {self.patients:,} "
                f"(got {self.excess_start})."
            )
        if not np.isfinite(self.true_odds_ratio) or self.true_odds_ratio <= 0:
            raise InvalidMonitoring("The true odds ratio must be above 0.")
        if not 0 < self.median_risk < 1 or self.spread < 0:
            raise InvalidMonitoring("The median risk must be between 0 and 1, the spread >= 0.")

    @property
    def has_excess(self) -> bool:
        """Whether the truth changes at all (an odds ratio of 1 is no change)."""
        return self.true_odds_ratio != 1


@dataclass(frozen=True)
class Patients:
    """Simulated patients, shape (runs, patients): expected and true risk, and outcomes."""

    expected: np.ndarray
    true_risk: np.ndarray
    outcomes: np.ndarray


def simulate(spec: MonitoringSpec, runs: int = 1) -> Patients:
    """Seeded patients for `runs` independent runs of the same surgeon or unit."""
    spec.check()
    if not 1 <= runs <= MAX_RUNS:
        raise InvalidMonitoring(f"Runs must be from 1 to {MAX_RUNS:,}.")
    rng = np.random.default_rng(spec.seed)
    shape = (runs, spec.patients)
    centre = np.log(spec.median_risk / (1 - spec.median_risk))
    log_odds = rng.normal(centre, spec.spread, shape)
    expected = 1.0 / (1.0 + np.exp(-log_odds))
    excess = np.zeros(spec.patients)
    excess[spec.excess_start - 1 :] = np.log(spec.true_odds_ratio)
    true_risk = 1.0 / (1.0 + np.exp(-(log_odds + excess)))
    outcomes = (rng.random(shape) < true_risk).astype(float)
    return Patients(expected, true_risk, outcomes)


def one_unit(spec: MonitoringSpec, odds_ratio: float, h: float, reset: bool) -> pd.DataFrame:
    """One simulated run as the CUSUM table, with each patient's true risk beside it."""
    patients = simulate(spec, 1)
    frame = cusum.table(patients.outcomes[0], patients.expected[0], odds_ratio, h, reset)
    frame.insert(3, "true_risk", patients.true_risk[0])
    frame["excess"] = (frame["patient"] >= spec.excess_start) & spec.has_excess
    return frame


def first_signals(values: np.ndarray, h: float) -> np.ndarray:
    """For each run (row), the first patient (from 1) whose CUSUM reaches h; 0 if none."""
    above = values >= h
    first = np.argmax(above, axis=1) + 1
    return np.where(above.any(axis=1), first, 0)


def run_lengths(
    spec: MonitoringSpec, odds_ratio: float, hs: Iterable[float], runs: int = 1000
) -> pd.DataFrame:
    """Over `runs` simulated runs, for each h: false alarms and the run length to a true signal.

    - false_alarm_share: runs whose first signal comes before the excess starts (with no
      excess at all, every signal is false).
    - detected_share: of the runs with no false alarm, those that signal by the last patient.
    - average_run_length / median_run_length: among those, patients from the start of the
      excess to the first signal, counting both (1 = the first patient with the excess).
      Runs that never signal are left out of both, so with a low detected share these
      understate the true average run length; the share says how much is left out.
    """
    limits = sorted({float(h) for h in hs})
    for h in limits:
        cusum.check_settings(odds_ratio, h)
    patients = simulate(spec, runs)
    w = cusum.weights(patients.outcomes, patients.expected, odds_ratio)
    values = cusum.path(w)
    start = spec.excess_start if spec.has_excess else spec.patients + 1
    rows = []
    for h in limits:
        first = first_signals(values, h)
        false_alarm = (first > 0) & (first < start)
        clean = ~false_alarm
        detected = clean & (first >= start)
        lengths = first[detected] - start + 1
        rows.append(
            {
                "h": h,
                "false_alarm_share": float(false_alarm.mean()),
                "detected_share": _share(detected.sum(), clean.sum()) if spec.has_excess else None,
                "average_run_length": float(lengths.mean()) if lengths.size else None,
                "median_run_length": float(np.median(lengths)) if lengths.size else None,
                "runs": runs,
            }
        )
    return pd.DataFrame(rows, columns=list(ARL_COLUMNS))


def _share(part: int, whole: int) -> float | None:
    return float(part / whole) if whole else None
