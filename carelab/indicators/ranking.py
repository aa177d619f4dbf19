"""How uncertain a league-table rank is: simulated rank intervals for providers.

Source: Marshall EC, Spiegelhalter DJ. Reliability of league tables of in vitro fertilisation
clinics: retrospective analysis of live birth rates. BMJ 1998;316:1701-5. Each provider's true
rate is drawn from its sampling uncertainty, every provider is re-ranked in every draw, and the
central interval of each provider's simulated ranks is reported.

Choices made here:

- Draws use Jeffreys-style posteriors: Beta(events + 0.5, cases - events + 0.5) for a
  proportion and Gamma(observed + 0.5, scale 1 / expected) for O/E.
- Rank 1 is the best provider; tied values share the average rank, in the point ranks and in
  every simulated ranking.
- Interval ends are ranks that actually occurred in the simulation (numpy's "inverted_cdf"
  quantile), not interpolations between them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from carelab.indicators.funnel import InvalidOption, check_counts

COLUMNS = ("provider", "value", "rank", "rank_lower", "rank_upper")


def _draws(
    rng: np.random.Generator, kind: str, num: np.ndarray, size: np.ndarray, sims: int
) -> np.ndarray:
    """Simulated true rates, one row per simulation and one column per provider."""
    shape = (sims, num.size)
    if kind == "proportion":
        return rng.beta(num + 0.5, size - num + 0.5, size=shape)
    return rng.gamma(num + 0.5, 1.0 / size, size=shape)


def rank_intervals(
    providers: Iterable[object],
    numerators: object,
    sizes: object,
    kind: str = "proportion",
    higher_is_worse: bool = True,
    sims: int = 1000,
    level: float = 0.95,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Each provider's rank (1 = best) and the central `level` interval of simulated ranks."""
    names, num, size = check_counts(providers, numerators, sizes, kind)
    if isinstance(sims, bool) or not isinstance(sims, int | np.integer) or sims < 1:
        raise InvalidOption(f"sims must be a whole number of at least 1, not {sims!r}.")
    if not 0.0 < level < 1.0:
        raise InvalidOption(f"level must lie strictly between 0 and 1, not {level!r}.")
    # Ranking "badness" ascending puts the best provider first in either direction.
    sign = 1.0 if higher_is_worse else -1.0
    value = num / size
    draws = _draws(np.random.default_rng(seed), kind, num, size, int(sims))
    ranks = stats.rankdata(sign * draws, axis=1)
    tails = [(1.0 - level) / 2.0, (1.0 + level) / 2.0]
    lower, upper = np.quantile(ranks, tails, axis=0, method="inverted_cdf")
    return pd.DataFrame(
        {
            "provider": names,
            "value": value,
            "rank": stats.rankdata(sign * value),
            "rank_lower": lower,
            "rank_upper": upper,
        }
    )
