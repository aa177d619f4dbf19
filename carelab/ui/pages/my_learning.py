"""My learning: modules and case quizzes in progress and completed, scores, certificates, data."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from carelab.learning import confidence, pre_test, services
from carelab.learning.case_progress import CaseRecord
from carelab.ui import state
from carelab.ui.components import review_session
from carelab.ui.components.completion import certificate_downloads, log_downloads, verify_base
from carelab.ui.components.evaluation import follow_ups_section
from carelab.ui.errors import require_role

user = require_role(state.current_user(), "learner")
catalog = state.catalog()
st.title("My learning")
follow_ups_section(user, catalog)
# On a phone the tables scroll sideways: what a learner looks for (status and score) comes
# straight after the name, and the name column stays in view.


def pinned(first: str) -> dict[str, st.column_config.Column]:
    """Keep the first column in view while a phone scrolls a table sideways."""
    return {first: st.column_config.TextColumn(pinned=True)}


def when(stamp: float | None) -> str:
    """A timestamp as a short date, or a dash."""
    return datetime.fromtimestamp(stamp, UTC).strftime("%d %b %Y") if stamp else "–"


record = services.my_learning(user, catalog.cases, verify_base())


def confidence_mark(attempt_id: int) -> str:
    """An attempt's certainty-based mark as "total (average per question)", or a dash."""
    marks = record.marks.get(attempt_id)
    if marks is None or marks.average is None:
        return "–"
    return f"{marks.total:+d} ({marks.average:+.1f} a question)".replace("-", "−")


attempts, case_records = record.attempts, record.cases
# "Pre-test 45%, post-test 85%" by attempt, where the learner took the pre-test and completed.
pre_scores = pre_test.scores(user)
gains = {
    a.id: text for a in attempts if (text := pre_test.gain_text(pre_scores.get(a.id), a.score))
}

review_session.my_learning_section(user, catalog)
st.header("Modules", anchor=False)
if not attempts:
    st.info("You have not started a module yet. Choose one in the Catalogue.")
else:
    titles = {m.id: m.title for m in catalog.modules.values()}
    table = pd.DataFrame(
        {
            "Module": [titles.get(a.module_id, a.module_id) for a in attempts],
            "Status": ["✅ Completed" if a.complete else "⏳ In progress" for a in attempts],
            "Score": ["–" if a.score is None else f"{a.score:.0%}" for a in attempts],
            **(
                {"Confidence mark": [confidence_mark(a.id) for a in attempts]}
                if record.marks
                else {}
            ),
            **(
                {"Pre-test and post-test": [gains.get(a.id, "–") for a in attempts]}
                if gains
                else {}
            ),
            "Started": [when(a.started_at) for a in attempts],
            "Attempt": [a.number for a in attempts],
            "Version": [a.module_version for a in attempts],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", column_config=pinned("Module"))
    for module_id in dict.fromkeys(a.module_id for a in attempts if not a.complete):
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
    latest: dict[str, CaseRecord] = {}
    # Named apart from `record` (the learner's whole record, read again below).
    for case_record in case_records:  # newest first: keep each case's latest attempt
        latest.setdefault(case_record.case_id, case_record)
    for case_record in latest.values():
        if not case_record.completed_at and case_record.case_id in catalog.cases:
            st.page_link(
                "carelab/ui/pages/case_reader.py",
                query_params={"id": case_record.case_id},
                label=f"Continue: {case_record.title}",
                icon=":material/play_arrow:",
            )

st.header("How sure you were", anchor=False)
if not any(level.answers for level in record.calibration):
    st.caption(
        "In modules that ask “How sure are you?”, this shows how often you were right at "
        "each level of confidence."
    )
else:
    rows = [
        {
            "Confidence": confidence.LABELS[level.level],
            "First answers": level.answers,
            "Right": "–" if level.share_right is None else f"{level.share_right:.0%}",
            "Best when you are": confidence.BEST_WHEN[level.level],
            "What it suggests": confidence.calibration_note(level),
        }
        for level in record.calibration
    ]
    # A small, fixed table: a plain HTML table that screen readers read as one.
    st.table(pd.DataFrame(rows), hide_index=True, alt="How often you were right at each level")
    st.markdown(
        "Under certainty-based marking (right +1, +2, +3; wrong 0, −2, −6), low confidence "
        "scores best when you are right less than about 67% of the time, medium between 67% "
        "and 80%, and high above 80% (Gardner-Medwin, UCL LAPT). Well calibrated, your share "
        "right at each level falls in its range; a high share right at high confidence "
        "matters most, because being sure and wrong is the dangerous case."
    )

st.header("Certificates", anchor=False)
if not record.certificates:
    st.caption("Certificates appear here when you complete a module.")
for issued in record.certificates:
    with st.container(border=True):
        st.markdown(f"**{issued.module_title}** (version {issued.module_version}), "
                    f"completed {when(issued.completed_at.timestamp())}")  # fmt: skip
        if gain := pre_test.gain_text(issued.pre_test_score, issued.score):
            st.markdown(f"{gain}.")
        certificate_downloads(issued, issued.code)

st.header("Reflective log", anchor=False)
log_downloads(user, None, "all")

st.header("My data", anchor=False)
st.download_button(
    "Download my data (JSON)",
    services.my_data_json(user),
    file_name="carelab-my-data.json",
    mime="application/json",
    on_click="ignore",
)
st.page_link(
    "carelab/ui/pages/account.py",
    label="Delete my account (on My account, with your password)",
    icon=":material/delete:",
)
