"""Indicator definitions and what they measure on a simulated population.

An `Indicator` is an immutable value: which measure (outcome, process, four-hour target
or its balancing measure), which denominator, whether exceptions are removed, which risk
adjustment, which mortality window and how many months. `measure()` turns one into a
provider table. Risk adjustment is indirect standardisation: a logistic model fitted on
the whole (reference) population gives each patient's expected risk, and each provider's
expected count E is the sum over its patients, so observed/expected sums to 1 overall.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from carelab.errors import CareLabError
from carelab.indicators.population import FOUR_HOURS, Population

Measure = Literal["mortality", "process", "four_hour", "near_breach", "composite"]
RiskAdjustment = Literal["none", "age_sex", "full"]

RISK_FEATURES: dict[str, tuple[str, ...]] = {
    "age_sex": ("age", "male"),
    "full": ("age", "male", "comorbidity", "deprivation"),
}
MEASURE_LABELS = {
    "mortality": "Mortality (outcome)",
    "process": "Recommended care given (process)",
    "four_hour": "Seen within 4 hours (target)",
    "near_breach": "Left in the 20 minutes before 4 hours (balancing measure)",
    "composite": "Composite score",
}
COMPOSITE_PARTS = ("mortality", "process", "four_hour")


@dataclass(frozen=True)
class Indicator:
    """How an indicator is defined; every field is a choice a measurer makes."""

    measure: Measure = "mortality"
    risk_adjustment: RiskAdjustment = "none"
    outcome_window: Literal["30_day", "in_hospital"] = "30_day"
    exceptions: Literal["removed", "counted"] = "removed"
    denominator: Literal["all", "major_only"] = "all"
    months: int = 12
    weights: tuple[float, float, float] = (1.0, 1.0, 1.0)

    def with_(self, **changes: object) -> Indicator:
        """Return a copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def kind(self) -> Literal["proportion", "ratio", "score"]:
        """Proportion for rates, ratio (O/E) once risk-adjusted, score for a composite."""
        if self.measure == "composite":
            return "score"
        adjusted = self.measure == "mortality" and self.risk_adjustment != "none"
        return "ratio" if adjusted else "proportion"

    @property
    def higher_is_better(self) -> bool:
        """Whether a higher value is better (process, four-hour, composite) or worse."""
        return self.measure in {"process", "four_hour", "composite"}

    def label(self) -> str:
        """A short human description of the definition."""
        parts = [MEASURE_LABELS[self.measure]]
        if self.measure == "mortality":
            parts.append("in hospital" if self.outcome_window == "in_hospital" else "30-day")
            parts.append(
                {"none": "crude", "age_sex": "adjusted for age and sex", "full": "fully adjusted"}[
                    self.risk_adjustment
                ]
            )
        if self.measure == "process":
            parts.append("exceptions removed" if self.exceptions == "removed" else "all patients")
        if self.measure in {"four_hour", "near_breach"}:
            parts.append("major A&E only" if self.denominator == "major_only" else "all types")
        if self.measure == "composite":
            weights = ", ".join(
                f"{part.replace('_', '-')} {weight:g}"
                for part, weight in zip(COMPOSITE_PARTS, self.weights, strict=True)
            )
            parts.append(f"weights {weights}")
        parts.append(f"last {self.months} months")
        return ", ".join(parts)


class NothingToMeasure(CareLabError):
    """No provider has anything in the denominator (e.g. no deaths expected anywhere)."""


def _recent(month: np.ndarray, population: Population, months: int) -> np.ndarray:
    return month >= population.spec.months - months


def expected_risk(population: Population, level: RiskAdjustment, window: str) -> np.ndarray:
    """Each patient's expected risk of death under a reference model (cached per population)."""
    key = ("risk", level, window)
    if key not in population.cache:
        outcome = population.patients["died_in_hospital" if window == "in_hospital" else "died"]
        if level == "none" or outcome.all() or not outcome.any():
            # Crude, or nothing to model when everyone (or no one) died: E is the mean.
            risk = np.full(outcome.shape, outcome.mean())
        else:
            # Imported here: scikit-learn takes a second to import, and only fitting needs it.
            from sklearn.linear_model import LogisticRegression

            columns = [population.patients[name] for name in RISK_FEATURES[level]]
            features = np.column_stack(columns)
            # Newton-Cholesky suits many patients and few features: 6x faster than lbfgs here.
            model = LogisticRegression(C=1e6, max_iter=100, solver="newton-cholesky")
            model.fit(features, outcome)
            risk = model.predict_proba(features)[:, 1]
            # Indirect standardisation: rescale so that E sums to O over the reference.
            risk *= outcome.sum() / risk.sum()
        population.cache[key] = risk
    return population.cache[key]


