"""How each kind of step looks in the self-paced module player."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import streamlit as st

from carelab.content import schema
from carelab.errors import NotFound
from carelab.indicators.scenarios import BY_ID
from carelab.learning import limits, progress, services
from carelab.learning.records import Attempt
from carelab.ui import state
from carelab.ui.components.case_quiz import case_step_quiz
from carelab.ui.components.case_view import show_case
from carelab.ui.components.markdown import markdown
from carelab.ui.components.questions import show_question
from carelab.ui.errors import shown_as_message

LAB_PAGE = "carelab/ui/pages/indicator_lab.py"
HINTS = {
    "what": "What happened, or what did you learn?",
    "so_what": "Why does it matter for you, your patients or your team?",
    "now_what": "What will you do differently, and how will you know?",
}


def _citations(module: schema.Module) -> dict[str, str]:
    return {s.id: s.citation + (f" {s.url}" if s.url else "") for s in module.sources}


def text_step(step: schema.TextStep, module: schema.Module) -> None:
    """Reading: Markdown with its sources."""
    markdown(step.body)
    cited = _citations(module)
    for ref in step.sources:
        st.markdown(f"Source: {cited.get(ref, ref)}")


def case_step(step: schema.CaseStep, attempt: Attempt) -> None:
    """A case study shown inline, with its quiz counted in the module's score."""
    if step.focus:
        st.info(step.focus, icon=":material/visibility:")
    try:
        case = state.catalog().case(step.case)
    except NotFound:
        st.warning("This case is temporarily unavailable while its authors fix a problem.")
        return
    show_case(case, preview=True, quiz=case_step_quiz(step, case, attempt))


def lab_step(step: schema.LabStep) -> None:
    """An Indicator Lab scenario: what to try, and a link that opens it."""
    scenario = BY_ID.get(step.scenario)
    if scenario is None:
        st.warning(f"The Indicator Lab scenario '{step.scenario}' is not available.")
        return
    st.markdown(f"**Indicator Lab: {scenario.title}**")
    if step.prompt:
        markdown(step.prompt)
    with st.expander("What the scenario shows"):
        markdown(scenario.notice)
    st.page_link(LAB_PAGE, label="Open this scenario in the Indicator Lab",
                 icon=":material/science:", query_params={"scenario": scenario.id})  # fmt: skip


def group_step(step: schema.PollStep | schema.DiscussionStep) -> None:
    """A poll or discussion, meant for workshops: on your own, think it through."""
    markdown(step.prompt)
    if isinstance(step, schema.PollStep) and step.options:
        markdown("\n".join(f"- {option}" for option in step.options))
    st.markdown("In a workshop the group answers this together. On your own, think it through.")


def quiz_step(step: schema.QuizStep, module: schema.Module, attempt: Attempt) -> None:
    """Every question of a quiz, each saved the moment it is checked."""
    if step.intro:
        markdown(step.intro)
    saved = services.answers(attempt)
    cited = _citations(module)
    for number, question in enumerate(step.questions, 1):
        show_question(number, step.id, question, attempt, saved.get(question.id), cited)


def reflection_step(step: schema.ReflectionStep, attempt: Attempt) -> None:
    """A What? / So what? / Now what? reflection, saved to the learner's log."""
    markdown(step.prompt)
    if step.guidance:
        markdown(step.guidance)
    st.warning(
        "Write nothing that could identify a patient: no names, dates of birth, NHS or "
        "hospital numbers. Your log is yours to share with your appraiser.",
        icon=":material/privacy_tip:",
    )
    saved = services.reflection(attempt, step.id)
    key = f"player.{attempt.id}.{step.id}"
    with st.form(f"{key}.form"):
        texts = {}
        for name, label in progress.REFLECTION_FIELDS.items():
            value = getattr(saved, name) if saved else ""
            texts[name] = st.text_area(
                label,
                value=value,
                help=HINTS[name],
                key=f"{key}.{name}",
                # Never below the saved text: Streamlit would cut it without a word.
                max_chars=max(limits.MAX_REFLECTION, len(value)),
            )
        submitted = st.form_submit_button("Save my reflection")
    if submitted:
        with shown_as_message():
            _save_reflection(step, attempt, texts)
    elif saved:
        st.markdown(f"Saved {datetime.fromtimestamp(saved.saved_at):%d %b %Y at %H:%M}.")


def _save_reflection(step: schema.ReflectionStep, attempt: Attempt, texts: dict[str, str]) -> None:
    saved_at = services.save_reflection(attempt, step, texts)
    st.success(f"Saved at {datetime.fromtimestamp(saved_at):%H:%M}.", icon=":material/check:")
    found = progress.identifier_warnings(*texts.values())
    if found:
        st.warning(
            f"Your reflection may contain {', '.join(found)}. Please check it identifies no "
            "patient, and edit it if it does.",
            icon=":material/warning:",
        )


def show_step(step: Any, module: schema.Module, attempt: Attempt) -> None:
    """Render any step in the player."""
    if isinstance(step, schema.TextStep):
        text_step(step, module)
    elif isinstance(step, schema.QuizStep):
        quiz_step(step, module, attempt)
    elif isinstance(step, schema.ReflectionStep):
        reflection_step(step, attempt)
    elif isinstance(step, schema.CaseStep):
        case_step(step, attempt)
    elif isinstance(step, schema.LabStep):
        lab_step(step)
    else:
        group_step(step)
