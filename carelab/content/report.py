"""`carelab validate --report`: what each module's and case's questions test, and its time.

For every module and case: the share of questions at each level, the learning objectives
no question assesses, cueing (answers a test-wise learner can guess without knowing the
content), questions missing a level, an objective or feedback, and the time the content
takes (carelab.content.timing) against the module's stated `estimated_minutes`.

A *problem* is anything the content standard forbids (issue 11 of 0.5): under half the
questions at apply or analyse, an objective no question assesses, a cueing warning, a
question with no level, objective or feedback, or a stated time more than 20% off the
content estimate. `carelab validate --report --strict` fails when there is any.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from carelab.content import schema, timing
from carelab.content.catalog import Catalog

# Apply and analyse are what the issue calls "questions that test judgement"; at least
# this share of a module's or case's questions must be at one of them.
MIN_JUDGEMENT_SHARE = 0.5
# Fewer true/false items than this cannot show a polarity cue: two keyed the same way is
# what a coin does half the time.
MIN_TRUE_FALSE_FOR_POLARITY = 3
TRUE_FALSE_MAX_ONE_WAY = 2 / 3


@dataclass(frozen=True)
class ItemReport:
    """The report for one module or case: lines to read and the problems among them."""

    kind: str
    id: str
    path: str
    lines: tuple[str, ...]
    problems: tuple[str, ...]


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def _level_lines(questions: list[schema.QuestionBase]) -> tuple[list[str], list[str]]:
    counts = {level: 0 for level in schema.LEVELS}
    for question in questions:
        if question.level is not None:
            counts[question.level] += 1
    total = len(questions)
    shares = ", ".join(f"{level} {n} ({_percent(n, total)})" for level, n in counts.items())
    judging = counts["apply"] + counts["analyse"]
    lines = [f"levels: {shares}" if total else "levels: no questions"]
    problems = []
    if total:
        lines.append(f"apply or analyse: {judging} of {total} ({_percent(judging, total)})")
        if judging < MIN_JUDGEMENT_SHARE * total:
            problems.append(
                f"only {_percent(judging, total)} of questions apply or analyse "
                f"({judging} of {total}; at least {MIN_JUDGEMENT_SHARE:.0%} needed)"
            )
    missing_level = [q.id for q in questions if q.level is None]
    missing_objective = [q.id for q in questions if q.objective is None]
    if missing_level:
        problems.append(f"no level: {', '.join(missing_level)}")
    if missing_objective:
        problems.append(f"no objective: {', '.join(missing_objective)}")
    return lines, problems


def _objective_problems(
    objectives: list[schema.ObjectiveText], questions: list[schema.QuestionBase]
) -> list[str]:
    assessed = {q.objective for q in questions}
    problems = []
    for number, objective in enumerate(objectives, 1):
        if objective.id is None:
            problems.append(
                f"objective {number} has no id, so no question can assess it: {objective}"
            )
        elif objective.id not in assessed:
            problems.append(f"objective '{objective.id}' is assessed by no question")
    return problems


def _longest_is_correct(question: schema.SingleChoice) -> bool:
    lengths = [len(o.text) for o in question.options]
    right = next(i for i, o in enumerate(question.options) if o.correct)
    return all(lengths[right] > n for i, n in enumerate(lengths) if i != right)


def _cueing_problems(questions: list[schema.QuestionBase]) -> list[str]:
    problems = []
    single = [q for q in questions if isinstance(q, schema.SingleChoice)]
    longest = [q.id for q in single if _longest_is_correct(q)]
    if len(longest) > len(single) / 2:
        problems.append(
            f"cueing: the correct option is the longest in {len(longest)} of {len(single)} "
            f"single-choice questions ({', '.join(longest)})"
        )
    keys = [q.answer for q in questions if isinstance(q, schema.TrueFalse)]
    if len(keys) >= MIN_TRUE_FALSE_FOR_POLARITY:
        for key, word in ((True, "true"), (False, "false")):
            if keys.count(key) > TRUE_FALSE_MAX_ONE_WAY * len(keys):
                problems.append(
                    f"cueing: {keys.count(key)} of {len(keys)} true/false questions are "
                    f"keyed {word}"
                )
    for q in questions:
        if isinstance(q, schema.MultipleChoice):
            right = sum(o.correct for o in q.options)
            if right > len(q.options) / 2:
                problems.append(
                    f"cueing: '{q.id}' has {right} of {len(q.options)} options correct; "
                    "choosing everything nearly scores"
                )
    return problems


def _missing_feedback(question: schema.QuestionBase) -> str | None:
    if isinstance(question, schema.SingleChoice | schema.MultipleChoice):
        bare = [str(i) for i, o in enumerate(question.options, 1) if not o.feedback]
        if bare:
            noun = "option" if len(bare) == 1 else "options"
            return f"'{question.id}' {noun} {', '.join(bare)}"
    elif isinstance(question, schema.TrueFalse):
        bare = [
            w
            for w, fb in (("true", question.feedback_true), ("false", question.feedback_false))
            if not fb
        ]
        if bare:
            return f"'{question.id}' answer {' and '.join(bare)}"
    elif isinstance(question, schema.Numeric | schema.ShortAnswer) and not question.wrong_answers:
        return f"'{question.id}' wrong answers"
    return None


def _time_lines(estimate: timing.TimeEstimate, stated: int | None) -> tuple[list[str], list[str]]:
    reading = math.floor(estimate.reading_minutes + 0.5)
    parts = [f"reading {reading} ({estimate.words:,} words)"]
    if estimate.questions:
        parts.append(f"questions {estimate.question_minutes:g} ({estimate.questions})")
    if estimate.lab_steps:
        parts.append(
            f"Lab {estimate.lab_steps * timing.MINUTES_PER_LAB_STEP:g} ({estimate.lab_steps})"
        )
    if estimate.reflections:
        parts.append(
            f"reflections {estimate.reflections * timing.MINUTES_PER_REFLECTION:g} "
            f"({estimate.reflections})"
        )
    if estimate.group_minutes:
        parts.append(f"polls and discussions {estimate.group_minutes:g}")
    line = f"time from content: {estimate.minutes} min = " + " + ".join(parts)
    if stated is None:
        return [line], []
    # Against the whole minutes shown, so that the percentage agrees with the line above.
    off = (stated - estimate.minutes) / estimate.minutes
    word = "over" if off > 0 else "under"
    how_far = f"{abs(off):.0%} {word}" if round(abs(off), 2) else "the same as"
    lines = [line, f"stated time: {stated} min ({how_far} the content estimate)"]
    problems = []
    if abs(off) > timing.STATED_TIME_TOLERANCE:
        problems.append(
            f"stated time {stated} min is {abs(off):.0%} {word} the content estimate of "
            f"{estimate.minutes} min (at most {timing.STATED_TIME_TOLERANCE:.0%})"
        )
    return lines, problems


def module_questions(module: schema.Module) -> list[schema.QuestionBase]:
    """Every question in a module's quiz steps, in order."""
    return [q for s in module.steps if isinstance(s, schema.QuizStep) for q in s.questions]


