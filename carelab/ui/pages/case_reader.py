"""Case reader: a case's story, timeline, key figures with sources, questions and references."""

from __future__ import annotations

import streamlit as st

from carelab.content.schema import Case
from carelab.ui import state
from carelab.ui.components.markdown import markdown


def source_labels(case: Case) -> dict[str, str]:
    """Number the case's sources in the order of its reference list: id -> '[n]'."""
    return {source.id: f"[{n}]" for n, source in enumerate(case.sources, 1)}


def cite(labels: dict[str, str], *refs: str | None) -> str:
    """Return the reference numbers for some source ids, e.g. 'Sources: [1] [3]'."""
    found = [labels[r] for r in refs if r]
    return ("Source: " if len(found) == 1 else "Sources: ") + " ".join(found) if found else ""


def show_key_figures(case: Case, labels: dict[str, str]) -> None:
    """Show each key figure with its caveat and source number."""
    st.header("Key figures", anchor=False)
    columns = st.columns(2)
    for index, figure in enumerate(case.key_figures):
        with columns[index % 2].container(border=True):
            st.markdown(f"**{figure.value}**")
            st.markdown(figure.label)
            if figure.note:
                st.caption(f"Caveat: {figure.note}")
            st.caption(cite(labels, figure.source) or "No source given")


def show_case(case: Case) -> None:
    """Render a whole case."""
    labels = source_labels(case)
    st.title(case.title)
    st.caption(case.setting + (" · " + " · ".join(f"#{t}" for t in case.tags) if case.tags else ""))
    markdown(case.summary)
    if case.timeline:
        st.header("Timeline", anchor=False)
        for event in case.timeline:
            st.markdown(f"**{event.date}**: {event.event} {cite(labels, event.source)}")
    for section in case.sections:
        st.header(section.heading, anchor=False)
        markdown(section.body)
        if section.sources:
            st.caption(cite(labels, *section.sources))
    if case.key_figures:
        show_key_figures(case, labels)
    if case.what_to_notice:
        st.header("What to notice", anchor=False)
        markdown("\n".join(f"- {item}" for item in case.what_to_notice))
    if case.discussion_questions:
        st.header("Discussion questions", anchor=False)
        markdown("\n".join(f"{n}. {q}" for n, q in enumerate(case.discussion_questions, 1)))
    st.header("References", anchor=False)
    for source in case.sources:
        line = f"{labels[source.id]} {source.citation}"
        if source.url:
            line += f" <{source.url}>"
        markdown(line)
        if source.note:
            st.caption(source.note)


catalog = state.catalog()
cases = sorted(catalog.cases.values(), key=lambda c: c.title)
if not cases:
    st.title("Case studies")
    st.info("No case studies are available yet.")
    st.stop()
requested = st.query_params.get("id")
ids = [c.id for c in cases]
if requested and requested not in ids:
    st.error(f"There is no case '{requested}'. It may have been renamed or have errors.")
chosen = st.selectbox(
    "Case study",
    cases,
    index=ids.index(requested) if requested in ids else 0,
    format_func=lambda c: c.title,
)
st.query_params["id"] = chosen.id
show_case(chosen)
