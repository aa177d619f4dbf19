"""Live workshop views shared by the facilitator page and the projector: join details, results."""

from __future__ import annotations

import io
import time
from urllib.parse import urlsplit

import altair as alt
import pandas as pd
import segno
import streamlit as st
from streamlit import config as st_config

from carelab.auth import User
from carelab.content.text import escape_markdown
from carelab.errors import PermissionDenied
from carelab.indicators.scenarios import BY_ID
from carelab.ui import state
from carelab.ui.components import charts, lab_views, ranking_views
from carelab.ui.components.markdown import markdown
from carelab.web import addresses
from carelab.workshop import aggregate, facilitation
from carelab.workshop.facilitation import LiveRoom
from carelab.workshop.steps import WorkshopStep
from carelab.workshop.workshops import Workshop

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def live_snapshot(workshop_id: int) -> tuple[User | None, LiveRoom]:
    """The facilitator now, and their workshop with its current step and results, read afresh.

    For the live fragments of Facilitate and Projector: a fragment's run does not go through
    app.py, so the user is checked again here (cookie and database). If the role was revoked
    or they signed out, the whole app runs again at once, which drops the page and all it
    showed.
    """
    user = state.user_holding("facilitator")
    try:
        room = facilitation.live(user, workshop_id)
    except PermissionDenied:
        st.rerun()
    return user, room


def join_url(code: str) -> str:
    """The link phones open: this server's room page for the code."""
    return f"{state.origin()}/room/{code}"


@st.cache_data(max_entries=64, show_spinner=False)
def qr_png(url: str, scale: int = 10) -> bytes:
    """A QR code for a join link, as PNG (segno: pure Python, no dependencies)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def join_details(workshop: Workshop, large: bool = False) -> None:
    """The join code, link and QR code, big enough for the back of a lecture theatre."""
    url = join_url(workshop.code)
    left, right = st.columns([1, 2] if large else [1, 3])
    # The picture's text alternative says what it does and where it leads (WCAG 1.1.1).
    alt = f"QR code: scan it with a phone camera to open {url} and join workshop {workshop.code}"
    left.image(qr_png(url, 14 if large else 6), caption="Scan to join", alt=alt)
    with right:
        # One h1 per page (the page's title): the code is a second-level heading.
        st.markdown(f"## Code: `{workshop.code}`")
        room = url.split("://", 1)[-1].rsplit("/", 1)[0]
        st.markdown(f"Or open **{room}** and type the code.")
        st.caption(f"Join link: {url}")
    if urlsplit(url).hostname in LOOPBACK:
        loopback_warning(url)


def loopback_warning(url: str) -> None:
    """Say that phones cannot open a localhost link, and which addresses they can."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    listening = str(st_config.get_option("server.address") or "")
    page = urlsplit(st.context.url or "").path or "/facilitate"
    lines = [
        "This link points at this computer only, so phones cannot open it. Open CareLab at "
        "an address the phones can reach and the code, link and QR code will use it."
    ]
    if urlsplit(f"//{listening}").hostname in LOOPBACK:
        lines.append(
            f"CareLab was started to listen on {listening} only. Start it with `make run`, "
            "which listens on every network address, or set `--server.address 0.0.0.0`."
        )
    else:
        found = [addresses.url_for(a, port, parts.scheme) for a in addresses.network_addresses()]
        if found:
            links = ", ".join(f"[{base}]({base}{page})" for base in found)
            lines.append(
                f"This computer's network addresses (the *Network URL* that `make run` "
                f"prints): {links}. Phones must be on the same network, and the computer's "
                f"firewall must let them reach port {port}. You sign in again at the new "
                "address."
            )
        else:
            lines.append("This computer has no network address now: connect it to a network.")
    lines.append("See *Phones on the same network* in docs/facilitator.md.")
    st.warning("\n\n".join(lines), icon=":material/wifi_off:")


def _font(chart: alt.Chart, large: bool) -> alt.Chart:
    """Axis text readable from the back of a room on the projector."""
    size = 18 if large else 12
    return chart.configure_axis(labelFontSize=size, titleFontSize=size).configure_legend(
        labelFontSize=size
    )


def _counts_chart(
    results: aggregate.StepResults, labels: list[str], reveal_answer: bool, large: bool
) -> alt.Chart:
    marked = reveal_answer and any(c.correct for c in results.counts)
    # The right answer is marked in words on its own axis label, not by colour alone.
    data = pd.DataFrame(
        {
            "option": [
                f"{label} ✓ right" if marked and c.correct else label
                for label, c in zip(labels, results.counts, strict=True)
            ],
            "count": [c.count for c in results.counts],
            "right": [
                "✓ right answer" if marked and c.correct else "answer" for c in results.counts
            ],
        }
    )
    # With no answers yet the axis still runs 0 to 1, not 0 to 0.000000.
    most = max(1, int(data["count"].max()))
    colour = (
        alt.Color("right:N", title=None, scale=alt.Scale(domain=["answer", "✓ right answer"],
                                                          range=["#1f5f8b", "#2e7d32"]))
        if marked else alt.value("#1f5f8b")
    )  # fmt: skip
    # Screen readers get the chart's one description and the counts line below it, not
    # one label per bar (the marks are hidden from assistive technology).
    chart = (
        alt.Chart(data, description=f"Bar chart of answers per option. {results.answered_label}.")
        .mark_bar(aria=False)
        .encode(
            y=alt.Y("option:N", sort=None, title=None,
                    axis=alt.Axis(labelLimit=480 if large else 320)),
            x=alt.X("count:Q", title="Answers", scale=alt.Scale(domain=[0, most]),
                    axis=alt.Axis(tickMinStep=1, format="d")),
            color=colour,
            tooltip=["option", "count"],
        )
        .properties(height=max(120, (60 if large else 40) * len(data)))
    )  # fmt: skip
    return _font(chart, large)


