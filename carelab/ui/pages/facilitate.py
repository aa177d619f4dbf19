"""Facilitate: create a workshop from a case or module, pace it, watch answers, reveal, export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

import streamlit as st

from carelab.auth import User
from carelab.ui import state
from carelab.ui.components import (
    floor_panel,
    live_actions,
    presenter_link,
    quiz_panel,
    self_paced_panel,
    workshop_reuse,
)
from carelab.ui.components import workshop_views as views
from carelab.ui.components.download_links import download_links
from carelab.ui.components.markdown import markdown
from carelab.ui.errors import require_role, shown_as_message
from carelab.workshop import facilitation
from carelab.workshop.exports import EXPORTS, WORKSHOP_EXPORTS, export_url
from carelab.workshop.workshops import Workshop

PROJECTOR = "carelab/ui/pages/projector.py"
user = require_role(state.current_user(), "facilitator")
catalog = state.catalog()
st.title("Facilitate a workshop")


def create_form() -> None:
    """Start a workshop from a case's workshop plan, a module's steps or a template."""
    sources = workshop_reuse.sources(user, catalog, workshop_reuse.start_from())
    with st.form("facilitate.create"):
        # One key: the same widget whatever "Start from" offers, not a new list each time.
        chosen = st.selectbox("Run the plan of", list(sources), format_func=sources.get,
                              key="facilitate.plan")  # fmt: skip
        title = st.text_input("Title shown to participants (optional)", max_chars=120)
        anonymous = st.checkbox("Anonymous (no nicknames in exports)", value=True)
        with_quiz = st.checkbox(
            "Add the case's quiz questions after its plan, one step each",
            help="For a case: the room votes on each question and you reveal the answer. "
            "A module's questions are always in its steps.",
        )
        # Each feature adds its creation-time options here (see carelab.workshop.settings).
        settings: dict[str, Any] = workshop_reuse.create_options()
        settings |= floor_panel.create_options()
        settings |= quiz_panel.create_options()
        go = st.form_submit_button("Create workshop", type="primary")
    if go and chosen:
        with shown_as_message():
            made = workshop_reuse.create(user, catalog, chosen, title, anonymous, with_quiz,
                                         settings)  # fmt: skip
            # The next workshop starts unscheduled: a tick left on would schedule it too.
            st.session_state.pop(workshop_reuse.LATER, None)
            workshop_reuse.open_workshop(made)


def controls(workshop: Workshop) -> None:
    """Pacing, answering, reveal, timer and end; each checked again on the server.

    Each is a callback (carelab.ui.components.live_actions), so a press counts even when it
    lands while one of the page's live sections is re-reading the room.
    """
    actions: dict[str, Callable[[User, int], Workshop]] = {
        "← Previous": facilitation.previous_step, "Next →": facilitation.next_step,
        "Open answering": facilitation.open_answering,
        "Lock answering": facilitation.lock_answering,
        "Reveal results": facilitation.reveal_results,
        "Hide results": facilitation.hide_results,
        "Reveal the right answer": facilitation.reveal_answer,
    }  # fmt: skip
    # One row per pair of controls, so a phone (where columns stack) keeps them in order.
    rows = (("← Previous", "Next →"), ("Open answering", "Lock answering"),
            ("Reveal results", "Hide results", "Reveal the right answer"))  # fmt: skip
    for row in rows:
        for column, label in zip(st.columns(4), row, strict=False):
            live_actions.action_button(label, f"facilitate.{label}",
                                       partial(actions[label], user, workshop.id),
                                       where=column, disabled=workshop.ended,
                                       width="stretch")  # fmt: skip
    st.number_input("Timer (seconds)", 5, 3600, 60, step=5, key="facilitate.seconds")
    left, right = st.columns(2)
    live_actions.action_button(
        "Start timer", "facilitate.timer",
        lambda: facilitation.start_timer(user, workshop.id,
                                         int(st.session_state["facilitate.seconds"])),
        where=left, disabled=workshop.ended,
    )  # fmt: skip
    with right.popover("End the workshop", disabled=workshop.ended):
        st.write("Participants can no longer answer. Results and exports stay available.")
        live_actions.action_button("End it now", "facilitate.end",
                                   partial(facilitation.end_workshop, user, workshop.id),
                                   type="primary")  # fmt: skip


@st.fragment(run_every="2s")
def live(workshop_id: int) -> None:
    """Re-read the room every 2 seconds, as the user holds the role now: step, answers."""
    user, room = views.live_snapshot(workshop_id)
    workshop, step, results = room.workshop, room.step, room.results
    status = "ended" if workshop.ended else ("open" if workshop.answering_open else "locked")
    st.subheader(f"Step {workshop.current_step + 1} of {workshop.step_count}: {step.title}",
                 anchor=False)  # fmt: skip
    st.caption(
        f"Answering {status} · results {'shown' if workshop.results_revealed else 'hidden'} "
        "on the projector"
    )
    views.timer_view(workshop)
    if step.prompt:
        markdown(step.prompt)
    if step.facilitator_notes:
        with st.container(border=True):
            st.markdown("**For you only** (not on the projector or the phones)")
            markdown(step.facilitator_notes)
    if step.kind == "lab":
        views.lab_candidates_view(step, notes=True)
    if step.answerable:
        views.results_view(workshop, step, results)
        for response in results.responses:
            if step.mode == "open" and not response.hidden:
                left, right = st.columns([5, 1])
                left.text(f"#{response.participant_number}: {response.answer}")
                hide = partial(facilitation.hide_response, user, workshop.id,
                               workshop.current_step, response.participant_number)  # fmt: skip
                live_actions.action_button(
                    "Hide", f"hide.{workshop.current_step}.{response.participant_number}",
                    hide, where=right,
                )  # fmt: skip
    if step.kind == "lab":
        views.lab_truth_view(workshop, step)


def review(workshop: Workshop) -> None:
    """Any step's results, without moving the room: to look back during or after a session."""
    steps = facilitation.steps_of(user, workshop.id)
    answerable = [i for i, step in enumerate(steps) if step.answerable]
    if not answerable:
        return
    st.header("Results by step", anchor=False)
    st.caption("For you only: the projector and the phones stay on the current step.")
    index = st.selectbox("Step", answerable, key=f"facilitate.review.{workshop.id}",
                         format_func=lambda i: f"{i + 1}. {steps[i].title}")  # fmt: skip
    found = facilitation.results(user, workshop.id, index)
    looking_back = replace(workshop, answer_revealed=True)
    views.results_view(looking_back, steps[index], found)
    if steps[index].kind == "lab":
        views.lab_truth_view(looking_back, steps[index])


