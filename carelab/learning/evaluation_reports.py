"""Evaluation summaries for course leads: what learners said of a module, anonymous.

Kirkpatrick level 1 (reaction) and the level-3 intent and follow-up, from each learner's
first submitted evaluation of the module (carelab.learning.evaluation). With fewer than
MIN_LEARNERS respondents the whole summary shows no numbers and no texts; a rating that
fewer than MIN_LEARNERS answered shows no numbers either. Free texts are listed only
with MIN_LEARNERS respondents or more, without names, each list sorted alphabetically so
that neither its order nor its place beside another list ties answers to one learner.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from carelab.content import schema
from carelab.content.catalog import Catalog
from carelab.learning import evaluation
from carelab.learning.reports import MIN_LEARNERS, count_or_suppressed
from carelab.store import Connection
from carelab.store import db as store_db
from carelab.store import evaluations as evaluation_store


@dataclass(frozen=True)
class ScaleSummary:
    """One rated statement: how many rated it, the mean, and the count at each point 1-5."""

    name: str
    statement: str
    n: int
    mean: float | None
    counts: tuple[int, ...]
    suppressed: bool


@dataclass(frozen=True)
class EvaluationSummary:
    """A module's evaluations and follow-ups, anonymous, small cells suppressed."""

    module_id: str
    title: str
    respondents: int
    suppressed: bool
    scales: tuple[ScaleSummary, ...]
    missing: tuple[str, ...]
    intents: tuple[str, ...]
    follow_ups: int
    follow_ups_suppressed: bool
    outcomes: Mapping[str, int]
    obstacles: tuple[str, ...]


def _scale(name: str, ratings: Sequence[int | None]) -> ScaleSummary:
    given = [r for r in ratings if r is not None]
    counts = tuple(given.count(point) for point in evaluation.SCALE)
    mean = statistics.fmean(given) if given else None
    hidden = len(given) < MIN_LEARNERS
    return ScaleSummary(name, evaluation.ITEMS[name], len(given), mean, counts, hidden)


def _texts(rows: Sequence[Mapping[str, Any]], column: str) -> tuple[str, ...]:
    return tuple(sorted(t for row in rows if (t := (row[column] or "").strip())))


def summarise_evaluations(
    module: schema.Module, rows: Sequence[Mapping[str, Any]]
) -> EvaluationSummary:
    """Summarise one row per learner (ratings, texts, follow-up) as the report shows it."""
    hidden = len(rows) < MIN_LEARNERS
    answered = [row for row in rows if row["outcome"] is not None]
    few = len(answered) < MIN_LEARNERS
    return EvaluationSummary(
        module_id=module.id,
        title=module.title,
        respondents=len(rows),
        suppressed=hidden,
        scales=tuple(_scale(name, [row[name] for row in rows]) for name in evaluation.ITEMS),
        missing=() if hidden else _texts(rows, "missing"),
        intents=() if hidden else _texts(rows, "intent"),
        follow_ups=len(answered),
        follow_ups_suppressed=few,
        outcomes={k: sum(r["outcome"] == k for r in answered) for k in evaluation.OUTCOMES},
        obstacles=() if few else _texts(answered, "obstacles"),
    )


def evaluation_summary_in(db: Connection, module: schema.Module) -> EvaluationSummary:
    """The module's evaluation summary from the database behind `db`."""
    return summarise_evaluations(module, evaluation_store.module_answers(db, module.id))


def evaluation_summary(module_id: str, catalog: Catalog) -> EvaluationSummary:
    """The evaluation summary of a catalogue module (NotFound for an unknown id)."""
    module = catalog.module(module_id)
    with store_db.session() as db:
        return evaluation_summary_in(db, module)


def evaluation_dict(summary: EvaluationSummary) -> dict[str, Any]:
    """The evaluation summary as plain data (small cells: no numbers, no texts)."""
    data: dict[str, Any] = {"respondents": count_or_suppressed(summary.respondents)}
    if not summary.suppressed:
        data["ratings"] = {
            s.name: {"statement": s.statement, "n": count_or_suppressed(s.n)}
            if s.suppressed
            else {
                "statement": s.statement,
                "n": s.n,
                "mean": round(s.mean or 0.0, 2),
                "counts": dict(zip(evaluation.SCALE.values(), s.counts, strict=True)),
            }
            for s in summary.scales
        }
        data["what_was_missing"] = list(summary.missing)
        data["what_learners_will_change"] = list(summary.intents)
    data["follow_ups"] = count_or_suppressed(summary.follow_ups)
    if not summary.follow_ups_suppressed:
        data["follow_up_outcomes"] = dict(summary.outcomes)
        data["what_got_in_the_way"] = list(summary.obstacles)
    return data


def _listed(heading: str, texts: Sequence[str]) -> list[str]:
    return [f"{heading} ({len(texts)}):", *(f"  - {' '.join(t.split())}" for t in texts)]


def evaluation_text(summary: EvaluationSummary) -> str:
    """The evaluation summary as lines of text."""
    data = evaluation_dict(summary)
    lines = [f"evaluations: {data['respondents']}"]
    if not summary.suppressed:
        for s in summary.scales:
            if s.suppressed:
                lines.append(f"{s.statement} {count_or_suppressed(s.n)}")
                continue
            spread = ", ".join(
                f"{label} {n}" for label, n in zip(evaluation.SCALE.values(), s.counts, strict=True)
            )
            lines.append(f"{s.statement} n {s.n}, mean {s.mean:.2f} of 5 ({spread})")
        lines += _listed("what was missing", summary.missing)
        lines += _listed("what learners will change", summary.intents)
    lines.append(f"follow-ups answered: {data['follow_ups']}")
    if not summary.follow_ups_suppressed:
        lines.append(
            ", ".join(f"{evaluation.OUTCOMES[k]}: {n}" for k, n in summary.outcomes.items())
        )
        lines += _listed("what got in the way", summary.obstacles)
    return "\n".join(lines) + "\n"
