"""Catalogue: every module and case, with search and a tag filter."""

from __future__ import annotations

import streamlit as st

from carelab.content import timing
from carelab.content.catalog import CatalogEntry
from carelab.ui import state
from carelab.ui.components.markdown import markdown
from carelab.ui.components.module_view import show_module_outline
from carelab.ui.navigation import CASE_READER, MODULE_PLAYER

KIND_LABEL = {"module": "Module", "case": "Case study"}


def content_minutes(entry: CatalogEntry) -> int:
    """An item's time from its content: the same count the player shows per step."""
    catalog = state.catalog()
    if entry.kind == "case":
        return timing.case_minutes(catalog.case(entry.id))
    return timing.module_minutes(catalog.module(entry.id), catalog.cases)


def show_entry(entry: CatalogEntry) -> None:
    """Show one catalogue entry as a card."""
    with st.container(border=True):
        st.subheader(entry.title, anchor=False)
        minutes = f"about {content_minutes(entry)} min"
        tags = " · ".join(f"#{tag}" for tag in entry.tags)
        st.caption(f"{KIND_LABEL[entry.kind]} · {minutes}" + (f" · {tags}" if tags else ""))
        markdown(entry.summary)
        if entry.kind == "case":
            st.page_link(
                CASE_READER,
                label=f"Read the case: {entry.title}",
                icon=":material/arrow_forward:",
                query_params={"id": entry.id},
            )
        else:
            st.page_link(
                MODULE_PLAYER,
                label=f"Start or continue: {entry.title}",
                icon=":material/play_arrow:",
                query_params={"id": entry.id},
            )
            with st.expander("Objectives and steps"):
                show_module_outline(state.catalog().module(entry.id))


st.title("Catalogue")
catalog = state.catalog()
search_col, tag_col = st.columns([2, 1])
query = search_col.text_input("Search", key="catalogue.query", placeholder="e.g. integration")
tags = tag_col.multiselect("Tags", catalog.tags(), key="catalogue.tags")
entries = catalog.search(query, tags)
if not catalog.entries():
    st.info("The catalogue is empty: no valid modules or cases were found in the content folder.")
elif not entries:
    st.info("Nothing matches that search. Clear the search box or remove a tag.")
for kind, heading in (("module", "Modules"), ("case", "Case studies")):
    found = [e for e in entries if e.kind == kind]
    if found:
        st.header(heading, anchor=False)
        for entry in found:
            show_entry(entry)
