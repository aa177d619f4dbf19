"""The Indicator Lab's result views: funnel plots, league tables, A against B, the truth."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from carelab.errors import CareLabError
from carelab.indicators.lab import LabResult, compare_results, run
from carelab.indicators.measures import Indicator
from carelab.indicators.population import Population, PopulationSpec, simulate
from carelab.indicators.scenarios import Analysis
from carelab.ui.components import charts


@st.cache_resource(max_entries=6, show_spinner="Simulating the population…")
def population(spec: PopulationSpec) -> Population:
    """Simulate a population once per spec (shared, never mutated but for its fit cache)."""
    return simulate(spec)


@st.cache_data(max_entries=64, show_spinner=False)
def _lab_result(spec: PopulationSpec, indicator: Indicator, analysis: Analysis) -> LabResult:
    return run(population(spec), indicator, analysis)


def lab_result(spec: PopulationSpec, indicator: Indicator, analysis: Analysis) -> LabResult | None:
    """Run the Lab for one indicator (cached by its settings); None, with a message, if it can't."""
    try:
        return _lab_result(spec, indicator, analysis)
    except CareLabError as exc:
        st.warning(str(exc), icon=":material/warning:")
        return None


def _summary(result: LabResult) -> str:
    counts = result.table["verdict"].value_counts()
    parts = [f"{counts.get(v, 0)} {v}" for v in charts.VERDICT_ORDER if counts.get(v, 0)]
    return f"{len(result.table)} hospitals: " + ", ".join(parts) + "."


def size_label(result: LabResult) -> str:
    """What the funnel's horizontal axis counts for this indicator."""
    if result.indicator.kind == "ratio":
        return "Expected deaths (E)"
    if result.indicator.measure in {"four_hour", "near_breach"}:
        return "Attendances (n)"
    return "Patients (n)"


def funnel_view(result: LabResult, title: str) -> None:
    """A funnel plot with a heading and a text summary (a note for composites, which have none)."""
    st.markdown(f"#### {title}")
    if result.curve is None:
        st.info("A composite score has no funnel plot: it is not a count. See the league table.")
        return
    st.altair_chart(
        charts.funnel_chart(
            result.table, result.curve, result.indicator.kind, "", size_label(result)
        ),
        width="stretch",
    )
    st.caption(f"{_summary(result)} {charts.LIMITS_KEY}")


def league_view(result: LabResult, title: str) -> None:
    """Ranks with their intervals, and how many are confidently placed."""
    st.markdown(f"#### {title}")
    ranks = result.ranks
    st.altair_chart(charts.rank_chart(ranks, title), use_container_width=True)
    quarter = len(ranks) / 4
    confident = int(
        (ranks["rank_upper"] <= quarter).sum() + (ranks["rank_lower"] > 3 * quarter).sum()
    )
    width = (ranks["rank_upper"] - ranks["rank_lower"]).median()
    st.caption(
        f"Median width of a 95% rank interval: {width:.0f} places out of {len(ranks)}. "
        f"{confident} hospitals can be placed confidently in the top or bottom quarter."
    )


def comparison_view(a: LabResult, b: LabResult) -> None:
    """Who changes category and who moves most between the two indicators."""
    both = compare_results(a, b)
    changed = both[both["category_changed"]]
    st.markdown(
        f"**{len(changed)}** of {len(both)} hospitals change category, and "
        f"**{int((both['rank_change'].abs() >= 20).sum())}** move 20 places or more."
    )
    st.altair_chart(charts.moves_chart(both), use_container_width=True)
    table = both.head(30)[["provider", "verdict_a", "verdict_b", "rank_a", "rank_b", "rank_change"]]
    st.dataframe(
        table.rename(columns={
            "provider": "Hospital", "verdict_a": "A says", "verdict_b": "B says",
            "rank_a": "Rank under A", "rank_b": "Rank under B", "rank_change": "Places moved",
        }),
        hide_index=True, width="stretch",
    )  # fmt: skip


def truth_view(a: LabResult, b: LabResult) -> None:
    """How well each indicator recovers the simulated hospitals' true quality."""
    rows = []
    for name, result in (("A", a), ("B", b)):
        t = result.truth
        rows.append({
            "Indicator": f"{name}: {result.indicator.label()}",
            "Rank correlation with true quality": t.rank_correlation,
            "Truly worse (bottom tenth)": t.truly_worse,
            "Flagged worse (95%)": t.flagged_worse,
            "False alarms": t.false_alarms,
            "Missed": t.misses,
        })  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(
        "Only a simulation can show this: each simulated hospital's true quality is known. "
        "A rank correlation of 1 would mean the indicator orders hospitals exactly by quality. "
        "A false alarm is a hospital flagged worse that is not in the true bottom tenth; "
        "a miss is a hospital in the true bottom tenth that is not flagged."
    )
