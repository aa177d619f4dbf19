"""Authoring: every content file, whether it is live, its problems, and a preview, kept fresh."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from carelab.content.catalog import FileReport, file_reports
from carelab.ui import state
from carelab.ui.components.case_view import show_case
from carelab.ui.components.module_view import show_module_outline
from carelab.ui.components.scorm_download import scorm_download
from carelab.ui.errors import require_role

require_role(state.current_user(), "author")
st.title("Authoring")
st.caption(
    "Save a file in modules/ or cases/ and it appears here within seconds, with any problems "
    "beside it. `carelab validate` gives the same messages on the command line; "
    "docs/authoring.md explains every field."
)


def status(report: FileReport) -> str:
    """A status in words with an icon, never colour alone."""
    if report.served:
        return "✅ Live in the catalogue"
    count = len(report.problems)
    return f"❌ Held back: {count} {'problem' if count == 1 else 'problems'}"


@st.fragment(run_every="3s")
def files_and_preview() -> None:
    """Re-read the content folder every 3 s (authors only), so edits show without a reload.

    Each run checks the user again (cookie and database), since a fragment's run does not
    go through app.py: if the author's role was revoked or they signed out, the whole app
    runs again at once, which drops this page and everything it showed.
    """
    if state.user_holding("author") is None:
        st.rerun()
    catalog = state.catalog()
    reports = file_reports(catalog)
    if not reports:
        st.info(f"No YAML files in {catalog.root}/modules or {catalog.root}/cases yet.")
        return
    st.dataframe(
        {
            "File": [r.path for r in reports],
            "Status": [status(r) for r in reports],
            "Saved": [
                datetime.fromtimestamp(r.modified_ns / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S")
                for r in reports
            ],
        },
        hide_index=True,
        width="stretch",
        column_config={"File": st.column_config.TextColumn(pinned=True)},
    )
    paths = [r.path for r in reports]
    chosen = st.selectbox("Preview a file", paths, key="authoring.file")
    report = reports[paths.index(chosen)]
    problems, preview = st.columns([2, 3])
    with problems:
        st.subheader("Problems", anchor=False)
        if report.problems:
            st.code("\n".join(str(p) for p in report.problems), language=None, wrap_lines=True)
        else:
            st.success("No problems.", icon=":material/check_circle:")
    with preview, st.container(border=True):
        if not report.served:
            st.info("This file is held back until its problems are fixed.")
        elif report.kind == "case":
            show_case(catalog.case(report.item_id or ""), preview=True)
        else:
            module = catalog.module(report.item_id or "")
            st.subheader(module.title, anchor=False)
            show_module_outline(module)


files_and_preview()
scorm_download()
