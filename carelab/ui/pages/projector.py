"""Projector view: the join code and QR, the current step, and results once revealed."""

from __future__ import annotations

import streamlit as st

from carelab.errors import CareLabError
from carelab.ui import state
from carelab.ui.components import quiz_panel
from carelab.ui.components import workshop_views as views
from carelab.ui.components.markdown import markdown
from carelab.ui.errors import require_role
from carelab.workshop import facilitation

user = require_role(state.current_user(), "facilitator")
requested = st.query_params.get("w", "")
try:
    workshop = facilitation.facilitated(user, int(requested))
except (CareLabError, ValueError):
    st.title("Projector")
    st.error("Open the projector from the Facilitate page, for a workshop you run.")
    st.stop()

st.title(workshop.title)
views.join_details(workshop, large=True)


@st.fragment(run_every="2s")
def screen(workshop_id: int) -> None:
    """What the room sees, refreshed every 2 seconds, while the user may still run it."""
    user, room = views.live_snapshot(workshop_id)
    current, step, results = room.workshop, room.step, room.results
    quiz_panel.projector_view(user, current)  # the leaderboard, only while revealed
    if current.ended:
        st.header("This workshop has ended. Thank you.", anchor=False)
        return
    st.header(f"{current.current_step + 1}. {step.title}", anchor=False)
    if step.prompt:
        markdown(step.prompt)
    if step.kind == "lab":
        views.lab_candidates_view(step)
    if not step.answerable:
        return
    views.timer_view(current, large=True)
    if current.results_revealed:
        views.results_view(current, step, results, large=True)
    else:
        st.subheader(results.answered_label, anchor=False)
        st.caption("Results are hidden until the facilitator reveals them.")
    if step.kind == "lab":
        views.lab_truth_view(current, step)


screen(workshop.id)
