"""Altair charts for the Indicator Lab: funnel plots, rank intervals, A-vs-B moves, run charts.

Every point's meaning is carried by its shape, its fill and a tooltip as well as its colour,
so no reading depends on colour alone: worse is a triangle, as expected a circle, better a
diamond; outside the 99.8% limits the shape is filled, outside 95% only it is hollow.

Every colour is at least 3:1 against the white page (WCAG 1.4.11, graphics), computed with
the WCAG relative-luminance formula: #b2182b 6.87, #d6604d 3.72, #8c8c8c 3.36, #4393c3
3.39, #2166ac 5.90, #1f5f8b 6.84, #555555 7.46, #1b2733 15.17. (0.4's #ef8a62 and #67a9cf
were 2.48 and 2.58.)

Marks are hidden from assistive technology (`aria=False`): a funnel exposed 208 marks
labelled with 12-decimal floats. Instead each chart carries one `description` (the SVG's
accessible name), and the page shows the same words as body text and a table of the values
(carelab.indicators.describe).
"""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from carelab.indicators import describe
from carelab.indicators.describe import VERDICT_ORDER

__all__ = ["VERDICT_ORDER", "funnel_chart", "moves_chart", "rank_chart", "run_chart"]

VERDICT_COLOURS = ["#b2182b", "#d6604d", "#8c8c8c", "#4393c3", "#2166ac"]
VERDICT_SHAPES = ["triangle-up", "triangle-up", "circle", "diamond", "diamond"]
# 99.8% filled, 95% hollow (white inside, the colour as its outline), as expected filled grey.
VERDICT_FILLS = ["#b2182b", "#ffffff", "#8c8c8c", "#ffffff", "#2166ac"]


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
    description: str | None = None,
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
        .mark_line(clip=True, aria=False)
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
    target = alt.Chart(table.head(1)).mark_rule(color="#1b2733", aria=False).encode(y="target:Q")
    points = (
        alt.Chart(table)
        # Fully opaque: a translucent mark is paler than its colour, and under 3:1.
        .mark_point(filled=False, size=70, opacity=1, strokeWidth=1.5, aria=False)
        .encode(
            x="n:Q",
            y="value:Q",
            color=alt.Color(
                "verdict:N", title="Compared with the target",
                scale=alt.Scale(domain=VERDICT_ORDER, range=VERDICT_COLOURS),
            ),
            shape=alt.Shape(
                "verdict:N", title="Compared with the target",
                scale=alt.Scale(domain=VERDICT_ORDER, range=VERDICT_SHAPES),
            ),
            fill=alt.Fill(
                "verdict:N", title="Compared with the target",
                scale=alt.Scale(domain=VERDICT_ORDER, range=VERDICT_FILLS),
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
        ring = alt.Chart(marked).mark_point(
            size=300, filled=False, strokeWidth=2, color="#1b2733", aria=False
        )
        names = alt.Chart(marked).mark_text(
            align="left",
            dx=10,
            dy=-10,
            fontSize=14,
            fontWeight="bold",
            color="#1b2733",
            aria=False,
        )
        layers = (
            layers
            + ring.encode(x="n:Q", y="value:Q")
            + names.encode(x="n:Q", y="value:Q", text="provider:N")
        )
    if description is None:
        description = describe.funnel_description(table)
    return layers.properties(
        title=wrapped(title), height=500, description=description
    ).configure_legend(orient="bottom", direction="horizontal", columns=2, labelLimit=180)


LIMITS_KEY = "Dashed lines: 95% limits. Solid lines: 99.8% limits. Horizontal line: the target."


def rank_chart(ranks: pd.DataFrame, title: str, description: str = "") -> alt.Chart:
    """Each provider's rank with its 95% interval, best at the top (Marshall & Spiegelhalter).

    Named rows 20 px apart when there are 40 or fewer (the Lab's top and bottom views); for
    more, a compact unlabelled overview, at most 480 px tall (0.4 drew 900 px on a phone).
    """
    order = ranks.sort_values(["rank", "provider"])["provider"].tolist()
    labelled = len(order) <= 40
    base = alt.Chart(ranks).encode(
        y=alt.Y(
            "provider:N", sort=order, title=None, axis=alt.Axis(labels=labelled, labelOverlap=False)
        ),
    )
    bars = base.mark_rule(color="#8c8c8c", strokeWidth=2, aria=False).encode(
        x=alt.X("rank_lower:Q", title="Rank (1 = best), with 95% interval"), x2="rank_upper:Q"
    )
    dots = base.mark_point(filled=True, color="#1f5f8b", shape="circle", aria=False).encode(
        x="rank:Q",
        tooltip=[
            alt.Tooltip("provider:N", title="Provider"),
            alt.Tooltip("rank:Q", title="Rank", format=".0f"),
            alt.Tooltip("rank_lower:Q", title="Interval from", format=".0f"),
            alt.Tooltip("rank_upper:Q", title="Interval to", format=".0f"),
        ],
    )
    height = 20 * len(order) if labelled else min(480, 3 * len(order))
    return (bars + dots).properties(
        title=wrapped(title), height=max(160, height), description=description or title
    )


def moves_chart(comparison: pd.DataFrame, top: int = 15, description: str = "") -> alt.Chart:
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
    lines = base.mark_line(color="#1f5f8b", aria=False)
    points = base.mark_point(filled=True, color="#1f5f8b", aria=False)
    return (lines + points).properties(
        title=f"The {top} biggest moves",
        height=360,
        description=description or describe.moves_description(comparison, top),
    )


def run_chart(
    spc: pd.DataFrame, title: str, value_format: str = ",.3f", description: str = ""
) -> alt.Chart:
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
        base.mark_line(color="#1b2733", strokeDash=dash, aria=False).encode(
            y=alt.Y(f"{col}:Q", title="Value")
        )
        for col, dash in (("mean", [1, 0]), ("upper", [6, 3]), ("lower", [6, 3]))
    ]
    values = base.mark_line(color="#8c8c8c", aria=False).encode(y="value:Q")
    signal_scale = {"domain": ["No signal", "Signal"]}
    points = base.mark_point(filled=True, size=60, aria=False).encode(
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
        .properties(
            title=wrapped(title),
            height=320,
            description=description or describe.run_description(spc),
        )
        .configure_legend(orient="bottom")
    )
