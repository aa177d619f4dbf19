"""The Indicator Lab's levers: widgets that build an Indicator, an Analysis and a population.

Widget keys carry the scenario id, so choosing another scenario starts from its settings.
Each lever has a one-line explanation with the source it rests on.
"""

from __future__ import annotations

import streamlit as st

from carelab.indicators.measures import MEASURE_LABELS, Indicator
from carelab.indicators.population import PopulationSpec
from carelab.indicators.scenarios import Analysis

RISK_LABELS = {"none": "None (crude)", "age_sex": "Age and sex", "full": "Full case mix"}
OD_LABELS = {
    "none": "None",
    "multiplicative": "Multiplicative (scale by √φ)",
    "additive": "Additive random effects (τ²)",
}
HELP = {
    "measure": "Outcome, process or target: what is counted (Mant & Hicks 1995; Mason 2012).",
    "risk": "Indirect standardisation with a logistic model: observed ÷ expected deaths.",
    "window": "In-hospital deaths reward quick discharge (Drye et al. 2012).",
    "exceptions": "Removing excepted patients gives QOF's reported achievement (Doran 2006).",
    "denominator": "All types adds minor-injury attendances (NHS England A&E statistics).",
    "months": "Fewer months, fewer events, wider limits (Spiegelhalter 2005).",
    "method": "Exact binomial limits with interpolation, or the normal approximation.",
    "od": "Widen limits for real but unexplained variation (Spiegelhalter, QSHC 2005).",
}


def _index(options: list, value: object) -> int:
    return options.index(value) if value in options else 0


def indicator_controls(
    key: str, start: Indicator, analysis: Analysis
) -> tuple[Indicator, Analysis]:
    """Widgets for one indicator definition and its funnel analysis."""
    measures = list(MEASURE_LABELS)
    measure = st.selectbox(
        "Measure",
        measures,
        index=_index(measures, start.measure),
        key=f"{key}.measure",
        format_func=MEASURE_LABELS.get,
        help=HELP["measure"],
    )
    changes: dict[str, object] = {"measure": measure}
    if measure == "mortality":
        changes["risk_adjustment"] = st.radio(
            "Risk adjustment",
            list(RISK_LABELS),
            index=_index(list(RISK_LABELS), start.risk_adjustment),
            format_func=RISK_LABELS.get,
            key=f"{key}.risk",
            horizontal=True,
            help=HELP["risk"],
        )
        changes["outcome_window"] = st.radio(
            "Deaths counted",
            ["30_day", "in_hospital"],
            index=_index(["30_day", "in_hospital"], start.outcome_window),
            format_func={"30_day": "Within 30 days", "in_hospital": "In hospital"}.get,
            key=f"{key}.window",
            horizontal=True,
            help=HELP["window"],
        )
    if measure == "process":
        changes["exceptions"] = st.radio(
            "Excepted patients",
            ["removed", "counted"],
            index=_index(["removed", "counted"], start.exceptions),
            format_func={"removed": "Removed from the denominator", "counted": "Counted"}.get,
            key=f"{key}.exceptions",
            horizontal=True,
            help=HELP["exceptions"],
        )
    if measure in {"four_hour", "near_breach"}:
        changes["denominator"] = st.radio(
            "Attendances counted",
            ["major_only", "all"],
            index=_index(["major_only", "all"], start.denominator),
            format_func={"major_only": "Major A&E only", "all": "All types"}.get,
            key=f"{key}.denominator",
            horizontal=True,
            help=HELP["denominator"],
        )
    if measure == "composite":
        changes["weights"] = _weights(key, start.weights)
    changes["months"] = st.select_slider(
        "Time window (months)",
        [1, 3, 6, 12],
        value=start.months if start.months in (1, 3, 6, 12) else 12,
        key=f"{key}.months",
        help=HELP["months"],
    )
    if measure == "composite":
        return start.with_(**changes), analysis
    return start.with_(**changes), _analysis_controls(key, analysis)


def _weights(key: str, start: tuple[float, float, float]) -> tuple[float, float, float]:
    labels = ("Mortality weight", "Process weight", "Four-hour weight")
    return tuple(  # type: ignore[return-value]
        float(st.slider(label, 0.0, 5.0, float(value), 0.5, key=f"{key}.w{i}"))
        for i, (label, value) in enumerate(zip(labels, start, strict=True))
    )


def _analysis_controls(key: str, start: Analysis) -> Analysis:
    method = st.radio(
        "Funnel limits",
        ["exact", "normal"],
        index=_index(["exact", "normal"], start.method),
        format_func={"exact": "Exact binomial", "normal": "Normal approximation"}.get,
        key=f"{key}.method",
        horizontal=True,
        help=HELP["method"],
    )
    overdispersion = st.selectbox(
        "Overdispersion",
        list(OD_LABELS),
        index=_index(list(OD_LABELS), start.overdispersion),
        format_func=OD_LABELS.get,
        key=f"{key}.od",
        help=HELP["od"],
    )
    return Analysis(method=method, overdispersion=overdispersion)


def population_controls(key: str, start: PopulationSpec) -> PopulationSpec:
    """Widgets for the simulated population's levers."""
    # One column: the levers stand beside the results, in a third of the page.
    providers = st.slider("Hospitals", 10, 400, start.providers, 10, key=f"{key}.providers")
    patients = st.select_slider(
        "Patients a year",
        [8_000, 25_000, 50_000, 100_000, 200_000, 400_000],
        value=start.patients,
        key=f"{key}.patients",
    )
    case_mix = st.slider(
        "Case-mix differences", 0.0, 1.5, start.case_mix_spread, 0.1, key=f"{key}.case_mix"
    )
    quality = st.slider(
        "True quality differences", 0.0, 0.6, start.quality_sd, 0.05, key=f"{key}.quality"
    )
    extra = st.slider(
        "Unexplained variation (overdispersion)",
        0.0,
        0.5,
        start.extra_variation,
        0.05,
        key=f"{key}.extra",
    )
    link = st.slider(
        "How closely the process tracks quality",
        0.0,
        1.0,
        start.process_link,
        0.05,
        key=f"{key}.link",
    )
    exceptions = st.slider(
        "Share of non-achievers excepted",
        0.0,
        0.6,
        start.exception_mean,
        0.05,
        key=f"{key}.exceptions",
    )
    gaming = st.slider(
        "Hospitals gaming the four-hour target",
        0.0,
        1.0,
        start.gaming_share,
        0.05,
        key=f"{key}.gaming",
    )
    minor = st.slider(
        "Hospitals with a minor-injury unit",
        0.0,
        1.0,
        start.minor_unit_share,
        0.05,
        key=f"{key}.minor",
    )
    seed = st.number_input("Random seed", 0, 2**31 - 1, start.seed, key=f"{key}.seed")
    return PopulationSpec(
        seed=int(seed),
        providers=providers,
        patients=patients,
        months=start.months,
        size_spread=start.size_spread,
        case_mix_spread=case_mix,
        quality_sd=quality,
        baseline_mortality=start.baseline_mortality,
        process_link=link,
        exception_mean=exceptions,
        exception_spread=start.exception_spread,
        gaming_share=gaming,
        minor_unit_share=minor,
        extra_variation=extra,
    )
