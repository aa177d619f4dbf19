"""Regression to the mean on the page: the flagged hospitals' two years, and the trial."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from carelab.indicators.regression_to_mean import RtmResult, RtmSpec, simulate, trial_rows
from carelab.ui.components.charts import wrapped

SOURCE = (
    "Source: Barnett AG, van der Pols JC, Dobson AJ. Regression to the mean: what it is and how "
    "to deal with it. Int J Epidemiol 2005;34:215-220. https://doi.org/10.1093/ije/dyh299"
)
# Year one: dark red filled triangle; year two: blue filled circle; truth: black cross.
MARKS = {
    "Year one (observed)": ("#b2182b", "triangle-up"),
    "Year two (observed)": ("#1f5f8b", "circle"),
    "True rate": ("#1b2733", "cross"),
}


@st.cache_data(max_entries=32, show_spinner="Simulating 1,000 pairs of years…")
def result(spec: RtmSpec) -> RtmResult:
    """The simulation for one set of levers, cached by them."""
    return simulate(spec)


def flagged_rows(res: RtmResult) -> pd.DataFrame:
    """The shown run's flagged hospitals: both years' rates and the true rate, in per cent."""
    flagged = res.units[res.units["flagged"]].sort_values("year1", ascending=False)
    return pd.DataFrame(
        {
            "Hospital": flagged["unit"].to_numpy(),
            "Patients a year": flagged["patients"].to_numpy(),
            "Arm": flagged["group"].to_numpy(),
            "Year one (%)": (flagged["year1"] * 100).round(2).to_numpy(),
            "Year two (%)": (flagged["year2"] * 100).round(2).to_numpy(),
            "True rate, year one (%)": (flagged["true1"] * 100).round(2).to_numpy(),
            "True rate, year two (%)": (flagged["true2"] * 100).round(2).to_numpy(),
        }
    )


def flagged_chart(rows: pd.DataFrame, description: str) -> alt.Chart:
    """Each flagged hospital's year-one and year-two rate beside its true rate."""
    long = rows.melt(
        id_vars=["Hospital", "Arm"],
        value_vars=["Year one (%)", "Year two (%)", "True rate, year one (%)"],
        var_name="what", value_name="rate",
    )  # fmt: skip
    long["what"] = long["what"].map(
        {"Year one (%)": "Year one (observed)", "Year two (%)": "Year two (observed)",
         "True rate, year one (%)": "True rate"}
    )  # fmt: skip
    names = list(MARKS)
    order = rows["Hospital"].tolist()
    base = alt.Chart(long).encode(
        y=alt.Y("Hospital:N", sort=order, title=None, axis=alt.Axis(labelOverlap=False)),
        x=alt.X("rate:Q", title="Death rate (%)"),
    )
    lines = base.mark_line(color="#8c8c8c", aria=False).encode(detail="Hospital:N")
    points = base.mark_point(filled=True, size=70, aria=False).encode(
        color=alt.Color("what:N", title=None,
                        scale=alt.Scale(domain=names, range=[MARKS[n][0] for n in names]),
                        legend=alt.Legend(orient="top", direction="vertical")),
        shape=alt.Shape("what:N", title=None,
                        scale=alt.Scale(domain=names, range=[MARKS[n][1] for n in names])),
        tooltip=["Hospital:N", "Arm:N", alt.Tooltip("what:N", title="Rate"),
                 alt.Tooltip("rate:Q", format=".2f")],
    )  # fmt: skip
    return (lines + points).properties(
        height=max(200, 22 * len(order)), description=description,
        title=wrapped("Flagged in year one: year one, year two and the truth"),
    )  # fmt: skip


def trial_table(res: RtmResult) -> pd.DataFrame:
    """The randomised comparison as a table of percentage points."""
    rows = trial_rows(res)
    return pd.DataFrame(
        [
            [f"{a * 100:.2f}", f"{m * 100:.2f}", f"{lo * 100:.2f} to {hi * 100:.2f}"]
            for a, m, lo, hi in rows.values()
        ],
        index=pd.Index(list(rows), name="Percentage points"),
        columns=["This run", f"Mean of {len(res.runs):,} runs", "95% of runs"],
    )
