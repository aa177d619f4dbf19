"""How well an indicator recovers the truth, and how two indicators disagree.

Only a simulation can do this: the true quality of each simulated provider is known.
A provider is "truly worse" when its true quality is in the bottom tenth; an indicator
"flags" a provider worse when its value is beyond the 95% funnel limit on the bad side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

TRULY_WORSE_SHARE = 0.10
WORSE_FLAGS_IF_HIGH_IS_BAD = ("above95", "above998")
WORSE_FLAGS_IF_HIGH_IS_GOOD = ("below95", "below998")


@dataclass(frozen=True)
class TruthMetrics:
    """Agreement between an indicator and the providers' true quality."""

    rank_correlation: float
    providers: int
    truly_worse: int
    flagged_worse: int
    false_alarms: int
    misses: int


def worse_flags(higher_is_better: bool) -> tuple[str, ...]:
    """The funnel flags that mean "worse than expected" for this indicator's direction."""
    return WORSE_FLAGS_IF_HIGH_IS_GOOD if higher_is_better else WORSE_FLAGS_IF_HIGH_IS_BAD


def _rank_correlation(score: np.ndarray, truth: np.ndarray) -> float:
    if len(score) < 3 or np.ptp(score) == 0 or np.ptp(truth) == 0:
        return 0.0
    return float(spearmanr(score, truth).statistic)


def truth_metrics(results: pd.DataFrame, higher_is_better: bool) -> TruthMetrics:
    """Compare a funnel table (with a true_quality column) against the known truth."""
    truth = results["true_quality"].to_numpy()
    sign = 1.0 if higher_is_better else -1.0
    correlation = _rank_correlation(sign * results["value"].to_numpy(), truth)
    truly_worse = truth <= np.quantile(truth, TRULY_WORSE_SHARE) if len(truth) else truth > 0
    flagged = results["flag"].isin(worse_flags(higher_is_better)).to_numpy()
    return TruthMetrics(
        rank_correlation=round(correlation, 3),
        providers=len(results),
        truly_worse=int(truly_worse.sum()),
        flagged_worse=int(flagged.sum()),
        false_alarms=int((flagged & ~truly_worse).sum()),
        misses=int((truly_worse & ~flagged).sum()),
    )


_VERDICTS = {
    "above998": "higher (99.8%)",
    "above95": "higher (95%)",
    "within": "as expected",
    "below95": "lower (95%)",
    "below998": "lower (99.8%)",
}


def verdict(flag: str, higher_is_better: bool) -> str:
    """Turn a funnel flag into words that say better or worse, e.g. 'worse (99.8%)'."""
    text = _VERDICTS[flag]
    good, bad = ("higher", "lower") if higher_is_better else ("lower", "higher")
    return text.replace(good, "better").replace(bad, "worse")


def league_ranks(values: pd.Series, higher_is_better: bool) -> pd.Series:
    """Rank 1 is the best provider; ties share the average rank."""
    return values.rank(ascending=not higher_is_better, method="average")


def compare(
    a: pd.DataFrame, b: pd.DataFrame, a_higher_is_better: bool, b_higher_is_better: bool
) -> pd.DataFrame:
    """Line up two funnel tables: each provider's value, verdict and rank under A and B."""

    def side(table: pd.DataFrame, higher_is_better: bool) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "provider": table["provider"],
                "value": table["value"],
                "verdict": [verdict(f, higher_is_better) for f in table["flag"]],
                "rank": league_ranks(table["value"], higher_is_better),
            }
        )

    both = side(a, a_higher_is_better).merge(
        side(b, b_higher_is_better), on="provider", suffixes=("_a", "_b")
    )
    both["rank_change"] = both["rank_b"] - both["rank_a"]
    both["category_changed"] = both["verdict_a"] != both["verdict_b"]
    order = both["rank_change"].abs().sort_values(ascending=False).index
    return both.loc[order].reset_index(drop=True)