def item_report(
    item: schema.Module | schema.Case, path: str, cases: Mapping[str, schema.Case]
) -> ItemReport:
    """The report for one module (its quiz steps) or case (its quiz)."""
    if isinstance(item, schema.Module):
        kind, questions = "module", module_questions(item)
        estimate, stated = timing.module_estimate(item, cases), item.estimated_minutes
    else:
        kind, questions = "case", list(item.quiz)
        estimate, stated = timing.case_estimate(item), None
    lines, problems = _level_lines(questions)
    problems += _objective_problems(item.learning_objectives, questions)
    problems += _cueing_problems(questions)
    bare = [m for m in map(_missing_feedback, questions) if m]
    if bare:
        problems.append(f"no feedback for: {'; '.join(bare)}")
    time_lines, time_problems = _time_lines(estimate, stated)
    return ItemReport(kind, item.id, path, (*lines, *time_lines), (*problems, *time_problems))


def catalog_report(catalog: Catalog) -> list[ItemReport]:
    """A report for every valid module, then every valid case, each by id."""
    items: list[schema.Module | schema.Case] = [
        *sorted(catalog.modules.values(), key=lambda m: m.id),
        *sorted(catalog.cases.values(), key=lambda c: c.id),
    ]
    return [
        item_report(
            item,
            catalog.paths[("module" if isinstance(item, schema.Module) else "case", item.id)],
            catalog.cases,
        )
        for item in items
    ]


def _items(count: int) -> str:
    return "1 module or case" if count == 1 else f"{count} modules and cases"


def format_report(reports: list[ItemReport]) -> str:
    """The report as printed: a block per item, then a one-line summary."""
    blocks = []
    for report in reports:
        head = f"{report.kind} {report.id} ({report.path})"
        body = [f"  {line}" for line in report.lines]
        body += [f"  problem: {problem}" for problem in report.problems]
        blocks.append("\n".join([head, *body]))
    failing = [r for r in reports if r.problems]
    count = sum(len(r.problems) for r in failing)
    if failing:
        noun = "problem" if count == 1 else "problems"
        summary = f"report: {count} {noun} in {len(failing)} of {_items(len(reports))}"
    else:
        verb = "meets" if len(reports) == 1 else "meet"
        summary = f"report: ok, {_items(len(reports))} {verb} the content standard"
    return "\n\n".join([*blocks, summary]) + "\n"
