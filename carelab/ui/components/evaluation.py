"""The evaluation after a module (on its last step) and its follow-up (on My learning).

Optional and asked once: "No thanks" is remembered, and the certificate never waits for it.
What the learner typed is shown back as text only (escaped Markdown, never HTML).
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from carelab.auth import User
from carelab.content.catalog import Catalog
from carelab.content.text import escape_markdown
from carelab.learning import evaluation, limits
from carelab.learning.evaluation import Answers, Evaluation
from carelab.learning.evaluation_reports import EvaluationSummary
from carelab.learning.records import Attempt
from carelab.learning.reports import SUPPRESSED
from carelab.ui.errors import shown_as_message


def _quoted(text: str) -> str:
    """The learner's own text as a Markdown quote that shows exactly what they typed."""
    return "\n".join(f"> {escape_markdown(line)}" if line else ">" for line in text.splitlines())


def evaluation_panel(attempt: Attempt, user: User) -> None:
    """After completion: the evaluation form, once; then that it was completed."""
    found = evaluation.for_attempt(attempt.id)
    if found is None:
        _form(attempt, user)
    elif found.submitted:
        st.success(
            f"Evaluation completed. Thank you. From {found.follow_up_on:%d %B %Y}, My learning "
            "will ask whether you made the change you planned."
            if found.answers.intent
            else "Evaluation completed. Thank you.",
            icon=":material/rate_review:",
        )


def _form(attempt: Attempt, user: User) -> None:
    st.subheader("How was this module? (optional)", anchor=False)
    st.markdown(
        "Bodies that accept CPD ask for an evaluation of each activity. Five short questions; "
        "your certificate does not depend on them, and authors see answers only pooled, "
        "without names, once at least five learners have answered."
    )
    now = evaluation.clock()
    first = evaluation.today(now) + timedelta(days=1)
    with st.form("evaluation.form"):
        ratings = {
            name: st.radio(
                statement,
                list(evaluation.SCALE),
                format_func=evaluation.SCALE.__getitem__,
                index=None,
                key=f"evaluation.{name}",
            )
            for name, statement in evaluation.ITEMS.items()
        }
        missing = st.text_area(
            evaluation.MISSING_PROMPT,
            max_chars=limits.MAX_EVALUATION_TEXT,
            key="evaluation.missing",
        )
        intent = st.text_area(
            evaluation.INTENT_PROMPT,
            max_chars=limits.MAX_EVALUATION_TEXT,
            help="We will ask you on the date below whether you made it.",
            key="evaluation.intent",
        )
        day = st.date_input(
            "When should we ask whether you made the change?",
            value=evaluation.default_follow_up(now),
            min_value=first,
            max_value=first + timedelta(days=evaluation.LATEST_FOLLOW_UP_DAYS - 1),
            format="DD/MM/YYYY",
            key="evaluation.follow_up",
        )
        send = st.form_submit_button("Submit my evaluation", type="primary")
        skip = st.form_submit_button("No thanks")
    with shown_as_message():
        if send:
            evaluation.submit_now(
                user, attempt.id, Answers(**ratings, missing=missing, intent=intent), day
            )
            st.rerun()
        if skip:
            evaluation.decline_now(user, attempt.id)
            st.rerun()


def follow_ups_section(user: User, catalog: Catalog) -> None:
    """On My learning: each follow-up whose date has come, with the learner's plan quoted."""
    if flash := st.session_state.pop("evaluation.flash", None):
        st.success(flash, icon=":material/task_alt:")
    due = evaluation.due_now(user)
    if not due:
        return
    st.header(evaluation.FOLLOW_UP_QUESTION, anchor=False)
    for found in due:
        _follow_up(user, catalog, found)


def _follow_up(user: User, catalog: Catalog, found: Evaluation) -> None:
    module = catalog.modules.get(found.module_id)
    title = module.title if module else found.module_id
    key = f"evaluation.follow_up.{found.attempt_id}"
    with st.container(border=True):
        st.markdown(f"After **{escape_markdown(title)}** you wrote that you would change:")
        st.markdown(_quoted(found.answers.intent))
        with st.form(key):
            outcome = st.radio(
                f"{evaluation.FOLLOW_UP_QUESTION} ({title})",
                list(evaluation.OUTCOMES),
                format_func=evaluation.OUTCOMES.__getitem__,
                index=None,
                key=f"{key}.outcome",
            )
            obstacles = st.text_area(
                evaluation.OBSTACLES_PROMPT,
                max_chars=limits.MAX_EVALUATION_TEXT,
                key=f"{key}.obstacles",
            )
            send = st.form_submit_button("Save my answer", type="primary")
        if send:
            with shown_as_message():
                evaluation.answer_now(user, found.attempt_id, outcome or "", obstacles)
                st.session_state["evaluation.flash"] = "Thank you: your answer is saved."
                st.rerun()


def _texts(heading: str, texts: tuple[str, ...]) -> None:
    """Learners' free texts, each as plain text (never HTML), in a closed expander."""
    with st.expander(f"{heading} ({len(texts)})"):
        for text in texts:
            st.text(text)


def evaluation_section(summary: EvaluationSummary) -> None:
    """On the Reports page: ratings, free texts and follow-ups, small cells without numbers."""
    st.subheader("Evaluations", anchor=False)
    if summary.suppressed:
        st.write(f"Evaluations are hidden: {SUPPRESSED} submitted one.")
    else:
        st.table(
            {
                "Statement": [s.statement for s in summary.scales],
                "Learners": [SUPPRESSED if s.suppressed else str(s.n) for s in summary.scales],
                "Mean (1-5)": ["" if s.suppressed else f"{s.mean:.2f}" for s in summary.scales],
                **{
                    label: ["" if s.suppressed else str(s.counts[i]) for s in summary.scales]
                    for i, label in enumerate(evaluation.SCALE.values())
                },
            },
            hide_index=True,
        )
        _texts("What was missing", summary.missing)
        _texts("What learners will change", summary.intents)
    if summary.follow_ups_suppressed:
        st.write(f"Follow-ups are hidden: {SUPPRESSED} answered one.")
    else:
        st.write(
            f"Follow-ups answered: {summary.follow_ups}. "
            + "; ".join(f"{evaluation.OUTCOMES[k]}: {n}" for k, n in summary.outcomes.items())
            + "."
        )
        _texts("What got in the way", summary.obstacles)
