"""A ranking question in the player: one select per position, so no dragging is needed.

Each position (1 at the top) has its own labelled select, which works by keyboard and with
a screen reader and stacks at 390 px. The items start in the attempt's shuffled order,
never the right one; an item chosen for two positions is named when the answer is checked.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from carelab import answers
from carelab.content import schema
from carelab.learning import grading


def place_name(place: int, count: int) -> str:
    """'1 (top)', '2', ..., 'n (bottom)'."""
    return f"{place} (top)" if place == 1 else f"{place} (bottom)" if place == count else str(place)


def ranking_input(
    question: schema.Ranking, key: str, saved: Any, seed: int, label: str
) -> list[int]:
    """The item chosen for each position, top first, starting from the saved order."""
    items = list(question.items)
    try:
        start = list(answers.ranking(len(items), saved)) if saved is not None else None
    except answers.InvalidAnswer:
        start = None  # saved under an older version of the question
    start = start or grading.item_order(question, seed)
    number = label.split(":", 1)[0]
    st.markdown("Put the items in order, the first at the top: choose an item for each position.")
    return [
        st.selectbox(
            f"{number}, position {place_name(place, len(items))}",
            range(len(items)),
            index=item,
            key=f"{key}.{place}",
            format_func=lambda i: items[i],
        )
        for place, item in enumerate(start, 1)
    ]
