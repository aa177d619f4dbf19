"""A workshop's summary for the record: every step's prompt and the numbers behind its chart.

One structure (`workshop_summary`) is written out two ways: Markdown, to paste into notes
or a learning platform, and an A4 PDF with bar charts drawn from the same numbers. Both
come from the same aggregate the live dashboard uses, so what was shown in the room is what
is kept. Hidden (moderated) answers are left out and counted; with anonymity on, the
default, no nickname appears.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fpdf import FPDF

from carelab.pdf import (
    FONT_FAMILY,
    INK,
    MUTED,
    NAVY,
    RULE,
    PagedPDF,
    clip,
    keep_with_next,
    printable,
    setup_pdf,
    write,
)
from carelab.store import Connection
from carelab.store import workshops as store
from carelab.workshop import floor_export, quiz, reuse_summary
from carelab.workshop.aggregate import StepResults, results
from carelab.workshop.result_tables import ranking_rows, shift_rows
from carelab.workshop.steps import WorkshopStep, ranked_label
from carelab.workshop.workshops import Workshop, get_workshop, workshop_steps_of

BAR_COLOUR = (31, 95, 139)
RIGHT_COLOUR = (46, 125, 50)


@dataclass(frozen=True)
class Table:
    """Numbers as a table; `bars` gives each row's count when the rows are a bar chart."""

    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    bars: tuple[int, ...] = ()


@dataclass(frozen=True)
class StepSummary:
    """One step as kept in the record."""

    number: int
    title: str
    prompt: str
    answered: str | None  # "3 of 8 answered (1 hidden)"; None for a step with no answers
    tables: tuple[Table, ...] = ()
    right_answer: str | None = None
    explanation: str | None = None


@dataclass(frozen=True)
class WorkshopSummary:
    """A workshop and every step's results."""

    title: str
    code: str
    source_kind: str
    source_id: str
    started: str
    ended: str
    participants: int
    anonymous: bool
    steps: tuple[StepSummary, ...]
    quiz: Table | None = None  # every participant's rank and points, when scored
    quiz_rule: str = ""


