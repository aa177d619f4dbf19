"""Facilitate's way to the presenter screen: one click opens it, full screen, in a new tab."""

from __future__ import annotations

import time

import streamlit as st

from carelab.content.text import escape_markdown
from carelab.ui import state
from carelab.ui.components import workshop_views as views
from carelab.workshop.presenter import presenter_path
from carelab.workshop.workshops import Workshop

KEYS = (
    "→ next · ← previous · R results · L lock or open answering · A right answer · "
    "Q QR code · F full screen"
)


def open_path(workshop: Workshop) -> str:
    """The address that gives the signed-in facilitator a fresh presenter key and the screen."""
    return f"{presenter_path(workshop.code)}/open"


def presenter_panel(workshop: Workshop) -> None:
    """The 'Open presenter screen' button, what it does, and its keys."""
    if workshop.ended:
        st.caption("This workshop has ended, so it has no presenter screen.")
        return
    # The link issues the key when clicked (the server checks the sign-in cookie), so a
    # rerun of this page, or opening it on a phone as a remote, never replaces the key of
    # a presenter screen that is already showing.
    st.link_button(
        "Open presenter screen",
        f"{state.origin()}{open_path(workshop)}",
        type="primary",
        icon=":material/present_to_all:",
        width="stretch",
        help="Opens in a new tab: put it on the projector and press F for full screen.",
    )
    st.caption(
        "For the projector, with no sign-in there. A new click makes a new key and closes "
        f"a presenter screen opened before. Keys: {KEYS}."
    )


@st.fragment(run_every="2s")
def now_line(workshop_id: int) -> None:
    """Where the room is, in one line above the pacing buttons (the remote's display)."""
    _, room = views.live_snapshot(workshop_id)
    workshop, step, results = room.workshop, room.step, room.results
    if workshop.ended:
        st.markdown("**Now:** the workshop has ended.")
        return
    parts = [
        f"**Now: step {workshop.current_step + 1} of {workshop.step_count}**, "
        f"{escape_markdown(step.title)}"
    ]
    if step.answerable:
        parts += [
            "answering " + ("open" if workshop.accepting_answers(time.time()) else "locked"),
            "results " + ("shown" if workshop.results_revealed else "hidden"),
            results.answered_label,
        ]
    st.markdown(" · ".join(parts))
