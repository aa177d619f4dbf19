"""A ranking's results and a re-vote's shift on Facilitate and the projector: text and charts.

Every chart has its numbers beside it as a table, and its bars carry text labels, so
nothing depends on colour (the first vote and the re-vote are told apart in words).
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from carelab.workshop import aggregate
from carelab.workshop.result_tables import ranking_rows
from carelab.workshop.shift import VoteShift

BAR = "#1f5f8b"
SECOND = "#7a4b00"


def _font(chart: alt.Chart, large: bool) -> alt.Chart:
    size = 18 if large else 12
    return chart.configure_axis(labelFontSize=size, titleFontSize=size).configure_text(
        fontSize=size
    )


def ranking_view(results: aggregate.StepResults, reveal_answer: bool, large: bool) -> None:
    """Mean rank per item, best first, as bars and as a table with the distribution."""
    ranking = results.ranking
    if ranking is None:
        st.markdown("No rankings yet.")
        return
    size = len(ranking.items)
    data = pd.DataFrame(
        {
            "item": [f"{place}. {i.label}" for place, i in enumerate(ranking.items, 1)],
            "mean": [i.mean_rank for i in ranking.items],
            "text": [f"mean rank {i.mean_rank:.2f}" for i in ranking.items],
        }
    )
    # Shorter bars for better (lower) ranks would read backwards: the bar is the score
    # size + 1 - mean, so the top item has the longest bar; the text gives the mean rank.
    data["score"] = size + 1 - data["mean"]
    base = alt.Chart(
        data,
        description=f"Bar chart of mean rank per item, best first, from {ranking.n} rankings; "
        "the numbers are in the table below.",
    ).encode(
        y=alt.Y("item:N", sort=None, title=None, axis=alt.Axis(labelLimit=480 if large else 300)),
        x=alt.X(
            "score:Q",
            title="Longer bar = ranked higher",
            scale=alt.Scale(domain=[0, size]),
            axis=alt.Axis(labels=False, ticks=False),
        ),
    )
    chart = base.mark_bar(color=BAR, aria=False) + base.mark_text(
        align="left", dx=4, aria=False
    ).encode(text="text:N")
    st.altair_chart(
        _font(chart.properties(height=max(120, (56 if large else 36) * size)), large),
        width="stretch",
    )
    header, rows = ranking_rows(ranking)
    if not reveal_answer and header[-1] == "Right place":
        header, rows = header[:-1], tuple(row[:-1] for row in rows)
    st.table(pd.DataFrame(rows, columns=list(header)), hide_index=True, border="horizontal")
    st.caption(
        f"{ranking.n} rankings. Mean rank: the average position given (1 = top). "
        "Position columns: how many put the item there."
    )


def _shift_line(shift: VoteShift, reveal_answer: bool) -> str:
    parts = [f"{shift.changed_label}."]
    if reveal_answer and shift.right_first is not None:
        parts.append(
            f"Right: {shift.right_first:.0%} in the first vote, "
            f"{shift.right_second or 0:.0%} in the re-vote."
        )
        parts.append(
            f"Wrong → right: {shift.wrong_to_right} · right → wrong: {shift.right_to_wrong} · "
            f"wrong → another wrong answer: {shift.wrong_to_wrong}."
        )
    return " ".join(parts)


def _options_chart(shift: VoteShift, large: bool) -> alt.Chart:
    data = pd.DataFrame(
        [
            {"option": o.label, "vote": vote, "count": count, "text": f"{vote}: {count}"}
            for o in shift.options
            for vote, count in (("First vote", o.first), ("Re-vote", o.second))
        ]
    )
    most = max(1, int(data["count"].max()))
    base = alt.Chart(
        data, description="Bar chart of answers per option in the first vote and the re-vote; "
        "the numbers are in the table below."
    ).encode(
        y=alt.Y("option:N", sort=None, title=None, axis=alt.Axis(labelLimit=480 if large else 300)),
        yOffset=alt.YOffset("vote:N", sort=["First vote", "Re-vote"]),
        x=alt.X("count:Q", title="Answers", scale=alt.Scale(domain=[0, most * 1.3]),
                axis=alt.Axis(tickMinStep=1, format="d")),
    )  # fmt: skip
    colour = alt.Color(
        "vote:N", title=None, scale=alt.Scale(domain=["First vote", "Re-vote"], range=[BAR, SECOND])
    )
    chart = base.mark_bar(aria=False).encode(color=colour) + base.mark_text(
        align="left", dx=4, aria=False
    ).encode(text="text:N")
    rows = len(shift.options)
    return _font(chart.properties(height=max(140, (90 if large else 60) * rows)), large)


def shift_view(results: aggregate.StepResults, reveal_answer: bool, large: bool) -> None:
    """The re-vote against its first vote: who changed, the share right, options or ranks."""
    shift = results.shift
    if shift is None:
        return
    heading = f"How the votes moved since step {shift.first_step_index + 1}"
    st.subheader(heading, anchor=False) if large else st.markdown(f"**{heading}**")
    st.markdown(_shift_line(shift, reveal_answer))
    if shift.options:
        st.altair_chart(_options_chart(shift, large), width="stretch")
        mark = (lambda o: " ✓ right" if o.correct else "") if reveal_answer else (lambda o: "")
        table = pd.DataFrame(
            {
                "Option": [o.label + mark(o) for o in shift.options],
                "First vote": [f"{o.first} ({o.first_share:.0%})" for o in shift.options],
                "Re-vote": [f"{o.second} ({o.second_share:.0%})" for o in shift.options],
            }
        )
        st.table(table, hide_index=True, border="horizontal")
    if shift.ranks:
        table = pd.DataFrame(
            {
                "Item": [r.label for r in shift.ranks],
                "Mean rank, first vote": [_mean(r.first_mean) for r in shift.ranks],
                "Mean rank, re-vote": [_mean(r.second_mean) for r in shift.ranks],
            }
        )
        st.table(table, hide_index=True, border="horizontal")
    if shift.switches and not large:
        switches = pd.DataFrame(
            {
                "From (first vote)": [s.before for s in shift.switches],
                "To (re-vote)": [s.after for s in shift.switches],
                "People": [s.count for s in shift.switches],
            }
        )
        st.table(switches, hide_index=True, border="horizontal")


def _mean(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"
