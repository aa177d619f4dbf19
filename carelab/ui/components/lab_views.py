"""The Indicator Lab's result views: funnel plots, league tables, A against B, the truth."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from carelab.content.text import escape_markdown
from carelab.errors import CareLabError
from carelab.indicators import describe
from carelab.indicators.lab import LabResult, compare_results, run
from carelab.indicators.measures import Indicator
from carelab.indicators.population import Population, PopulationSpec, simulate
from carelab.indicators.scenarios import Analysis
from carelab.ui.components import charts, shrink_views


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


def described(text: str) -> None:
    """A chart's description as body text (not a faint caption), shown exactly as written."""
    st.markdown(escape_markdown(text))


def values_table(rows: pd.DataFrame, first: str) -> None:
    """The values a chart draws, folded under the chart; the first column stays on screen."""
    with st.expander("Table of the values"):
        st.dataframe(
            rows,
            hide_index=True,
            width="stretch",
            column_config={first: st.column_config.Column(pinned=True)},
        )


def size_label(result: LabResult) -> str:
    """What the funnel's horizontal axis counts for this indicator."""
    if result.indicator.kind == "ratio":
        return "Expected deaths (E)"
    if result.indicator.measure in {"four_hour", "near_breach"}:
        return "Attendances (n)"
    return "Patients (n)"


def funnel_view(result: LabResult, title: str) -> None:
    """A funnel plot with a heading, a description in words and the table of its values."""
    st.markdown(f"#### {title}")
    if result.curve is None:
        st.info("A composite score has no funnel plot: it is not a count. See the league table.")
        return
    text = describe.funnel_description(result.table)
    chart = charts.funnel_chart(
        result.table, result.curve, result.indicator.kind, "", size_label(result), description=text
    )
    st.altair_chart(chart, width="stretch")
    described(f"{text} {charts.LIMITS_KEY}")
    values_table(
        describe.funnel_rows(result.table, result.indicator.kind, size_label(result)), "Hospital"
    )


RANK_VIEWS = {"top": "The 20 best ranked", "bottom": "The 20 worst ranked", "all": "All"}


def league_view(result: LabResult, title: str, key: str) -> None:
    """Ranks with intervals (or raw beside shrunken estimates): best or worst 20, or all."""
    st.markdown(f"#### {title}")
    view = st.radio(
        "Hospitals shown", list(RANK_VIEWS), format_func=RANK_VIEWS.get, horizontal=True, key=key
    )
    if st.toggle("Show shrunken estimates beside the raw ones", key=f"{key}.shrunk"):
        shrink_views.shrunk_league(result, view, title)
        return
    shown = describe.rank_view(result.ranks, view, 20)
    text = describe.rank_description(result.ranks, shown)
    st.altair_chart(charts.rank_chart(shown, title, text), width="stretch")
    described(text)
    values_table(describe.rank_rows(shown), "Hospital")


def comparison_view(a: LabResult, b: LabResult) -> None:
    """Who changes category and who moves most between the two indicators."""
    both = compare_results(a, b)
    changed = both[both["category_changed"]]
    st.markdown(
        f"**{len(changed)}** of {len(both)} hospitals change category, and "
        f"**{int((both['rank_change'].abs() >= 20).sum())}** move 20 places or more."
    )
    text = describe.moves_description(both, 15)
    st.altair_chart(charts.moves_chart(both, 15, text), width="stretch")
    described(text + " The table lists the 30 biggest moves.")
    table = both.head(30)[["provider", "verdict_a", "verdict_b", "rank_a", "rank_b", "rank_change"]]
    table = table.round({"rank_a": 1, "rank_b": 1, "rank_change": 1})
    st.dataframe(
        table.rename(columns={
            "provider": "Hospital", "verdict_a": "A says", "verdict_b": "B says",
            "rank_a": "Rank under A", "rank_b": "Rank under B", "rank_change": "Places moved",
        }),
        hide_index=True, width="stretch",
        column_config={"Hospital": st.column_config.Column(pinned=True)},
    )  # fmt: skip


TRUTH_ROWS = {
    "Rank correlation with true quality": lambda t: f"{t.rank_correlation:.2f}",
    "Truly worse (bottom tenth)": lambda t: f"{t.truly_worse}",
    "Flagged worse (95%)": lambda t: f"{t.flagged_worse}",
    "False alarms": lambda t: f"{t.false_alarms}",
    "Missed": lambda t: f"{t.misses}",
}


def truth_view(a: LabResult, b: LabResult) -> None:
    """How well each indicator recovers the simulated hospitals' true quality."""
    # One row per measure and one column per indicator: three narrow columns fit a phone,
    # where 0.4's six wide ones hid every result off screen to the right of "Indicator".
    st.markdown(
        f"**A:** {escape_markdown(a.indicator.label())}. "
        f"**B:** {escape_markdown(b.indicator.label())}."
    )
    table = pd.DataFrame(
        {name: [show(r.truth) for show in TRUTH_ROWS.values()] for name, r in (("A", a), ("B", b))},
        index=pd.Index(list(TRUTH_ROWS), name="Measure"),
    )
    st.table(table)
    st.markdown(
        "Only a simulation can show this: each simulated hospital's true quality is known. "
        "A rank correlation of 1 would mean the indicator orders hospitals exactly by quality. "
        "A false alarm is a hospital flagged worse that is not in the true bottom tenth; "
        "a miss is a hospital in the true bottom tenth that is not flagged."
    )
