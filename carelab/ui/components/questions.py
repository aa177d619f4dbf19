"""Quiz questions in the player: a form each, saved on submit, feedback in words and icons.

The same player serves a module's quiz steps, a module's case steps and the case page: only
where an answer is saved, and what its first answer counts towards, differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import streamlit as st

from carelab.content import schema
from carelab.learning import confidence, grading, limits, services
from carelab.learning.records import Attempt, SavedAnswer
from carelab.ui import state
from carelab.ui.components.markdown import markdown
from carelab.ui.components.ranking_input import ranking_input
from carelab.ui.errors import shown_as_message

# Markdown an author may use in a prompt, dropped from the accessible name: a link's
# address, emphasis, code and escape marks; table bars, heading and quote marks part words.
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKERS = re.compile(r"[*_`~\\]+")
_BREAKS = re.compile(r"[|#>]+")
LABEL_CHARS = 80


def question_label(number: int, prompt: str, limit: int = LABEL_CHARS) -> str:
    """The accessible name of a question's input: 'Question N: ' and the prompt's start."""
    words = " ".join(_BREAKS.sub(" ", _MARKERS.sub("", _LINK.sub(r"\1", prompt))).split())
    if len(words) > limit:
        words = words[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"
    return f"Question {number}: {words}"


def answer_input(question: Any, key: str, saved: Any, seed: int, label: str) -> Any:
    """The input for one question kind, showing the saved answer.

    The prompt is shown just above, so the label is hidden from sight but still names the
    input for screen readers: each names its own question, not a shared "Your answer".
    """
    if isinstance(question, schema.SingleChoice):
        order = grading.option_order(question, seed)
        index = order.index(saved) if isinstance(saved, int) and saved in order else None
        return st.radio(
            label, order, index=index, key=key, label_visibility="collapsed",
            format_func=lambda i: question.options[i].text,
        )  # fmt: skip
    if isinstance(question, schema.MultipleChoice):
        st.markdown("Choose every option that applies:")
        chosen = set(saved or [])
        return [
            i
            for i in grading.option_order(question, seed)
            if st.checkbox(question.options[i].text, value=i in chosen, key=f"{key}.{i}")
        ]
    if isinstance(question, schema.Ranking):
        return ranking_input(question, key, saved, seed, label)
    if isinstance(question, schema.TrueFalse):
        options = [True, False]
        index = options.index(saved) if isinstance(saved, bool) else None
        return st.radio(
            label, options, index=index, key=key, horizontal=True,
            label_visibility="collapsed", format_func=lambda v: "True" if v else "False",
        )  # fmt: skip
    unit = getattr(question, "unit", None)
    visible = f"Your answer ({unit})" if unit else "Your answer"
    value = "" if saved is None else str(saved)
    # An answer saved before 0.5 may be longer than the limit. Streamlit would cut it to
    # max_chars without a word, so the box shows it whole and the core asks to shorten it.
    limit = max(limits.answer_limit(question) or 0, len(value))
    if unit:
        # The unit is part of the answer: shown, and in the name after the question.
        markdown(f"{visible}:")
    return st.text_input(
        f"{label} · {visible}", value=value, key=key, max_chars=limit, label_visibility="collapsed"
    )


def _show_grade(
    result: grading.Grade,
    question: Any,
    sources: dict[str, str],
    saved: SavedAnswer,
    seed: int,
    counts_towards: str,
) -> None:
    """Feedback that never relies on colour: an icon and words, then the reasons."""
    show_verdict(result)
    _show_confidence(saved)
    show_reasons(result, question, sources, seed)
    tries = saved.tries
    again = f"you have tried {tries} times" if tries > 1 else "you can try again to learn"
    st.markdown(
        f"Saved. Your first answer scored {saved.score:.0%} and is the one that counts "
        f"towards {counts_towards}; {again}."
    )


def show_verdict(result: grading.Grade) -> None:
    """Right, partly right or not: an icon and words, never colour alone."""
    if result.correct:
        st.success("Correct.", icon=":material/check_circle:")
    elif result.score > 0:
        st.warning(f"Partly right ({result.score:.0%}).", icon=":material/change_circle:")
    else:
        st.error("Not quite.", icon=":material/cancel:")


def show_reasons(result: grading.Grade, question: Any, sources: dict[str, str], seed: int) -> None:
    """The options chosen and missed, the feedback, why, and the source."""
    order = grading.option_order(question, seed) if result.options else []
    for option in (result.options[i] for i in order):
        if option.chosen:
            verdict = "✓ a right answer" if option.correct else "✗ not right"
            line = f"- You chose **{option.text}** ({verdict})"
            markdown(line + (f": {option.feedback}" if option.feedback else ""))
        elif option.correct:
            markdown(f"- **{option.text}** is also right (✓), and you did not choose it.")
    if result.feedback:
        markdown(result.feedback)
    markdown(f"**Why:** {result.explanation}")
    if question.source and question.source in sources:
        st.markdown(f"Source: {sources[question.source]}")


def _signed(mark: int) -> str:
    return f"+{mark}" if mark > 0 else ("0" if mark == 0 else f"−{-mark}")


MARKS_LINE = " · ".join(
    f"{confidence.LABELS[level]}: right {_signed(right)}, wrong {_signed(wrong)}"
    for level, (right, wrong) in confidence.MARKS.items()
)


def asks_confidence(attempt: Attempt) -> bool:
    """Whether the attempt's module asks how sure the learner is (its `confidence: true`)."""
    if attempt.kind != "module":
        return False
    module = state.catalog().modules.get(attempt.module_id)
    return bool(module and module.confidence)


