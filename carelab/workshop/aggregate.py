"""What the room said: live results per step and the CSV export.

Pure reads over the store, cheap enough for a dashboard fragment that re-reads them every
second or two. Hidden (moderated) responses never reach a chart or a word count. With
anonymity on, the default, exports name participants only by a stable number: no
nickname, and no token (the database does not even keep one).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from carelab.csv_safety import safe_cell, safe_row
from carelab.store import Connection
from carelab.store import workshops as store
from carelab.workshop import quiz, revote
from carelab.workshop.rank_results import RankingSummary, ranking_of
from carelab.workshop.shift import OptionShift, RankShift, VoteShift, vote_shift
from carelab.workshop.steps import SCALE, WorkshopStep, answer_label, is_correct
from carelab.workshop.workshops import get_workshop, step_at, workshop_steps_of

MAX_WORDS = 50
MAX_BINS = 10
# Small on purpose: clinical words such as "care" or "time" must survive.
_STOP_TEXT = """
a about after all also am an and any are as at be because been but by can could did do does
doing for from had has have having he her here him his how i if in into is it its it's just me
more most my no nor not of off on once only or other our out over own same she should so some
such than that that's the their them then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your
yours i'm don't isn't we're they're
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


@dataclass(frozen=True)
class OptionCount:
    """How many chose one option (or one point of a scale)."""

    index: int
    label: str
    count: int
    share: float  # of those who answered (a multiple-choice total can pass 1)
    correct: bool | None


@dataclass(frozen=True)
class Bin:
    """One bar of a numeric distribution: low <= value < high (the last bar includes high)."""

    low: float
    high: float
    count: int


@dataclass(frozen=True)
class NumericSummary:
    """The numbers behind a numeric poll's distribution."""

    n: int
    mean: float
    median: float
    min: float
    max: float
    bins: tuple[Bin, ...]


@dataclass(frozen=True)
class WordCount:
    """A word and the number of answers that used it."""

    word: str
    count: int


@dataclass(frozen=True)
class ResponseView:
    """One response as the facilitator's moderation list shows it."""

    participant_number: int
    answer: str | int | float
    hidden: bool


@dataclass(frozen=True)
class StepResults:
    """Everything the dashboard draws for one step."""

    workshop_id: int
    step_index: int
    step: WorkshopStep
    participants: int
    answered: int  # visible responses; hidden ones are counted in `hidden`
    hidden: int
    counts: tuple[OptionCount, ...] = ()
    numeric: NumericSummary | None = None
    words: tuple[WordCount, ...] = ()
    responses: tuple[ResponseView, ...] = ()
    ranking: RankingSummary | None = None
    shift: VoteShift | None = None  # a re-vote's comparison with its first vote

    @property
    def answered_label(self) -> str:
        """'N of M answered', M being everyone who joined."""
        return f"{self.answered} of {self.participants} answered"

    @property
    def texts(self) -> tuple[ResponseView, ...]:
        """The visible responses (free text shown on the projector, as text)."""
        return tuple(r for r in self.responses if not r.hidden)


def _option_counts(step: WorkshopStep, values: list[Any]) -> tuple[OptionCount, ...]:
    if step.mode == "scale":
        labels = [str(point) for point in SCALE]
        indices = [int(v) - SCALE.start for v in values]
    else:
        labels = list(step.options)
        indices = [i for v in values for i in (v if isinstance(v, list) else [v])]
    tally = Counter(indices)
    right = set(step.answer["options"]) if step.answer and "options" in step.answer else None
    return tuple(
        OptionCount(
            i,
            label,
            tally[i],
            tally[i] / len(values) if values else 0.0,
            None if right is None else i in right,
        )
        for i, label in enumerate(labels)
    )


def _nice_width(raw: float) -> float:
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def histogram(values: Sequence[float], max_bins: int = MAX_BINS) -> tuple[Bin, ...]:
    """Equal bins with round edges (1, 2, 2.5 or 5 times a power of ten)."""
    if not values:
        return ()
    low, high = min(values), max(values)
    if high - low <= 1e-9 * max(1.0, abs(low), abs(high)):
        return (Bin(low, high, len(values)),)
    wanted = min(max_bins, math.ceil(math.log2(len(values))) + 1)
    width = _nice_width((high - low) / wanted)

    def position(value: float) -> float:
        # Rounded so that 0.3 / 0.1 counts as 3, not 2.9999999999999996.
        return round(value / width, 9)

    start = math.floor(position(low)) * width
    if start > low:  # a value just below a round edge, rounded up onto it
        start -= width
    count = max(1, math.ceil(position(high - start)))
    tally = Counter(min(int(position(v - start)), count - 1) for v in values)
    return tuple(
        Bin(round(start + i * width, 10), round(start + (i + 1) * width, 10), tally[i])
        for i in range(count)
    )


def numeric_summary(values: Sequence[float]) -> NumericSummary | None:
    """n, mean, median, min, max and a histogram; None when nobody answered."""
    if not values:
        return None
    return NumericSummary(
        len(values),
        statistics.fmean(values),
        statistics.median(values),
        min(values),
        max(values),
        histogram(values),
    )


def words_of(text: str) -> set[str]:
    """The distinct counted words of one answer: lower-cased, without stop words."""
    found = {w.replace("’", "'") for w in _WORD.findall(text.lower())}
    return {w for w in found if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())}


def word_frequencies(texts: Iterable[str], limit: int = MAX_WORDS) -> tuple[WordCount, ...]:
    """The most used words, each counted once per answer; ties in alphabetical order."""
    tally = Counter(word for text in texts for word in words_of(text))
    ranked = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    return tuple(WordCount(word, count) for word, count in ranked[:limit])


