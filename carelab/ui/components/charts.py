"""Altair charts for the Indicator Lab: funnel plots, rank intervals, A-vs-B moves, run charts.

Every point's meaning is carried by its shape and a tooltip as well as its colour, so no
reading depends on colour alone; each chart also has a text summary beside it on the page.
"""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

VERDICT_ORDER = [
    "worse (99.8%)",
    "worse (95%)",
    "as expected",
    "better (95%)",
    "better (99.8%)",
]
VERDICT_COLOURS = ["#b2182b", "#ef8a62", "#8c8c8c", "#67a9cf", "#2166ac"]
VERDICT_SHAPES = ["triangle-up", "triangle-up", "circle", "diamond", "diamond"]


def _value_format(kind: str) -> str:
    return ".1%" if kind == "proportion" else ".2f"


def wrapped(title: str, width: int = 38) -> list[str] | str:
    """Split a long chart title into lines, so a phone shows all of it ("" for no title)."""
    return textwrap.wrap(title, width) or title


def funnel_chart(
    table: pd.DataFrame,
    curve: pd.DataFrame,
    kind: str,
    title: str,
    size_title: str | None = None,
    highlight: tuple[str, ...] = (),
) -> alt.Chart:
    """A funnel plot: the target, 95% and 99.8% limits, one point per provider, named if asked."""
    value_title = "Proportion" if kind == "proportion" else "Observed / expected"
    size_title = size_title or ("Denominator (n)" if kind == "proportion" else "Expected (E)")
    lines = curve.melt(id_vars="n", var_name="limit", value_name="bound")
    lines["level"] = lines["limit"].str.contains("998").map({True: "99.8%", False: "95%"})
    # Show the points, not the far tips of the funnel: the limits at the smallest sizes can
    # be ten times the target and would flatten every point onto the axis.
    top = max(float(table["value"].max()) * 1.15, float(table["upper998"].quantile(0.75)))
    bottom = min(0.0, float(table["value"].min()))
    y_scale = alt.Scale(domain=[bottom, top], clamp=False)
    limits = (
        alt.Chart(lines)
        .mark_line(clip=True)
        .encode(
            x=alt.X("n:Q", scale=alt.Scale(type="log", nice=False), title=size_title),
            y=alt.Y("bound:Q", title=value_title, scale=y_scale),
            detail=alt.Detail("limit:N"),
            strokeDash=alt.StrokeDash(
                "level:N", sort=["95%", "99.8%"], scale=alt.Scale(range=[[4, 3], [1, 0]]),
                legend=None,
            ),
            color=alt.value("#555555"),
        )
    )  # fmt: skip
    target = alt.Chart(table.head(1)).mark_rule(color="#1b2733").encode(y="target:Q")
    points = (
        alt.Chart(table)
        .mark_point(filled=True, size=70, opacity=0.85)
        .encode(
            x="n:Q",
            y="value:Q",
            color=alt.Color(
                "verdict:N", title="Compared with the target",
                scale=alt.Scale(domain=VERDICT_ORDER, range=VERDICT_COLOURS),
            ),
            shape=alt.Shape(
                "verdict:N", scale=alt.Scale(domain=VERDICT_ORDER, range=VERDICT_SHAPES),
            ),
            tooltip=[
                alt.Tooltip("provider:N", title="Provider"),
                alt.Tooltip("value:Q", title=value_title, format=_value_format(kind)),
                alt.Tooltip("n:Q", title=size_title, format=",.0f"),
                alt.Tooltip("verdict:N", title="Verdict"),
            ],
        )
    )  # fmt: skip
    layers = limits + target + points
    if highlight:
        marked = table[table["provider"].isin(highlight)]
        ring = alt.Chart(marked).mark_point(size=300, filled=False, strokeWidth=2, color="#1b2733")
        names = alt.Chart(marked).mark_text(
            align="left", dx=10, dy=-10, fontSize=14, fontWeight="bold", color="#1b2733"
        )
        layers = (
            layers
            + ring.encode(x="n:Q", y="value:Q")
            + names.encode(x="n:Q", y="value:Q", text="provider:N")
        )
    return layers.properties(title=wrapped(title), height=500).configure_legend(
        orient="bottom", direction="horizontal", columns=2, labelLimit=180
    )


