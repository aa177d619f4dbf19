"""The reflective log a learner takes to appraisal, as Markdown and as PDF.

Each reflection follows What? / So what? / Now what? (Driscoll; Rolfe), the model the GMC's
reflective practitioner guidance offers: what happened, what was learned, and how it changes
practice. The learner's words and line breaks are kept, and their text can never change the
document's structure: no headings, quotes, rules, lists, tables, links or HTML of its own.
Inline emphasis such as *this* is left alone: it cannot escape its paragraph, and escaping
every full stop (as escape_markdown does for one-line UI text) would spoil a log pasted as
plain text into an appraisal portfolio.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from fpdf import FPDF

from carelab.pdf import (
    INK,
    MARGIN,
    MUTED,
    NAVY,
    RULE,
    PagedPDF,
    clip,
    keep_with_next,
    long_date,
    printable,
    setup_pdf,
    write,
)

TITLE = "Reflective log"
PRIVACY_NOTE = (
    "CareLab's reflection prompts ask about your learning, and some ask about a patient or "
    "a colleague you worked with: write nothing patient-identifiable or that points to a "
    "colleague (no names or initials, dates of birth, hospital or NHS numbers, exact dates, "
    "rare conditions or places). Check every entry before you share it for appraisal, and "
    "remove anything that could identify a patient or colleague."
)
EMPTY = "No reflections yet. Reflections you save in CareLab modules will appear here."
NOT_ANSWERED = "(not answered)"
QUESTIONS = (("what", "What?"), ("so_what", "So what?"), ("now_what", "Now what?"))


@dataclass(frozen=True)
class ReflectionEntry:
    """One saved reflection on a module step: the prompt and the three answers."""

    module_title: str
    module_version: str
    step_title: str
    prompt: str
    what: str
    so_what: str
    now_what: str
    saved_at: datetime


def grouped(entries: list[ReflectionEntry]) -> list[list[ReflectionEntry]]:
    """Entries by module (modules in order of first appearance), each module's by saved time."""
    modules: dict[tuple[str, str], list[ReflectionEntry]] = {}
    for entry in entries:
        modules.setdefault((entry.module_title, entry.module_version), []).append(entry)
    return [sorted(group, key=lambda e: _utc(e.saved_at)) for group in modules.values()]


def _utc(moment: datetime) -> datetime:
    # Naive times are taken as UTC so that aware and naive entries still sort together.
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def saved_label(moment: datetime) -> str:
    """When a reflection was saved, e.g. 'Saved 22 November 2026 at 14:05 UTC'."""
    return f"Saved {long_date(moment)} at {_utc(moment):%H:%M} UTC"


# Markdown


# Characters that start a block (heading, quote, list, rule, fence, setext underline, table,
# footnote) when they open a line, and inline characters that could start HTML, a link, code
# (which would swallow line breaks), a table cell or Streamlit's LaTeX.
_BLOCK_START = re.compile(r"^([#>+*=_~:\-])")
_ORDERED_LIST = re.compile(r"^(\d{1,9})([.)])")
_INLINE = re.compile(r"([<\[`|$])")
_ESCAPED_PUNCT = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# A single-line field (a name or a title) also escapes emphasis and ATX closing hashes.
_SINGLE_LINE = re.compile(r"([\\`*_\[\]<>#|~$])")


def _controls(text: str) -> str:
    # Called after splitting lines. A NUL or other control character has no business in a
    # text file someone will share.
    return "".join(
        "\ufffd" if unicodedata.category(c) in ("Cc", "Cs") and c != "\t" else c for c in text
    )


def escape_line(text: str) -> str:
    """One line of the learner's text as Markdown that shows that text (emphasis aside)."""
    body = text.lstrip(" \t")
    indent = text[: len(text) - len(body)]
    body = _ESCAPED_PUNCT.sub(r"\\\\", body)
    body = _INLINE.sub(r"\\\1", _ENTITY.sub(r"\\&", body))
    body = _ORDERED_LIST.sub(r"\1\\\2", _BLOCK_START.sub(r"\\\1", body))
    # Leading spaces would make an indented code block; no-break spaces keep the look.
    return "\u00a0" * len(indent.expandtabs(4)) + body


def escape_block(text: str) -> str:
    """The learner's multi-line text as Markdown: every line kept, none a block of its own."""
    lines = [escape_line(_controls(line)).rstrip() for line in text.splitlines()]
    out = []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        # Two trailing spaces make a hard line break, keeping the learner's line breaks.
        out.append(line + "  " if line and following else line)
    return "\n".join(out).strip("\n")


