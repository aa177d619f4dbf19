"""A case's quiz in the question player: on the case page, and in a module's case step.

On the case page the answers are the learner's own case attempt; in a module's case step
they belong to the module attempt and count towards the module's score. The two are kept
apart on purpose (docs/learners.md says why), so each shows where its answers go.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from carelab.auth import User
from carelab.content import schema
from carelab.learning import case_progress, progress, services
from carelab.learning.records import Attempt, SavedAnswer
from carelab.ui.components.case_view import citations
from carelab.ui.components.questions import show_question

SIGN_IN = "carelab/ui/pages/sign_in.py"
HEADING = "Check your understanding"
Heading = Callable[..., object]


def case_page_quiz(case: schema.Case, user: User | None) -> Callable[[Heading], None]:
    """The case page's quiz: every answer saved to the learner's own case attempt."""

    def draw(heading: Heading) -> None:
        heading(HEADING, anchor=False)
        if user is None:
            st.info(
                f"Sign in to answer this case's {len(case.quiz)} questions: each answer is "
                "saved as you give it, with feedback and its source.",
                icon=":material/login:",
            )
            st.page_link(SIGN_IN, label="Sign in or create an account")
            return
        quiz = services.open_case_quiz(user, case)
        attempt, saved = quiz.attempt, quiz.answers
        st.markdown(
            "Each answer is saved when you check it. Your first answer to each question "
            "counts towards your score for this case; try again as often as you like."
        )

        def save(question: Any, response: Any) -> SavedAnswer:
            return services.answer_case(attempt, case, question, response)

        sources = citations(case)
        for number, question in enumerate(case.quiz, 1):
            show_question(
                number,
                case_progress.CASE_QUIZ_STEP,
                question,
                attempt,
                saved.get(question.id),
                sources,
                save=save,
                counts_towards="your score for this case",
                level=3,  # under the page's h2 "Check your understanding"
            )
        _standing(case, user, attempt)

    return draw


def _standing(case: schema.Case, user: User, attempt: Attempt) -> None:
    """How far the learner is, the fixed score once complete, and a fresh start."""
    status = services.case_status(attempt, case)
    if not status.complete:
        st.markdown(
            f"Answered **{status.answered} of {status.questions}** · score so far (first "
            f"answers) **{status.score:.0%}**. Answer every question to complete the case."
        )
        return
    st.success(
        f"Case complete: you answered all {status.questions} questions, and your score (first "
        f"answers) is {status.completed_score or 0:.0%}. It is listed on My learning.",
        icon=":material/task_alt:",
    )
    if st.button("Start this case's quiz again", key=f"case.again.{attempt.id}"):
        services.new_case_attempt(user, case)
        st.rerun()


def case_step_quiz(
    step: schema.CaseStep, case: schema.Case, attempt: Attempt
) -> Callable[[Heading], None]:
    """A module case step's quiz: saved to the module attempt, counted in its score."""

    def draw(heading: Heading) -> None:
        heading(HEADING, anchor=False)
        st.markdown(
            "These questions count towards this module's score, like its quizzes. Answers "
            "you give on the case's own page are kept apart, as your own case record."
        )
        saved = services.answers(attempt)
        sources = citations(case)
        for number, question in enumerate(case.quiz, 1):
            answer_id = progress.case_answer_id(step.id, question.id)
            # Under the step's h2, the case title (h2) and its h3 "Check your understanding".
            show_question(
                number, step.id, question, attempt, saved.get(answer_id), sources, answer_id,
                level=4,
            )  # fmt: skip

    return draw
