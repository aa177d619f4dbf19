"""A case study for reading: story, timeline, key figures with sources, quiz, references."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from carelab.content.schema import Case
from carelab.ui.components.markdown import markdown


def source_labels(case: Case) -> dict[str, str]:
    """Number the case's sources in the order of its reference list: id -> '[n]'."""
    return {source.id: f"[{n}]" for n, source in enumerate(case.sources, 1)}


def cite(labels: dict[str, str], *refs: str | None) -> str:
    """Return the reference numbers for some source ids, e.g. 'Sources: [1] [3]'."""
    found = [labels[r] for r in refs if r]
    return ("Source: " if len(found) == 1 else "Sources: ") + " ".join(found) if found else ""


def show_key_figures(
    case: Case, labels: dict[str, str], heading: Callable[..., object] = st.header
) -> None:
    """Show each key figure with its caveat and source number."""
    heading("Key figures", anchor=False)
    columns = st.columns(2)
    for index, figure in enumerate(case.key_figures):
        with columns[index % 2].container(border=True):
            st.markdown(f"**{figure.value}**")
            st.markdown(figure.label)
            if figure.note:
                markdown(f"*Caveat:* {figure.note}")
            st.markdown(cite(labels, figure.source) or "No source given")


def citations(case: Case) -> dict[str, str]:
    """Each source's id and its full citation, as a question's feedback names it."""
    return {s.id: s.citation + (f" {s.url}" if s.url else "") for s in case.sources}


def show_case(
    case: Case,
    preview: bool = False,
    quiz: Callable[[Callable[..., object]], None] | None = None,
) -> None:
    """Render a whole case; as a preview inside another page, one heading level down.

    `quiz` draws the case's quiz (given the heading function) before the references.
    """
    title, heading = (st.header, st.subheader) if preview else (st.title, st.header)
    labels = source_labels(case)
    title(case.title, anchor=False)
    st.caption(case.setting + (" · " + " · ".join(f"#{t}" for t in case.tags) if case.tags else ""))
    markdown(case.summary)
    if case.timeline:
        heading("Timeline", anchor=False)
        for event in case.timeline:
            st.markdown(f"**{event.date}**: {event.event} {cite(labels, event.source)}")
    for section in case.sections:
        heading(section.heading, anchor=False)
        markdown(section.body)
        if section.sources:
            st.markdown(cite(labels, *section.sources))
    if case.key_figures:
        show_key_figures(case, labels, heading)
    if case.what_to_notice:
        heading("What to notice", anchor=False)
        markdown("\n".join(f"- {item}" for item in case.what_to_notice))
    if case.discussion_questions:
        heading("Discussion questions", anchor=False)
        markdown("\n".join(f"{n}. {q}" for n, q in enumerate(case.discussion_questions, 1)))
    if quiz is not None and case.quiz:
        quiz(heading)
    heading("References", anchor=False)
    for source in case.sources:
        line = f"{labels[source.id]} {source.citation}"
        if source.url:
            line += f" <{source.url}>"
        markdown(line)
        if source.note:
            markdown(f"*Note:* {source.note}")
