"""Raw against shrunken league tables, and which order is closer to the truth.

Only a simulation can say which ranking is fairer: the true quality of every simulated
hospital is known. One population can mislead by luck, so the comparison is repeated over
many seeded populations (the same settings, different seeds) and reports, for each ranking,
the mean Spearman correlation with true quality and the mean absolute rank error (how many
places a hospital's rank is from its true rank, on average), and in how many populations the
shrunken order was the closer one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from carelab.indicators.measures import Indicator, measure
from carelab.indicators.population import PopulationSpec, simulate
from carelab.indicators.shrinkage import Shrunk, shrink

RUNS = 20


def ranks(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Rank 1 is the best; ties share the average rank."""
    return stats.rankdata(-values if higher_is_better else values)


def league(table: pd.DataFrame, kind: str, higher_is_better: bool, level: float = 0.95) -> Shrunk:
    """A league table with raw and shrunken estimates, their ranks and the true rank.

    `table` has one row per provider with provider, numerator, n (patients, or E for a
    ratio) and true_quality (higher is better), as the Lab's funnel table does.
    """
    shrunk = shrink(table["provider"], table["numerator"], table["n"], kind, level)
    out = shrunk.table.assign(
        raw_rank=ranks(shrunk.table["value"].to_numpy(), higher_is_better),
        shrunk_rank=ranks(shrunk.table["shrunk"].to_numpy(), higher_is_better),
        true_rank=ranks(table["true_quality"].to_numpy(), True),
    )
    return Shrunk(shrunk.prior, out)


def closeness(rank: np.ndarray, true_rank: np.ndarray) -> tuple[float, float]:
    """Spearman's rho between a ranking and the true one, and the mean absolute rank error."""
    rho = float(np.corrcoef(rank, true_rank)[0, 1]) if np.ptp(rank) > 0 else 0.0
    return rho, float(np.mean(np.abs(rank - true_rank)))


@dataclass(frozen=True)
class Accuracy:
    """How close the raw and shrunken orders came to the true order, over seeded populations."""

    runs: pd.DataFrame

    @property
    def count(self) -> int:
        """How many populations were simulated."""
        return len(self.runs)

    def mean(self, column: str) -> float:
        """The mean of one column over the populations."""
        return float(self.runs[column].mean())

    @property
    def shrunk_closer(self) -> int:
        """Populations in which the shrunken order had the smaller mean absolute rank error."""
        return int((self.runs["shrunk_error"] < self.runs["raw_error"]).sum())

    @property
    def raw_closer(self) -> int:
        """Populations in which the raw order had the smaller mean absolute rank error."""
        return int((self.runs["raw_error"] < self.runs["shrunk_error"]).sum())


def over_simulations(spec: PopulationSpec, indicator: Indicator, runs: int = RUNS) -> Accuracy:
    """Simulate `runs` populations (seeds spec.seed, spec.seed + 1, ...) and score both orders."""
    rows = []
    for seed in range(spec.seed, spec.seed + runs):
        measured = measure(simulate(replace(spec, seed=seed)), indicator)
        table = measured.rename(columns={"denominator": "n"})
        result = league(table, indicator.kind, indicator.higher_is_better).table
        raw_rho, raw_error = closeness(result["raw_rank"].to_numpy(), result["true_rank"])
        rho, error = closeness(result["shrunk_rank"].to_numpy(), result["true_rank"])
        rows.append(
            {"seed": seed, "raw_rho": raw_rho, "shrunk_rho": rho,
             "raw_error": raw_error, "shrunk_error": error}
        )  # fmt: skip
    return Accuracy(pd.DataFrame(rows))
