"""Altair charts for monitoring over time: the CUSUM with its limit h, and the VLAD.

No reading depends on colour alone: each signal is a filled triangle, the first with a text
label ("Signal: patient 671"), the control limit is a dashed line labelled "h = 4.5", and the start
of the simulated excess is a dotted vertical line labelled with its patient. Colours are
those of charts.py, each at least 3:1 against white (WCAG 1.4.11): #1f5f8b 6.84, #b2182b
6.87, #555555 7.46, #1b2733 15.17. Marks are hidden from assistive technology; each chart
has one description, and the page shows the same words and a table of the values.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from carelab.indicators.monitoring import MonitoringSpec

LINE = "#1f5f8b"
SIGNAL = "#b2182b"
GUIDE = "#555555"
TEXT = "#1b2733"
# Only the first signal is named on the chart: later ones sit close and their labels would
# overlap. Every signal is a triangle, and the table of the values lists each one.
LABELLED_SIGNALS = 1
PATIENT = alt.X("patient:Q", title="Patient, in order treated", scale=alt.Scale(nice=False))


def _line(frame: pd.DataFrame, field: str, title: str) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_line(color=LINE, strokeWidth=1.5, aria=False)
        .encode(
            x=PATIENT,
            y=alt.Y(f"{field}:Q", title=title),
            tooltip=[
                alt.Tooltip("patient:Q", title="Patient"),
                alt.Tooltip(f"{field}:Q", title=title, format=".2f"),
            ],
        )
    )


def _excess(spec: MonitoringSpec) -> list[alt.Chart]:
    if not spec.has_excess:
        return []
    start = pd.DataFrame(
        {"patient": [spec.excess_start], "label": [f"Excess starts: patient {spec.excess_start}"]}
    )
    rule = alt.Chart(start).mark_rule(color=GUIDE, strokeDash=[2, 2], aria=False).encode(x=PATIENT)
    # The label reads away from the line, into whichever side has room for it.
    left = spec.excess_start < 0.6 * spec.patients
    text = (
        alt.Chart(start)
        .mark_text(
            align="left" if left else "right", baseline="top", dx=4 if left else -4, y=4,
            color=TEXT, fontSize=12, aria=False,
        )
        .encode(x=PATIENT, text="label:N")
    )  # fmt: skip
    return [rule, text]


def _signals(frame: pd.DataFrame, field: str) -> list[alt.Chart]:
    marked = frame[frame["signal"] == 1].copy()
    if marked.empty:
        return []
    marked["label"] = [f"Signal: patient {p}" for p in marked["patient"]]
    points = (
        alt.Chart(marked)
        .mark_point(shape="triangle-up", filled=True, size=140, color=SIGNAL, opacity=1, aria=False)
        .encode(x=PATIENT, y=f"{field}:Q", tooltip=[alt.Tooltip("label:N", title="Signal")])
    )
    labels = (
        alt.Chart(marked.head(LABELLED_SIGNALS))
        .mark_text(
            align="right", dx=-8, dy=-10, color=TEXT, fontSize=12, fontWeight="bold", aria=False
        )
        .encode(x=PATIENT, y=f"{field}:Q", text="label:N")
    )
    return [points, labels]


def cusum_chart(
    frame: pd.DataFrame, h: float, spec: MonitoringSpec, description: str
) -> alt.LayerChart:
    """The CUSUM path, the limit h, the start of the excess, and each signal marked."""
    limit = pd.DataFrame({"h": [h], "label": [f"h = {h:g}"]})
    rule = alt.Chart(limit).mark_rule(color=GUIDE, strokeDash=[6, 4], aria=False).encode(y="h:Q")
    rule_text = (
        alt.Chart(limit)
        # At the right-hand end, away from the first signals near the start of the chart.
        .mark_text(
            align="right",
            baseline="bottom",
            x="width",
            dx=-4,
            dy=-3,
            color=TEXT,
            fontSize=12,
            aria=False,
        )
        .encode(y="h:Q", text="label:N")
    )
    layers = [_line(frame, "cusum", "CUSUM (log-likelihood ratio)"), rule, rule_text]
    layers += _excess(spec) + _signals(frame, "cusum")
    return alt.layer(*layers).properties(height=320, description=description)


def vlad_chart(frame: pd.DataFrame, spec: MonitoringSpec, description: str) -> alt.LayerChart:
    """The VLAD (expected minus observed deaths), zero, the excess, and the CUSUM's signals."""
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color=TEXT, aria=False).encode(y="y:Q")
    layers = [_line(frame, "vlad", "Expected minus observed deaths"), zero]
    layers += _excess(spec) + _signals(frame, "vlad")
    return alt.layer(*layers).properties(height=320, description=description)
