"""Indicator Lab speed: what the page recomputes, new populations, funnels, ranks, 1M patients.

Keys (medians, ms unless named):
- option_change_ms: one lever moved on the default scenario (200 hospitals, 100,000
  patients, population cached): indicator A re-measured, funnel, rank intervals (1,000
  simulations), truth metrics, and the A-vs-B comparison. Target < 100 ms.
- new_population_ms: a new population and the full risk-model fit. Target < 1 s.
- funnel_10k_ms: exact binomial limits at 95% and 99.8% for 10,000 providers. Target < 50 ms.
- rank_sims_ms: 1,000 rank simulations for 200 providers. Target < 200 ms.
- million_patients_ms / million_patients_rss_mb: 1,000,000 patients end to end in a fresh
  process (simulate, fit, measure, funnel, ranks), and that process's peak memory.
  Target < 10 s and < 1 GB.
- cusum_vlad_10000_ms: a risk-adjusted CUSUM (with its signals) and the VLAD for one
  series of 10,000 patients, as `carelab cusum` computes them. Target < 50 ms.
- average_run_length_1000_ms: 1,000 simulated runs of a 1,000-patient unit with an excess
  from patient 500, and the false alarms and run lengths for six control limits, as the
  "Monitoring over time" page computes them. Target < 2 s.
- shrinkage_1000_units_ms: empirical-Bayes shrinkage of 1,000 units' proportions (beta-binomial
  prior by marginal maximum likelihood, posterior estimates and 95% intervals, exact raw
  intervals). Target < 50 ms.
- reference_ms / reference_ratio: the same risk adjustment and exact funnel done the plain
  way (a statsmodels logit, then a Python loop over providers calling scipy), timed in the
  same run; reference_ratio = reference_ms / ours, so 10 means ours is ten times faster.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Runnable as `python bench/NAME.py` as well as `python -m bench.NAME`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import json
import subprocess
import time

import numpy as np

from bench.common import median_ms, report
from carelab.indicators import cusum, funnel, monitoring, ranking, shrinkage
from carelab.indicators.lab import compare_results, run
from carelab.indicators.measures import Indicator, expected_risk, measure
from carelab.indicators.population import PopulationSpec, simulate
from carelab.indicators.scenarios import BY_ID, Analysis

REPO = Path(__file__).resolve().parent.parent
MILLION = """
import json, resource, time
from carelab.indicators.lab import run
from carelab.indicators.measures import Indicator
from carelab.indicators.population import PopulationSpec, simulate
from carelab.indicators.scenarios import Analysis
start = time.perf_counter()
population = simulate(PopulationSpec(patients=1_000_000))
run(population, Indicator(risk_adjustment="full"), Analysis())
elapsed = (time.perf_counter() - start) * 1000
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"ms": elapsed, "rss_mb": peak}))
"""


def _option_change(population, scenario) -> float:
    b = run(population, scenario.b, scenario.analysis_b)
    flip = [scenario.a, scenario.a.with_(risk_adjustment="age_sex")]
    state = {"i": 0}

    def change() -> None:
        state["i"] += 1
        a = run(population, flip[state["i"] % 2], scenario.analysis_a)
        compare_results(a, b)

    return median_ms(change, repeats=21)


def _new_population() -> float:
    seeds = iter(range(1000, 2000))

    def fresh() -> None:
        population = simulate(PopulationSpec(seed=next(seeds)))
        expected_risk(population, "full", "30_day")

    return median_ms(fresh, repeats=5, warmup=1)


def _ours(population) -> None:
    population.cache.clear()
    table = measure(population, Indicator(risk_adjustment="full"))
    funnel.funnel_table(table["provider"], table["numerator"], table["denominator"], "ratio")
    crude = measure(population, Indicator())
    funnel.proportion_limits(crude["denominator"], crude["value"].mean(), "exact")


def _reference(population) -> None:
    """The plain way: statsmodels logit, then a loop over providers calling scipy."""
    import statsmodels.api as sm
    from scipy import stats

    patients = population.patients
    features = np.column_stack([patients[k] for k in ("age", "male", "comorbidity", "deprivation")])
    fit = sm.Logit(patients["died"].astype(float), sm.add_constant(features)).fit(disp=0)
    risk = fit.predict(sm.add_constant(features))
    target = patients["died"].mean()
    for provider in range(len(population.providers)):
        mine = patients["provider"] == provider
        observed, expected, n = patients["died"][mine].sum(), risk[mine].sum(), mine.sum()
        for alpha in (0.025, 0.001):
            stats.chi2.ppf(alpha, 2 * observed) / (2 * expected)
            stats.chi2.ppf(1 - alpha, 2 * (observed + 1)) / (2 * expected)
            for p in (alpha, 1 - alpha):
                r = stats.binom.ppf(p, n, target)
                stats.binom.cdf([r - 1, r], n, target)


def cusum_vlad_10000() -> float:
    """Median ms for the CUSUM table (weights, chart, signals, VLAD) of 10,000 patients."""
    rng = np.random.default_rng(3)
    expected = rng.uniform(0.01, 0.3, 10_000)
    outcomes = (rng.random(10_000) < expected * 1.3).astype(int)
    return median_ms(lambda: cusum.table(outcomes, expected, 2.0, 4.5, reset=True))


def average_run_length_1000() -> float:
    """Median ms for 1,000 simulated runs and their run lengths at six control limits."""
    spec = monitoring.MonitoringSpec()
    limits = (2.0, 3.0, 4.0, 4.5, 5.0, 6.0)
    return median_ms(lambda: monitoring.run_lengths(spec, 2.0, limits, 1000), repeats=7)


def shrinkage_1000_units() -> float:
    """Median ms to shrink 1,000 units' proportions (sizes 20 to 2,000, seeded)."""
    rng = np.random.default_rng(2)
    sizes = rng.integers(20, 2000, 1000)
    events = rng.binomial(sizes, rng.beta(8.0, 72.0, 1000))
    names = [f"U{i}" for i in range(1000)]
    return median_ms(lambda: shrinkage.shrink(names, events, sizes, "proportion"))