def _counts(provider: np.ndarray, weights: np.ndarray | None, size: int) -> np.ndarray:
    return np.bincount(provider, weights=weights, minlength=size).astype(float)


def measure(population: Population, indicator: Indicator) -> pd.DataFrame:
    """Return one row per provider: provider, numerator, denominator, value, true_quality.

    For proportions the denominator is the number of patients; for ratios it is the
    expected count E and value is O/E.
    """
    size = len(population.providers)
    if indicator.measure == "composite":
        return composite(population, indicator)
    if indicator.measure in {"four_hour", "near_breach"}:
        table = _attendance_measure(population, indicator, size)
    else:
        table = _patient_measure(population, indicator, size)
    numerator, denominator = table
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(denominator > 0, numerator / denominator, np.nan)
    frame = pd.DataFrame(
        {
            "provider": population.names,
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
            "true_quality": population.providers["true_quality"].to_numpy(),
        }
    )
    frame = frame[frame["denominator"] > 0].reset_index(drop=True)
    if frame.empty:
        what = "expected deaths" if indicator.kind == "ratio" else "patients"
        raise NothingToMeasure(
            f"No hospital has any {what} in the last {indicator.months} months, so this "
            "indicator cannot be drawn. Choose a longer window or change the population."
        )
    return frame


def _patient_measure(
    population: Population, indicator: Indicator, size: int
) -> tuple[np.ndarray, np.ndarray]:
    patients = population.patients
    keep = _recent(patients["month"], population, indicator.months)
    provider = patients["provider"][keep]
    if indicator.measure == "process":
        done = patients["process_done"][keep]
        counted = ~patients["excepted"][keep] if indicator.exceptions == "removed" else None
        numerator = _counts(provider, done.astype(float), size)
        denominator = _counts(provider, None if counted is None else counted.astype(float), size)
        return numerator, denominator
    window = indicator.outcome_window
    died = patients["died_in_hospital" if window == "in_hospital" else "died"][keep]
    numerator = _counts(provider, died.astype(float), size)
    if indicator.kind == "ratio":
        risk = expected_risk(population, indicator.risk_adjustment, window)[keep]
        return numerator, _counts(provider, risk, size)
    return numerator, _counts(provider, None, size)


def _attendance_measure(
    population: Population, indicator: Indicator, size: int
) -> tuple[np.ndarray, np.ndarray]:
    visits = population.attendances
    keep = _recent(visits["month"], population, indicator.months)
    if indicator.denominator == "major_only":
        keep &= ~visits["minor"]
    provider = visits["provider"][keep]
    wait = visits["reported_wait"][keep]
    if indicator.measure == "four_hour":
        hit = wait < FOUR_HOURS
    else:
        hit = (wait >= FOUR_HOURS - 20) & (wait < FOUR_HOURS)
    return _counts(provider, hit.astype(float), size), _counts(provider, None, size)


def composite(population: Population, indicator: Indicator) -> pd.DataFrame:
    """A weighted mean of standardised parts (risk-adjusted mortality, process, four-hour).

    Each part becomes a z-score oriented so that higher is better, as star ratings and
    hospital rankings commonly combine them; the weights are the author's choice.
    """
    parts = {
        "mortality": Indicator("mortality", risk_adjustment="full", months=indicator.months),
        "process": Indicator("process", months=indicator.months),
        "four_hour": Indicator("four_hour", months=indicator.months),
    }
    frame = pd.DataFrame({"provider": population.names})
    for name, part in parts.items():
        values = measure(population, part).set_index("provider")["value"]
        z = (values - values.mean()) / (values.std() or 1.0)
        frame[name] = frame["provider"].map(z if part.higher_is_better else -z).fillna(0.0)
    weights = np.asarray(indicator.weights, dtype=float)
    total = weights.sum() or 1.0
    score = sum(frame[name] * w for name, w in zip(COMPOSITE_PARTS, weights, strict=True))
    return pd.DataFrame(
        {
            "provider": frame["provider"],
            "numerator": np.nan,
            "denominator": np.nan,
            "value": score / total,
            "true_quality": population.providers["true_quality"].to_numpy(),
        }
    )
