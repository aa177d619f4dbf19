"""First run: the one-time link printed on the server's console creates the administrator."""

from __future__ import annotations

import streamlit as st

from carelab import accounts, auth
from carelab.errors import AuthError
from carelab.ui.components import auth_handoff
from carelab.ui.errors import shown_as_message

st.title("Set up CareLab")
token = st.query_params.get("token", "")
try:
    accounts.check_setup_token(token)
except AuthError as exc:
    st.warning(str(exc), icon=":material/lock:")
    st.page_link("carelab/ui/pages/catalogue.py", label="Go to the catalogue")
    st.stop()

st.markdown(
    "This link came from the server's console, so you are the person running this CareLab. "
    "Create the **administrator** account: it grants the facilitator, author and admin roles "
    "to others. The link works once."
)
with st.form("setup.form"):
    name = st.text_input("Your name", key="setup.name", max_chars=100, autocomplete="name")
    email = st.text_input("Email", key="setup.email", autocomplete="email")
    password = st.text_input(
        f"Password (at least {auth.MIN_PASSWORD} characters)",
        type="password",
        key="setup.password",
        autocomplete="new-password",
    )
    again = st.text_input(
        "The same password again", type="password", key="setup.again", autocomplete="new-password"
    )
    submitted = st.form_submit_button("Create the administrator", type="primary")
if submitted:
    if password != again:
        st.error("The two passwords differ; type the same one twice.", icon=":material/error:")
        st.stop()
    with shown_as_message():
        auth_handoff.finish_sign_in(accounts.create_first_admin(token, email, password, name))
