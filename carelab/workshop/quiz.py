"""Quiz mode: points for right answers, more for faster ones if chosen, and a leaderboard on reveal.

A workshop is scored when its facilitator turns `scored` on (off by default). Each
participant's FINAL answer to each step that has a right answer is checked with
steps.is_correct; a step without a right answer (a poll, a discussion) scores nothing.

- Without `speed_bonus`: a right answer scores 1,000 points, a wrong one 0.
- With `speed_bonus`: a right answer scores 1,000 - floor(500 x t / W) points, between
  1,000 (at once) and 500 (at the end of the window or later). t is the time from when
  answering FIRST opened on the step (workshop_steps.opened_at; reopening keeps it) to the
  participant's last change of answer (changing an answer resets the clock); W, the answer
  window, is the countdown if one ran on the step (the end of the last countdown started
  there, minus opened_at), else DEFAULT_WINDOW_SECONDS.

A total is always recomputed from the stored answers, never kept as a number that could
drift from them. While the workshop runs, the current step's points join the totals only
once its right answer is revealed, so neither a phone's total nor the leaderboard can give
the answer away early. The leaderboard shows the top 10 only, never the bottom of the
table, and only participants with points: a clinical room should not rank a junior last in
front of consultants. It is shown only while the facilitator reveals it, and turning
scoring off (workshops.change_settings) hides every score and the leaderboard at once.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from carelab.auth import User
from carelab.store import Connection
from carelab.store import db as store_db
from carelab.store import quiz as store
from carelab.store import workshops as workshop_store
from carelab.workshop.errors import WorkshopStateError
from carelab.workshop.steps import WorkshopStep, is_correct
from carelab.workshop.workshops import (
    Workshop,
    _act,
    change_settings,
    facilitated_workshop,
    workshop_steps_of,
)

FULL_POINTS = 1000
SLOWEST_POINTS = 500  # a right answer never scores less, however slow
# The answer window when no countdown ran on a step: our choice, long enough to read a
# clinical question and its options on a phone.
DEFAULT_WINDOW_SECONDS = 30.0
TOP = 10  # leaderboard rows at most


def answer_window(opened_at: float | None, timer_ends_at: float | None) -> float:
    """The seconds a step's answer window lasts: its countdown if one ran, else the default."""
    if opened_at is not None and timer_ends_at is not None and timer_ends_at > opened_at:
        return timer_ends_at - opened_at
    return DEFAULT_WINDOW_SECONDS


def points_for(
    right: bool | None,
    speed_bonus: bool,
    answered_at: float,
    opened_at: float | None,
    timer_ends_at: float | None,
) -> int:
    """The points one final answer scores (see the module's docstring for the formula)."""
    if not right:
        return 0
    if not speed_bonus or opened_at is None:
        # No opening time was recorded (a step opened before quiz mode existed): nobody
        # loses points for a time we do not know.
        return FULL_POINTS
    window = answer_window(opened_at, timer_ends_at)
    used = min(max(answered_at - opened_at, 0.0), window)
    # Rounded before the floor, so 500 * 3 / 30 is 50 and never 49.999...
    lost = math.floor(round((FULL_POINTS - SLOWEST_POINTS) * used / window, 9))
    return FULL_POINTS - lost


# --- totals ----------------------------------------------------------------------------

# Step snapshots never change once a workshop is made (see participants._STEPS); the key
# holds the code and creation time so a reused SQLite id misses.
_SNAPSHOTS: dict[tuple[int, str, float], tuple[WorkshopStep, ...]] = {}
_SNAPSHOTS_KEPT = 256


def _steps(db: Connection, workshop: Workshop) -> tuple[WorkshopStep, ...]:
    key = (workshop.id, workshop.code, workshop.created_at)
    found = _SNAPSHOTS.get(key)
    if found is None:
        found = tuple(workshop_steps_of(db, workshop.id))
        if len(_SNAPSHOTS) >= _SNAPSHOTS_KEPT:
            _SNAPSHOTS.clear()
        _SNAPSHOTS[key] = found
    return found


def counted_steps(workshop: Workshop, steps: tuple[WorkshopStep, ...]) -> list[int]:
    """The steps whose points count now: those with a right answer, the current one only once
    its answer is revealed (or the workshop has ended)."""
    pending = not workshop.ended and not workshop.answer_revealed
    return [
        index
        for index, step in enumerate(steps)
        if step.has_answer and not (pending and index == workshop.current_step)
    ]


