"""CareLab's Streamlit entry point: finds the signed-in user and builds their navigation."""

from __future__ import annotations

import streamlit as st

from carelab.ui import navigation, state

st.set_page_config(page_title="CareLab", page_icon=":material/school:", layout="wide")
state.prepare_database()
st.session_state[state.USER_KEY] = state.load_user()
verifying = bool(st.query_params.get("verify"))
page = st.navigation(navigation.pages_for(state.current_user(), verifying), position="sidebar")
navigation.sidebar(state.current_user())
page.run()