LIMITS_KEY = "Dashed lines: 95% limits. Solid lines: 99.8% limits. Horizontal line: the target."


def rank_chart(ranks: pd.DataFrame, title: str) -> alt.Chart:
    """Each provider's rank with its 95% interval, best at the top (Marshall & Spiegelhalter)."""
    order = ranks.sort_values("rank")["provider"].tolist()
    base = alt.Chart(ranks).encode(
        y=alt.Y("provider:N", sort=order, title=None, axis=alt.Axis(labels=len(order) <= 60)),
    )
    bars = base.mark_rule(color="#8c8c8c").encode(
        x=alt.X("rank_lower:Q", title="Rank (1 = best), with 95% interval"), x2="rank_upper:Q"
    )
    dots = base.mark_point(filled=True, color="#1f5f8b", shape="circle").encode(
        x="rank:Q",
        tooltip=[
            alt.Tooltip("provider:N", title="Provider"),
            alt.Tooltip("rank:Q", title="Rank", format=".0f"),
            alt.Tooltip("rank_lower:Q", title="Interval from", format=".0f"),
            alt.Tooltip("rank_upper:Q", title="Interval to", format=".0f"),
        ],
    )
    return (bars + dots).properties(title=wrapped(title), height=max(240, min(900, 9 * len(order))))


def moves_chart(comparison: pd.DataFrame, top: int = 15) -> alt.Chart:
    """The providers whose rank moves most between indicator A and indicator B."""
    moved = comparison.head(top).melt(
        id_vars=["provider", "rank_change"], value_vars=["rank_a", "rank_b"],
        var_name="indicator", value_name="rank",
    )  # fmt: skip
    moved["indicator"] = moved["indicator"].map({"rank_a": "A", "rank_b": "B"})
    base = alt.Chart(moved).encode(
        x=alt.X("indicator:N", title="Indicator", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("rank:Q", title="Rank (1 = best)", scale=alt.Scale(reverse=True)),
        detail="provider:N",
        tooltip=[
            alt.Tooltip("provider:N", title="Provider"),
            alt.Tooltip("rank:Q", title="Rank", format=".0f"),
            alt.Tooltip("rank_change:Q", title="Places moved (B - A)", format="+.0f"),
        ],
    )
    return (base.mark_line(color="#1f5f8b") + base.mark_point(filled=True)).properties(
        title=f"The {top} biggest moves", height=360
    )


def run_chart(spc: pd.DataFrame, title: str, value_format: str = ",.3f") -> alt.Chart:
    """An XmR run chart: values, mean, process limits and the points that signal."""
    data = spc.assign(
        rules_text=spc["rules"].map(lambda r: ", ".join(r) if r else "none"),
        signal=spc["rules"].map(lambda r: "Signal" if r else "No signal"),
        period_label=spc["period"].astype(str),
    )
    order = data["period_label"].tolist()
    x = alt.X("period_label:N", sort=order, title="Period", axis=alt.Axis(labelAngle=-45))
    base = alt.Chart(data).encode(x=x)
    lines = [
        base.mark_line(color="#1b2733", strokeDash=dash).encode(y=alt.Y(f"{col}:Q", title="Value"))
        for col, dash in (("mean", [1, 0]), ("upper", [6, 3]), ("lower", [6, 3]))
    ]
    values = base.mark_line(color="#8c8c8c").encode(y="value:Q")
    signal_scale = {"domain": ["No signal", "Signal"]}
    points = base.mark_point(filled=True, size=60).encode(
        y="value:Q",
        color=alt.Color(
            "signal:N", title=None, scale=alt.Scale(**signal_scale, range=["#1f5f8b", "#b2182b"])
        ),
        shape=alt.Shape(
            "signal:N", title=None, scale=alt.Scale(**signal_scale, range=["circle", "triangle-up"])
        ),
        tooltip=[
            alt.Tooltip("period_label:N", title="Period"),
            alt.Tooltip("value:Q", title="Value", format=value_format),
            alt.Tooltip("rules_text:N", title="Rules triggered"),
        ],
    )
    return (
        alt.layer(*lines, values, points)
        .properties(title=wrapped(title), height=320)
        .configure_legend(orient="bottom")
    )