def _utc(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _number(value: float) -> str:
    return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"


def _tables(found: StepResults) -> tuple[Table, ...]:
    tables = _result_tables(found)
    if found.ranking:
        tables += (Table(*ranking_rows(found.ranking)),)
    if found.shift:
        tables += tuple(Table(*rows) for rows in shift_rows(found.shift))
    return tables


def _result_tables(found: StepResults) -> tuple[Table, ...]:
    if found.counts:
        mark = {True: " (right)", False: "", None: ""}
        rows = tuple(
            (f"{c.label}{mark[c.correct]}", c.count, f"{c.share:.0%}") for c in found.counts
        )
        return (Table(("Option", "Count", "Share"), rows, tuple(c.count for c in found.counts)),)
    if found.numeric:
        n = found.numeric
        stats = (n.n, *(_number(v) for v in (n.mean, n.median, n.min, n.max)))
        bins = tuple((f"{_number(b.low)} to {_number(b.high)}", b.count) for b in n.bins)
        return (
            Table(("n", "Mean", "Median", "Min", "Max"), (stats,)),
            Table(("Range", "Count"), bins, tuple(b.count for b in n.bins)),
        )
    if found.words:
        words = tuple((w.word, w.count) for w in found.words)
        return (Table(("Word", "Answers using it"), words),)
    return ()


def right_answer_text(step: WorkshopStep) -> str | None:
    """The step's right answer as a person reads it, or None when it has none."""
    if step.answer is None:
        return None
    if "order" in step.answer:
        return ranked_label(step.options, step.answer["order"])
    if "options" in step.answer:
        return "; ".join(step.options[i] for i in step.answer["options"])
    if "value" in step.answer:
        tolerance = step.answer["tolerance"]
        spread = f" (within {_number(tolerance)})" if tolerance else ""
        return f"{_number(step.answer['value'])}{' ' + step.unit if step.unit else ''}{spread}"
    return "; ".join(step.answer["accepted"])


def _step_summary(db: Connection, workshop_id: int, index: int, step: WorkshopStep) -> StepSummary:
    base = {"number": index + 1, "title": step.title, "prompt": step.prompt}
    if not step.answerable:
        return StepSummary(**base, answered=None)
    found = results(db, workshop_id, index)
    hidden = f" ({found.hidden} hidden)" if found.hidden else ""
    return StepSummary(
        **base,
        answered=f"{found.answered_label}{hidden}",
        tables=_tables(found),
        right_answer=right_answer_text(step),
        explanation=step.explanation,
    )


def workshop_summary(db: Connection, workshop_id: int) -> WorkshopSummary:
    """Everything the summary shows, read through the dashboard's own aggregate."""
    workshop = get_workshop(db, workshop_id)
    steps = workshop_steps_of(db, workshop_id)
    return WorkshopSummary(
        title=workshop.title,
        code=workshop.code,
        source_kind=workshop.source_kind,
        source_id=workshop.source_id,
        started=_utc(workshop.created_at),
        ended=_utc(workshop.ended_at) or "not yet",
        participants=store.participant_count(db, workshop_id),
        anonymous=workshop.anonymous,
        steps=tuple(_step_summary(db, workshop_id, i, s) for i, s in enumerate(steps)),
        quiz=_quiz_table(db, workshop) if workshop.scored else None,
        quiz_rule=_quiz_rule(workshop) if workshop.scored else "",
    )


def _quiz_table(db: Connection, workshop: Workshop) -> Table:
    """Rank, participant (a nickname only when the workshop is not anonymous) and points."""
    rows = tuple(
        (line.rank, quiz.display_name(line.participant_number, line.nickname), line.points)
        for line in quiz.score_lines(db, workshop)
    )
    return Table(("Rank", "Participant", "Points"), rows)


def _quiz_rule(workshop: Workshop) -> str:
    speed = (
        "between 1,000 and 500 by how fast (the speed bonus)" if workshop.speed_bonus else "1,000"
    )
    pending = (
        ""
        if workshop.ended or workshop.answer_revealed
        else (" The current step counts once its answer is revealed.")
    )
    return f"Quiz scores: a right final answer scores {speed}; a wrong one 0.{pending}"


# --- Markdown --------------------------------------------------------------------------


def _cell(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _markdown_table(table: Table) -> list[str]:
    lines = ["| " + " | ".join(table.header) + " |", "|" + "---|" * len(table.header)]
    return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]


def _markdown_step(step: StepSummary) -> list[str]:
    lines = ["", f"## {step.number}. {step.title}", ""]
    lines += [f"> {line}".rstrip() for line in step.prompt.splitlines()] or ["> (no prompt)"]
    if step.answered is None:
        return lines
    lines += ["", f"{step.answered}."]
    for table in step.tables:
        lines += ["", *_markdown_table(table)]
    if not step.tables:
        lines += ["", "No answers."]
    if step.right_answer is not None:
        lines += ["", f"Right answer: {step.right_answer}"]
    return lines


def summary_markdown(db: Connection, workshop_id: int) -> str:
    """Every step's prompt and the numbers behind its chart, as Markdown."""
    summary = workshop_summary(db, workshop_id)
    lines = [
        f"# {summary.title}",
        "",
        f"- Join code: {summary.code}",
        f"- From the {summary.source_kind} `{summary.source_id}`",
        f"- Started: {summary.started}; ended: {summary.ended}",
        f"- Participants: {summary.participants}",
        f"- Anonymous: {'yes' if summary.anonymous else 'no'}",
    ]
    copied = reuse_summary.copied_from_line(db, get_workshop(db, workshop_id))
    lines += [f"- {copied}"] if copied else []
    for step in summary.steps:
        lines += _markdown_step(step)
    lines += reuse_summary.markdown_lines(db, workshop_id)
    lines += _markdown_floor(db, workshop_id)
    if summary.quiz is not None:
        lines += ["", "## Quiz scores", "", summary.quiz_rule, "", *_markdown_table(summary.quiz)]
    return "\n".join(lines) + "\n"


def _markdown_floor(db: Connection, workshop_id: int) -> list[str]:
    section = floor_export.summary_section(db, workshop_id)
    if section is None:
        return []
    header, rows, counts = section
    lines = ["", "## Questions from the floor", "", f"{counts}."]
    return lines + (["", *_markdown_table(Table(header, tuple(rows)))] if rows else [])


# --- PDF -------------------------------------------------------------------------------

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")


def plain_text(markdown: str) -> str:
    """Authored Markdown as plain text for print: links as 'text (address)', no markers."""
    return _EMPHASIS.sub("", _LINK.sub(r"\1 (\2)", markdown)).strip()


def _bar_chart(pdf: FPDF, table: Table) -> None:
    """Horizontal bars, each labelled with its row and its count (never colour alone)."""
    label_width, bar_width, height = 80.0, pdf.epw - 80.0 - 22.0, 6.0
    most = max(table.bars) or 1
    for row, count in zip(table.rows, table.bars, strict=True):
        keep_with_next(pdf, height + 2)
        label = str(row[0])
        right = label.endswith(" (right)")
        top = pdf.get_y()
        pdf.set_font(FONT_FAMILY, "B" if right else "", 9)
        pdf.set_text_color(*INK)
        pdf.cell(label_width, height, printable(clip(label, 60)), align="L")
        pdf.set_fill_color(*(RIGHT_COLOUR if right else BAR_COLOUR))
        width = bar_width * count / most
        if width > 0:
            pdf.rect(pdf.get_x(), top + 1, width, height - 2, style="F")
        pdf.set_x(pdf.l_margin + label_width + width + 2)
        share = f" ({row[2]})" if len(row) > 2 else ""
        pdf.cell(20, height, f"{count}{share}", align="L")
        pdf.set_xy(pdf.l_margin, top + height)
    pdf.ln(2)


def _grid(pdf: FPDF, table: Table) -> None:
    pdf.set_font(FONT_FAMILY, "", 9)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    pdf.set_fill_color(236, 239, 243)
    width = min(pdf.epw, 38.0 * len(table.header))
    with pdf.table(
        width=width, align="LEFT", text_align="LEFT", line_height=5.5, padding=1
    ) as grid:
        for row in (table.header, *table.rows):
            cells = grid.row()
            for value in row:
                cells.cell(printable(clip(str(value), 120)))
    pdf.ln(2)


def _pdf_step(pdf: FPDF, step: StepSummary) -> None:
    keep_with_next(pdf, 40)
    write(pdf, f"{step.number}. {step.title}", 13, bold=True, color=NAVY, align="L", gap=1)
    prompt = plain_text(step.prompt)
    if prompt:
        write(pdf, prompt, 9.5, color=MUTED, align="L", gap=2)
    if step.answered is not None:
        write(pdf, f"{step.answered}.", 10.5, bold=True, align="L", gap=1.5)
        for table in step.tables:
            _bar_chart(pdf, table) if table.bars else _grid(pdf, table)
        if not step.tables:
            write(pdf, "No answers.", 10, color=MUTED, align="L", gap=1)
        if step.right_answer is not None:
            write(pdf, f"Right answer: {step.right_answer}", 10, align="L", gap=1)
        if step.explanation:
            write(pdf, plain_text(step.explanation), 9.5, color=MUTED, align="L", gap=1)
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y() + 2, pdf.w - pdf.r_margin, pdf.get_y() + 2)
    pdf.ln(6)


