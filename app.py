"""CareLab's Streamlit entry point: finds the signed-in user and builds their navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from carelab.ui import errors, navigation, state
from carelab.ui.components import theme

# The favicon is CareLab's own file: a ":material/..." icon is fetched from Google's font
# host on every page, a request that leaves the server's origin (and fails offline).
FAVICON = Path(__file__).with_name("carelab") / "assets" / "favicon.png"
st.set_page_config(page_title="CareLab", page_icon=str(FAVICON), layout="wide")
theme.apply()
# The one place a failure no page caught (the database gone, full or read-only) becomes a
# sentence instead of a traceback or Streamlit's "This app has encountered an error".
with errors.shown_as_message():
    state.prepare_database()
    st.session_state[state.USER_KEY] = state.load_user()
    user = state.current_user()
    # Expanded: an administrator has 15 pages, and Streamlit would otherwise hide the last
    # ones (Users and content among them) behind a "View more" button.
    page = st.navigation(navigation.pages_for(user), position="sidebar", expanded=True)
    navigation.open_verify_link(page)
    # Each page its own title in the browser tab and history, not "CareLab" everywhere.
    st.set_page_config(page_title=f"{page.title} · CareLab")
    navigation.sidebar(user)
    page.run()
