"""My learning: modules and case quizzes in progress and completed, scores, certificates, data."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from carelab.learning import case_progress, progress
from carelab.store import learning as learning_store
from carelab.ui import state
from carelab.ui.components.completion import certificate_downloads, log_downloads, verify_base
from carelab.ui.errors import require_role

user = require_role(state.current_user(), "learner")
catalog = state.catalog()
st.title("My learning")
# On a phone the tables scroll sideways: what a learner looks for (status and score) comes
# straight after the name, and the name column stays in view.


def pinned(first: str) -> dict[str, st.column_config.Column]:
    """Keep the first column in view while a phone scrolls a table sideways."""
    return {first: st.column_config.TextColumn(pinned=True)}


def when(stamp: float | None) -> str:
    """A timestamp as a short date, or a dash."""
    return datetime.fromtimestamp(stamp, UTC).strftime("%d %b %Y") if stamp else "–"


with state.database() as db:
    attempts = learning_store.attempts_of(db, user.id)
    certificates = learning_store.certificates_of(db, user.id)
    case_records = case_progress.case_records(db, user.id, catalog.cases)

st.header("Modules", anchor=False)
if not attempts:
    st.info("You have not started a module yet. Choose one in the Catalogue.")
else:
    titles = {m.id: m.title for m in catalog.modules.values()}
    table = pd.DataFrame(
        {
            "Module": [titles.get(a["module_id"], a["module_id"]) for a in attempts],
            "Status": ["✅ Completed" if a["completed_at"] else "⏳ In progress" for a in attempts],
            "Score": ["–" if a["score"] is None else f"{a['score']:.0%}" for a in attempts],
            "Started": [when(a["started_at"]) for a in attempts],
            "Attempt": [a["number"] for a in attempts],
            "Version": [a["module_version"] for a in attempts],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", column_config=pinned("Module"))
    for module_id in dict.fromkeys(a["module_id"] for a in attempts if not a["completed_at"]):
        if module_id in catalog.modules:
            st.page_link("carelab/ui/pages/module_player.py", query_params={"id": module_id},
                         label=f"Continue: {catalog.modules[module_id].title}",
                         icon=":material/play_arrow:")  # fmt: skip

st.header("Cases", anchor=False)
if not case_records:
    st.caption("A case appears here once you answer a question of its quiz on its page.")
else:
    rows = [
        {
            "Case": r.title, "Status": "✅ Completed" if r.completed_at else "⏳ In progress",
            "Score": "–" if r.score is None else f"{r.score:.0%}",
            "Answered": f"{r.answered} of {r.questions or '?'}",
            "Started": when(r.started_at), "Attempt": r.number, "Version": r.version,
        }
        for r in case_records
    ]  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config=pinned("Case"))  # fmt: skip
    latest: dict[str, case_progress.CaseRecord] = {}
    for record in case_records:  # newest first: keep each case's latest attempt
        latest.setdefault(record.case_id, record)
    for record in latest.values():
        if not record.completed_at and record.case_id in catalog.cases:
            st.page_link(
                "carelab/ui/pages/case_reader.py",
                query_params={"id": record.case_id},
                label=f"Continue: {record.title}",
                icon=":material/play_arrow:",
            )

st.header("Certificates", anchor=False)
if not certificates:
    st.caption("Certificates appear here when you complete a module.")
for row in certificates:
    with st.container(border=True):
        st.markdown(f"**{row['module_title']}** (version {row['module_version']}), "
                    f"completed {when(row['completed_at'])}")  # fmt: skip
        certificate_downloads(progress.certificate_data(row, verify_base()), row["code"])

st.header("Reflective log", anchor=False)
log_downloads(user, None, "all")

st.header("My data", anchor=False)
with state.database() as db:
    data = learning_store.user_data(db, user.id)
st.download_button(
    "Download my data (JSON)",
    json.dumps(data, indent=2, default=str),
    file_name="carelab-my-data.json",
    mime="application/json",
    on_click="ignore",
)
st.page_link(
    "carelab/ui/pages/account.py",
    label="Delete my account (on My account, with your password)",
    icon=":material/delete:",
)
