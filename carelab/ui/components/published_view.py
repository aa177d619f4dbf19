"""The published case on "Your data": what the national audit published, beside CareLab's funnel."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from carelab.indicators import published_case
from carelab.indicators.examples import Example


@st.cache_data(max_entries=2, show_spinner=False)
def _compare(path: str, digest: str) -> tuple[pd.DataFrame, list[str]]:
    """The comparison and its sentences, kept per file content (`digest`)."""
    table = published_case.compare(published_case.load(Path(path)))
    return table, published_case.reading(table)


def case_view(example: Example, digest: str) -> None:
    """What is published and what is computed, the comparison table, and why this case."""
    st.subheader("A published case: children's heart surgery, 2011–2014")
    st.markdown(
        "**Published, not simulated.** Operations, deaths within 30 days, survival and each "
        "hospital's predicted range of survival are the National Congenital Heart Disease "
        "Audit's figures for April 2011 to March 2014. The predicted range comes from the "
        "audit's risk model (PRAiS), computed from the children each hospital treated. "
        "**Computed by CareLab:** the pooled death rate, the funnel limits and verdicts, and "
        "where each survival rate lies in its published range. **Simulated:** nothing."
    )
    st.markdown(
        "**Read it as its presenters advise.** The predicted range depends on the children each "
        "hospital treated, so a hospital's survival should be compared with its own range, "
        "not with another hospital's survival (*Understanding children's heart surgery "
        "outcomes*, childrensheartsurgery.info). CareLab's crude funnel makes the comparison "
        "that site warns against, to show why. PRAiS (Partial Risk Adjustment in Surgery) "
        "cannot capture everything about the children treated, and its verdicts are only as "
        "good as the data each hospital submits."
    )
    table, sentences = _compare(str(example.path), digest)
    for sentence in sentences:
        st.markdown(sentence)
    shown = table.drop(columns=["pooled", "Hospital"])
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config={"Code": st.column_config.Column(pinned=True)})  # fmt: skip
    with st.expander("Hospital names and codes"):
        st.dataframe(table[["Code", "Hospital"]], hide_index=True, width="stretch")
    st.markdown(
        "**Why this case.** The Bristol inquiry and the IVF league tables are the classic "
        "cases, but their per-unit tables could not be checked against a source we could read, "
        "so only their headline figures are quoted here. Bristol: in open operations on "
        "children under 1 year in 1991–95, the inquiry's analysts estimated 19.0 excess deaths "
        "(95% interval 2 to 32) among 43 in the Cardiac Surgical Register and 24.1 (12 to 34) "
        "among 41 in Hospital Episode Statistics (Aylin P, Alves B, Best N, et al., "
        "*Comparison of UK paediatric cardiac surgical performance by analysis of routinely "
        "collected data 1984–96: was Bristol an outlier?*, Lancet 2001;358:181–187). "
        "IVF: of 52 clinics, only one could be confidently placed in the bottom quarter "
        "(Marshall EC, Spiegelhalter DJ, *Reliability of league tables of in vitro "
        "fertilisation clinics: retrospective analysis of live birth rates*, BMJ "
        "1998;316:1701). The national audit set up after Bristol publishes the figures "
        "above every year."
    )
