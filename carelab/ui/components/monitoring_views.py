"""The "Monitoring over time" page's levers, charts, tables and reading notes.

Simulations are cached by their settings (st.cache_data, bounded), so moving one lever
reruns only what it changes; the core (carelab.indicators.monitoring) never sees Streamlit.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from carelab.errors import CareLabError
from carelab.indicators import cusum, monitoring
from carelab.indicators import monitoring_describe as words
from carelab.indicators.monitoring import MonitoringSpec
from carelab.ui.components import monitoring_charts
from carelab.ui.components.lab_views import described, values_table

KEY = "monitor"
RUNS = 1000
COMPARED_LIMITS = (2.0, 3.0, 4.0, 5.0, 6.0)
TRUE_RATIOS = {1.0: "1 (no excess)", 1.5: "1.5", 2.0: "2 (odds doubled)", 3.0: "3"}
LOOK_FOR = {2.0: "2: deterioration (doubled odds)", 1.5: "1.5: deterioration",
            3.0: "3: deterioration", 0.5: "0.5: improvement (halved odds)"}  # fmt: skip

READING = """
**What a signal means.** The CUSUM adds, patient by patient, how much more likely each
outcome is if the odds of death were multiplied by the ratio you look for than if they were
as the risk model expects; a death at low expected risk adds most. A signal means the
evidence has reached h. It is **a prompt to look, not a verdict**: check the data and the
risk model first (missed case mix looks like excess risk), then the team, the pathway and
the equipment, before anyone's competence. A low h finds a real change sooner and raises
more false alarms; a high h the reverse, as the table over many runs shows. No signal is
not proof that all is well, and the VLAD, which has no limit of its own, shows the same
patients as deaths fewer (up) or more (down) than expected.

