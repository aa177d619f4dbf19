"""The admin page's xAPI section: the LRS, statements queued, sent and failing, the last
error, and a button to retry now."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from carelab.integration.xapi import admin as xapi
from carelab.ui.errors import shown_as_message


def _when(at: float | None) -> str:
    return "never" if at is None else datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


def xapi_section() -> None:
    """Show the xAPI outbox's state to an admin, with 'Retry now'."""
    st.header("xAPI learning records", anchor=False)
    with shown_as_message():
        found = xapi.status()
    if not found.enabled:
        st.caption(
            "Off: no Learning Record Store is configured (set CARELAB_XAPI_ENDPOINT, "
            "_USERNAME and _PASSWORD; see docs/integration.md)."
        )
        if found.outbox.queued == 0:
            return
    else:
        # The label is scheme://host:port only (settings.Lrs.label): no backtick can be in it.
        st.caption(f"Statements go to the LRS at `{found.endpoint}`.")
    if found.problem:
        st.error(found.problem, icon=":material/error:")  # CareLab's own sentence
    box = found.outbox
    queued, sent, failing = st.columns(3)
    queued.metric("Queued", box.queued, help="Waiting to be sent, including those failing")
    sent.metric("Sent", box.sent, help=f"Last sent: {_when(box.last_sent_at)}")
    failing.metric("Failing", box.failing, help="Queued statements whose last try failed")
    if box.last_error:
        st.warning(
            f"Last error, {_when(box.last_error_at)} (next try: {_when(box.next_try_at)}):",
            icon=":material/warning:",
        )
        # As plain text: Markdown escapes would show inside the URL the error names.
        st.code(box.last_error, language=None, wrap_lines=True)
    elif box.queued == 0 and found.enabled:
        st.success("Every statement is in the LRS.", icon=":material/check_circle:")
    if box.queued and st.button("Retry now", key="admin.xapi_retry", icon=":material/refresh:"):
        with shown_as_message():
            count = xapi.retry_now()
            st.session_state["admin.flash"] = (
                f"{count} xAPI statement(s) due now: the server sends them within seconds."
            )
            st.rerun()
