"""The one place a page turns CareLab's named errors into a message for the user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from carelab.auth import User
from carelab.errors import CareLabError


@contextmanager
def shown_as_message() -> Iterator[None]:
    """Show any CareLabError raised inside the block as an error message, not a traceback."""
    try:
        yield
    except CareLabError as exc:
        st.error(str(exc), icon=":material/error:")


def require_role(user: User | None, role: str) -> User:
    """Stop the page unless the user holds `role`; checked on the server on every run."""
    if user is None:
        st.warning("Sign in to see this page.", icon=":material/lock:")
        st.stop()
    if not user.can(role):
        st.error(f"This page is for the {role} role; your account does not have it.")
        st.stop()
    return user