def escape_inline(text: str) -> str:
    """A name or title as Markdown on one line, every character shown as typed."""
    one_line = _controls(" ".join(text.splitlines())).strip()
    return _SINGLE_LINE.sub(r"\\\1", _ENTITY.sub(r"\\&", one_line))


def log_markdown(learner_name: str, entries: list[ReflectionEntry], generated_at: datetime) -> str:
    """The reflective log as a Markdown document."""
    parts = [
        f"# {TITLE}",
        f"**Learner:** {escape_inline(learner_name)}  \n**Generated:** {long_date(generated_at)}",
        f"> {PRIVACY_NOTE}",
    ]
    groups = grouped(entries)
    if not groups:
        parts.append(EMPTY)
    for group in groups:
        first = group[0]
        parts.append(
            f"## {escape_inline(first.module_title)} "
            f"(version {escape_inline(first.module_version)})"
        )
        parts.extend(_entry_markdown(entry) for entry in group)
    return "\n\n".join(parts) + "\n"


def _entry_markdown(entry: ReflectionEntry) -> str:
    parts = [f"### {escape_inline(entry.step_title)}", saved_label(entry.saved_at)]
    if entry.prompt.strip():
        parts.append(f"**Prompt:** {escape_block(entry.prompt)}")
    for field, label in QUESTIONS:
        answer = escape_block(getattr(entry, field))
        parts.append(f"#### {label}\n\n{answer or '_' + NOT_ANSWERED + '_'}")
    return "\n\n".join(parts)


# PDF

# A heading this close (mm) to the foot of a page moves to the next, with what follows it.
KEEP_MODULE, KEEP_ENTRY, KEEP_LABEL = 40.0, 30.0, 12.0


def log_pdf(learner_name: str, entries: list[ReflectionEntry], generated_at: datetime) -> bytes:
    """The reflective log as an A4 portrait PDF with page numbers."""
    pdf = PagedPDF(f"{TITLE} · {clip(learner_name, 60)} · {long_date(generated_at)}")
    setup_pdf(
        pdf,
        title=f"{TITLE}: {learner_name}",
        subject="Reflections on CareLab modules: What? So what? Now what?",
        author=learner_name,
    )
    pdf.add_page()
    pdf.set_y(MARGIN - 6)
    write(pdf, TITLE, 22, bold=True, color=NAVY, align="L", gap=1)
    write(pdf, printable(learner_name), 13, bold=True, align="L")
    write(pdf, f"Generated {long_date(generated_at)}", 9.5, color=MUTED, align="L", gap=4)
    _note(pdf)
    groups = grouped(entries)
    if not groups:
        write(pdf, EMPTY, 11, align="L")
    for group in groups:
        _module_pdf(pdf, group)
    return bytes(pdf.output())


def _note(pdf: FPDF) -> None:
    top = pdf.get_y()
    pdf.set_x(MARGIN + 4)
    write(pdf, PRIVACY_NOTE, 9, color=INK, align="L", w=pdf.epw - 4)
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(0.8)
    pdf.line(MARGIN + 0.5, top, MARGIN + 0.5, pdf.get_y())
    pdf.set_line_width(0.2)
    pdf.ln(6)


def _module_pdf(pdf: FPDF, group: list[ReflectionEntry]) -> None:
    keep_with_next(pdf, KEEP_MODULE)
    first = group[0]
    write(pdf, printable(first.module_title), 15, bold=True, color=NAVY, align="L")
    write(pdf, f"Version {printable(first.module_version)}", 9, color=MUTED, align="L", gap=2)
    pdf.set_draw_color(*NAVY)
    pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
    pdf.ln(4)
    for entry in group:
        _entry_pdf(pdf, entry)
    pdf.ln(4)


def _entry_pdf(pdf: FPDF, entry: ReflectionEntry) -> None:
    keep_with_next(pdf, KEEP_ENTRY)
    write(pdf, printable(entry.step_title), 12, bold=True, align="L")
    write(pdf, saved_label(entry.saved_at), 8.5, color=MUTED, align="L", gap=1.5)
    if entry.prompt.strip():
        write(pdf, "Prompt", 9, bold=True, color=MUTED, align="L")
        write(pdf, entry.prompt.strip(), 9.5, color=MUTED, align="L", gap=2.5)
    for field, label in QUESTIONS:
        answer = getattr(entry, field).strip()
        keep_with_next(pdf, KEEP_LABEL)
        write(pdf, label, 10.5, bold=True, color=NAVY, align="L", gap=0.5)
        write(pdf, answer or NOT_ANSWERED, 10, color=INK if answer else MUTED, align="L", gap=2.5)
    pdf.set_draw_color(*RULE)
    pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
    pdf.ln(4)
