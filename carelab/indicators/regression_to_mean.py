"""Regression to the mean: flag the worst units in year one, do nothing, and watch year two.

Everything here is SIMULATED, so the truth is known. Each unit (a hospital) has a true death
rate that stays the same in both years unless an intervention changes it; each year's
observed rate is that true rate plus the luck of a binomial draw. The units with the worst
observed rates in year one are flagged. Their year-one rates are partly bad quality and
partly bad luck; the luck does not repeat, so in year two they "improve" even if nothing was
done. Split the flagged units at random into an intervention arm and a control arm, and the
control arm improves just as much: the difference between the arms is the effect, and
regression to the mean cancels out.

Rates of a group are the plain mean of its units' rates, as a reader of a league table sees
them. Everything is computed for many seeded runs at once (arrays of runs x units).

Source: Barnett AG, van der Pols JC, Dobson AJ. Regression to the mean: what it is and how
to deal with it. Int J Epidemiol 2005;34:215-220 (the effect grows with the share of the
variation that is measurement noise, and a randomised control group is the design remedy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from carelab.indicators.funnel import InvalidOption

SUMMARY = (
    "year1", "year2", "true1", "true2", "apparent", "real", "chance", "looked_worse",
    "arm_change", "control_change", "randomised_estimate", "true_effect",
)  # fmt: skip


@dataclass(frozen=True)
class RtmSpec:
    """The settings of the simulated units; every field is a lever on the page."""

    seed: int = 2024
    units: int = 200
    patients: int = 300
    size_spread: float = 0.6
    baseline: float = 0.08
    quality_sd: float = 0.2
    flagged_share: float = 0.10
    odds_ratio: float = 1.0
    runs: int = 1000

    @property
    def flagged(self) -> int:
        """How many units are flagged each year."""
        return round(self.flagged_share * self.units)


@dataclass(frozen=True)
class RtmResult:
    """One run's units (the one shown) and every run's summary of the flagged units."""

    spec: RtmSpec
    units: pd.DataFrame
    runs: pd.DataFrame
    reliability: float

    def mean(self, column: str) -> float:
        """The mean of one summary column over all runs."""
        return float(self.runs[column].mean())

    def share_improved(self) -> float:
        """The share of runs in which the flagged units' rate fell from year one to year two."""
        return float((self.runs["apparent"] > 0).mean())


def _check(spec: RtmSpec) -> None:
    problems = [
        (spec.units < 10, f"units must be at least 10, not {spec.units}."),
        (spec.patients < 1, f"patients must be at least 1, not {spec.patients}."),
        (not 0 < spec.baseline < 1, f"baseline must lie between 0 and 1, not {spec.baseline}."),
        (spec.quality_sd < 0, f"quality_sd cannot be negative, not {spec.quality_sd}."),
        (spec.odds_ratio <= 0, f"odds_ratio must be above 0, not {spec.odds_ratio}."),
        (spec.runs < 1, f"runs must be at least 1, not {spec.runs}."),
    ]
    for bad, message in problems:
        if bad:
            raise InvalidOption(message)
    flagged = spec.flagged
    if flagged < 2 or flagged >= spec.units:
        raise InvalidOption(
            f"Flagging {spec.flagged_share:.0%} of {spec.units} units flags {flagged}; "
            "at least 2, and not every unit, must be flagged to split them into two arms."
        )


