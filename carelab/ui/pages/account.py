"""My account: who I am, my roles, a password change, and deleting the account."""

from __future__ import annotations

import streamlit as st

from carelab import accounts, auth
from carelab.content.text import escape_markdown
from carelab.learning import digest
from carelab.ui import navigation, state
from carelab.ui.errors import require_role, shown_as_message

user = require_role(state.current_user(), "learner")
st.title("My account")
st.markdown(f"**Name:** {escape_markdown(user.display_name)}")
st.markdown(f"**Email:** {escape_markdown(user.email)}")
st.markdown(f"**Roles:** {', '.join(sorted(user.roles))}")

if digest.enabled():
    st.header("E-mail", anchor=False)
    kept = digest.wants_digest(user)
    wanted = st.checkbox(
        "E-mail me a weekly summary of my reviews",
        value=kept,
        key="account.digest",
        help="At most one e-mail a week, when questions of yours are due for review in the "
        "coming week: how many, from which modules, and a link to Review.",
    )
    if wanted != kept:
        with shown_as_message():
            digest.set_wants_digest(user, wanted)
            st.success(
                "Saved: you will get the weekly summary."
                if wanted
                else "Saved: no more weekly summaries."
            )

st.header("Change password", anchor=False)
with st.form("account.password", clear_on_submit=True):
    current = st.text_input("Current password", type="password", autocomplete="current-password")
    new = st.text_input(
        f"New password (at least {auth.MIN_PASSWORD} characters)",
        type="password",
        autocomplete="new-password",
    )
    changed = st.form_submit_button("Change password")
if changed:
    with shown_as_message():
        accounts.change_password(user, current, new, state.client_address())
        st.success("Password changed. You are signed out everywhere; sign in again.")
        navigation.sign_out()

st.header("Sign out", anchor=False)
if st.button("Sign out of CareLab", key="account.sign_out"):
    navigation.sign_out()

st.header("Delete my account", anchor=False)
st.markdown(
    "This deletes your account, answers and reflections for good. Certificates you were "
    "issued still verify, with your name removed. Download your data and reflective log on "
    "*My learning* first if you want them."
)
with st.form("account.delete", clear_on_submit=True):
    confirm = st.text_input(
        "Your current password, to confirm", type="password", autocomplete="current-password"
    )
    delete = st.form_submit_button("Delete my account for good")
if delete:
    with shown_as_message():
        accounts.delete_account(user, confirm, state.client_address())
        st.success("Your account has been deleted.")
        navigation.sign_out()
