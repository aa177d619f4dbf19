"""Sign in, or create a learner account (then sign in with it)."""

from __future__ import annotations

import streamlit as st

from carelab import accounts, auth, config
from carelab.ui import state
from carelab.ui.components import auth_handoff
from carelab.ui.errors import shown_as_message

FLASH = "sign_in.flash"
# The same words whether or not the email already had an account, so that sign-up cannot
# be used to find out who has one (the form sends no email to prove ownership).
SIGNED_UP = (
    "Done. Now sign in on the **Sign in** tab with this email and password. If this email "
    "already had an account, that account is unchanged: sign in with its own password."
)


def sign_in_form() -> None:
    """The sign-in form."""
    with st.form("sign_in.form"):
        email = st.text_input("Email", key="sign_in.email", autocomplete="email")
        password = st.text_input(
            "Password", type="password", key="sign_in.password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        with shown_as_message():
            signed_in = accounts.sign_in(email, password, state.client_address())
            auth_handoff.finish_sign_in(signed_in)


def sign_up_form() -> None:
    """The create-account form: it makes learners; an administrator grants other roles."""
    with st.form("sign_up.form"):
        name = st.text_input(
            "Your name, as it should appear on certificates", key="sign_up.name", max_chars=100
        )
        email = st.text_input("Email", key="sign_up.email", autocomplete="email")
        password = st.text_input(
            f"Password (at least {auth.MIN_PASSWORD} characters)",
            type="password",
            key="sign_up.password",
            autocomplete="new-password",
        )
        st.caption("A few unrelated words make a strong password that is easy to remember.")
        submitted = st.form_submit_button("Create account", type="primary")
    if submitted:
        with shown_as_message():
            email = accounts.sign_up(email, password, name, state.client_address())
            st.session_state[FLASH] = (SIGNED_UP, email)
            st.rerun()


st.title("Sign in")
if st.query_params.get("expired"):
    st.warning("That sign-in took too long to complete. Please sign in again.")
if flash := st.session_state.pop(FLASH, None):
    message, st.session_state["sign_in.email"] = flash  # the email, ready on the Sign in tab
    st.success(message, icon=":material/check_circle:")
if config.get_bool("CARELAB_OPEN_SIGNUP"):
    sign_in_tab, sign_up_tab = st.tabs(["Sign in", "Create an account"])
    with sign_in_tab:
        sign_in_form()
    with sign_up_tab:
        sign_up_form()
else:
    sign_in_form()
    st.caption("New accounts are created by an administrator on this CareLab.")
