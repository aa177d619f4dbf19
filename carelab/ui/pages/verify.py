"""Verify a certificate: anyone can check a code printed on a CareLab certificate."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from carelab.content.text import escape_markdown
from carelab.learning import evaluation, services
from carelab.learning.certificate import (
    EVALUATION_COMPLETED,
    NAME_REMOVED,
    assessment_line,
    gain_line,
    time_note,
)
from carelab.learning.services import Verification
from carelab.ui.errors import shown_as_message


def show(found: Verification) -> None:
    """The certificate a code names, or that no certificate has it."""
    st.query_params["verify"] = found.code
    cert = found.certificate
    if cert is None:
        st.error(
            f"The code {found.code} is unknown: CareLab issued no certificate with it. Check "
            "the code for typing mistakes.", icon=":material/cancel:",
        )  # fmt: skip
        return
    completed = datetime.fromtimestamp(cert.completed_at, UTC).strftime("%d %B %Y")
    name = escape_markdown(cert.learner_name or NAME_REMOVED)
    time_label = "Time on task" if cert.time_basis == "measured" else "Time attested"
    st.success(f"Valid certificate {found.code}.", icon=":material/verified:")
    st.markdown(
        f"- **Learner:** {name}\n- **Module:** {cert.module_title} "
        f"(version {escape_markdown(cert.module_version)})\n- **Completed:** {completed}\n"
        f"- **{time_label}:** {_minutes(cert.attested_minutes)} (estimated duration "
        f"{_minutes(cert.estimated_minutes)})"
        + (f"\n- {_labelled(line)}" if (line := assessment_line(cert)) else "")
        + (
            f"\n- **Learning gain:** {gain[0].lower()}{gain[1:]}"
            if (gain := gain_line(cert))
            else ""
        )
        + (f"\n- **{EVALUATION_COMPLETED}**" if evaluation.completed_for(cert.code) else "")
    )
    st.caption(time_note(cert.time_basis, cert.estimated_minutes))
    st.caption("CareLab itself awards no CME or CPD credit.")


def _minutes(count: int) -> str:
    return f"{count} minute{'' if count == 1 else 's'}"


def _labelled(line: str) -> str:
    """A "Label: text" line with its label in bold, as the other lines of the page."""
    label, _, rest = line.partition(": ")
    return f"**{label}:** {rest}" if rest else line


st.title("Verify a certificate")
code = st.text_input(
    "Verification code (printed on the certificate, e.g. CL-7K3M-9QXD-2HTP-R4WN)",
    value=st.query_params.get("verify", ""),
    key="verify.code",
)
if code.strip():
    with shown_as_message():
        show(services.verify(code))
