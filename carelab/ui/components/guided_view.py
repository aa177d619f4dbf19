"""The guided reading on the "Your data" page: what the A&E funnel flags, and one trust's run."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from carelab.content.text import escape_markdown
from carelab.indicators import describe, guided_reading
from carelab.ui.components import charts

CHOSEN_BY_READING = "The reading's choice"
PROVIDER_KEY = "byod.guide_provider"


@st.cache_data(max_entries=16, show_spinner=False)
def _read(
    data: pd.DataFrame,
    groups: tuple[str, ...] | None,
    periods: tuple[str, ...] | None,
    higher_is_better: bool,
    provider: str | None,
) -> guided_reading.GuidedReading:
    return guided_reading.read(data, groups, periods, higher_is_better, provider)


def _flag_table(reading: guided_reading.GuidedReading) -> pd.DataFrame:
    rows = []
    for label, flags in (
        ("Chance only (no adjustment)", reading.unadjusted),
        ("Additive overdispersion (τ²)", reading.adjusted),
    ):
        rows.append(
            {
                "Limits": label,
                "Worse, outside 99.8%": len(flags.worse),
                "Better, outside 99.8%": len(flags.better),
                "Outside 95%": flags.beyond95,
            }
        )
    return pd.DataFrame(rows)


def guided_reading_view(
    data: pd.DataFrame,
    groups: Sequence[str] | None,
    periods: Sequence[str] | None,
    higher_is_better: bool,
    indicator: str,
) -> None:
    """Four computed paragraphs, the flag counts with and without adjustment, and a run chart."""
    st.markdown(
        "A reading of these data in four steps, computed from the groups and periods chosen "
        "above: change them and the reading changes."
    )
    groups = tuple(groups) if groups is not None else None
    periods = tuple(periods) if periods is not None else None
    auto = _read(data, groups, periods, higher_is_better, None)
    providers = sorted(data["provider"].unique())
    options = [CHOSEN_BY_READING, *providers]
    if st.session_state.get(PROVIDER_KEY) not in options:
        st.session_state.pop(PROVIDER_KEY, None)
    who = st.selectbox(
        "Trust for step 4's run chart",
        options,
        key=PROVIDER_KEY,
        format_func=lambda o: f"{o} ({auto.provider})" if o == CHOSEN_BY_READING else o,
    )
    reading = auto if who == CHOSEN_BY_READING else _read(data, groups, periods,
                                                           higher_is_better, who)  # fmt: skip
    paragraphs = guided_reading.steps(reading, "trusts", indicator)
    for title, text in paragraphs[:3]:
        st.markdown(f"**{title}** {escape_markdown(text)}")
    st.dataframe(_flag_table(reading), hide_index=True, width="stretch",
                 column_config={"Limits": st.column_config.Column(pinned=True)})  # fmt: skip
    title, text = paragraphs[3]
    st.markdown(f"**{title}** {escape_markdown(text)}")
    run = reading.run
    text = describe.run_description(run)
    title = f"Run chart: {reading.provider}, every period"
    st.altair_chart(charts.run_chart(run, title, ".3f", text), width="stretch")
    st.markdown(escape_markdown(text))
    with st.expander("Table of the values"):
        st.dataframe(describe.run_rows(run, 3), hide_index=True, width="stretch",
                     column_config={"Period": st.column_config.Column(pinned=True)})  # fmt: skip
    st.markdown(
        "Sources: Spiegelhalter DJ, *Funnel plots for comparing institutional performance*, "
        "Statistics in Medicine 2005;24:1185–1202; Spiegelhalter DJ, *Handling over-dispersion "
        "of performance indicators*, Quality and Safety in Health Care 2005;14:347–351; NHS "
        "England and NHS Improvement, *Making Data Count* (2019)."
    )
