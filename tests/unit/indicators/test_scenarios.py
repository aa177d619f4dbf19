"""Each teaching scenario shows the effect it claims, on its own simulated population."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from carelab.indicators.lab import compare_results, run
from carelab.indicators.measures import Indicator, measure
from carelab.indicators.population import simulate
from carelab.indicators.scenarios import BY_ID, SCENARIOS


@pytest.fixture(scope="module")
def results():
    """Indicator A and B results for every scenario (simulated once per module)."""
    out = {}
    for scenario in SCENARIOS:
        population = simulate(scenario.population)
        out[scenario.id] = (
            population,
            run(population, scenario.a, scenario.analysis_a, sims=300),
            run(population, scenario.b, scenario.analysis_b, sims=300),
        )
    return out


def test_there_are_at_least_eight_scenarios_each_with_a_source():
    assert len(SCENARIOS) >= 8
    assert len(BY_ID) == len(SCENARIOS)
    for scenario in SCENARIOS:
        assert scenario.sources and all(s.url.startswith("http") for s in scenario.sources)
        assert len(scenario.notice) > 100


def test_levers_named_by_the_issue_are_all_covered():
    levers = {s.lever for s in SCENARIOS}
    assert {"Exclusions", "Risk adjustment", "Process vs outcome", "Time window",
            "Small numbers", "Composite weights", "Gaming", "Denominator"} <= levers  # fmt: skip
    assert "overdispersion" in BY_ID


def test_exception_reporting_reported_and_population_rankings_differ(results):
    _, a, b = results["exception-reporting"]
    both = compare_results(a, b)
    assert spearmanr(both["rank_a"], both["rank_b"]).statistic < 0.95
    assert (both["rank_change"].abs() >= 20).sum() >= 10
    assert (a.table["value"].to_numpy() >= b.table["value"].to_numpy() - 1e-12).all()


def test_risk_adjustment_recovers_the_truth_better(results):
    _, crude, adjusted = results["risk-adjustment"]
    assert adjusted.truth.rank_correlation > crude.truth.rank_correlation + 0.2
    assert adjusted.truth.false_alarms < crude.truth.false_alarms


def test_process_sees_quality_sooner_than_outcome(results):
    _, outcome, process = results["process-vs-outcome"]
    assert process.truth.rank_correlation > outcome.truth.rank_correlation + 0.1


def test_a_whole_year_beats_one_quarter(results):
    _, year, quarter = results["time-window"]
    assert year.truth.rank_correlation > quarter.truth.rank_correlation + 0.1


def test_in_hospital_deaths_reward_quick_discharge(results):
    population, thirty_day, in_hospital = results["in-hospital-vs-30-day"]
    assert thirty_day.truth.rank_correlation > in_hospital.truth.rank_correlation + 0.2
    speed = population.providers.set_index("provider")["discharge_speed"]
    ratio = in_hospital.table.set_index("provider")["value"]
    assert spearmanr(speed[ratio.index], ratio).statistic < -0.3


def test_small_numbers_give_wide_rank_intervals(results):
    _, year, _ = results["small-numbers"]
    ranks = year.ranks
    assert (ranks["rank_upper"] - ranks["rank_lower"]).median() > len(ranks) / 3


def test_overdispersion_adjustment_leaves_only_the_unusual_outside(results):
    _, plain, adjusted = results["overdispersion"]
    outside_plain = plain.table["flag"].isin(["above998", "below998"]).mean()
    outside_adjusted = adjusted.table["flag"].isin(["above998", "below998"]).mean()
    assert outside_plain > 0.25
    assert outside_adjusted < outside_plain / 3


def test_denominator_with_minor_units_lifts_those_trusts(results):
    population, major, everyone = results["denominator"]
    assert everyone.table["value"].mean() > major.table["value"].mean()
    minor = population.providers.set_index("provider")["minor_share"]
    both = compare_results(major, everyone).set_index("provider")
    # Trusts with minor-injury units climb the table (their rank number falls).
    assert both["rank_change"][minor[both.index] > 0].mean() < 0
    assert both["rank_change"][minor[both.index] == 0].mean() > 0


def test_composite_weights_reorder_the_same_hospitals(results):
    _, mortality_heavy, target_heavy = results["composite-weights"]
    both = compare_results(mortality_heavy, target_heavy)
    assert spearmanr(both["rank_a"], both["rank_b"]).statistic < 0.9
    top_a = set(both.nsmallest(20, "rank_a")["provider"])
    top_b = set(both.nsmallest(20, "rank_b")["provider"])
    assert len(top_a & top_b) < 15


def test_gaming_improves_the_target_and_the_balancing_measure_shows_it(results):
    population, target, balancing = results["four-hour-gaming"]
    gamers = population.providers.set_index("provider")["games_four_hours"]
    near = balancing.table.set_index("provider")["value"]
    assert near[gamers[near.index]].mean() > 2 * near[~gamers[near.index]].mean()
    reported = measure(population, Indicator(measure="four_hour", denominator="major_only"))
    visits = population.attendances
    major = ~visits["minor"]
    within = np.bincount(visits["provider"][major], visits["true_wait"][major] < 240, 300)
    seen = np.bincount(visits["provider"][major], minlength=300)
    index = population.providers.reset_index().set_index("provider")["index"]
    positions = index[reported["provider"]].to_numpy()
    lift = reported["value"].to_numpy() - within[positions] / seen[positions]
    is_gamer = gamers[reported["provider"]].to_numpy()
    assert lift[is_gamer].mean() > 0.05
    assert np.allclose(lift[~is_gamer], 0)
    assert target.truth.rank_correlation < 0.8
