"""Markdown from authors, shown without ever rendering raw HTML."""

from __future__ import annotations

import streamlit as st

from carelab.content.text import neutralise_html


def markdown(text: str) -> None:
    """Render author Markdown; any HTML in it is shown as text, never rendered."""
    st.markdown(neutralise_html(text))
