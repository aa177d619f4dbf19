"""The module player: a module's steps in order, every answer and reflection saved at once."""

from __future__ import annotations

import streamlit as st

from carelab.content import timing
from carelab.errors import DatabaseUnavailable, NotFound
from carelab.learning import services
from carelab.ui import state
from carelab.ui.components.completion import completion_panel
from carelab.ui.components.focus import (
    ask_to_focus_heading,
    focus_heading_if_asked,
    heading_key,
)
from carelab.ui.components.module_view import show_module_outline
from carelab.ui.components.pre_test import show_gain, show_pre_test
from carelab.ui.components.steps import show_step

# Steps that are done once the learner moves on from them (nothing to answer or save).
READ_ONLY = frozenset({"text", "case", "lab", "poll", "discussion"})


def _minutes(n: int) -> str:
    return "1 minute" if n == 1 else f"{n} minutes"


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "−").replace(".00", "")


def confidence_mark_panel() -> None:
    """The certainty-based mark beside the score, in a module that asks how sure one is."""
    marks = services.confidence_marks(attempt, module, catalog.cases)
    st.subheader("Your confidence-based mark", anchor=False)
    if not marks.questions:
        st.markdown("Answer a question, saying how sure you are, to see your mark here.")
        return
    st.markdown(
        f"- Confidence-based mark: **{_signed(marks.total)}** over {marks.questions} "
        f"question{'s' if marks.questions != 1 else ''}; average **{_signed(marks.average or 0)}"
        f"** per question (from −6 to +3)\n"
        "- Marks for each first answer: right +1, +2 or +3 and wrong 0, −2 or −6 at low, "
        "medium and high confidence (Gardner-Medwin's certainty-based marking).\n"
        "- Completing the module still depends on your score above (the share of quiz "
        "points) reaching the pass mark; this mark shows how well you judged what you know."
    )


catalog = state.catalog()
modules = sorted(catalog.modules.values(), key=lambda m: m.title)
requested = st.query_params.get("id") or (modules[0].id if modules else None)
user = state.current_user()
try:
    module = catalog.module(requested or "")
except NotFound:
    st.title("Modules", anchor=False)
    st.warning(
        f"The module '{requested}' is temporarily unavailable: its authors are fixing a "
        "problem in it. Your progress is kept and will be here when it returns."
    )
    st.stop()

st.title(module.title, anchor=False)
if user is None:
    st.info("Sign in to start: every answer and reflection is saved as you go.")
    show_module_outline(module)
    st.page_link("carelab/ui/pages/sign_in.py", label="Sign in or create an account")
    st.stop()

player = services.open_player(user, module, catalog.cases)
attempt, older, status = player.attempt, player.older, player.status
try:
    # Every run of the player is one of the learner's actions: time on task counts
    # from it. If the database cannot take it (full or read-only), reading goes on.
    services.record_action(attempt)
except DatabaseUnavailable:
    st.warning(
        "CareLab cannot save right now: you can read on, but answers will not be kept "
        "until it can.",
        icon=":material/cloud_off:",
    )
if older:
    st.info(
        f"This module was updated to version {module.version}. Your answers to version "
        f"{older.module_version} are kept in your record; this is a fresh start."
    )
if show_pre_test(module, attempt):
    # A new attempt at a module with a pre-test starts with it (or its answers).
    st.stop()

ids = [s.id for s in module.steps]
current = st.query_params.get("step") or attempt.current_step or ids[0]
index = ids.index(current) if current in ids else 0
if ids[index] != attempt.current_step:
    # Arrived by a link or a reload: remember this step for next time too.
    services.move_to(attempt, ids[index])
done = sum(1 for s in status.required if s in status.done)
st.progress(
    done / max(1, len(status.required)),
    text=f"Step {index + 1} of {len(ids)} · {done} of {len(status.required)} required steps done",
)


def go_to(new_index: int) -> None:
    """Finish the step being left (reading steps count as done), then move."""
    step = module.steps[index]
    finished = step.id if step.kind in READ_ONLY else None
    services.leave_step(attempt, finished, ids[new_index])
    st.query_params["step"] = ids[new_index]
    # The next run shows the new step: keep the learner's place at its heading.
    ask_to_focus_heading()


chosen = st.selectbox(
    "Go to step",
    range(len(ids)),
    index=index,
    format_func=lambda i: (
        ("✓ " if ids[i] in status.done else "") + f"{i + 1}. {module.steps[i].title}"
    ),
    key=f"player.goto.{attempt.id}.{index}",
)
if chosen != index:
    go_to(chosen)
    st.rerun()

step = module.steps[index]
with st.container(key=heading_key(index)):
    st.header(step.title, anchor=False)
st.caption(f"About {_minutes(timing.step_minutes(step, catalog.cases))} for this step")
show_step(step, module, attempt)

back, forward = st.columns(2)
if back.button("← Previous", disabled=index == 0, key="player.previous"):
    go_to(index - 1)
    st.rerun()
if forward.button("Next →", disabled=index == len(ids) - 1, key="player.next", type="primary"):
    go_to(index + 1)
    st.rerun()
if index == len(ids) - 1:
    if step.kind in READ_ONLY and step.id not in status.done:
        st.markdown("This is the last step. Press “Finish this step” when you have read it.")
        if st.button("Finish this step", key="player.finish"):
            go_to(index)
            st.rerun()
    completion_panel(user, module, attempt)
    show_gain(module, attempt)
    if module.confidence:
        confidence_mark_panel()
focus_heading_if_asked(heading_key(index))