def _details(summary: WorkshopSummary) -> Iterable[str]:
    yield f"Join code {summary.code} · from the {summary.source_kind} {summary.source_id}"
    yield f"Started {summary.started} · ended {summary.ended}"
    anonymity = "anonymous: no nicknames" if summary.anonymous else "nicknames kept"
    yield f"{summary.participants} participants · {anonymity}"


def summary_pdf(db: Connection, workshop_id: int) -> bytes:
    """The summary as an A4 PDF: each step's prompt, its numbers and a bar chart of them."""
    summary = workshop_summary(db, workshop_id)
    pdf = PagedPDF(f"Workshop summary · {clip(summary.title, 80)} · {summary.code}")
    setup_pdf(
        pdf,
        title=f"Workshop summary: {summary.title}",
        subject="What the room answered, step by step",
        author="CareLab",
    )
    pdf.add_page()
    write(pdf, "Workshop summary", 10, color=MUTED, align="L")
    write(pdf, summary.title, 20, bold=True, color=NAVY, align="L", gap=1)
    copied = reuse_summary.copied_from_line(db, get_workshop(db, workshop_id))
    for line in (*_details(summary), *([copied] if copied else [])):
        write(pdf, line, 9.5, color=MUTED, align="L")
    pdf.ln(6)
    for step in summary.steps:
        _pdf_step(pdf, step)
    progress = reuse_summary.plain_lines(db, workshop_id)
    if progress:
        write(pdf, "Self-paced progress", 13, bold=True, color=NAVY, align="L", gap=1)
        for line in progress:
            write(pdf, line, 9.5, align="L")
    _pdf_floor(pdf, db, workshop_id)
    if summary.quiz is not None:
        keep_with_next(pdf, 40)
        write(pdf, "Quiz scores", 13, bold=True, color=NAVY, align="L", gap=1)
        write(pdf, summary.quiz_rule, 9.5, color=MUTED, align="L", gap=2)
        _grid(pdf, summary.quiz)
    return bytes(pdf.output())


def _pdf_floor(pdf: FPDF, db: Connection, workshop_id: int) -> None:
    section = floor_export.summary_section(db, workshop_id)
    if section is None:
        return
    header, rows, counts = section
    keep_with_next(pdf, 30)
    write(pdf, "Questions from the floor", 13, bold=True, color=NAVY, align="L", gap=1)
    write(pdf, f"{counts}.", 10.5, bold=True, align="L", gap=1.5)
    if not rows:
        return
    pdf.set_font(FONT_FAMILY, "", 9)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    # The question takes the width: a question is at most 280 characters and kept whole.
    widths = (7, 1, 1.8, 2.2)[: len(header)]
    with pdf.table(width=pdf.epw, col_widths=widths, align="LEFT", text_align="LEFT",
                   line_height=5.5, padding=1) as grid:  # fmt: skip
        for row in (header, *rows):
            cells = grid.row()
            for value in row:
                cells.cell(printable(str(value)))