def results(db: Connection, workshop_id: int, step_index: int) -> StepResults:
    """The live results of one step: counts, a distribution or words, and N of M answered."""
    step = step_at(db, workshop_id, step_index)
    rows = store.responses(db, workshop_id, step_index)
    visible = [json.loads(r["answer"]) for r in rows if not r["hidden"]]
    views = tuple(
        ResponseView(
            r["participant_number"], answer_label(step, json.loads(r["answer"])), bool(r["hidden"])
        )
        for r in rows
    )
    base = StepResults(
        workshop_id,
        step_index,
        step,
        store.participant_count(db, workshop_id),
        len(visible),
        len(rows) - len(visible),
        responses=views,
    )
    if step.mode in ("single", "multiple", "scale"):
        base = replace(base, counts=_option_counts(step, visible))
    elif step.mode == "numeric":
        base = replace(base, numeric=numeric_summary([float(v) for v in visible]))
    elif step.mode == "open":
        base = replace(base, words=word_frequencies(visible))
    elif step.mode == "ranking":
        base = replace(base, ranking=ranking_of(step, visible))
    first_index = revote.repeats(step)
    if first_index is not None and step.answerable:
        base = replace(base, shift=_shift(db, workshop_id, first_index, base, rows))
    return base


def _visible_by_participant(rows: Sequence[dict[str, Any]]) -> dict[int, Any]:
    return {r["participant_number"]: json.loads(r["answer"]) for r in rows if not r["hidden"]}


def _shift(
    db: Connection, workshop_id: int, first_index: int, second: StepResults, rows: Sequence[dict]
) -> VoteShift:
    """The re-vote against its first vote: options, mean ranks, and who changed to what."""
    first = results(db, workshop_id, first_index)
    before = _visible_by_participant(store.responses(db, workshop_id, first_index))
    after = _visible_by_participant(rows)
    options = tuple(
        OptionShift(a.index, a.label, a.count, b.count, a.share, b.share, b.correct)
        for a, b in zip(first.counts, second.counts, strict=False)
    )
    ranks: tuple[RankShift, ...] = ()
    if first.ranking or second.ranking:
        means = [
            {i.index: i.mean_rank for i in (found.ranking.items if found.ranking else ())}
            for found in (first, second)
        ]
        ranks = tuple(
            RankShift(i, label, means[0].get(i), means[1].get(i))
            for i, label in enumerate(second.step.options)
        )
    step = second.step
    return vote_shift(
        first_index,
        before,
        after,
        lambda value: is_correct(step, value),
        lambda value: answer_label(step, value),
        options,
        ranks,
    )


# --- exports ---------------------------------------------------------------------------


def _utc(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def export_columns(anonymous: bool, scored: bool = False) -> list[str]:
    """The CSV columns; nickname only when anonymity is off, quiz points only when scored."""
    who = ["participant"] if anonymous else ["participant", "nickname"]
    return [
        "step",
        "step_id",
        "step_title",
        "mode",
        *who,
        "answer",
        "first_vote",
        "correct",
        "hidden",
        "first_answered_at",
        "last_answered_at",
        *(["points", "total_points", "rank"] if scored else []),
    ]


def export_rows(db: Connection, workshop_id: int) -> list[dict[str, Any]]:
    """One row per response (hidden ones flagged), respecting the workshop's anonymity."""
    workshop = get_workshop(db, workshop_id)
    steps = workshop_steps_of(db, workshop_id)
    sheet = quiz.score_sheet(db, workshop) if workshop.scored else None
    rows = []
    responses = store.responses(db, workshop_id)
    given = {(r["step_index"], r["participant_number"]): r["answer"] for r in responses}
    for r in responses:
        step, value = steps[r["step_index"]], json.loads(r["answer"])
        correct = is_correct(step, value)
        # A re-vote's row carries the same participant's first vote, so the shift is in it.
        first_index = revote.repeats(step)
        first = given.get((first_index, r["participant_number"]))
        row: dict[str, Any] = {
            "step": r["step_index"] + 1,
            "step_id": step.id,
            "step_title": step.title,
            "mode": step.mode,
            "participant": r["participant_number"],
            "nickname": r["nickname"],
            "answer": answer_label(step, value),
            "first_vote": "" if first is None else answer_label(step, json.loads(first)),
            "correct": "" if correct is None else ("yes" if correct else "no"),
            "hidden": "yes" if r["hidden"] else "no",
            "first_answered_at": _utc(r["first_answered_at"]),
            "last_answered_at": _utc(r["last_answered_at"]),
        }
        if workshop.anonymous:
            del row["nickname"]
        if sheet is not None:  # this answer's points ("" if it scores nothing yet), the total
            who = r["participant_id"]
            row["points"] = sheet.points.get((who, r["step_index"]), "")
            row["total_points"], row["rank"] = sheet.total(who), sheet.rank(who)
        rows.append(row)
    return rows


def csv_bytes(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> bytes:
    """Rows as UTF-8 CSV (with a BOM, so Excel reads accents), every cell through safe_cell."""
    columns = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writerow(dict(zip(columns, safe_row(columns), strict=True)))
    for row in rows:
        writer.writerow({key: safe_cell(value) for key, value in row.items()})
    return buffer.getvalue().encode("utf-8-sig")


def export_csv(db: Connection, workshop_id: int) -> bytes:
    """Every response of a workshop as CSV bytes, with the header even when there are none."""
    workshop = get_workshop(db, workshop_id)
    columns = export_columns(workshop.anonymous, workshop.scored)
    return csv_bytes(export_rows(db, workshop_id), columns)