def workshop_label(workshop: Workshop) -> str:
    """How a workshop is listed: title, code, the day it ran, and whether it has ended."""
    day = datetime.fromtimestamp(workshop.created_at, UTC).strftime("%d %b %Y")
    return f"{workshop.title} · {workshop.code} · {day}" + (" (ended)" if workshop.ended else "")


mine = facilitation.mine(user)
with st.expander("New workshop", expanded=not mine):
    create_form()
if not mine:
    st.stop()
workshop_reuse.upcoming_list(user)
labels = {w.id: workshop_label(w) for w in mine}
requested = st.query_params.get("w")
ids = list(labels)
index = (
    ids.index(int(requested)) if requested and requested.isdigit() and int(requested) in ids else 0
)
workshop_reuse.follow_opened()
chosen_id = st.selectbox("Workshop", ids, index=index, format_func=labels.get, key="facilitate.w")
st.query_params["w"] = str(chosen_id)
found: Workshop | None = None
with shown_as_message():
    found = facilitation.facilitated(user, chosen_id)
if found is None:
    st.stop()
workshop = found

# Pacing first, so the page works as a remote on the facilitator's phone (390 px wide).
workshop_reuse.schedule_banner(user, workshop)
presenter_link.presenter_panel(workshop)
presenter_link.now_line(workshop.id)
controls(workshop)
self_paced_panel.panel(user, workshop)
live(workshop.id)
views.join_details(workshop)
st.page_link(PROJECTOR, label="Open the projector view", icon=":material/cast:",
             query_params={"w": str(workshop.id)})  # fmt: skip
floor_panel.panel(user, workshop)
quiz_panel.panel(user, workshop)
review(workshop)
st.header("Export", anchor=False)
st.caption(
    "Anonymous workshops export participants as numbers only."
    if workshop.anonymous
    else "This workshop keeps nicknames: they appear in the CSV export."
)


download_links(
    [(EXPORTS[name].label, export_url(workshop.id, name)) for name in WORKSHOP_EXPORTS],
    "Export this workshop",
)
workshop_reuse.reuse_actions(user, workshop)
