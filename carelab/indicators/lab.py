"""One pass of the Indicator Lab: measure, draw the funnel, rank, and check against the truth.

This is what the page recomputes when a lever moves, and what the benchmark times.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from carelab.indicators import funnel, ranking
from carelab.indicators.measures import Indicator, measure
from carelab.indicators.population import Population
from carelab.indicators.scenarios import Analysis
from carelab.indicators.truth import TruthMetrics, compare, league_ranks, truth_metrics, verdict


@dataclass(frozen=True)
class LabResult:
    """Everything the page shows for one indicator on one population."""

    indicator: Indicator
    analysis: Analysis
    table: pd.DataFrame
    curve: pd.DataFrame | None
    ranks: pd.DataFrame
    truth: TruthMetrics


def _score_table(measured: pd.DataFrame) -> pd.DataFrame:
    """A composite has no funnel: every provider is 'within' and n is not defined."""
    return measured.assign(n=float("nan"), target=measured["value"].mean(), flag="within")


def run(
    population: Population, indicator: Indicator, analysis: Analysis, sims: int = 1000
) -> LabResult:
    """Measure one indicator and return its funnel, ranks and truth metrics."""
    measured = measure(population, indicator)
    if indicator.kind == "score":
        table = _score_table(measured)
        curve = None
        ranks = measured[["provider", "value"]].assign(
            rank=league_ranks(measured["value"], True).to_numpy()
        )
        ranks = ranks.assign(rank_lower=ranks["rank"], rank_upper=ranks["rank"])
    else:
        drawn = funnel.funnel(
            measured["provider"], measured["numerator"], measured["denominator"],
            kind=indicator.kind, method=analysis.method,
            overdispersion=analysis.overdispersion,
        )  # fmt: skip
        table = drawn.table
        table["true_quality"] = measured["true_quality"].to_numpy()
        table["numerator"] = measured["numerator"].to_numpy()
        curve = funnel_curve(drawn, indicator.kind, analysis)
        ranks = ranking.rank_intervals(
            measured["provider"], measured["numerator"], measured["denominator"],
            kind=indicator.kind, higher_is_worse=not indicator.higher_is_better, sims=sims,
        )  # fmt: skip
    table["verdict"] = [verdict(f, indicator.higher_is_better) for f in table["flag"]]
    return LabResult(
        indicator, analysis, table, curve, ranks, truth_metrics(table, indicator.higher_is_better)
    )


def funnel_curve(drawn: funnel.FunnelResult, kind: str, analysis: Analysis) -> pd.DataFrame:
    """The limit lines across the range of provider sizes in a funnel, as it was adjusted."""
    table = drawn.table
    target = float(table["target"].iloc[0])
    low, high = float(table["n"].min()), float(table["n"].max())
    adjusted = analysis.overdispersion != "none"
    return funnel.funnel_curve(
        kind, target, max(low * 0.8, 0.5), max(high * 1.2, 1.0), method=analysis.method,
        od=drawn.overdispersion if adjusted else None,
        adjustment=analysis.overdispersion if adjusted else "additive",
    )  # fmt: skip


def compare_results(a: LabResult, b: LabResult) -> pd.DataFrame:
    """Who changes category and who moves most between indicator A and indicator B."""
    return compare(a.table, b.table, a.indicator.higher_is_better, b.indicator.higher_is_better)
