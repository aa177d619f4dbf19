"""Case reader: a case's story, timeline, key figures with sources, its quiz and references.

The quiz uses the module player's questions; a signed-in learner's answers are saved at once
to their own case attempt, and answering every question completes the case.
"""

from __future__ import annotations

import streamlit as st

from carelab.ui import state
from carelab.ui.components.case_quiz import case_page_quiz
from carelab.ui.components.case_view import show_case

catalog = state.catalog()
cases = sorted(catalog.cases.values(), key=lambda c: c.title)
if not cases:
    st.title("Case studies")
    st.info("No case studies are available yet.")
    st.stop()
requested = st.query_params.get("id")
ids = [c.id for c in cases]
if requested and requested not in ids:
    st.error(f"There is no case '{requested}'. It may have been renamed or have errors.")
chosen = st.selectbox(
    "Case study",
    cases,
    index=ids.index(requested) if requested in ids else 0,
    format_func=lambda c: c.title,
)
st.query_params["id"] = chosen.id
show_case(chosen, quiz=case_page_quiz(chosen, state.current_user()))