def _group_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The mean of `values` over the units in `mask`, one per run."""
    return (values * mask).sum(axis=1) / mask.sum(axis=1)


def simulate(spec: RtmSpec | None = None) -> RtmResult:
    """Simulate `runs` pairs of years, flag the worst, randomise the flagged, and summarise."""
    spec = spec or RtmSpec()
    _check(spec)
    rng = np.random.default_rng(spec.seed)
    shape = (spec.runs, spec.units)
    weight = rng.lognormal(0.0, spec.size_spread, shape)
    n = np.maximum(np.rint(spec.patients * weight / weight.mean(axis=1, keepdims=True)), 1)
    logit = special.logit(spec.baseline) + spec.quality_sd * rng.standard_normal(shape)
    true1 = special.expit(logit)
    year1 = rng.binomial(n.astype(np.int64), true1) / n
    # Flag the worst (highest rate) share in year one; random keys break ties fairly.
    count = spec.flagged
    worst = np.lexsort((rng.random(shape), -year1), axis=1)[:, :count]
    flagged = np.zeros(shape, dtype=bool)
    np.put_along_axis(flagged, worst, True, axis=1)
    # Randomise the flagged: the first half of them in a random order get the intervention.
    # A fresh random order in every run: one order shared by all runs would always treat the
    # same year-one ranks, and bias the comparison of the arms.
    order = np.argsort(rng.random((spec.runs, count)), axis=1)[:, : count // 2]
    arm = np.zeros(shape, dtype=bool)
    np.put_along_axis(arm, np.take_along_axis(worst, order, axis=1), True, axis=1)
    true2 = np.where(arm, special.expit(logit + np.log(spec.odds_ratio)), true1)
    year2 = rng.binomial(n.astype(np.int64), true2) / n
    control = flagged & ~arm
    runs = pd.DataFrame(
        {
            "year1": _group_mean(year1, flagged), "year2": _group_mean(year2, flagged),
            "true1": _group_mean(true1, flagged), "true2": _group_mean(true2, flagged),
        }
    )  # fmt: skip
    runs["apparent"] = runs["year1"] - runs["year2"]
    runs["real"] = runs["true1"] - runs["true2"]
    runs["chance"] = runs["apparent"] - runs["real"]
    runs["looked_worse"] = runs["year1"] - runs["true1"]
    runs["arm_change"] = _group_mean(year1, arm) - _group_mean(year2, arm)
    runs["control_change"] = _group_mean(year1, control) - _group_mean(year2, control)
    runs["randomised_estimate"] = runs["arm_change"] - runs["control_change"]
    runs["true_effect"] = _group_mean(true1, arm) - _group_mean(true2, arm)
    units = pd.DataFrame(
        {
            "unit": [f"U{i + 1:03d}" for i in range(spec.units)],
            "patients": n[0].astype(np.int64), "true1": true1[0], "true2": true2[0],
            "year1": year1[0], "year2": year2[0], "flagged": flagged[0],
            "group": np.where(arm[0], "intervention", np.where(flagged[0], "control", "no")),
        }
    )  # fmt: skip
    # The share of the year-one spread between units that is true difference, not luck.
    share = np.var(true1, axis=1) / np.maximum(np.var(year1, axis=1), 1e-12)
    return RtmResult(spec, units, runs, float(np.mean(share)))


def _pct(value: float) -> str:
    return f"{value * 100:.2f}%"


def _points(value: float) -> str:
    return f"{value * 100:.2f} percentage points"


def summary_rows(result: RtmResult) -> dict[str, tuple[float, float]]:
    """Each headline number for the shown run and as the mean over all runs (proportions)."""
    runs = result.runs
    labels = {
        "Flagged hospitals' mean death rate, year one": "year1",
        "Their mean death rate, year two": "year2",
        "Apparent improvement of the flagged": "apparent",
        "True improvement (known truth)": "real",
        "Of which chance (regression to the mean)": "chance",
        "How much worse they looked in year one than they truly were": "looked_worse",
    }
    return {label: (float(runs[c].iloc[0]), float(runs[c].mean())) for label, c in labels.items()}


def trial_rows(result: RtmResult) -> dict[str, tuple[float, float, float, float]]:
    """The randomised comparison: this run, the mean, and the central 95% of the runs."""
    labels = {
        "Intervention arm: fall in death rate": "arm_change",
        "Control arm (nothing done): fall in death rate": "control_change",
        "Difference between the arms (the trial's estimate)": "randomised_estimate",
        "True effect on the intervention arm (known truth)": "true_effect",
    }
    out = {}
    for label, column in labels.items():
        values = result.runs[column]
        low, high = values.quantile([0.025, 0.975])
        out[label] = (float(values.iloc[0]), float(values.mean()), float(low), float(high))
    return out


def run_description(result: RtmResult) -> str:
    """The shown run in words: who was flagged, how much they 'improved' and why."""
    runs, spec = result.runs, result.spec
    first = runs.iloc[0]
    if spec.quality_sd == 0:
        truth = (
            f"Their true rates were {_pct(first['true1'])}, the same as every hospital's: "
            "here hospitals do not truly differ, so all of year one's excess was chance."
        )
    else:
        truth = (
            f"Their true rates averaged {_pct(first['true1'])}: worse than the typical "
            f"hospital's {_pct(spec.baseline)}, but not as bad as year one made them look."
        )
    return (
        f"The {spec.flagged} hospitals with the highest death rates in year one (mean "
        f"{_pct(first['year1'])}) had a mean of {_pct(first['year2'])} in year two: an "
        f"apparent improvement of {_points(first['apparent'])}, of which "
        f"{_points(first['real'])} was real and {_points(first['chance'])} chance. {truth} "
        f"Over {len(runs):,} simulated runs their rate fell in {result.share_improved():.0%}."
    )


def trial_description(result: RtmResult) -> str:
    """What the randomised control group shows, over all runs."""
    rows = trial_rows(result)
    arm, control, difference, truth = (value[1] for value in rows.values())
    low, high = rows["Difference between the arms (the trial's estimate)"][2:]
    return (
        f"Split the flagged hospitals at random into two arms. On average over the runs the "
        f"intervention arm's rate fell by {_points(arm)} and the control arm's, where nothing "
        f"was done, by {_points(control)}. The difference, {_points(difference)} (95% of runs "
        f"between {low * 100:.2f} and {high * 100:.2f}), estimates the true effect of "
        f"{_points(truth)}: the control group's fall is regression to the mean, and subtracting "
        "it removes it."
    )
