"""Verify a certificate: anyone can check a code printed on a CareLab certificate."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from carelab.content.text import escape_markdown
from carelab.errors import CareLabError
from carelab.learning.certificate import normalise_code, time_note
from carelab.store import learning as learning_store
from carelab.ui import state

st.title("Verify a certificate")
code = st.text_input(
    "Verification code (printed on the certificate, e.g. CL-7K3M-9QXD-2HTP-R4WN)",
    value=st.query_params.get("verify", ""),
    key="verify.code",
)
row = None
normalised = ""
if code.strip():
    try:
        normalised = normalise_code(code)
    except CareLabError as exc:
        st.error(f"The code is unknown. {exc}", icon=":material/cancel:")
        st.stop()
    st.query_params["verify"] = normalised
    with state.database() as db:
        row = learning_store.certificate(db, normalised)
    if row is None:
        st.error(
            f"The code {normalised} is unknown: CareLab issued no certificate with it. Check "
            "the code for typing mistakes.", icon=":material/cancel:",
        )  # fmt: skip
    else:
        completed = datetime.fromtimestamp(row["completed_at"], UTC).strftime("%d %B %Y")
        name = escape_markdown(row["learner_name"] or "Name removed at the learner's request")
        st.success(f"Valid certificate {normalised}.", icon=":material/verified:")
        st.markdown(
            f"- **Learner:** {name}\n- **Module:** {row['module_title']} "
            f"(version {escape_markdown(row['module_version'])})\n- **Completed:** {completed}\n"
            f"- **{'Time on task' if row['time_basis'] == 'measured' else 'Time attested'}:** "
            f"{row['attested_minutes']} minutes (estimated duration "
            f"{row['estimated_minutes']} minutes)"
        )
        st.caption(time_note(row["time_basis"], row["estimated_minutes"]))
        st.caption("CareLab itself awards no CME or CPD credit.")