**Why units are monitored like this.** At Bristol, statisticians working for the public
inquiry estimated about 19 to 24 more deaths than expected among children under 1 having
open heart surgery in 1991 to 1995 (Aylin et al. 2001: 19.0 in the Cardiac Surgical
Register, 24.1 in Hospital Episode Statistics). Looking back at the deaths of Harold
Shipman's patients, and at Bristol, Spiegelhalter et al. (2003) found that a risk-adjusted
sequential test, a close relative of the CUSUM, could have raised an alarm in 1985 or in
1997 for Shipman, depending on the data and the comparison, and in Bristol after the 1991
Cardiac Surgical Register was published.
"""
SOURCES = (
    cusum.STEINER_2000,
    cusum.LOVEGROVE_1997 + " https://pubmed.ncbi.nlm.nih.gov/9343500/",
    "Spiegelhalter D, Grigg O, Kinsman R, Treasure T (2003). Risk-adjusted sequential "
    "probability ratio tests: applications to Bristol, Shipman and adult cardiac surgery. "
    "International Journal for Quality in Health Care 15(1):7-13. "
    "https://pubmed.ncbi.nlm.nih.gov/12630796/",
    "Aylin P, et al. (2001). Comparison of UK paediatric cardiac surgical performance by "
    "analysis of routinely collected data 1984-96: was Bristol an outlier? Lancet "
    "358(9277):181-187. https://www.ncbi.nlm.nih.gov/pubmed/11476833 (Dr Paul Aylin presented "
    "this analysis of Hospital Episode Statistics to the inquiry on 3 November 1999: "
    "http://www.bristol-inquiry.org.uk/evidence/transcripts/day70.htm)",
)


def key_message() -> None:
    """The one thing to take away, above the charts."""
    st.markdown(
        "A CUSUM signal is **a prompt to look, not a verdict**: see *Reading a CUSUM and a "
        "VLAD* below the charts."
    )


def reading() -> None:
    """What a CUSUM signal does and does not mean, with the sources."""
    with st.expander("Reading a CUSUM and a VLAD", expanded=True):
        st.markdown(READING)
        st.markdown("**Sources**\n\n" + "\n".join(f"- {s}" for s in SOURCES))


def controls() -> tuple[MonitoringSpec, float, float, bool]:
    """The levers: when the excess starts and how big it is, what to look for, and h."""
    with st.expander("Simulated unit", expanded=False):
        patients = st.number_input(
            "Patients", 200, 5000, 1000, step=100, key=f"{KEY}.patients",
            help="How many patients the surgeon or unit treats, in order.",
        )  # fmt: skip
        seed = st.number_input("Random seed", 1, 99_999, 2000, key=f"{KEY}.seed")
    start = st.number_input(
        "Excess starts at patient", 1, int(patients), min(500, int(patients)), step=10,
        key=f"{KEY}.start", help="From this patient on, the true odds of death are raised.",
    )  # fmt: skip
    true_ratio = st.selectbox(
        "True odds ratio from then on (the simulated truth)", list(TRUE_RATIOS), index=2,
        format_func=TRUE_RATIOS.get, key=f"{KEY}.truth",
    )  # fmt: skip
    look_for = st.selectbox(
        "Odds ratio the CUSUM looks for", list(LOOK_FOR), format_func=LOOK_FOR.get,
        key=f"{KEY}.look_for", help="Steiner et al. (2000): 2 to detect deterioration, "
        "0.5 to detect improvement.",
    )  # fmt: skip
    h = st.slider("Control limit h", 1.0, 8.0, 4.5, step=0.5, key=f"{KEY}.h")
    reset = st.checkbox("Restart the chart at 0 after a signal", key=f"{KEY}.reset")
    spec = MonitoringSpec(
        patients=int(patients), excess_start=int(start), true_odds_ratio=true_ratio, seed=int(seed)
    )
    return spec, look_for, h, reset


@st.cache_data(max_entries=32, show_spinner=False)
def _one_unit(spec: MonitoringSpec, odds_ratio: float, h: float, reset: bool) -> pd.DataFrame:
    return monitoring.one_unit(spec, odds_ratio, h, reset)


@st.cache_data(max_entries=32, show_spinner="Simulating 1,000 runs…")
def _run_lengths(spec: MonitoringSpec, odds_ratio: float, h: float) -> pd.DataFrame:
    return monitoring.run_lengths(spec, odds_ratio, (*COMPARED_LIMITS, h), RUNS)


def one_unit(spec: MonitoringSpec, odds_ratio: float, h: float, reset: bool) -> pd.DataFrame | None:
    """One simulated run (cached), or None with a message if the settings cannot work."""
    try:
        return _one_unit(spec, odds_ratio, h, reset)
    except CareLabError as exc:
        st.warning(str(exc), icon=":material/warning:")
        return None


def cusum_view(frame: pd.DataFrame, spec: MonitoringSpec, odds_ratio: float, h: float) -> None:
    """The CUSUM with its limit, the excess and the signals, described in words."""
    st.markdown("#### Risk-adjusted CUSUM (simulated)")
    text = words.cusum_description(frame, h, odds_ratio)
    chart = monitoring_charts.cusum_chart(frame, h, spec, text)
    st.altair_chart(chart, width="stretch")
    described(text)
    st.markdown(
        "Solid line: the CUSUM. Dashed line: the control limit h. Dotted line: where the "
        "simulated excess starts. Triangles: signals, the first labelled with its patient; "
        "the table of the values lists every one."
    )


def vlad_view(frame: pd.DataFrame, spec: MonitoringSpec) -> None:
    """The VLAD of the same patients, with the CUSUM's signals marked on it."""
    st.markdown("#### VLAD: expected minus observed deaths (simulated)")
    text = words.vlad_description(frame, spec)
    st.altair_chart(monitoring_charts.vlad_chart(frame, spec, text), width="stretch")
    described(text)
    st.markdown("Up: fewer deaths than expected; down: more. Triangles: where the CUSUM signalled.")


def run_length_view(spec: MonitoringSpec, odds_ratio: float, h: float) -> None:
    """False alarms and run lengths over 1,000 simulated runs, for several h and yours."""
    st.markdown(f"#### Over {RUNS:,} simulated runs, against the known truth")
    try:
        table = _run_lengths(spec, odds_ratio, h)
    except CareLabError as exc:
        st.warning(str(exc), icon=":material/warning:")
        return
    described(words.arl_description(table, h, spec))
    st.table(words.arl_rows(table, h))
    st.markdown(
        "A false alarm is a run whose first signal comes before the excess starts. The run "
        "length counts patients from the first with the excess to the signal; runs that never "
        "signal are left out of it, so read it with the share that signalled."
    )


def values(frame: pd.DataFrame) -> None:
    """Every patient's outcome, risks, CUSUM, signal and VLAD."""
    values_table(words.value_rows(frame), "Patient")