def results_view(
    workshop: Workshop, step: WorkshopStep, results: aggregate.StepResults, large: bool = False
) -> None:
    """Charts and numbers for a step's answers, always as text too (large on the projector)."""
    if large:
        st.subheader(results.answered_label, anchor=False)
    else:
        st.markdown(f"**{results.answered_label}**")
    reveal_answer = workshop.answer_revealed
    if results.counts:
        # A Lab vote's options carry their numbers, shown above; its chart names the hospital.
        hospitals = [c["provider"] for c in step.extra.get("candidates", [])]
        labels = (
            hospitals
            if len(hospitals) == len(results.counts)
            else [c.label for c in results.counts]
        )
        chart = _counts_chart(results, labels, reveal_answer, large)
        st.altair_chart(chart, width="stretch")
        marks = {True: " ✓", False: "", None: ""} if reveal_answer else {}
        counts = " · ".join(
            f"{label}: {c.count}{marks.get(c.correct, '')}"
            for label, c in zip(labels, results.counts, strict=True)
        )
        if large:
            st.markdown(f"### {escape_markdown(counts)}")
        else:
            st.markdown(escape_markdown(counts))
    if results.numeric:
        summary = results.numeric
        st.markdown(
            f"n = {summary.n}; median {summary.median:g}; mean {summary.mean:.3g}; "
            f"range {summary.min:g} to {summary.max:g}" + (f" {step.unit}" if step.unit else "")
        )
        bins = pd.DataFrame({"from": [b.low for b in summary.bins],
                             "count": [b.count for b in summary.bins]})  # fmt: skip
        histogram = alt.Chart(
            bins, description=f"Histogram of the {summary.n} numbers given, described above."
        ).mark_bar(aria=False).encode(
            x=alt.X("from:Q", title=step.unit or "Value"),
            y=alt.Y("count:Q", title="Answers", axis=alt.Axis(tickMinStep=1, format="d")),
        )  # fmt: skip
        st.altair_chart(_font(histogram, large), width="stretch")
    if results.words:
        st.dataframe(
            pd.DataFrame({"Word": [w.word for w in results.words],
                          "Answers using it": [w.count for w in results.words]}),
            hide_index=True, width="stretch",
        )  # fmt: skip
    if step.mode == "ranking":
        ranking_views.ranking_view(results, reveal_answer, large)
    ranking_views.shift_view(results, reveal_answer, large)
    if reveal_answer and step.explanation:
        st.info(step.explanation, icon=":material/lightbulb:")


def timer_view(workshop: Workshop, large: bool = False) -> None:
    """The countdown, if one runs: minutes and seconds left, re-read with the page."""
    left = workshop.seconds_left(time.time())
    if left is None:
        return
    clock = f"{left // 60}:{left % 60:02d} left to answer" if left else "Time is up"
    text = f":material/timer: {clock}"
    if large:
        st.subheader(text, anchor=False)
    else:
        st.markdown(f"**{text}**")


def lab_candidates_view(step: WorkshopStep, notes: bool = False) -> None:
    """A Lab vote's five hospitals as a league table prints them (and the module's notes)."""
    if notes and step.extra.get("notes"):
        with st.expander("The module's notes for this Lab step"):
            markdown(step.extra["notes"])
    if step.options:
        # A plain HTML table: readable from the back of the room, and by screen readers.
        st.table(
            pd.DataFrame({"Hospital and its numbers (simulated)": list(step.options)}),
            hide_index=True, border="horizontal",
        )  # fmt: skip


def lab_truth_view(workshop: Workshop, step: WorkshopStep) -> None:
    """Once the answer is revealed: the funnel plot with the five named, and their true ranks."""
    scenario = BY_ID.get(step.extra.get("scenario", ""))
    if scenario is None:
        return
    candidates = step.extra.get("candidates") or []
    if workshop.answer_revealed and candidates:
        result = lab_views.lab_result(scenario.population, scenario.a, scenario.analysis_a)
        if result is not None and result.curve is not None:
            names = tuple(c["provider"] for c in candidates)
            st.altair_chart(
                charts.funnel_chart(result.table, result.curve, result.indicator.kind,
                                    "The funnel plot (simulated data), with the five named",
                                    lab_views.size_label(result), highlight=names),
                width="stretch",
            )  # fmt: skip
            st.markdown(charts.LIMITS_KEY)
        columns = {
            "Hospital": [c["provider"] for c in candidates],
            "Funnel plot says": [c["verdict"] for c in candidates],
        }
        if all("shrunk_place" in c for c in candidates):
            columns["Place on raw figures (1 = worst)"] = [c["raw_place"] for c in candidates]
            columns["Place shrunk (1 = worst)"] = [c["shrunk_place"] for c in candidates]
        columns["True quality rank (1 = worst)"] = [c["true_rank"] for c in candidates]
        st.table(pd.DataFrame(columns), hide_index=True, border="horizontal")
    st.page_link("carelab/ui/pages/indicator_lab.py", label="Open this scenario in the Lab",
                 icon=":material/science:", query_params={"scenario": scenario.id})  # fmt: skip