def _million() -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", MILLION], cwd=REPO, capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return round(result["ms"], 1), round(result["rss_mb"], 1)


def main() -> None:
    """Run the Indicator Lab benchmarks and report medians."""
    scenario = BY_ID["risk-adjustment"]
    population = simulate(scenario.population)
    run(population, scenario.a, Analysis())  # fit and warm caches, as the page would have
    n = np.random.default_rng(0).integers(20, 20_000, 10_000)
    providers = [f"P{i}" for i in range(200)]
    denominators = np.random.default_rng(1).integers(50, 3000, 200)
    numerators = (denominators * 0.1).astype(int)
    ours = median_ms(lambda: _ours(population), repeats=5, warmup=1)
    reference = median_ms(lambda: _reference(population), repeats=3, warmup=1)
    started = time.perf_counter()
    million_ms, million_rss = _million()
    report(
        "indicator_lab",
        {
            "option_change_ms": _option_change(population, scenario),
            "new_population_ms": _new_population(),
            "funnel_10k_ms": median_ms(lambda: funnel.proportion_limits(n, 0.1, "exact")),
            "rank_sims_ms": median_ms(
                lambda: ranking.rank_intervals(providers, numerators, denominators, sims=1000)
            ),
            "cusum_vlad_10000_ms": cusum_vlad_10000(),
            "average_run_length_1000_ms": average_run_length_1000(),
            "shrinkage_1000_units_ms": shrinkage_1000_units(),
            "million_patients_ms": million_ms,
            "million_patients_rss_mb": million_rss,
            "million_wall_s": round(time.perf_counter() - started, 1),
            "ours_ms": ours,
            "reference_ms": reference,
            "reference_ratio": round(reference / ours, 1),
        },
    )


if __name__ == "__main__":
    main()
