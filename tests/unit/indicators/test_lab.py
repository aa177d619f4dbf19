"""One pass of the Lab: defined results at the extremes, and the A-vs-B comparison."""

from __future__ import annotations

import numpy as np
import pytest

from carelab.indicators.lab import compare_results, run
from carelab.indicators.measures import MEASURE_LABELS, Indicator, NothingToMeasure
from carelab.indicators.population import PopulationSpec, simulate
from carelab.indicators.scenarios import Analysis

LIMITS = ["lower95", "upper95", "lower998", "upper998"]


@pytest.mark.parametrize("providers", [1, 2, 10])
@pytest.mark.parametrize("measure", list(MEASURE_LABELS))
@pytest.mark.parametrize("od", ["none", "multiplicative", "additive"])
def test_tiny_populations_give_defined_results(providers, measure, od):
    population = simulate(PopulationSpec(providers=providers, patients=400, months=12))
    result = run(population, Indicator(measure=measure, months=1), Analysis(overdispersion=od))
    assert len(result.table) >= 1
    assert np.isfinite(result.table["value"]).all()
    if result.curve is not None:
        assert not result.table[LIMITS].isna().any().any()
        assert not result.curve.isna().any().any()
    assert not result.ranks[["rank", "rank_lower", "rank_upper"]].isna().any().any()
    assert -1.0 <= result.truth.rank_correlation <= 1.0


@pytest.mark.parametrize("mortality", [1e-6, 0.999])
def test_no_deaths_or_nearly_all_deaths_are_defined(mortality):
    population = simulate(PopulationSpec(providers=20, patients=2_000, baseline_mortality=mortality,
                                         case_mix_spread=0.0, quality_sd=0.0))  # fmt: skip
    crude = run(population, Indicator(), Analysis("exact", "additive"))
    assert not crude.table[["value", *LIMITS]].isna().any().any()
    if mortality < 0.5:
        # No deaths anywhere: no expected deaths either, so O/E is refused in words.
        with pytest.raises(NothingToMeasure, match="No hospital has any expected deaths"):
            run(population, Indicator(risk_adjustment="full"), Analysis())
    else:
        adjusted = run(population, Indicator(risk_adjustment="full"), Analysis())
        assert not adjusted.table[["value", *LIMITS]].isna().any().any()


def test_comparison_lines_up_the_same_providers():
    population = simulate(PopulationSpec(providers=40, patients=10_000))
    a = run(population, Indicator(), Analysis(), sims=200)
    b = run(population, Indicator(risk_adjustment="full"), Analysis(), sims=200)
    both = compare_results(a, b)
    assert sorted(both["provider"]) == sorted(a.table["provider"])
    assert both["rank_change"].abs().is_monotonic_decreasing
    assert set(both["verdict_a"]) <= {
        "worse (99.8%)", "worse (95%)", "as expected", "better (95%)", "better (99.8%)",
    }  # fmt: skip


def test_verdicts_follow_the_direction_of_the_measure():
    population = simulate(PopulationSpec(providers=60, patients=30_000))
    result = run(population, Indicator(measure="process"), Analysis(), sims=100)
    below = result.table[result.table["flag"] == "below998"]
    assert (below["verdict"] == "worse (99.8%)").all()
