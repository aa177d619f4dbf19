"""A seeded synthetic population of hospitals and patients whose true quality is known.

Everything here is SIMULATED. Each hospital gets a true quality (higher is better) that
lowers its patients' risk of death; patients differ in age, sex, comorbidity and
deprivation, and hospitals differ in case mix, so crude rates mislead. A process measure
tracks quality only partly. Hospitals also differ in behaviour the indicators can be
blind to: how many non-achievers they except from a QOF-style measure, how fast they
discharge (which moves deaths out of hospital), whether they run minor-injury units
(which flatter an all-attendances four-hour measure), and whether they game the
four-hour target by moving departures to just under 240 minutes (Mason et al. 2012).

The same spec (and seed) always gives the same population.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

FOUR_HOURS = 240.0


@dataclass(frozen=True)
class PopulationSpec:
    """The settings of a simulated population; every field is a lever in the Lab."""

    seed: int = 2024
    providers: int = 200
    patients: int = 100_000
    months: int = 12
    size_spread: float = 0.8
    case_mix_spread: float = 0.5
    quality_sd: float = 0.25
    baseline_mortality: float = 0.08
    process_link: float = 0.5
    exception_mean: float = 0.2
    exception_spread: float = 0.5
    gaming_share: float = 0.0
    minor_unit_share: float = 0.5
    extra_variation: float = 0.0


@dataclass(frozen=True)
class Population:
    """Providers (one row each, with their true quality) and per-patient arrays."""

    spec: PopulationSpec
    providers: pd.DataFrame
    patients: dict[str, np.ndarray]
    attendances: dict[str, np.ndarray]
    cache: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def names(self) -> np.ndarray:
        """Provider names in provider-index order."""
        return self.providers["provider"].to_numpy()


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _provider_table(spec: PopulationSpec, rng: np.random.Generator) -> pd.DataFrame:
    """Draw each provider's size, true quality, case mix and behaviours."""
    count = spec.providers
    weight = rng.lognormal(0.0, spec.size_spread, count)
    has_minor = rng.random(count) < spec.minor_unit_share
    mean, spread = spec.exception_mean, spec.exception_spread
    # Beta with the requested mean; `spread` 0 makes every provider except alike.
    concentration = 2.0 / max(spread, 1e-3) ** 2
    exception = rng.beta(mean * concentration + 1e-9, (1 - mean) * concentration + 1e-9, count)
    return pd.DataFrame(
        {
            "provider": [f"H{i + 1:03d}" for i in range(count)],
            "share": weight / weight.sum(),
            "true_quality": rng.standard_normal(count),
            "case_mix": rng.normal(0.0, spec.case_mix_spread, count),
            "process_noise": rng.standard_normal(count),
            "exception_rate": np.clip(exception, 0.0, 1.0),
            "discharge_speed": rng.standard_normal(count),
            "minor_share": np.where(has_minor, rng.uniform(0.15, 0.6, count), 0.0),
            "flow_noise": rng.standard_normal(count),
            "games_four_hours": rng.random(count) < spec.gaming_share,
            "unexplained": rng.normal(0.0, spec.extra_variation, count),
        }
    )


def _patients(spec: PopulationSpec, prov: pd.DataFrame, rng: np.random.Generator) -> dict:
    """Draw admitted patients: risk factors, 30-day and in-hospital deaths, process care."""
    n = spec.patients
    provider = rng.choice(len(prov), size=n, p=prov["share"].to_numpy())
    case_mix = prov["case_mix"].to_numpy()[provider]
    age = np.clip(rng.normal(68 + 6 * case_mix, 13), 18, 100)
    male = rng.random(n) < 0.5
    comorbidity = np.minimum(rng.poisson(np.exp(0.3 + 0.5 * case_mix)), 8)
    deprivation = np.clip(np.rint(rng.normal(3 + case_mix, 1.2)), 1, 5)
    patient_risk = (
        _logit(spec.baseline_mortality)
        + 0.45 * (age - 68) / 10
        + 0.2 * male
        + 0.35 * (comorbidity - 1.5)
        + 0.1 * (deprivation - 3)
    )
    quality = prov["true_quality"].to_numpy()[provider]
    unexplained = prov["unexplained"].to_numpy()[provider]
    died = rng.random(n) < _sigmoid(patient_risk - spec.quality_sd * quality + unexplained)
    death_day = rng.uniform(0, 30, n)
    length_of_stay = rng.gamma(2.0, 4.0 * np.exp(-0.35 * prov["discharge_speed"].to_numpy()))
    link = spec.process_link
    process_lp = 1.0 + 0.8 * (
        link * quality + np.sqrt(1 - link**2) * prov["process_noise"].to_numpy()[provider]
    )
    done = rng.random(n) < _sigmoid(process_lp)
    excepted = ~done & (rng.random(n) < prov["exception_rate"].to_numpy()[provider])
    return {
        "provider": provider,
        "month": rng.integers(0, spec.months, n),
        "age": age,
        "male": male.astype(float),
        "comorbidity": comorbidity.astype(float),
        "deprivation": deprivation,
        "died": died,
        "died_in_hospital": died & (death_day <= length_of_stay[provider]),
        "process_done": done,
        "excepted": excepted,
    }


def _attendances(spec: PopulationSpec, prov: pd.DataFrame, rng: np.random.Generator) -> dict:
    """Draw A&E attendances with waits; gaming providers pull breaches to just under 4 h."""
    n = spec.patients
    provider = rng.choice(len(prov), size=n, p=prov["share"].to_numpy())
    minor = rng.random(n) < prov["minor_share"].to_numpy()[provider]
    flow = -0.12 * prov["true_quality"].to_numpy() + 0.12 * prov["flow_noise"].to_numpy()
    major_wait = rng.lognormal(np.log(185) + flow[provider], 0.45)
    wait = np.where(minor, rng.lognormal(np.log(75), 0.4, n), major_wait)
    gamed = prov["games_four_hours"].to_numpy()[provider]
    # Departures up to 90 minutes late are "rescued" to the last 20 minutes before 4 hours.
    movable = gamed & (wait >= FOUR_HOURS) & (wait < FOUR_HOURS + 90) & (rng.random(n) < 0.7)
    reported = np.where(movable, rng.uniform(FOUR_HOURS - 20, FOUR_HOURS - 0.5, n), wait)
    return {
        "provider": provider,
        "month": rng.integers(0, spec.months, n),
        "minor": minor,
        "true_wait": wait,
        "reported_wait": reported,
    }


def simulate(spec: PopulationSpec | None = None) -> Population:
    """Draw a population from its spec; the same spec always gives the same population."""
    spec = spec or PopulationSpec()
    rng = np.random.default_rng(spec.seed)
    providers = _provider_table(spec, rng)
    patients = _patients(spec, providers, rng)
    attendances = _attendances(spec, providers, rng)
    return Population(spec, providers, patients, attendances)
