"""Empirical-Bayes shrinkage against independent computations, and the properties it must have."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, stats

from carelab.indicators.fair_ranking import closeness, league, over_simulations
from carelab.indicators.funnel import IndicatorError, InvalidOption
from carelab.indicators.scenarios import BY_ID
from carelab.indicators.shrinkage import Prior, fit_prior, posterior, raw_interval, shrink

TIGHT = {"xatol": 1e-10, "fatol": 1e-10, "maxiter": 5000}


def units(count: int, seed: int = 3) -> tuple[list[str], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = rng.integers(10, 800, count)
    y = rng.binomial(n, rng.beta(6, 54, count))
    return [f"U{i}" for i in range(count)], y.astype(float), n.astype(float)


def test_posterior_matches_numerical_integration_of_prior_times_likelihood():
    prior = Prior("proportion", mean=0.1, strength=50.0, log_likelihood=0.0)
    y, n = np.array([3.0]), np.array([12.0])
    dens = lambda p: stats.beta.pdf(p, 5.0, 45.0) * stats.binom.pmf(3, 12, p)  # noqa: E731
    total = integrate.quad(dens, 0, 1)[0]
    mean = integrate.quad(lambda p: p * dens(p), 0, 1)[0] / total
    estimate, lower, upper = posterior(prior, y, n)
    assert estimate[0] == pytest.approx(mean, abs=1e-9)
    assert estimate[0] == pytest.approx((3 + 5) / (12 + 50))
    # The interval's ends leave 2.5% of the integrated posterior on each side.
    assert integrate.quad(dens, 0, lower[0])[0] / total == pytest.approx(0.025, abs=1e-7)
    assert integrate.quad(dens, upper[0], 1)[0] / total == pytest.approx(0.025, abs=1e-7)


def test_gamma_posterior_for_a_ratio_is_the_weighted_mean():
    prior = Prior("ratio", mean=1.0, strength=20.0, log_likelihood=0.0)
    estimate, lower, upper = posterior(prior, np.array([30.0]), np.array([10.0]))
    weight = 10 / (10 + 20)
    assert estimate[0] == pytest.approx(weight * 3.0 + (1 - weight) * 1.0)
    assert stats.gamma.cdf(lower[0], 50, scale=1 / 30) == pytest.approx(0.025)
    assert stats.gamma.cdf(upper[0], 50, scale=1 / 30) == pytest.approx(0.975)


def test_beta_binomial_prior_is_the_maximum_found_by_an_independent_fit():
    _, y, n = units(300)
    ours = fit_prior(y, n, "proportion")

    def minus(params: np.ndarray) -> float:  # scipy's own pmf, parametrised by log a, log b
        a, b = np.exp(params)
        return -np.sum(stats.betabinom.logpmf(y, n, a, b))

    theirs = optimize.minimize(minus, np.log([2.0, 20.0]), method="Nelder-Mead", options=TIGHT)
    a, b = np.exp(theirs.x)
    assert ours.a == pytest.approx(a, rel=1e-4) and ours.b == pytest.approx(b, rel=1e-4)
    assert -minus(np.log([ours.a, ours.b])) >= -theirs.fun - 1e-6


def test_gamma_poisson_prior_is_the_maximum_found_by_an_independent_fit():
    rng = np.random.default_rng(8)
    e = rng.gamma(2.0, 15.0, 250)
    o = rng.poisson(e * rng.gamma(8.0, 1 / 8.0, 250)).astype(float)
    ours = fit_prior(o, e, "ratio")

    def minus(params: np.ndarray) -> float:  # O ~ NegBin(a, b / (b + E)) marginally
        a, b = np.exp(params)
        return -np.sum(stats.nbinom.logpmf(o, a, b / (b + e)))

    theirs = optimize.minimize(minus, [0.0, 0.0], method="Nelder-Mead", options=TIGHT)
    a, b = np.exp(theirs.x)
    assert ours.a == pytest.approx(a, rel=1e-4) and ours.b == pytest.approx(b, rel=1e-4)


def test_a_small_unit_is_pulled_further_to_the_mean_than_a_large_one_with_the_same_rate():
    names, y, n = units(200)
    names, y, n = [*names, "small", "large"], np.append(y, [5, 250]), np.append(n, [20, 1000])
    table = shrink(names, y, n).table.set_index("provider")
    mean = shrink(names, y, n).prior.mean
    pull = (table["value"] - table["shrunk"]).abs() / (table["value"] - mean).abs()
    assert pull["small"] > 2 * pull["large"]
    assert table.loc["small", "weight"] < table.loc["large", "weight"]
    # Across all units, the weight on a unit's own data rises with its size.
    assert np.all(np.diff(table.sort_values("size")["weight"].to_numpy()) >= 0)


def test_no_shrinkage_when_the_units_differ_far_more_than_chance():
    rng = np.random.default_rng(1)
    n = np.full(100, 5000.0)
    y = rng.binomial(5000, np.linspace(0.05, 0.95, 100)).astype(float)
    table = shrink([f"U{i}" for i in range(100)], y, n).table
    assert table["weight"].min() > 0.99
    assert np.abs(table["shrunk"] - table["value"]).max() < 0.003


def test_complete_pooling_when_every_unit_has_the_same_rate():
    n = np.array([100.0, 200, 400, 800])
    result = shrink(["A", "B", "C", "D"], n * 0.1, n)
    assert result.prior.pools_completely
    assert result.prior.mean == pytest.approx(0.1, rel=1e-6)
    assert np.allclose(result.table["shrunk"], 0.1, atol=1e-6)


def test_raw_intervals_are_exact():
    lower, upper = raw_interval("proportion", np.array([0.0, 10.0]), np.array([10.0, 10.0]))
    # With no events in 10, the upper 95% limit solves (1 - p)^10 = 0.025.
    assert upper[0] == pytest.approx(1 - 0.025 ** (1 / 10)) and lower[0] == 0.0
    assert lower[1] == pytest.approx(0.025 ** (1 / 10)) and upper[1] == 1.0
    lower, upper = raw_interval("ratio", np.array([0.0]), np.array([2.0]))
    assert lower[0] == 0.0 and upper[0] == pytest.approx(-np.log(0.025) / 2)


@pytest.mark.parametrize(
    ("y", "n", "message"),
    [
        ([1], [10], "at least two units"),
        ([0, 0, 0], [10, 20, 30], "Every unit has no events"),
        ([10, 20], [10, 20], "Every unit has only events"),
    ],
)
def test_shrinkage_that_cannot_be_done_says_why(y, n, message):
    with pytest.raises(InvalidOption, match=message):
        shrink([f"U{i}" for i in range(len(y))], y, n)


def test_bad_counts_name_the_unit():
    with pytest.raises(IndicatorError, match="'B'"):
        shrink(["A", "B"], [1, -1], [10, 10])


def test_league_ranks_raw_shrunken_and_true_with_one_as_best():
    names, y, n = units(50)
    truth = -y / n  # higher quality = lower rate: the raw order is exactly the truth here

    table = pd.DataFrame({"provider": names, "numerator": y, "n": n, "true_quality": truth})
    out = league(table, "proportion", higher_is_better=False).table
    assert out.loc[out["value"].idxmin(), "raw_rank"] == 1
    rho, error = closeness(out["raw_rank"].to_numpy(), out["true_rank"].to_numpy())
    assert rho == pytest.approx(1.0) and error == 0.0


def test_shrunken_order_is_closer_to_the_truth_in_most_small_number_populations():
    scenario = BY_ID["small-numbers"]
    accuracy = over_simulations(scenario.population, scenario.a, runs=12)
    assert accuracy.count == 12 and list(accuracy.runs["seed"])[:2] == [2024, 2025]
    assert accuracy.shrunk_closer > accuracy.raw_closer
    assert accuracy.mean("shrunk_error") < accuracy.mean("raw_error")
    again = over_simulations(scenario.population, scenario.a, runs=12)
    assert again.runs.equals(accuracy.runs)  # seeded: the same every time
