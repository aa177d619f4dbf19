"""A guided reading of a funnel plot and a run chart, computed from the data in front of you.

The "Your data" page shows it beside NHS England's A&E data: which providers the funnel
plot flags, what Spiegelhalter's overdispersion adjustment does to that verdict, and one
provider's run chart over time with the Making Data Count signals. Nothing here is written
in advance: every count, name and signal comes from the table it is given, so the reading
changes when the data, the groups or the periods change. Pure pandas/numpy; no Streamlit.

Sources: Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
2005;24:1185-1202; Spiegelhalter DJ. Handling over-dispersion of performance indicators.
Qual Saf Health Care 2005;14:347-351; NHS England. Making Data Count (2019).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from carelab.indicators import describe, funnel, spc, upload

WORSE = {False: "above998", True: "below998"}  # keyed by higher_is_better
BETTER = {False: "below998", True: "above998"}


@dataclass(frozen=True)
class Flags:
    """Who lies outside the 99.8% limits of one funnel, worse and better, in value order."""

    adjustment: str
    worse: tuple[str, ...]
    better: tuple[str, ...]
    beyond95: int  # outside the 95% limits on either side, 99.8% included

    @property
    def outside(self) -> int:
        """How many providers lie outside the 99.8% limits on either side."""
        return len(self.worse) + len(self.better)


@dataclass(frozen=True)
class GuidedReading:
    """What the funnel plot flags with and without overdispersion, and one run chart."""

    providers: int
    periods: tuple[str, ...]
    target: float
    phi: float
    tau2: float
    unadjusted: Flags
    adjusted: Flags
    provider: str
    why_provider: str
    run: pd.DataFrame

    @property
    def signals(self) -> pd.DataFrame:
        """The run chart's periods that carry at least one Making Data Count signal."""
        return self.run[self.run["rules"].map(bool)]


def _flags(table: pd.DataFrame, adjustment: str, higher_is_better: bool) -> Flags:
    ordered = table.sort_values("value", ascending=higher_is_better)
    worse = ordered.loc[ordered["flag"] == WORSE[higher_is_better], "provider"]
    better = ordered.loc[ordered["flag"] == BETTER[higher_is_better], "provider"]
    beyond95 = int((table["flag"] != "within").sum())
    return Flags(adjustment, tuple(map(str, worse)), tuple(map(str, better)), beyond95)


def _worst(table: pd.DataFrame, higher_is_better: bool) -> str:
    """The provider furthest from the target on the bad side, in standard errors."""
    value, target, size = table["value"], table["target"], table["n"]
    spread = (target * (1 - target) / size).pow(0.5)
    z = (value - target) / spread.where(spread > 0)
    return str(table.loc[(-z if higher_is_better else z).idxmax(), "provider"])


def _choose(
    adjusted: Flags, unadjusted: Flags, table: pd.DataFrame, higher_is_better: bool
) -> tuple[str, str]:
    if adjusted.worse:
        return adjusted.worse[0], "the worst of those still flagged worse with the adjustment"
    if unadjusted.worse:
        return unadjusted.worse[0], (
            "the worst of those flagged worse without the adjustment; none is flagged with it"
        )
    return _worst(table, higher_is_better), (
        "the furthest from the target on the bad side; none is flagged worse"
    )


def read(
    data: pd.DataFrame,
    groups: Sequence[str] | None,
    periods: Sequence[str] | None,
    higher_is_better: bool = False,
    provider: str | None = None,
) -> GuidedReading:
    """Read cleaned proportion data: funnel flags without and with the additive adjustment,
    and the run chart of `provider` (by default the worst flagged) over every period."""
    totals = upload.aggregate(data, groups, periods)
    if totals.empty:
        raise upload.UploadError(["no rows match the chosen groups and periods"])
    args = (totals["provider"], totals["numerator"], totals["denominator"], "proportion")
    plain = funnel.funnel(*args, overdispersion="none")
    widened = funnel.funnel(*args, overdispersion="additive")
    unadjusted = _flags(plain.table, "none", higher_is_better)
    adjusted = _flags(widened.table, "additive", higher_is_better)
    if provider is None:
        provider, why = _choose(adjusted, unadjusted, plain.table, higher_is_better)
    else:
        why = "your choice"
    series = upload.period_series(data, provider, groups)
    chosen = tuple(periods) if periods is not None else tuple(upload.periods(data))
    return GuidedReading(
        providers=len(totals),
        periods=chosen,
        target=float(plain.table["target"].iloc[0]),
        phi=plain.overdispersion.phi,
        tau2=plain.overdispersion.tau2,
        unadjusted=unadjusted,
        adjusted=adjusted,
        provider=provider,
        why_provider=why,
        run=spc.xmr(series["value"], series["period"]),
    )


