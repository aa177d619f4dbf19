"""Funnel plots and run charts for your own data, or for NHS England's A&E data in one click."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from carelab.errors import CareLabError
from carelab.indicators import funnel, spc, upload
from carelab.indicators.examples import AE_ATTENDANCES, CHD_SURGERY
from carelab.ui import state
from carelab.ui.components import byod, guided_view, published_view

st.title("Your data: funnel plots and run charts")
if state.current_user() is None:
    # Files are read on this server, by a worker process each; that is for people with an
    # account, not for every visitor. The simulated Lab needs no file and stays open.
    st.info(
        "Sign in to draw funnel plots and run charts from your own CSV, or from NHS England's "
        "A&E data in one click. The Simulated lab is open to everyone.",
        icon=":material/lock:",
    )
    st.page_link("carelab/ui/pages/sign_in.py", label="Sign in or create an account",
                 icon=":material/login:")  # fmt: skip
    st.page_link("carelab/ui/pages/indicator_lab.py", label="Open the Simulated lab",
                 icon=":material/science:")  # fmt: skip
    st.stop()

st.markdown(
    "Upload a CSV with one row per provider (and period, if you have them), or try the "
    "example. Comma, semicolon or tab separated, UTF-8 or a Windows code page; decimal commas "
    "are read too. Counts stay in this session; nothing is stored. Limits follow "
    "Spiegelhalter (2005) for funnel plots and NHS England's Making Data Count for run charts."
)
source = byod.choose_source()
if source is None:
    st.info(
        "Columns needed: a provider, and a numerator with its denominator (for example breaches "
        "and attendances), or observed and expected counts. Optional: a period and a group."
    )
    st.stop()
if source.example is not None:
    byod.about_example(source.example)
if source.example is CHD_SURGERY:
    published_view.case_view(CHD_SURGERY, source.digest)

try:
    mapping = byod.mapping_controls(byod.summary(source))
    data = byod.checked(source, mapping)
except CareLabError as exc:
    byod.show_problems(exc)
    st.stop()

chosen_groups, chosen_periods = byod.filters(data)
guided = source.example is AE_ATTENDANCES and mapping.kind == "proportion"
if guided:
    st.info("New to funnel plots? The **Guided reading** tab walks you through these data.",
            icon=":material/school:")  # fmt: skip
names = ["Funnel plot", "Run chart", *(["Guided reading"] if guided else [])]
funnel_tab, run_tab, *guide_tab = st.tabs(names)
with funnel_tab:
    totals = upload.aggregate(data, chosen_groups, chosen_periods)
    method, overdispersion, target, higher_is_better = byod.funnel_options(mapping.kind)
    try:
        drawn = funnel.funnel(
            totals["provider"], totals["numerator"], totals["denominator"],
            kind=mapping.kind, method=method, overdispersion=overdispersion, target=target,
        )  # fmt: skip
    except CareLabError as exc:
        byod.show_problems(exc)
    else:
        byod.funnel_results(drawn, mapping.kind, method, overdispersion, higher_is_better)
with run_tab:
    if "period" not in data.columns:
        st.info("Choose a period column to see a run chart.")
    else:
        providers = ["(all providers pooled)", *sorted(data["provider"].unique())]
        who = st.selectbox("Provider for the run chart", providers, key="byod.run_provider")
        series = upload.period_series(data, None if who == providers[0] else who, chosen_groups)
        chart = spc.xmr(series["value"], series["period"])
        byod.run_results(chart, who, pd.api.types.is_float_dtype(series["value"]))
if guide_tab:
    with guide_tab[0]:
        better = st.session_state.get("byod.direction") == "better"
        indicator = f"{mapping.numerator} / {mapping.denominator}"
        try:
            guided_view.guided_reading_view(data, chosen_groups, chosen_periods, better, indicator)
        except CareLabError as exc:
            byod.show_problems(exc)
