"""A module's pre-test in the player: answered first, saved at once, feedback only at the end.

Nothing about an answer is shown until the learner finishes the whole pre-test, so the
pre-test does not teach the module's own scored questions; then each question is shown
with its answer, the right answer and why. The learner may skip it (then no gain is shown).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from carelab.content import schema
from carelab.learning import grading, pre_test, services
from carelab.learning.pre_test import PreTest, PreTestAnswer
from carelab.learning.records import Attempt
from carelab.ui.components.markdown import markdown
from carelab.ui.components.questions import answer_input, question_label
from carelab.ui.errors import shown_as_message


def _citations(module: schema.Module) -> dict[str, str]:
    return {s.id: s.citation + (f" {s.url}" if s.url else "") for s in module.sources}


def answer_text(question: Any, response: Any) -> str:
    """A saved answer in words: the option(s) chosen, True or False, or what was typed."""
    if isinstance(question, schema.SingleChoice) and isinstance(response, int):
        return question.options[response].text
    if isinstance(question, schema.MultipleChoice) and isinstance(response, list):
        chosen = [question.options[i].text for i in response if 0 <= i < len(question.options)]
        return "; ".join(chosen) or "nothing chosen"
    if isinstance(question, schema.TrueFalse):
        return "True" if response else "False"
    unit = getattr(question, "unit", None)
    return f"{response:g} {unit}" if unit and isinstance(response, float) else str(response)


def right_answer(question: Any) -> str:
    """The right answer in words."""
    if isinstance(question, schema.SingleChoice | schema.MultipleChoice):
        return "; ".join(o.text for o in question.options if o.correct)
    if isinstance(question, schema.TrueFalse):
        return "True" if question.answer else "False"
    if isinstance(question, schema.Numeric):
        within = f" (within {question.tolerance:g})" if question.tolerance else ""
        return f"{question.answer:g}{' ' + question.unit if question.unit else ''}{within}"
    return " or ".join(question.accepted)


def show_pre_test(module: schema.Module, attempt: Attempt) -> bool:
    """The pre-test, or its feedback, when the attempt is at it; whether it was shown.

    The player stops after it: the module's steps come once the learner finishes the
    pre-test and reads the feedback, or skips it.
    """
    found = pre_test.open_pre_test(attempt, module)
    if found.pending:
        _questions(module, attempt, found)
        return True
    if found.taken and attempt.current_step is None:
        _feedback(module, attempt, found)
        return True
    return False


def _questions(module: schema.Module, attempt: Attempt, found: PreTest) -> None:
    assert module.pre_test is not None
    questions = module.pre_test.questions
    st.header(pre_test.TITLE, anchor=False)
    st.info(
        f"A short pre-test of {len(questions)} questions before the module. It is not "
        "graded and does not count towards the pass mark: it shows what you knew before, "
        "so you can see what you learned. Each answer is saved as you give it; the right "
        "answers and why come after the last question. You may skip it.",
        icon=":material/quiz:",
    )
    if module.pre_test.intro:
        markdown(module.pre_test.intro)
    for number, question in enumerate(questions, 1):
        _question(number, question, attempt, module, found.answers.get(question.id))
    answered = sum(1 for q in questions if q.id in found.answers)
    st.markdown(f"Answered **{answered} of {len(questions)}**.")
    finish, skip = st.columns(2)
    if finish.button(
        "Finish the pre-test and see the answers", type="primary", key="pre_test.finish"
    ):
        with shown_as_message():
            pre_test.finish_pre_test(attempt, module)
            st.rerun()
    if skip.button("Skip the pre-test", key="pre_test.skip"):
        with shown_as_message():
            pre_test.skip_pre_test(attempt, module)
            _to_first_step(module, attempt)


def _question(
    number: int,
    question: Any,
    attempt: Attempt,
    module: schema.Module,
    saved: PreTestAnswer | None,
) -> None:
    key = f"pre_test.{attempt.id}.{question.id}"
    with st.container(border=True):
        st.markdown(f"### Question {number}", anchors=False)
        markdown(question.prompt)
        if saved is not None:
            shown = answer_text(question, grading.decode(saved.response))
            st.markdown("Your answer: **" + shown.replace("*", "\\*") + "**")
            st.caption("Saved. The right answer and why come after the last question.")
            return
        with st.form(key=f"{key}.form"):
            label = question_label(number, question.prompt)
            response = answer_input(question, key, None, attempt.seed, label)
            submitted = st.form_submit_button("Save my answer")
        if submitted:
            with shown_as_message():
                pre_test.answer(attempt, module, question.id, response)
                st.rerun()


def _feedback(module: schema.Module, attempt: Attempt, found: PreTest) -> None:
    assert module.pre_test is not None
    questions = module.pre_test.questions
    right = sum(1 for q in questions if q.id in found.answers and found.answers[q.id].score >= 1)
    st.header("Your pre-test: the answers", anchor=False)
    st.markdown(
        f"You scored **{pre_test.percent(found.score or 0)}** ({right} of {len(questions)} "
        "right) before the module. This is not graded: once you complete the module, your "
        "pre-test score is shown beside your module score, on My learning and on your "
        "certificate."
    )
    cited = _citations(module)
    for number, question in enumerate(questions, 1):
        saved = found.answers.get(question.id)
        with st.container(border=True):
            st.markdown(f"### Question {number}", anchors=False)
            markdown(question.prompt)
            if saved is None:
                continue
            result = grading.grade(question, grading.decode(saved.response))
            if result.correct:
                st.success("Right.", icon=":material/check_circle:")
            elif result.score > 0:
                st.warning(f"Partly right ({result.score:.0%}).", icon=":material/change_circle:")
            else:
                st.error("Not right.", icon=":material/cancel:")
            markdown(f"Your answer: **{answer_text(question, grading.decode(saved.response))}**")
            if not result.correct:
                markdown(f"The right answer: **{right_answer(question)}**")
            if result.feedback:
                markdown(result.feedback)
            markdown(f"**Why:** {result.explanation}")
            if question.source and question.source in cited:
                st.markdown(f"Source: {cited[question.source]}")
    if st.button("Start the module →", type="primary", key="pre_test.start"):
        _to_first_step(module, attempt)


def _to_first_step(module: schema.Module, attempt: Attempt) -> None:
    # The module starts at its beginning, even when a link named a later step.
    services.move_to(attempt, module.steps[0].id)
    st.query_params["step"] = module.steps[0].id
    st.rerun()


def show_gain(module: schema.Module, attempt: Attempt) -> None:
    """The learner's gain once the attempt is complete: 'Pre-test 45%, post-test 85%'."""
    if module.pre_test is None or not attempt.complete:
        return
    found = pre_test.open_pre_test(attempt, module)
    text = pre_test.gain_text(found.score if found.taken else None, attempt.score)
    if text:
        st.markdown(f"**Your gain:** {text}.")