@dataclass(frozen=True)
class ScoreSheet:
    """Every counted answer's points and each participant's total, with ranks (ties share)."""

    points: dict[tuple[int, int], int]  # (participant id, step index) -> points
    totals: dict[int, int]  # participant id -> total, for everyone who answered a counted step
    _ranks: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # Competition ranking: 1 + how many have more points (1, 1, 3, ...).
        for place, total in enumerate(sorted(self.totals.values(), reverse=True), 1):
            self._ranks.setdefault(total, place)
        self._ranks.setdefault(0, 1 + sum(1 for t in self.totals.values() if t > 0))

    def total(self, participant_id: int) -> int:
        """A participant's points (0 for one who never answered)."""
        return self.totals.get(participant_id, 0)

    def rank(self, participant_id: int) -> int:
        """A participant's place, shared with everyone on the same points."""
        return self._ranks[self.total(participant_id)]


def score_sheet(db: Connection, workshop: Workshop) -> ScoreSheet:
    """Everyone's points, from the stored answers in one query for the whole room."""
    steps = _steps(db, workshop)
    counted = counted_steps(workshop, steps)
    rows = store.answers_to_score(db, workshop.id, counted) if counted else []
    right: dict[tuple[int, str], bool | None] = {}  # many phones send the same answer text
    points: dict[tuple[int, int], int] = {}
    totals: dict[int, int] = {}
    for row in rows:
        index, text = row["step_index"], row["answer"]
        if (index, text) not in right:
            right[index, text] = is_correct(steps[index], json.loads(text))
        scored = points_for(
            right[index, text],
            workshop.speed_bonus,
            row["last_answered_at"],
            row["opened_at"],
            row["timer_ends_at"],
        )
        points[row["participant_id"], index] = scored
        totals[row["participant_id"]] = totals.get(row["participant_id"], 0) + scored
    return ScoreSheet(points, totals)


# --- the leaderboard -------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """One line of the leaderboard: a place, a name and points."""

    rank: int
    name: str
    points: int


@dataclass(frozen=True)
class Tie:
    """A tie left off the leaderboard whole, as it would have passed TOP lines."""

    rank: int
    count: int
    points: int


@dataclass(frozen=True)
class Leaderboard:
    """The top of the table: at most TOP lines, and a tie that did not fit, counted."""

    rows: tuple[Place, ...]
    players: int  # everyone who joined
    # A tie that would have taken the list past TOP is left out whole (never cut in half),
    # and said as "and N more on P points".
    tied_beyond: Tie | None = None


def display_name(number: int, nickname: str) -> str:
    """A participant as the room sees them: their nickname, or "Participant N"."""
    return nickname or f"Participant {number}"


def leaderboard(db: Connection, workshop: Workshop, sheet: ScoreSheet | None = None) -> Leaderboard:
    """The top 10 by points (only those with points; ties share a rank), whether revealed or not."""
    sheet = sheet if sheet is not None else score_sheet(db, workshop)
    ranked = sorted(
        ((total, pid) for pid, total in sheet.totals.items() if total > 0),
        key=lambda item: (-item[0], item[1]),  # ids rise with joining: ties by join order
    )
    shown: list[tuple[int, int]] = []
    tied_beyond: Tie | None = None
    start = 0
    while start < len(ranked):
        total = ranked[start][0]
        end = start
        while end < len(ranked) and ranked[end][0] == total:
            end += 1
        if len(shown) + end - start > TOP:
            tied_beyond = Tie(start + 1, end - start, total)
            break
        shown += ranked[start:end]
        start = end
    names = {
        row["id"]: display_name(row["number"], row["nickname"])
        for row in store.participants_of(db, workshop.id, [pid for _, pid in shown])
    }
    rows = tuple(Place(sheet.rank(pid), names[pid], total) for total, pid in shown)
    players = workshop_store.participant_count(db, workshop.id)
    return Leaderboard(rows, players, tied_beyond)


