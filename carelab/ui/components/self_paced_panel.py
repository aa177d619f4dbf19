"""Facilitate: switch a room between self-paced and facilitator-paced, and watch its progress."""

from __future__ import annotations

import streamlit as st

from carelab.auth import User
from carelab.errors import PermissionDenied
from carelab.ui import state
from carelab.ui.components.live_actions import setting_toggle
from carelab.workshop import reuse_services
from carelab.workshop.workshops import Workshop


def panel(user: User, workshop: Workshop) -> None:
    """The pacing switch; in a self-paced room, its progress (re-read every 2 seconds)."""
    setting_toggle(
        "Self-paced: participants move through the steps on their own",
        f"facilitate.self_paced.{workshop.id}",
        workshop.self_paced,
        lambda on: reuse_services.set_self_paced(user, workshop.id, on),
        disabled=workshop.ended,
        help="Each phone has Previous and Next, answers the step it is on and then sees the "
        "right answer. Switch off to lead the room step by step again.",
    )
    if workshop.self_paced:
        st.caption("The phones do not follow your Next and Previous while the room is self-paced.")
        progress_view(workshop.id)


@st.fragment(run_every="2s")
def progress_view(workshop_id: int) -> None:
    """Per step how many phones reached it and answered it, and how many finished."""
    user = state.user_holding("facilitator")
    try:
        _, found = reuse_services.progress(user, workshop_id)
    except PermissionDenied:
        st.rerun()
    joined = len(found.phones)
    st.subheader("Progress", anchor=False)
    st.markdown(
        f"**{found.finished} of {joined} finished** (answered all {found.answerable} "
        "questions and reached the last step)."
    )
    for step in found.steps:
        answered = f", {step.answered} answered" if step.answerable else ""
        st.progress(
            step.reached / joined if joined else 0.0,
            text=f"{step.index + 1}. {step.title}: {step.reached} of {joined} reached{answered}",
        )
