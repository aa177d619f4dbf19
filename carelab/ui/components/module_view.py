"""A module's outline: objectives, steps, version and pass mark."""

from __future__ import annotations

import streamlit as st

from carelab.content.schema import Module

# What each kind of step is called for a learner (the content's kind names are for authors).
KIND_WORDS = {
    "text": "Reading",
    "quiz": "Quiz",
    "reflection": "Reflection",
    "case": "Case study",
    "lab": "Indicator Lab exercise",
    "poll": "Group poll",
    "discussion": "Discussion",
}


def show_module_outline(module: Module) -> None:
    """Show a module's objectives and steps."""
    st.markdown("**You will be able to:**")
    st.markdown("\n".join(f"- {objective}" for objective in module.learning_objectives))
    st.markdown("**Steps:**")
    st.markdown(
        "\n".join(
            f"{i}. {step.title} · {KIND_WORDS.get(step.kind, 'Step')}"
            for i, step in enumerate(module.steps, 1)
        )
    )
    st.markdown(f"Version {module.version} · pass mark {module.pass_mark:.0%}")
