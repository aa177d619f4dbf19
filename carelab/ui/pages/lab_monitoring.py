"""Monitoring over time: a simulated surgeon or unit, its risk-adjusted CUSUM and its VLAD."""

from __future__ import annotations

import streamlit as st

from carelab.indicators import monitoring_describe as words
from carelab.ui.components import monitoring_views as views

st.title("Monitoring over time: CUSUM and VLAD")
st.info(
    "**Simulated data.** Every patient on this page is made up by a model whose truth is "
    "known: from the patient you choose, the true odds of death are raised by the ratio you "
    "choose. The charts see only outcomes and expected risks, as a real unit's charts do.",
    icon=":material/science:",
)
views.key_message()

# Results first, levers beside them (stacked below on a phone), as on the Indicator Lab.
results, levers = st.columns([3, 2], gap="large")
with levers:
    st.subheader("Settings", anchor=False)
    spec, odds_ratio, h, reset = views.controls()

with results:
    frame = views.one_unit(spec, odds_ratio, h, reset)
    if frame is None:
        st.stop()
    st.markdown(f"**{words.signal_summary(frame, spec)}**")
    chart_tab, vlad_tab, runs_tab = st.tabs(["CUSUM", "VLAD", "Over many runs"])
    with chart_tab:
        views.cusum_view(frame, spec, odds_ratio, h)
        views.values(frame)
    with vlad_tab:
        views.vlad_view(frame, spec)
        views.values(frame)
    with runs_tab:
        views.run_length_view(spec, odds_ratio, h)
views.reading()
