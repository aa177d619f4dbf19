"""Raw and shrunken league tables side by side, and which order is closer to the truth."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from carelab.errors import CareLabError
from carelab.indicators import fair_ranking
from carelab.indicators.fair_ranking import Accuracy
from carelab.indicators.lab import LabResult
from carelab.indicators.measures import Indicator
from carelab.indicators.population import PopulationSpec
from carelab.indicators.shrinkage import Shrunk
from carelab.ui.components.charts import wrapped

SOURCES = (
    "Methods: Clayton D, Kaldor J. Empirical Bayes estimates of age-standardized relative "
    "risks for use in disease mapping. Biometrics 1987;43:671-681. Spiegelhalter DJ, Abrams KR, "
    "Myles JP. Bayesian Approaches to Clinical Trials and Health-Care Evaluation. Wiley, 2004. "
    "Why: Marshall EC, Spiegelhalter DJ. Reliability of league tables of in vitro fertilisation "
    "clinics: retrospective analysis of live birth rates. BMJ 1998;316:1701-5."
)
# Raw: a blue filled circle; shrunken: a dark red filled diamond (both at least 6.8:1 on white).
STYLES = {"Raw": ("#1f5f8b", "circle"), "Shrunken": ("#b2182b", "diamond")}


@st.cache_data(max_entries=64, show_spinner=False)
def _league(table: pd.DataFrame, kind: str, higher_is_better: bool) -> Shrunk:
    return fair_ranking.league(table, kind, higher_is_better)


@st.cache_data(max_entries=32, show_spinner="Simulating 20 populations…")
def _accuracy(spec: PopulationSpec, indicator: Indicator) -> Accuracy:
    return fair_ranking.over_simulations(spec, indicator)


def league_chart(rows: pd.DataFrame, kind: str, title: str, description: str) -> alt.Chart:
    """Each hospital's raw and shrunken estimate with its 95% interval, in raw-rank order."""
    scale = 100.0 if kind == "proportion" else 1.0
    long = pd.concat(
        [
            pd.DataFrame({
                "provider": rows["provider"], "estimate": name,
                "value": rows[value] * scale, "lower": rows[low] * scale,
                "upper": rows[high] * scale, "rank": rows[rank],
            })
            for name, value, low, high, rank in (
                ("Raw", "value", "raw_lower", "raw_upper", "raw_rank"),
                ("Shrunken", "shrunk", "shrunk_lower", "shrunk_upper", "shrunk_rank"),
            )
        ]
    )  # fmt: skip
    order = rows.sort_values(["raw_rank", "provider"])["provider"].tolist()
    names = list(STYLES)
    colours = alt.Scale(domain=names, range=[STYLES[n][0] for n in names])
    shapes = alt.Scale(domain=names, range=[STYLES[n][1] for n in names])
    colour = alt.Color("estimate:N", title="Estimate", scale=colours)
    shape = alt.Shape("estimate:N", title="Estimate", scale=shapes)
    labelled = len(order) <= 40
    base = alt.Chart(long).encode(
        y=alt.Y("provider:N", sort=order, title=None, axis=alt.Axis(labels=labelled)),
        yOffset=alt.YOffset("estimate:N", sort=names),
        color=colour,
    )
    axis = "Per cent" if kind == "proportion" else "Observed / expected"
    bars = base.mark_rule(strokeWidth=2, aria=False).encode(
        x=alt.X("lower:Q", title=f"{axis}, with 95% interval"), x2="upper:Q",
        strokeDash=alt.StrokeDash("estimate:N", sort=names, legend=None,
                                  scale=alt.Scale(domain=names, range=[[1, 0], [4, 2]])),
    )  # fmt: skip
    dots = base.mark_point(filled=True, size=60, aria=False).encode(
        x="value:Q", shape=shape,
        tooltip=[alt.Tooltip("provider:N", title="Hospital"), "estimate:N",
                 alt.Tooltip("value:Q", format=".2f"), alt.Tooltip("rank:Q", format=".0f")],
    )  # fmt: skip
    height = 28 * len(order) if labelled else min(480, 3 * len(order))
    return (bars + dots).properties(
        title=wrapped(title), height=max(160, height), description=description
    )


def shrunk_league(result: LabResult, view: str, title: str) -> None:
    """The league table with raw and shrunken estimates, their intervals and the true rank."""
    kind = result.indicator.kind
    if kind == "score":
        st.info("A composite score is not a count of patients, so there is nothing to shrink.")
        return
    try:
        league = _league(result.table, kind, result.indicator.higher_is_better)
    except CareLabError as exc:
        st.warning(str(exc), icon=":material/warning:")
        return
    rows = fair_ranking.shown(league.table, view)
    text = fair_ranking.league_description(league, rows, kind)
    st.altair_chart(league_chart(rows, kind, title, text), width="stretch")
    st.markdown(
        f"{text} Blue circles and solid lines: raw. Red diamonds and dashed lines: shrunken."
    )
    st.dataframe(
        fair_ranking.league_rows(rows, kind), hide_index=True, width="stretch",
        column_config={"Hospital": st.column_config.Column(pinned=True)},
    )  # fmt: skip
    st.caption(SOURCES)


ROWS = {
    "Spearman with true quality, raw order": lambda a: f"{a.mean('raw_rho'):.3f}",
    "Spearman with true quality, shrunken order": lambda a: f"{a.mean('shrunk_rho'):.3f}",
    "Mean rank error, raw (places)": lambda a: f"{a.mean('raw_error'):.1f}",
    "Mean rank error, shrunken (places)": lambda a: f"{a.mean('shrunk_error'):.1f}",
    "Populations where shrunken is closer": lambda a: f"{a.shrunk_closer} of {a.count}",
    "Populations where raw is closer": lambda a: f"{a.raw_closer} of {a.count}",
}


def _verdict(name: str, accuracy: Accuracy | None) -> str:
    if accuracy is None:
        return f"**{name}** is a composite score: it has no counts to shrink."
    closer = "shrunken" if accuracy.shrunk_closer > accuracy.raw_closer else "raw"
    if accuracy.shrunk_closer == accuracy.raw_closer:
        return f"**{name}:** neither order was closer more often."
    return (
        f"**{name}:** the {closer} order was closer to the true order in "
        f"{max(accuracy.shrunk_closer, accuracy.raw_closer)} of {accuracy.count} simulated "
        f"populations."
    )


def truth_over_runs(spec: PopulationSpec, a: LabResult, b: LabResult) -> None:
    """Which league order, raw or shrunken, is closer to the truth over 20 seeded populations."""
    st.markdown("#### Raw or shrunken: which order is closer to the truth?")
    found = {}
    for name, result in (("A", a), ("B", b)):
        try:
            found[name] = (
                None if result.indicator.kind == "score" else _accuracy(spec, result.indicator)
            )
        except CareLabError as exc:
            st.warning(f"{name}: {exc}", icon=":material/warning:")
            return
    table = pd.DataFrame(
        {n: [show(acc) if acc else "not a count" for show in ROWS.values()]
         for n, acc in found.items()},
        index=pd.Index(list(ROWS), name="Measure"),
    )  # fmt: skip
    st.table(table)
    st.markdown(" ".join(_verdict(n, acc) for n, acc in found.items()))
    st.markdown(
        f"Simulated: {fair_ranking.RUNS} populations with these settings and seeds "
        f"{spec.seed} to {spec.seed + fair_ranking.RUNS - 1}; every hospital's true quality is "
        "known. Mean rank error is how many places a hospital's rank is from its true rank, on "
        "average. Shrinkage helps most when hospitals are small and differ little."
    )