RULE_WORDS = {
    "outside_limits": "outside the process limits",
    "shift": "in a run of 7 or more on one side of the mean",
    "trend": "in a run of 7 or more rising or falling",
    "two_of_three": "2 of 3 beyond a near limit",
}


def _period_words(periods: tuple[str, ...]) -> str:
    if len(periods) == 1:
        return f"the period {periods[0]}"
    return f"{len(periods)} periods, {periods[0]} to {periods[-1]}" if periods else "all periods"


def _who(flags: Flags) -> str:
    parts = []
    if flags.worse:
        parts.append(f"{len(flags.worse)} worse ({describe.names(list(flags.worse))})")
    if flags.better:
        parts.append(f"{len(flags.better)} better ({describe.names(list(flags.better))})")
    return "; ".join(parts) if parts else "none"


def signal_words(run: pd.DataFrame) -> str:
    """Each Making Data Count rule that fired, with how many periods and the first and last."""
    parts = []
    for rule, words in RULE_WORDS.items():
        hit = run.loc[run["rules"].map(lambda fired, rule=rule: rule in fired), "period"]
        if len(hit) == 1:
            parts.append(f"{words} in {hit.iloc[0]}")
        elif len(hit):
            parts.append(f"{words} in {len(hit)} periods ({hit.iloc[0]} to {hit.iloc[-1]})")
    return "; ".join(parts)


def steps(
    reading: GuidedReading, noun: str = "providers", indicator: str = "the indicator"
) -> list[tuple[str, str]]:
    """The reading in four short steps of plain text (a title and a paragraph), from `reading`."""
    r = reading
    first = (
        "1. What the funnel plot flags.",
        f"For {indicator} in {_period_words(r.periods)}, "
        f"{r.providers} {noun} are plotted against their pooled value, {r.target:.1%}. With "
        f"limits that allow only for chance, {r.unadjusted.outside} of {r.providers} lie outside "
        f"the 99.8% limits: {_who(r.unadjusted)}.",
    )
    second = (
        "2. Is that chance?",
        f"If only chance separated the {noun}, the mean square of their "
        f"standardised differences from the target (φ) would be near 1; here φ = {r.phi:.3g}. "
        "Most of the spread is real variation between them that the limits do not model "
        "(case mix, how departments are organised and counted), not luck. Spiegelhalter's "
        "additive adjustment adds that between-provider spread (τ = "
        f"{math.sqrt(r.tau2):.3g} on the arcsine square-root scale) to every limit.",
    )
    third = (
        "3. What the adjustment does to the verdict.",
        "With the additive adjustment, "
        f"{r.adjusted.outside} of {r.providers} lie outside the 99.8% limits ({_who(r.adjusted)})"
        f" and {r.adjusted.beyond95} outside the 95% limits, against {r.unadjusted.outside} and "
        f'{r.unadjusted.beyond95} without it. The question has changed: not "is this different '
        'from chance?", which almost every large provider is, but "is this unusual even among '
        'providers that genuinely differ?".',
    )
    run = r.run
    found = (
        f"{len(r.signals)} of {len(run)} periods carry a signal: {signal_words(run)}."
        if len(r.signals)
        else "no period carries a signal: only common-cause variation."
    )
    fourth = (
        "4. One provider over time.",
        f"{r.provider} ({r.why_provider}). Its run chart over "
        f"{len(run)} periods goes from {run['value'].iloc[0]:.1%} ({run['period'].iloc[0]}) to "
        f"{run['value'].iloc[-1]:.1%} ({run['period'].iloc[-1]}), mean {run['mean'].iloc[0]:.1%}"
        f", process limits {run['lower'].iloc[0]:.1%} to {run['upper'].iloc[0]:.1%}; {found} "
        "A funnel plot compares providers at one time; a run chart asks whether one has changed.",
    )
    return [first, second, third, fourth]
