"""The end of a module: where the learner stands, the certificate, and the reflective log."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from carelab.auth import User
from carelab.content import schema, timing
from carelab.learning import evaluation, services
from carelab.learning.certificate import (
    CertificateData,
    attested_minutes,
    certificate_pdf,
    time_note,
)
from carelab.learning.records import Attempt
from carelab.learning.reflective_log import ReflectionEntry, log_markdown, log_pdf
from carelab.ui import state
from carelab.ui.components.evaluation import evaluation_panel
from carelab.ui.components.focus import ask_to_focus_heading
from carelab.ui.errors import shown_as_message


def _minutes(n: int) -> str:
    return "1 minute" if n == 1 else f"{n} minutes"


def verify_base() -> str:
    """The address certificates point to for verification: this server's own origin."""
    return state.origin()


def certificate_downloads(data: CertificateData, key: str) -> None:
    """The certificate as a PDF, and where anyone can check it."""
    data = evaluation.with_evaluation(data)
    st.download_button(
        "Download my certificate (PDF)", certificate_pdf(data),
        file_name=f"carelab-certificate-{data.code}.pdf", mime="application/pdf",
        on_click="ignore", icon=":material/workspace_premium:", key=f"{key}.certificate",
    )  # fmt: skip
    st.markdown(f"Verification code {data.code}: anyone can check it at {data.verify_url}")


def entries_for(user: User, module_id: str | None = None) -> list[ReflectionEntry]:
    """The learner's reflections as log entries, for one module or all."""
    titles = {m.id: m.title for m in state.catalog().modules.values()}
    return services.reflection_entries(user, titles, module_id)


def log_downloads(user: User, module_id: str | None, key: str) -> None:
    """The reflective log as Markdown and as PDF."""
    entries = entries_for(user, module_id)
    if not entries:
        st.markdown("No reflections saved yet.")
        return
    now = datetime.now(UTC)
    left, right = st.columns(2)
    left.download_button(
        "Reflective log (Markdown)", log_markdown(user.display_name, entries, now),
        file_name="carelab-reflective-log.md", mime="text/markdown", on_click="ignore",
        key=f"{key}.log_md",
    )  # fmt: skip
    right.download_button(
        "Reflective log (PDF)", log_pdf(user.display_name, entries, now),
        file_name="carelab-reflective-log.pdf", mime="application/pdf", on_click="ignore",
        key=f"{key}.log_pdf",
    )  # fmt: skip


def completion_panel(user: User, module: schema.Module, attempt: Attempt) -> None:
    """Progress against the completion rule, then the certificate once it is met."""
    st.subheader("Your progress", anchor=False)
    found = services.completion(attempt, module, state.catalog().cases, verify_base())
    status, issued = found.status, found.certificate
    done = sum(1 for s in status.required if s in status.done)
    missing = [s.title for s in module.steps if s.id in status.required and s.id not in status.done]
    st.markdown(
        f"- Required steps done: **{done} of {len(status.required)}**"
        + (
            f" (still to do: {', '.join(missing[:5])}{'…' if len(missing) > 5 else ''})"
            if missing
            else ""
        )
        + "\n"
        f"- Questions answered: **{status.answered} of {status.questions}**\n"
        f"- Score (first answers): **{status.score:.0%}**; pass mark {status.pass_mark:.0%}"
    )
    if flash := st.session_state.pop("player.flash", None):
        st.success(flash, icon=":material/celebration:")
    if issued:
        st.success("You have completed this module.", icon=":material/workspace_premium:")
        certificate_downloads(issued, "done")
        evaluation_panel(attempt, user)
    elif status.required_done and status.passed:
        _complete_form(user, module, attempt, found.active_seconds)
    elif status.required_done:
        st.warning(
            f"Your score is {status.score:.0%}, below the pass mark. Start a new attempt to "
            "try again; this attempt stays in your record.", icon=":material/info:",
        )  # fmt: skip
    log_downloads(user, module.id, "module")
    restart = issued or (status.required_done and not status.passed)
    if restart and st.button("Start a new attempt", key="player.new_attempt"):
        services.new_attempt(user, module)
        st.query_params.pop("step", None)
        ask_to_focus_heading()
        st.rerun()


def _complete_form(user: User, module: schema.Module, attempt: Attempt, active: float) -> None:
    cases = state.catalog().cases
    estimated = timing.module_minutes(module, cases)
    st.markdown(
        f"Your time on task so far: **{_minutes(attested_minutes(active, estimated))}** "
        f"(estimated duration {_minutes(estimated)}). Your certificate attests this time."
    )
    st.markdown(time_note("measured", estimated))
    with st.form("player.complete"):
        go = st.form_submit_button("Complete the module and get my certificate", type="primary")
    if go:
        with shown_as_message():
            data = services.complete(user, attempt, module, verify_base(), cases)
            st.session_state["player.flash"] = (
                f"Module complete. Well done. Certificate {data.code}."
            )
            st.rerun()
