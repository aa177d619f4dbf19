"""Sign in, or create an account (the first account becomes the administrator)."""

from __future__ import annotations

import streamlit as st

from carelab import auth, config
from carelab.content.text import escape_markdown
from carelab.errors import AuthError
from carelab.ui import state
from carelab.ui.components import auth_handoff


def finish_sign_in(user: auth.User) -> None:
    """Hand the browser a one-time code that the cookie route swaps for a sign-in cookie."""
    with state.database() as db:
        code = auth.issue_handoff(db, user)
    name = escape_markdown(user.display_name)
    st.success(f"Welcome, {name}. Signing you in…", icon=":material/check_circle:")
    auth_handoff.post_sign_in(code)
    st.stop()


def sign_in_form() -> None:
    """The sign-in form."""
    with st.form("sign_in.form"):
        email = st.text_input("Email", key="sign_in.email", autocomplete="email")
        password = st.text_input(
            "Password", type="password", key="sign_in.password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            with state.database() as db:
                user = auth.sign_in(db, email, password)
        except AuthError as exc:
            st.error(str(exc), icon=":material/error:")
            return
        finish_sign_in(user)


def sign_up_form() -> None:
    """The create-account form."""
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
        submitted = st.form_submit_button("Create account", type="primary")
    if submitted:
        try:
            with state.database() as db:
                user = auth.sign_up(db, email, password, name)
        except AuthError as exc:
            st.error(str(exc), icon=":material/error:")
            return
        if user.can("admin"):
            st.info("This is the first account, so it is the administrator.")
        finish_sign_in(user)


st.title("Sign in")
if st.query_params.get("expired"):
    st.warning("That sign-in took too long to complete. Please sign in again.")
if config.get_bool("CARELAB_OPEN_SIGNUP"):
    sign_in_tab, sign_up_tab = st.tabs(["Sign in", "Create an account"])
    with sign_in_tab:
        sign_in_form()
    with sign_up_tab:
        sign_up_form()
else:
    sign_in_form()
    st.caption("New accounts are created by an administrator on this CareLab.")
