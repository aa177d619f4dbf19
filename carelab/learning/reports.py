"""Item analysis and module reports for authors and course leads, anonymous and pure.

Which data
    Item analysis: each learner counts once, by their FIRST FINISHED attempt at the module: the
    lowest-numbered attempt in which they answered every scored question, passed or not (a
    module completes only when its pass mark is reached, so counting completed attempts alone
    would hide exactly the learners a hard question failed). This is what Moodle's quiz
    statistics use by default, its first submitted attempt, since later attempts build on the
    earlier ones. The module report counts completions. Within the attempt, each question's
    FIRST answer is the one used (the scored one; later tries are practice). Questions are the
    module's scored questions in the content catalogue as it is now, case steps' quizzes
    included (carelab.learning.progress.scored_questions); answers to questions no longer in the
    module are left out.

Item statistics, for a question answered by n learners
    x_i   1 when learner i's first answer was fully right (stored score >= 1), else 0.
    r_i   the rest score: the sum of learner i's first-answer scores on the module's OTHER
          questions in the same attempt (partial credit counts; an unanswered one is 0).
    difficulty (Moodle's "facility index")   p = sum(x_i) / n: higher is easier.
    discrimination   the corrected item-total (point-biserial) correlation, the Pearson
          correlation of x with r:  (M1 - M0) / s_r * sqrt(p * (1 - p)), where M1 and M0 are
          the mean rest scores of those right and wrong and s_r the population standard
          deviation of r. When everyone got the item right, or everyone wrong, or every rest
          score is equal, the correlation is undefined: it is None, and no discrimination
          flag is raised.
    option rates   for single and multiple choice (and true/false), the share of the n
          learners whose first answer chose each option.
    mean_confidence   in a module that asks "How sure are you?" (confidence: true), the
          mean certainty of the first answers that were rated, on certainty-based marking's
          scale of 1 (low), 2 (medium) and 3 (high); None when no answer was rated.

Flags (words, so they never rely on colour)
    too easy: p > 0.9; too hard: p < 0.2; poor discrimination: discrimination < 0.2;
    unused distractor: a wrong option that no learner chose.

Anonymity and small cells
    No output holds a name, email or user id; the store does not even hand them over. With
    fewer than MIN_LEARNERS learners, an item, or the whole report, shows SUPPRESSED instead
    of numbers, so that nobody's answers can be picked out of a tiny group.

Evaluation summaries (Kirkpatrick level 1, the level-3 intent and its follow-up) are in
their own section at the end, with the same suppression of small cells.
"""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from carelab import answers as answer_forms
from carelab.content import schema
from carelab.content.catalog import Catalog
from carelab.learning.progress import scored_questions
from carelab.store import Connection
from carelab.store import db as store_db
from carelab.store import reports as store

MIN_LEARNERS = 5
SUPPRESSED = f"fewer than {MIN_LEARNERS} learners"
TOO_EASY = 0.9
TOO_HARD = 0.2
POOR_DISCRIMINATION = 0.2
FULL_MARKS = 1.0 - 1e-9
CERTAINTY = {"low": 1, "medium": 2, "high": 3}
GAIN_CONFIDENCE = 0.95


@dataclass(frozen=True)
class GainSummary:
    """Pre-test to post-test gain of the learners who took both (proportions, 0 to 1).

    The interval is the paired t interval of the mean gain: mean ± t(0.975, n-1) · s/√n,
    with s the sample standard deviation of the learners' gains. A one-group gain shows
    change, not its cause (docs/authoring.md, "Pre-test and post-test").
    """

    learners: int
    mean_pre: float
    mean_post: float
    mean_gain: float
    low: float
    high: float


@dataclass(frozen=True)
class OptionRate:
    """One option of a choice question: how many learners chose it first, and what share."""

    label: str
    correct: bool
    chosen: int
    rate: float


@dataclass(frozen=True)
class ItemStats:
    """One question's statistics (None where suppressed or undefined) and its flags."""

    answer_id: str
    step_id: str
    kind: str
    prompt: str
    learners: int
    suppressed: bool
    difficulty: float | None
    discrimination: float | None
    options: tuple[OptionRate, ...]
    mean_confidence: float | None
    flags: tuple[str, ...]


@dataclass(frozen=True)
class ItemAnalysis:
    """A module's item analysis: how many learners it rests on and one row per question."""

    module_id: str
    title: str
    version: str
    learners: int
    suppressed: bool
    items: tuple[ItemStats, ...]


@dataclass(frozen=True)
class ScoreSummary:
    """The spread of first completed attempts' module scores (0 to 1)."""

    mean: float
    minimum: float
    lower_quartile: float
    median: float
    upper_quartile: float
    maximum: float
    passed: float


