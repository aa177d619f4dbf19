"""Indicator Lab: pull the levers of an indicator and watch who looks best and worst."""

from __future__ import annotations

import streamlit as st

from carelab.indicators.scenarios import BY_ID, SCENARIOS
from carelab.ui.components import lab_views, shrink_views
from carelab.ui.components.lab_controls import indicator_controls, population_controls
from carelab.ui.components.markdown import markdown

st.title("Indicator Lab")
st.info(
    "**Simulated data.** Every hospital and patient on this page is made up by a model "
    "whose true quality is known, so that you can see how well each indicator finds it.",
    icon=":material/science:",
)
ids = [s.id for s in SCENARIOS]
requested = st.query_params.get("scenario")
scenario = BY_ID[
    st.selectbox(
        "Teaching scenario",
        ids,
        index=ids.index(requested) if requested in ids else 0,
        format_func=lambda i: BY_ID[i].title,
    )
]
st.query_params["scenario"] = scenario.id
with st.expander("What to notice", expanded=True):
    markdown(scenario.notice)
    for source in scenario.sources:
        markdown(f"Source: {source.citation} {source.url}")

# Results first, levers beside them: on a wide screen the levers stand to the right of the
# charts; below 640 px Streamlit stacks columns in order, so a phone shows the first result
# before the levers (0.4 put it 3,103 px down, under both sets of levers).
key = f"lab.{scenario.id}"
results, levers = st.columns([3, 2], gap="large")
with levers:
    st.subheader("Indicator A", anchor=False)
    indicator_a, analysis_a = indicator_controls(f"{key}.a", scenario.a, scenario.analysis_a)
    st.subheader("Indicator B", anchor=False)
    indicator_b, analysis_b = indicator_controls(f"{key}.b", scenario.b, scenario.analysis_b)
    with st.expander("Population (simulated)"):
        spec = population_controls(f"{key}.population", scenario.population)

with results:
    result_a = lab_views.lab_result(spec, indicator_a, analysis_a)
    result_b = lab_views.lab_result(spec, indicator_b, analysis_b)
    if result_a is None or result_b is None:
        st.stop()
    funnels, leagues, versus, truth = st.tabs(
        ["Funnel plots", "League tables", "A against B", "Against the truth"]
    )
    with funnels:
        for name, result in (("A", result_a), ("B", result_b)):
            lab_views.funnel_view(result, f"{name}: {result.indicator.label()}")
    with leagues:
        for name, result in (("A", result_a), ("B", result_b)):
            lab_views.league_view(
                result, f"{name}: {result.indicator.label()}", f"{key}.{name}.ranks"
            )
    with versus:
        lab_views.comparison_view(result_a, result_b)
    with truth:
        lab_views.truth_view(result_a, result_b)
        shrink_views.truth_over_runs(spec, result_a, result_b)