def leaderboard_block(db: Connection, workshop: Workshop) -> dict[str, Any] | None:
    """The presenter's leaderboard: {"rows": [{"rank","name","points"}], "players"}; None unless
    the workshop is scored and the facilitator has revealed it."""
    if not (workshop.scored and workshop.leaderboard_revealed):
        return None
    board = leaderboard(db, workshop)
    beyond = board.tied_beyond
    return {
        "rows": [asdict(place) for place in board.rows],
        "players": board.players,
        "tied_beyond": None if beyond is None else asdict(beyond),
    }


# --- phones ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomScores:
    """What the phones of a scored room need: the score sheet, and the room's size for ranks."""

    sheet: ScoreSheet
    players: int | None  # only while the leaderboard is revealed


def room_scores(db: Connection, workshop: Workshop) -> RoomScores | None:
    """The room's scores when some phone shows them now (scored, and an answer or the
    leaderboard revealed, or the end); None otherwise, at the cost of no query."""
    if not workshop.scored:
        return None
    if not (workshop.answer_revealed or workshop.leaderboard_revealed or workshop.ended):
        return None
    players = None
    if workshop.leaderboard_revealed:
        players = workshop_store.participant_count(db, workshop.id)
    return RoomScores(score_sheet(db, workshop), players)


def phone_block(scores: RoomScores | None, participant_id: int) -> dict[str, Any] | None:
    """One phone's own points, and its own rank only while the leaderboard is revealed."""
    if scores is None:
        return None
    ranked = scores.players is not None
    return {
        "points": scores.sheet.total(participant_id),
        "rank": scores.sheet.rank(participant_id) if ranked else None,
        "players": scores.players,
    }


# --- the facilitator's actions ---------------------------------------------------------


def reveal_leaderboard(db: Connection, user: User | None, workshop_id: int) -> Workshop:
    """Show the leaderboard on the presenter screen and each phone's rank (also after the end)."""

    def decide(row: dict[str, Any]) -> dict[str, Any]:
        if not row["scored"]:
            raise WorkshopStateError(
                "Turn quiz scoring on first: an unscored room has no leaderboard."
            )
        return {"leaderboard_revealed": 1}

    return _act(db, user, workshop_id, decide, after_end=True)


def hide_leaderboard(db: Connection, user: User | None, workshop_id: int) -> Workshop:
    """Hide the leaderboard again (also after the end)."""
    return _act(db, user, workshop_id, lambda row: {"leaderboard_revealed": 0}, after_end=True)


def set_scoring(db: Connection, user: User | None, workshop_id: int, on: bool) -> Workshop:
    """Turn quiz scoring on or off; off hides every score and the leaderboard at once."""
    return change_settings(db, user, workshop_id, scored=on)


# --- exports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreLine:
    """One participant's line in an export: place, who, and total points."""

    rank: int
    participant_number: int
    nickname: str  # empty in an anonymous workshop's exports
    points: int


def score_lines(
    db: Connection, workshop: Workshop, sheet: ScoreSheet | None = None
) -> list[ScoreLine]:
    """Every participant's total and rank, best first (exports: the facilitator's record)."""
    sheet = sheet if sheet is not None else score_sheet(db, workshop)
    lines = [
        ScoreLine(
            sheet.rank(row["id"]),
            row["number"],
            "" if workshop.anonymous else row["nickname"],
            sheet.total(row["id"]),
        )
        for row in store.participants_of(db, workshop.id)
    ]
    return sorted(lines, key=lambda line: (line.rank, line.participant_number))


# --- for the pages: each opens its own connection and checks the user ------------------


@dataclass(frozen=True)
class Standings:
    """The facilitator's view of the scores: the workshop and its top 10, revealed or not."""

    workshop: Workshop
    board: Leaderboard


def standings(user: User | None, workshop_id: int) -> Standings:
    """The current top 10 and the number of players, for the facilitator's eyes only."""
    with store_db.session() as db:
        workshop = facilitated_workshop(db, user, workshop_id)
        return Standings(workshop, leaderboard(db, workshop))


def turn_scoring(user: User | None, workshop_id: int, on: bool) -> Workshop:
    """set_scoring, for a page."""
    with store_db.session() as db:
        return set_scoring(db, user, workshop_id, on)


def show_leaderboard(user: User | None, workshop_id: int, shown: bool) -> Workshop:
    """reveal_leaderboard or hide_leaderboard, for a page."""
    with store_db.session() as db:
        act = reveal_leaderboard if shown else hide_leaderboard
        return act(db, user, workshop_id)