@dataclass(frozen=True)
class ModuleReport:
    """A module's completions, median time on task and score spread (None where suppressed)."""

    module_id: str
    title: str
    version: str
    started: int
    completed: int
    suppressed: bool
    median_minutes: float | None
    scores: ScoreSummary | None
    gain_learners: int = 0  # learners with both a pre-test and a completion
    gain: GainSummary | None = None  # None with fewer than MIN_LEARNERS of them


# --- the formulas ------------------------------------------------------------------------


def point_biserial(item: Sequence[int], rest: Sequence[float]) -> float | None:
    """The point-biserial correlation of 0/1 `item` with `rest`; None when undefined."""
    n = len(item)
    if n != len(rest) or n < 2:
        return None
    p = sum(item) / n
    mean = sum(rest) / n
    sd = math.sqrt(sum((r - mean) ** 2 for r in rest) / n)
    if p in (0.0, 1.0) or sd == 0.0:
        return None
    right = [r for x, r in zip(item, rest, strict=True) if x]
    wrong = [r for x, r in zip(item, rest, strict=True) if not x]
    m1, m0 = sum(right) / len(right), sum(wrong) / len(wrong)
    return (m1 - m0) / sd * math.sqrt(p * (1 - p))


def _option_labels(question: Any) -> list[tuple[str, bool]] | None:
    if isinstance(question, schema.SingleChoice | schema.MultipleChoice):
        return [(o.text, o.correct) for o in question.options]
    if isinstance(question, schema.TrueFalse):
        return [("True", question.answer), ("False", not question.answer)]
    return None


def _chosen(question: Any, stored: str) -> set[int]:
    """The option indexes a stored first response chose (true/false: 0 true, 1 false)."""
    try:
        response = json.loads(stored)
        if isinstance(question, schema.TrueFalse):
            return {0 if answer_forms.true_or_false(response) else 1}
        one = isinstance(question, schema.SingleChoice)
        return answer_forms.chosen_options(len(question.options), response, one)
    except (ValueError, answer_forms.InvalidAnswer):
        return set()  # a response from an older version of the question


def _flags(difficulty: float, discrimination: float | None, options: Sequence[OptionRate]) -> list:
    flags = []
    if difficulty > TOO_EASY:
        flags.append("too easy")
    if difficulty < TOO_HARD:
        flags.append("too hard")
    if discrimination is not None and discrimination < POOR_DISCRIMINATION:
        flags.append("poor discrimination")
    unused = [o.label for o in options if not o.correct and o.chosen == 0]
    if unused:
        flags.append("unused distractor: " + "; ".join(unused))
    return flags


def analyse_items(
    module: schema.Module,
    cases: Mapping[str, schema.Case] | None,
    attempt_ids: Sequence[int],
    first_answers: Sequence[store.FirstAnswer],
) -> ItemAnalysis:
    """The item analysis of a module from the chosen attempts (one a learner) and their answers."""
    questions = scored_questions(module, cases)
    by_attempt: dict[int, dict[str, store.FirstAnswer]] = {aid: {} for aid in attempt_ids}
    for answer in first_answers:
        if answer.attempt_id in by_attempt:
            by_attempt[answer.attempt_id][answer.question_id] = answer
    known = {answer_id for _, answer_id, _ in questions}
    totals = {
        attempt_id: sum(a.score for qid, a in given.items() if qid in known)
        for attempt_id, given in by_attempt.items()
    }
    items = []
    for step_id, answer_id, question in questions:
        given = [(aid, got[answer_id]) for aid, got in by_attempt.items() if answer_id in got]
        items.append(_item(step_id, answer_id, question, given, totals))
    learners = len(attempt_ids)
    return ItemAnalysis(
        module.id, module.title, module.version, learners, learners < MIN_LEARNERS, tuple(items)
    )


def _item(
    step_id: str,
    answer_id: str,
    question: Any,
    given: Sequence[tuple[int, store.FirstAnswer]],
    totals: Mapping[int, float],
) -> ItemStats:
    n = len(given)
    shell = ItemStats(
        answer_id, step_id, question.kind, question.prompt, n, True, None, None, (), None, ()
    )
    if n < MIN_LEARNERS:
        return shell
    right = [1 if a.score >= FULL_MARKS else 0 for _, a in given]
    rest = [totals[aid] - a.score for aid, a in given]
    difficulty = sum(right) / n
    discrimination = point_biserial(right, rest)
    options: list[OptionRate] = []
    labels = _option_labels(question)
    if labels is not None:
        counts = [0] * len(labels)
        for _, answer in given:
            for index in _chosen(question, answer.first_response):
                counts[index] += 1
        options = [
            OptionRate(label, ok, count, count / n)
            for (label, ok), count in zip(labels, counts, strict=True)
        ]
    flags = _flags(difficulty, discrimination, options)
    rated = [CERTAINTY[a.confidence] for _, a in given if a.confidence in CERTAINTY]
    confidence = sum(rated) / len(rated) if rated else None
    return ItemStats(
        answer_id,
        step_id,
        question.kind,
        question.prompt,
        n,
        False,
        difficulty,
        discrimination,
        tuple(options),
        confidence,
        tuple(flags),
    )


