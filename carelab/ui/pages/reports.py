"""Reports: a module's item analysis and summary for authors and course leads, anonymous."""

from __future__ import annotations

import streamlit as st

from carelab.learning import evaluation_reports, reports
from carelab.ui import state
from carelab.ui.components.evaluation import evaluation_section
from carelab.ui.errors import require_role

require_role(state.current_user(), "author")
st.title("Reports")
st.caption(
    "Each learner counts once: in the questions, by their first attempt that answered every "
    "question, passed or not; in the summary, by their first completed attempt. Each question "
    f"counts its first answer. No names are shown, and anything resting on "
    f"{reports.SUPPRESSED} shows no numbers. docs/authoring.md (Item analysis) explains every "
    "figure."
)

catalog = state.catalog()
modules = sorted(catalog.modules.values(), key=lambda m: m.title)
if not modules:
    st.info("There are no modules in the catalogue yet.")
    st.stop()
ids = [m.id for m in modules]
titles = {m.id: f"{m.title} ({m.id})" for m in modules}
chosen = st.selectbox("Module", ids, format_func=titles.__getitem__, key="reports.module")

summary = reports.module_report(chosen, catalog)
data = reports.report_dict(summary)
st.subheader("Module summary", anchor=False)
started, completed, minutes = st.columns(3)
started.metric("Learners who started", str(data["started"]))
completed.metric("Learners who completed", str(data["completed"]))
minutes.metric(
    "Median time on task",
    "—" if summary.median_minutes is None else f"{summary.median_minutes:.0f} min",
)
if summary.scores is not None:
    s = summary.scores
    st.write(
        f"Scores at the first completion: mean {s.mean:.0%}, median {s.median:.0%}, "
        f"middle half {s.lower_quartile:.0%} to {s.upper_quartile:.0%}, "
        f"range {s.minimum:.0%} to {s.maximum:.0%}; {s.passed:.0%} passed."
    )
else:
    st.write(f"Scores and time on task are hidden: {reports.SUPPRESSED} completed this module.")
st.write(reports.gain_line(summary).capitalize())
evaluation_section(evaluation_reports.evaluation_summary(chosen, catalog))

analysis = reports.item_analysis(chosen, catalog)
st.subheader("Questions", anchor=False)
rows = reports.item_rows(analysis)
if not rows:
    st.info("This module has no scored questions.")
    st.stop()
st.dataframe(
    {
        "Question": [r["question"] for r in rows],
        "Prompt": [r["prompt"] for r in rows],
        "Learners": [r["learners"] for r in rows],
        "Difficulty (share right)": [r["difficulty"] for r in rows],
        "Discrimination": [r["discrimination"] or ("—" if r["difficulty"] else "") for r in rows],
        "Flags": [(r["flags"] or "none") if r["difficulty"] else "" for r in rows],
        "Options chosen first": [r["option_rates"] for r in rows],
        **(
            {"Mean sureness (1-3)": [r["mean_confidence"] for r in rows]}
            if any(r["mean_confidence"] for r in rows)
            else {}
        ),
    },
    hide_index=True,
    width="stretch",
    column_config={"Question": st.column_config.TextColumn(pinned=True)},
    key="reports.items",
)
st.caption(
    "Flags: too easy (more than 90% right), too hard (fewer than 20% right), poor "
    "discrimination (below 0.2: stronger learners are not more likely to get it right), "
    "unused distractor (a wrong option nobody chose). A dash: discrimination is undefined "
    "because everyone answered alike. Mean sureness: in a module that asks how sure the "
    "learner is, the mean of first answers' ratings, low 1, medium 2, high 3."
)
st.download_button(
    "Download the item analysis (CSV)",
    reports.items_csv(analysis).encode("utf-8"),
    file_name=f"{analysis.module_id}-items.csv",
    mime="text/csv",
    icon=":material/download:",
    key="reports.download",
)
