"""Regression to the mean: flag the worst tenth, do nothing, and watch them 'improve'."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from carelab.errors import CareLabError
from carelab.indicators import regression_to_mean as rtm
from carelab.ui.components import rtm_views
from carelab.ui.components.lab_views import described, values_table

st.title("Regression to the mean")
st.info(
    "**Simulated data.** Every hospital on this page is made up by a model whose true death "
    "rate is known, so that you can see how much of a change is real and how much is chance.",
    icon=":material/science:",
)
st.markdown(
    "Each year a regulator flags the hospitals with the worst death rates. Next year most of "
    "them look better, and an improvement programme takes the credit. Here nothing is done "
    "unless you say so: watch what happens to the flagged hospitals in year two."
)
EFFECTS = {"1": "Nothing (odds ratio 1)", "0.8": "Odds ratio 0.8", "0.7": "Odds ratio 0.7"}
results, levers = st.columns([3, 2], gap="large")
with levers:
    st.subheader("Settings", anchor=False)
    patients = st.select_slider(
        "Patients per hospital a year (average)", [50, 100, 300, 1000, 5000], value=300,
        key="rtm.patients",
    )  # fmt: skip
    spread = st.select_slider(
        "How much hospitals truly differ (SD of log-odds)", [0.0, 0.1, 0.2, 0.4], value=0.2,
        key="rtm.spread",
    )  # fmt: skip
    share = st.select_slider(
        "Share flagged as worst in year one", [0.05, 0.10, 0.20], value=0.10,
        format_func=lambda s: f"{s:.0%}", key="rtm.share",
    )  # fmt: skip
    effect = st.radio(
        "What the intervention truly does in year two", list(EFFECTS),
        format_func=EFFECTS.get, key="rtm.effect",
    )  # fmt: skip
    seed = st.number_input("Seed", min_value=1, max_value=999_999, value=2024, key="rtm.seed")

spec = rtm.RtmSpec(
    seed=int(seed), patients=patients, quality_sd=spread, flagged_share=share,
    odds_ratio=float(effect),
)  # fmt: skip
with results:
    try:
        res = rtm_views.result(spec)
    except CareLabError as exc:
        st.warning(str(exc), icon=":material/warning:")
        st.stop()
    st.subheader("Before and after, with nothing to compare", anchor=False)
    summary = rtm.summary_rows(res)
    st.table(
        pd.DataFrame(
            [[f"{a * 100:.2f}", f"{m * 100:.2f}"] for a, m in summary.values()],
            index=pd.Index(list(summary), name="Per cent or percentage points"),
            columns=["This run", f"Mean of {len(res.runs):,} runs"],
        )
    )
    text = rtm.run_description(res)
    described(
        f"{text} In this setting {res.reliability:.0%} of the spread in year-one rates is true "
        "difference between hospitals; the rest is chance, and chance does not repeat."
    )
    rows = rtm_views.flagged_rows(res)
    st.altair_chart(rtm_views.flagged_chart(rows, text), width="stretch")
    described(
        "Red triangles: year one. Blue circles: year two. Black crosses: the true rate. "
        "Each grey line joins one hospital's marks."
    )
    values_table(rows, "Hospital")
    st.subheader("What a randomised control group shows", anchor=False)
    st.table(rtm_views.trial_table(res))
    described(rtm.trial_description(res))
    st.caption(rtm_views.SOURCE)