def summarise_module(
    module: schema.Module, started: int, attempts: Sequence[store.CompletedAttempt]
) -> ModuleReport:
    """A module's report from the number who started and each learner's first completion."""
    completed = len(attempts)
    pairs = [
        (a.pre_score, a.score) for a in attempts if a.pre_score is not None and a.score is not None
    ]
    if completed < MIN_LEARNERS:
        return ModuleReport(
            module.id, module.title, module.version, started, completed, True, None, None,
            len(pairs), None,
        )  # fmt: skip
    minutes = statistics.median(a.active_seconds for a in attempts) / 60
    scores = [a.score or 0.0 for a in attempts]
    q1, q2, q3 = statistics.quantiles(scores, n=4, method="inclusive")
    summary = ScoreSummary(
        statistics.fmean(scores),
        min(scores),
        q1,
        q2,
        q3,
        max(scores),
        sum(s >= module.pass_mark for s in scores) / completed,
    )
    return ModuleReport(
        module.id, module.title, module.version, started, completed, False, minutes, summary,
        len(pairs), gain_summary(pairs),
    )  # fmt: skip


def gain_summary(pairs: Sequence[tuple[float, float]]) -> GainSummary | None:
    """The mean pre-to-post gain with its 95% paired t interval; None under MIN_LEARNERS."""
    if len(pairs) < MIN_LEARNERS:
        return None
    from scipy import stats  # here: only reports need it, and it is slow to import

    gains = [post - pre for pre, post in pairs]
    n = len(gains)
    mean = statistics.fmean(gains)
    half = stats.t.ppf(0.5 + GAIN_CONFIDENCE / 2, n - 1) * statistics.stdev(gains) / math.sqrt(n)
    return GainSummary(
        n,
        statistics.fmean(pre for pre, _ in pairs),
        statistics.fmean(post for _, post in pairs),
        mean,
        mean - half,
        mean + half,
    )


# --- reading the store -------------------------------------------------------------------


def first_finished(
    module: schema.Module,
    cases: Mapping[str, schema.Case] | None,
    answers: Sequence[store.AttemptAnswer],
) -> list[store.FirstAnswer]:
    """The first answers of each learner's first attempt that answered every scored question."""
    wanted = {answer_id for _, answer_id, _ in scored_questions(module, cases)}
    by_attempt: dict[int, list[store.AttemptAnswer]] = {}
    for row in answers:
        by_attempt.setdefault(row.attempt_id, []).append(row)
    chosen: dict[int, tuple[int, list[store.AttemptAnswer]]] = {}
    for rows in by_attempt.values():
        if not wanted or not wanted <= {r.answer.question_id for r in rows}:
            continue  # not finished: some question unanswered
        learner, number = rows[0].learner, rows[0].attempt_number
        if learner not in chosen or number < chosen[learner][0]:
            chosen[learner] = (number, rows)
    return [row.answer for _, rows in chosen.values() for row in rows]


def item_analysis_in(
    db: Connection, module: schema.Module, cases: Mapping[str, schema.Case] | None = None
) -> ItemAnalysis:
    """The module's item analysis from the database behind `db`."""
    answers = first_finished(module, cases, store.module_attempt_answers(db, module.id))
    return analyse_items(module, cases, sorted({a.attempt_id for a in answers}), answers)


def module_report_in(db: Connection, module: schema.Module) -> ModuleReport:
    """The module's report from the database behind `db`."""
    return summarise_module(
        module, store.learners_started(db, module.id), store.first_completed_attempts(db, module.id)
    )


def item_analysis(module_id: str, catalog: Catalog) -> ItemAnalysis:
    """The item analysis of a catalogue module (NotFound for an unknown id)."""
    module = catalog.module(module_id)
    with store_db.session() as db:
        return item_analysis_in(db, module, catalog.cases)


def module_report(module_id: str, catalog: Catalog) -> ModuleReport:
    """The report of a catalogue module (NotFound for an unknown id)."""
    module = catalog.module(module_id)
    with store_db.session() as db:
        return module_report_in(db, module)


# --- output ------------------------------------------------------------------------------

CSV_COLUMNS = (
    "question",
    "step",
    "kind",
    "prompt",
    "learners",
    "difficulty",
    "discrimination",
    "mean_confidence",
    "option_rates",
    "flags",
)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _learners(count: int, suppressed: bool) -> str:
    return SUPPRESSED if suppressed else str(count)


