"""Indicator definitions measured on a simulated population, and indirect standardisation."""

from __future__ import annotations

import numpy as np
import pytest

from carelab.indicators.measures import Indicator, expected_risk, measure
from carelab.indicators.population import PopulationSpec, simulate


@pytest.fixture(scope="module")
def population():
    return simulate(PopulationSpec(providers=60, patients=30_000))


@pytest.mark.parametrize("level", ["none", "age_sex", "full"])
@pytest.mark.parametrize("window", ["30_day", "in_hospital"])
def test_observed_over_expected_is_one_on_the_reference_population(population, level, window):
    table = measure(population, Indicator(risk_adjustment=level, outcome_window=window, months=12))
    if level == "none":
        assert table["value"].mean() == pytest.approx(
            population.patients["died" if window == "30_day" else "died_in_hospital"].mean(),
            rel=0.3,
        )
    else:
        assert table["numerator"].sum() / table["denominator"].sum() == pytest.approx(1.0)


def test_expected_risk_is_fitted_once_per_population(population):
    first = expected_risk(population, "full", "30_day")
    assert expected_risk(population, "full", "30_day") is first


def test_kinds_and_directions():
    assert Indicator().kind == "proportion" and not Indicator().higher_is_better
    assert Indicator(risk_adjustment="full").kind == "ratio"
    assert Indicator(measure="process").higher_is_better
    assert Indicator(measure="composite").kind == "score"
    assert Indicator(measure="near_breach").higher_is_better is False


def test_exceptions_removed_raise_reported_achievement(population):
    reported = measure(population, Indicator(measure="process", exceptions="removed"))
    everyone = measure(population, Indicator(measure="process", exceptions="counted"))
    assert (reported["value"] >= everyone["value"] - 1e-12).all()
    assert (reported["denominator"] <= everyone["denominator"]).all()
    assert reported["numerator"].equals(everyone["numerator"])


def test_shorter_window_has_fewer_patients(population):
    year = measure(population, Indicator(months=12))
    quarter = measure(population, Indicator(months=3))
    assert quarter["denominator"].sum() < year["denominator"].sum() / 3


def test_major_only_denominator_excludes_minor_attendances(population):
    everyone = measure(population, Indicator(measure="four_hour", denominator="all"))
    major = measure(population, Indicator(measure="four_hour", denominator="major_only"))
    assert major["denominator"].sum() < everyone["denominator"].sum()
    assert major["value"].mean() < everyone["value"].mean()


def test_composite_weights_change_the_scores(population):
    mortality_heavy = measure(population, Indicator(measure="composite", weights=(5, 1, 1)))
    target_heavy = measure(population, Indicator(measure="composite", weights=(1, 1, 5)))
    assert len(mortality_heavy) == 60
    assert not np.allclose(mortality_heavy["value"], target_heavy["value"])


def test_labels_describe_the_definition():
    assert Indicator(measure="process", exceptions="counted", months=3).label() == (
        "Recommended care given (process), all patients, last 3 months"
    )
    assert Indicator(risk_adjustment="full").label() == (
        "Mortality (outcome), 30-day, fully adjusted, last 12 months"
    )