def confidence_input(key: str, number: int) -> str | None:
    """Low / Medium / High, named by the question, chosen before checking (none at first)."""
    chosen = st.radio(
        f"How sure are you of your answer to question {number}?",
        confidence.LEVELS, index=None, key=f"{key}.confidence", horizontal=True,
        format_func=lambda level: confidence.LABELS[level],
        help="Certainty-based marking (Gardner-Medwin, UCL). " + MARKS_LINE + ".",
    )  # fmt: skip
    st.caption(f"Marks for how sure you are: {MARKS_LINE}.")
    return chosen


def _show_confidence(saved: SavedAnswer) -> None:
    """How sure the learner was of the first answer, its mark, and a sure-and-wrong warning."""
    level = saved.first_confidence
    if level not in confidence.LEVELS:
        return
    right = confidence.is_right(saved.score)
    mark = confidence.mark(level, right)
    st.markdown(
        f"You said your confidence was **{confidence.LABELS[level].lower()}**, and your first "
        f"answer was {'right' if right else 'not right'}: certainty-based mark "
        f"**{_signed(mark)}** (from −6 to +3)."
    )
    if confidence.sure_and_wrong(level, right):
        st.warning(
            f"**You were sure and wrong.** {confidence.SURE_AND_WRONG}\n\n"
            f"Source: {confidence.CITATION}.",
            icon=":material/report:",
        )


# Marks and saves a checked answer, returning it as saved: (question, response).
Save = Callable[[Any, Any], SavedAnswer]


def show_question(
    number: int,
    step_id: str,
    question: Any,
    attempt: Attempt,
    saved: SavedAnswer | None,
    sources: dict[str, str],
    answer_id: str | None = None,
    save: Save | None = None,
    counts_towards: str = "the pass mark",
    level: int = 3,
) -> None:
    """One question: prompt, input, check button, and feedback once answered.

    By default the answer is saved to the module attempt under `answer_id` (the question's
    id unless given); `save` saves it elsewhere (a case page's own attempt). `level` is the
    heading level of "Question N", one below the heading it sits under.
    """
    answer_id = answer_id or question.id
    # Only answers saved to a module attempt carry a confidence (not a case page's own quiz).
    ask = save is None and asks_confidence(attempt)
    sure: str | None = None

    def to_module(question: Any, response: Any) -> SavedAnswer:
        return services.answer(attempt, step_id, question, response, answer_id, sure, ask)

    key = f"player.{attempt.id}.{answer_id}"
    with st.container(border=True):
        st.markdown(f"{'#' * level} Question {number}", anchors=False)
        markdown(question.prompt)
        previous = grading.decode(saved.last_response) if saved else None
        with st.form(key=f"{key}.form"):
            label = question_label(number, question.prompt)
            response = answer_input(question, key, previous, attempt.seed, label)
            # Asked with the first answer only: the first answer is the one that counts.
            sure = confidence_input(key, number) if ask and saved is None else None
            submitted = st.form_submit_button("Check my answer")
        if submitted and ask and saved is None and sure is None:
            st.error(
                "Choose how sure you are (low, medium or high) before checking your answer.",
                icon=":material/error:",
            )
        elif submitted:
            with shown_as_message():
                saved = (save or to_module)(question, response)
        if saved:
            result = grading.grade(question, grading.decode(saved.last_response))
            _show_grade(result, question, sources, saved, attempt.seed, counts_towards)
