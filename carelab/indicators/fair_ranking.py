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


def shown(table: pd.DataFrame, view: str, count: int = 20) -> pd.DataFrame:
    """The hospitals a league shows: the `count` best or worst by raw rank, or all."""
    ordered = table.sort_values(["raw_rank", "provider"])
    if view == "top":
        return ordered.head(count)
    if view == "bottom":
        return ordered.tail(count)
    return ordered


def league_rows(rows: pd.DataFrame, kind: str, noun: str = "Hospital") -> pd.DataFrame:
    """A raw-and-shrunken league table in words and rounded numbers, one row per hospital."""
    scale, digits, unit = (100.0, 1, " (%)") if kind == "proportion" else (1.0, 2, " (O/E)")

    def interval(low: str, high: str) -> list[str]:
        return [
            f"{lo * scale:.{digits}f} to {hi * scale:.{digits}f}"
            for lo, hi in zip(rows[low], rows[high], strict=True)
        ]

    return pd.DataFrame(
        {
            noun: rows["provider"].astype(str).to_numpy(),
            "Raw" + unit: (rows["value"] * scale).round(digits).to_numpy(),
            "Raw 95% interval": interval("raw_lower", "raw_upper"),
            "Shrunken" + unit: (rows["shrunk"] * scale).round(digits).to_numpy(),
            "Shrunken 95% interval": interval("shrunk_lower", "shrunk_upper"),
            "Weight on own data": rows["weight"].round(2).to_numpy(),
            "Raw rank": rows["raw_rank"].round(1).to_numpy(),
            "Shrunken rank": rows["shrunk_rank"].round(1).to_numpy(),
            "True rank": rows["true_rank"].round().astype("int64").to_numpy(),
        }
    )


def league_description(league_result: Shrunk, rows: pd.DataFrame, kind: str) -> str:
    """What shrinkage did: the prior, who moved most, and which order is closer to the truth."""
    prior, table = league_result.prior, league_result.table
    scale, unit = (100.0, "%") if kind == "proportion" else (1.0, "")
    moved = (rows["shrunk_rank"] - rows["raw_rank"]).abs()
    biggest = rows.loc[moved.idxmax()]
    raw_rho, raw_error = closeness(table["raw_rank"].to_numpy(), table["true_rank"].to_numpy())
    rho, error = closeness(table["shrunk_rank"].to_numpy(), table["true_rank"].to_numpy())
    spread = (
        "The hospitals differ no more than chance allows, so every estimate is pulled to the mean."
        if prior.pools_completely
        else f"True values are estimated to differ between hospitals with a standard deviation "
        f"of {prior.spread * scale:.2f}{unit}."
    )
    return (
        f"Each hospital's estimate is pulled towards the overall mean of "
        f"{prior.mean * scale:.2f}{unit}, the more so the fewer its patients. {spread} "
        f"Of the {len(rows)} shown, {int((moved >= 5).sum())} move 5 places or more; the "
        f"biggest move is {biggest['provider']}, from rank {biggest['raw_rank']:.0f} to "
        f"{biggest['shrunk_rank']:.0f}. In this population the raw order is on average "
        f"{raw_error:.1f} places from the true order (Spearman {raw_rho:.2f}), the shrunken "
        f"order {error:.1f} places (Spearman {rho:.2f})."
    )
