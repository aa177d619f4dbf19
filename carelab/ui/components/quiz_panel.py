"""Quiz mode on the Facilitate page: the creation options, scoring on/off, the leaderboard's reveal.

The standings are for the facilitator's eyes; the room sees the leaderboard (top 10 only)
on the presenter screen and the projector, and each phone its own rank, only while it is
revealed. Every action is checked again on the server (carelab.workshop.quiz).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from carelab.auth import User
from carelab.content.text import escape_markdown
from carelab.ui.components import live_actions
from carelab.ui.errors import shown_as_message
from carelab.workshop import quiz
from carelab.workshop.quiz import Leaderboard
from carelab.workshop.workshops import Workshop


def create_options() -> dict[str, bool]:
    """The quiz settings of a new workshop (inside its create form); both off by default."""
    scored = st.checkbox(
        "Score answers (quiz mode)",
        key="quiz.create.scored",
        help="A right answer scores 1,000 points. You choose when the room sees a "
        "leaderboard (top 10 only); you can turn scoring off during the session.",
    )
    speed = st.checkbox(
        "Faster right answers score more",
        key="quiz.create.speed",
        help="With scoring on: a right answer scores from 1,000 (at once) down to 500 (at "
        "the end of the countdown, or after 30 seconds without one).",
    )
    return {"scored": scored, "speed_bonus": speed}


def rule(workshop: Workshop) -> str:
    """How this workshop scores, in one sentence."""
    if not workshop.speed_bonus:
        return "A right answer scores 1,000 points; a wrong one, 0."
    return (
        "A right answer scores 1,000 points at once, down to 500 at the end of the "
        f"countdown (or after {quiz.DEFAULT_WINDOW_SECONDS:.0f} seconds without one)."
    )


def standings_table(board: Leaderboard) -> pd.DataFrame:
    """The top of the table as rows of rank, name and points."""
    return pd.DataFrame(
        [(p.rank, p.name, f"{p.points:,}") for p in board.rows],
        columns=["Rank", "Name", "Points"],
    )


def tie_line(board: Leaderboard) -> str | None:
    """The tie left off the list, in words, or None."""
    tie = board.tied_beyond
    if tie is None:
        return None
    return f"…and {tie.count} more share place {tie.rank} with {tie.points:,} points."


def _act(label: str, key: str, action: Callable[[], object], disabled: bool = False) -> None:
    live_actions.action_button(label, key, action, disabled=disabled)


def _scoring(user: User, workshop: Workshop, on: bool) -> Callable[[], object]:
    return lambda: quiz.turn_scoring(user, workshop.id, on)


def panel(user: User, workshop: Workshop) -> None:
    """Scoring on/off, the leaderboard's reveal, and the standings for the facilitator only."""
    st.header("Quiz mode", anchor=False)
    if not workshop.scored:
        st.caption("Scoring is off: no points or leaderboard anywhere.")
        _act(
            "Score answers (quiz mode)",
            "quiz.scoring",
            _scoring(user, workshop, True),
            workshop.ended,
        )
        return
    st.caption(rule(workshop))
    left, right = st.columns(2)
    with left:
        _act("Turn scoring off", "quiz.scoring", _scoring(user, workshop, False), workshop.ended)
    with right:
        shown = workshop.leaderboard_revealed
        _act("Hide the leaderboard" if shown else "Reveal the leaderboard", "quiz.board",
             lambda: quiz.show_leaderboard(user, workshop.id, not shown))  # fmt: skip
    found = None
    with shown_as_message():
        found = quiz.standings(user, workshop.id)
    if found is None:
        return
    board = found.board
    where = "shown to the room" if shown else "hidden from the room"
    st.markdown(f"**Standings** (for you; the leaderboard is {where})")
    st.caption(
        f"{board.players} joined. The room would see the top {quiz.TOP} at most, never the "
        "bottom of the table, and nobody without points. The current step counts once its "
        "answer is revealed."
    )
    if board.rows or board.tied_beyond:
        st.table(standings_table(board), hide_index=True)
        if board.tied_beyond is not None:
            st.caption(tie_line(board))
    else:
        st.caption("Nobody has scored yet.")


def projector_view(user: User | None, workshop: Workshop) -> None:
    """The leaderboard on the projector, in large type, only while it is revealed."""
    if not (workshop.scored and workshop.leaderboard_revealed):
        return
    with shown_as_message():
        board = quiz.standings(user, workshop.id).board
        st.header("Leaderboard", anchor=False)
        for place in board.rows:  # names are participants' text: escaped, never markup
            st.subheader(f"{place.rank}. {escape_markdown(place.name)}: {place.points:,} points",
                         anchor=False)  # fmt: skip
        if not board.rows:
            st.subheader("Nobody has scored yet.", anchor=False)
        if board.tied_beyond is not None:
            st.subheader(tie_line(board) or "", anchor=False)
