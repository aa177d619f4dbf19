"""The browser side of signing in and out: a form posted to CareLab's cookie routes.

The page has already checked the password (or ended the session) on the server; this
only asks the browser to carry the one-time code to /auth/session in a POST body, or to
have /auth/signout clear the cookie. A script submits it at once; the visible button is
the fallback when scripts are off.
"""

from __future__ import annotations

import html

import streamlit as st

from carelab.accounts import SignedIn
from carelab.content.text import escape_markdown

_FORM = """
<form id="{form_id}" method="post" action="{action}">
  {fields}
  <button type="submit" style="padding:0.5rem 1rem;font-size:1rem;">{label}</button>
</form>
<script>document.getElementById("{form_id}").submit();</script>
"""


def _post(action: str, fields: dict[str, str], label: str, form_id: str) -> None:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    st.html(
        _FORM.format(form_id=form_id, action=action, fields=hidden, label=html.escape(label)),
        unsafe_allow_javascript=True,
    )


def finish_sign_in(signed_in: SignedIn) -> None:
    """Welcome the user, hand the browser their one-time code for its cookie, stop the run."""
    name = escape_markdown(signed_in.user.display_name)
    st.success(f"Welcome, {name}. Signing you in…", icon=":material/check_circle:")
    post_sign_in(signed_in.handoff_code)
    st.stop()


def post_sign_in(code: str, next_path: str = "/") -> None:
    """Send the one-time code to the cookie route, which signs the browser in."""
    _post("/auth/session", {"code": code, "next": next_path}, "Continue", "carelab-sign-in")


def post_sign_out() -> None:
    """Ask the cookie route to clear the sign-in cookie."""
    _post("/auth/signout", {}, "Finish signing out", "carelab-sign-out")
