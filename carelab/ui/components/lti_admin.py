"""The admin page's LTI 1.3 section: the URLs to give the LMS, registered platforms (add,
remove), and scores that could not be sent (with why, and a retry)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from carelab import config
from carelab.auth import User
from carelab.content.text import escape_markdown
from carelab.integration.lti import admin as lti
from carelab.integration.lti import dynamic
from carelab.integration.lti.errors import RegistrationError
from carelab.integration.lti.registration import tool_urls
from carelab.ui import state
from carelab.ui.errors import shown_as_message

FIELDS = {
    "issuer": ("Issuer (platform ID)", "https://moodle.example.org"),
    "client_id": ("Client ID", "The client ID the LMS gave CareLab"),
    "deployment_ids": ("Deployment IDs", "One or more, separated by commas"),
    "jwks_url": ("Public keyset URL (JWKS)", "https://moodle.example.org/mod/lti/certs.php"),
    "auth_url": ("Authentication request URL", "https://moodle.example.org/mod/lti/auth.php"),
    "token_url": ("Access token URL", "https://moodle.example.org/mod/lti/token.php"),
}


def _when(value: float | None) -> str:
    return "" if value is None else datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M")


def section(admin: User) -> None:
    """Render the LTI section for an administrator."""
    st.header("LMS integration (LTI 1.3)", anchor=False)
    st.caption("Register each LMS (Moodle, Canvas, …) that launches CareLab; docs/integration.md "
               "walks through it step by step.")  # fmt: skip
    st.subheader("URLs to paste into the LMS", anchor=False)
    for label, url in tool_urls(config.get("CARELAB_PUBLIC_URL") or state.origin()).items():
        st.text_input(label, url, disabled=True, key=f"lti.url.{label}")
    _platforms(admin)
    _dynamic(admin)
    _grades(admin)


def _platforms(admin: User) -> None:
    st.subheader("Registered platforms", anchor=False)
    found = lti.platforms(admin)
    if not found:
        st.info("No LMS is registered yet: launches are refused until one is.")
    else:
        st.dataframe(pd.DataFrame({
            "Id": [p.id for p in found], "Issuer": [p.issuer for p in found],
            "Client ID": [p.client_id for p in found],
            "Deployments": [", ".join(p.deployment_ids) for p in found],
            "Added": [_when(p.created_at) for p in found],
        }), hide_index=True, width="stretch")  # fmt: skip
        labels = {p.id: f"{p.issuer} (client {p.client_id})" for p in found}
        chosen = st.selectbox("Remove a platform", list(labels), format_func=labels.get,
                              key="lti.remove")  # fmt: skip
        if st.button("Remove platform", key="lti.remove.go"):
            with shown_as_message():
                lti.remove_platform(admin, chosen)
                st.session_state["admin.flash"] = f"Removed {labels[chosen]}."
                st.rerun()
    with st.form("lti.add", clear_on_submit=False):
        st.markdown("**Add a platform**")
        values = {k: st.text_input(label, placeholder=hint, key=f"lti.add.{k}")
                  for k, (label, hint) in FIELDS.items()}  # fmt: skip
        added = st.form_submit_button("Add platform")
    if added:
        try:
            made = lti.add_platform(admin, values)
        except RegistrationError as exc:
            st.error(
                "The platform was not added:\n\n"
                + "\n".join(f"- {escape_markdown(p)}" for p in exc.problems)
            )
        else:
            st.session_state["admin.flash"] = f"Added {made.issuer} (client {made.client_id})."
            st.rerun()


def _dynamic(admin: User) -> None:
    st.subheader("Let an LMS register itself (Dynamic Registration)", anchor=False)
    st.markdown(
        "Moodle 4 and other LMSs can register CareLab in one step. Make a one-time link, "
        "paste it into the LMS (Moodle: *Manage tools* → *Tool URL* → *Add LTI Advantage*), "
        "and the LMS appears under Registered platforms. A link works once and expires after "
        f"{dynamic.LINK_HOURS:g} hours; only someone holding it can register an LMS."
    )
    if link := st.session_state.pop("lti.link", None):
        st.markdown("Your registration link (shown once; copy it now):")
        st.code(link, language=None)
    waiting = lti.open_registration_links(admin)
    if st.button("Make a registration link", key="lti.link.make"):
        with shown_as_message():
            base = config.get("CARELAB_PUBLIC_URL") or state.origin()
            st.session_state["lti.link"] = lti.make_registration_link(admin, base)
            st.rerun()
    if waiting:
        st.caption(f"Unused registration links: {waiting}.")
        if st.button("Cancel unused registration links", key="lti.link.revoke"):
            with shown_as_message():
                count = lti.revoke_registration_links(admin)
                st.session_state["admin.flash"] = f"Cancelled {count} registration link(s)."
                st.rerun()


def _grades(admin: User) -> None:
    st.subheader("Grades sent to LMSs", anchor=False)
    status = lti.grade_status(admin)
    st.write(f"Sent: {status.sent} · Waiting: {status.waiting} · Failing: {status.failing}")
    failing = [r for r in status.unsent if r["last_error"]]
    if not failing:
        st.success("No score is failing to send.")
        return
    st.warning(f"{len(failing)} score(s) could not be sent; CareLab keeps trying with backoff.")
    st.dataframe(pd.DataFrame({
        "Id": [r["id"] for r in failing], "Platform": [r["issuer"] for r in failing],
        "Module": [r["activity_id"] for r in failing], "Tries": [r["tries"] for r in failing],
        "Next try (UTC)": [_when(r["next_try_at"]) for r in failing],
        "Last error": [r["last_error"] for r in failing],
    }), hide_index=True, width="stretch")  # fmt: skip
    if st.button("Retry failed scores now", key="lti.retry"):
        with shown_as_message():
            count = lti.retry_grades(admin)
            st.session_state["admin.flash"] = f"{count} score(s) will be sent again within seconds."
            st.rerun()
