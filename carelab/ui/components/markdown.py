"""Markdown from authors, shown without ever rendering raw HTML or loading an image."""

from __future__ import annotations

import streamlit as st

from carelab.content.text import neutralise_html, safe_links


def markdown(text: str) -> None:
    """Render author Markdown: HTML shows as text, images as links, unsafe links as text."""
    # The catalog already ran safe_links over every content string; text from elsewhere
    # (imported questions, scenario notes) gets the same treatment here.
    st.markdown(neutralise_html(safe_links(text)))
