"""A review session: its questions one after another, each saved the moment it is checked.

The same answer inputs, confidence question and feedback as the module player
(carelab.ui.components.questions); what differs is where an answer goes (the review queue,
through carelab.learning.review_services) and what the learner is told after it: when the
question comes back, or that it has left the queue.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

import streamlit as st

from carelab.auth import User
from carelab.content.catalog import Catalog
from carelab.learning import confidence, review_services
from carelab.learning.review_services import ReviewOutcome, ReviewQuestion
from carelab.ui.components.focus import ask_to_focus_heading, focus_heading_if_asked
from carelab.ui.components.markdown import markdown
from carelab.ui.components.questions import (
    answer_input,
    confidence_input,
    question_label,
    show_reasons,
    show_verdict,
)
from carelab.ui.errors import shown_as_message

RUN = "review.run"  # the session under way, kept in this browser session only


@dataclass
class Run:
    """A session under way: its questions, where the learner is, and what they answered."""

    questions: tuple[ReviewQuestion, ...]
    seed: int = field(default_factory=lambda: secrets.randbelow(2**31))
    index: int = 0
    outcomes: dict[int, ReviewOutcome] = field(default_factory=dict)


def start(questions: list[ReviewQuestion]) -> None:
    """Begin a session with these questions."""
    st.session_state[RUN] = Run(tuple(questions))
    ask_to_focus_heading()


def current() -> Run | None:
    """The session under way, if any."""
    return st.session_state.get(RUN)


def _back_line(outcome: ReviewOutcome) -> str:
    text = review_services.back_in(outcome)
    if outcome.back_at is None:
        return text
    return text[:-1] + f" (on {datetime.fromtimestamp(outcome.back_at, UTC):%d %b %Y})."


def _feedback(outcome: ReviewOutcome, found: ReviewQuestion, seed: int) -> None:
    """The player's verdict and reasons, how sure the learner was, and when it comes back."""
    show_verdict(outcome.grade)
    right = confidence.is_right(outcome.grade.score)
    st.markdown(
        f"You said your confidence was **{confidence.LABELS[outcome.confidence].lower()}**, "
        f"and your answer was {'right' if right else 'not right'}."
    )
    if confidence.sure_and_wrong(outcome.confidence, right):
        st.warning(
            f"**You were sure and wrong.** {confidence.SURE_AND_WRONG}\n\n"
            f"Source: {confidence.CITATION}.",
            icon=":material/report:",
        )
    show_reasons(outcome.grade, found.question, found.sources, seed)
    st.info(f"Saved. {_back_line(outcome)}", icon=":material/event_repeat:")


def show(user: User, catalog: Catalog, run: Run) -> None:
    """The session's current question, its feedback once checked, and the way on."""
    total, index = len(run.questions), run.index
    found, number = run.questions[index], index + 1
    st.progress(len(run.outcomes) / total, text=f"{len(run.outcomes)} of {total} answered")
    key = f"review.{run.seed}.{index}"
    outcome = run.outcomes.get(index)
    with st.container(border=True):
        with st.container(key=f"review-question-{index}"):
            st.header(f"Question {number} of {total}", anchor=False)
        st.caption(f"From the module {found.module_title}")
        markdown(found.question.prompt)
        with st.form(key=f"{key}.form"):
            label = question_label(number, found.question.prompt)
            response = answer_input(found.question, key, None, run.seed, label)
            sure = confidence_input(key, number)
            checked = st.form_submit_button("Check my answer", disabled=outcome is not None)
        if checked and outcome is None:
            with shown_as_message():
                outcome = review_services.answer(
                    user, catalog, found.module_id, found.question_id, response, sure
                )
                run.outcomes[index] = outcome
        if outcome is not None:
            _feedback(outcome, found, run.seed)
    if outcome is not None:
        last = number == total
        if st.button("Finish review" if last else "Next question", type="primary",
                     key=f"{key}.next"):  # fmt: skip
            run.index += 0 if last else 1
            if last:
                st.session_state.pop(RUN, None)
            ask_to_focus_heading()
            st.rerun()
    elif st.button("Stop for now", key=f"{key}.stop", help="Unanswered questions stay due."):
        st.session_state.pop(RUN, None)
        st.rerun()
    focus_heading_if_asked(f"review-question-{index}")


def my_learning_section(user: User, catalog: Catalog) -> None:
    """My learning's short Review section: how many questions are due, and a link to Review."""
    st.header("Review", anchor=False)
    due = review_services.due_today(user, catalog)
    if due.count:
        plural = "questions are" if due.count != 1 else "question is"
        st.markdown(f"{due.count} {plural} due for review now.")
    elif due.queued:
        st.markdown(f"Nothing is due now; {due.queued} in your review queue.")
    else:
        st.caption(
            "Questions you got wrong, or were unsure of, come back here for review after "
            "you complete a module."
        )
    st.page_link("carelab/ui/pages/review.py", label="Open Review", icon=":material/repeat:")
