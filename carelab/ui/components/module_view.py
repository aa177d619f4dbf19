"""A module's outline: objectives, steps, version and pass mark."""

from __future__ import annotations

import streamlit as st

from carelab.content.schema import Module


def show_module_outline(module: Module) -> None:
    """Show a module's objectives and steps."""
    st.markdown("**You will be able to:**")
    st.markdown("\n".join(f"- {objective}" for objective in module.learning_objectives))
    st.markdown("**Steps:**")
    st.markdown(
        "\n".join(f"{i}. {step.title} ({step.kind})" for i, step in enumerate(module.steps, 1))
    )
    st.caption(f"Version {module.version} · pass mark {module.pass_mark:.0%}")