def option_text(options: Sequence[OptionRate]) -> str:
    """Option rates as one line: 'text (right): 60%; other: 40%'."""
    return "; ".join(f"{o.label}{' (right)' if o.correct else ''}: {o.rate:.0%}" for o in options)


def item_rows(analysis: ItemAnalysis) -> list[dict[str, str]]:
    """One row of text per question, as in the CSV (suppressed rows show no numbers)."""
    rows = []
    for item in analysis.items:
        hidden = analysis.suppressed or item.suppressed
        rows.append(
            {
                "question": item.answer_id,
                "step": item.step_id,
                "kind": item.kind,
                "prompt": item.prompt,
                "learners": _learners(item.learners, hidden),
                "difficulty": "" if hidden else _number(item.difficulty),
                "discrimination": "" if hidden else _number(item.discrimination),
                "mean_confidence": "" if hidden else _number(item.mean_confidence),
                "option_rates": "" if hidden else option_text(item.options),
                "flags": "" if hidden else "; ".join(item.flags),
            }
        )
    return rows


def items_csv(analysis: ItemAnalysis) -> str:
    """The item analysis as CSV, one row per question."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(item_rows(analysis))
    return out.getvalue()


def _item_json(item: ItemStats, hidden: bool) -> dict[str, Any]:
    if hidden:
        return {
            "question": item.answer_id,
            "step": item.step_id,
            "kind": item.kind,
            "prompt": item.prompt,
            "learners": SUPPRESSED,
        }
    found = asdict(item)
    found["question"] = found.pop("answer_id")
    found["step"] = found.pop("step_id")
    found.pop("suppressed")
    found["flags"] = list(item.flags)
    found["options"] = [asdict(o) for o in item.options]
    return found


def items_json(analysis: ItemAnalysis) -> str:
    """The item analysis as JSON (suppressed items carry only their names)."""
    data = {
        "module": analysis.module_id,
        "title": analysis.title,
        "version": analysis.version,
        "learners": SUPPRESSED if analysis.suppressed else analysis.learners,
        "items": [_item_json(i, analysis.suppressed or i.suppressed) for i in analysis.items],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def count_or_suppressed(count: int) -> int | str:
    """A count, or the suppression words when it is under MIN_LEARNERS."""
    return SUPPRESSED if count < MIN_LEARNERS else count


def report_dict(report: ModuleReport) -> dict[str, Any]:
    """The module report as plain data (small counts suppressed)."""
    data: dict[str, Any] = {
        "module": report.module_id,
        "title": report.title,
        "version": report.version,
        "started": count_or_suppressed(report.started),
        "completed": count_or_suppressed(report.completed),
    }
    if not report.suppressed:
        data["median_minutes_on_task"] = round(report.median_minutes or 0.0, 1)
        data["scores"] = {k: round(v, 3) for k, v in asdict(report.scores).items()}
    data["pre_post_learners"] = count_or_suppressed(report.gain_learners)
    if report.gain is not None:
        data["pre_post_gain"] = {
            k: v if k == "learners" else round(v, 3) for k, v in asdict(report.gain).items()
        }
    return data


def report_text(report: ModuleReport) -> str:
    """The module report as lines of text."""
    data = report_dict(report)
    lines = [
        f"{report.title} ({report.module_id}, version {report.version})",
        f"learners who started: {data['started']}",
        f"learners who completed: {data['completed']}",
    ]
    if report.scores is not None and report.median_minutes is not None:
        s = report.scores
        lines += [
            f"median time on task: {report.median_minutes:.1f} min (first completed attempts)",
            f"score: mean {s.mean:.0%}, median {s.median:.0%}, quartiles {s.lower_quartile:.0%}"
            f" to {s.upper_quartile:.0%}, range {s.minimum:.0%} to {s.maximum:.0%}",
            f"passed at the first completion: {s.passed:.0%}",
        ]
    lines.append(gain_line(report))
    return "\n".join(lines) + "\n"


def gain_line(report: ModuleReport) -> str:
    """One sentence on the pre/post gain, or why there is none to show."""
    g = report.gain
    if g is None:
        if report.gain_learners == 0:
            return "pre/post gain: no learner has both a pre-test and a completion"
        return f"pre/post gain: hidden, {SUPPRESSED} took both the pre-test and the module"
    return (
        f"pre/post gain ({g.learners} learners with both): pre-test {g.mean_pre:.0%}, "
        f"post-test {g.mean_post:.0%}, mean gain {g.mean_gain * 100:+.0f} points "
        f"(95% CI {g.low * 100:+.0f} to {g.high * 100:+.0f})"
    )
