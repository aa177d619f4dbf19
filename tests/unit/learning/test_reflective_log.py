"""The reflective log: What? / So what? / Now what?, as Markdown and as a paged PDF."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from carelab.learning.reflective_log import (
    ReflectionEntry,
    escape_block,
    escape_line,
    log_markdown,
    log_pdf,
)

T0 = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
GENERATED = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
HOSTILE = "# heading\n> quote\n---\n<script>alert(1)</script>"
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)


def entry(module="Reading a funnel plot", step="Control limits", minutes=0, **changes):
    fields = {
        "module_title": module,
        "module_version": "1.2",
        "step_title": step,
        "prompt": "What surprised you about the control limits?",
        "what": "Small hospitals sat inside the limits.",
        "so_what": "League tables reward and punish chance.",
        "now_what": "I will present our data as a funnel plot.",
        "saved_at": T0 + timedelta(minutes=minutes),
    }
    return ReflectionEntry(**(fields | changes))


def pdf_pages(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def headings(markdown: str) -> list[str]:
    return [line for line in markdown.split("\n") if line.startswith("#")]


# Markdown


def test_markdown_has_title_learner_date_and_privacy_note():
    md = log_markdown("Zoë O'Neill", [entry()], GENERATED)
    assert md.startswith("# Reflective log\n")
    assert "**Learner:** Zoë O'Neill" in md
    assert "**Generated:** 23 November 2026" in md
    assert "some ask about a patient or a colleague you worked with" in md
    assert "Check every entry before you share it" in md


def test_markdown_shows_the_step_prompt_and_three_headed_answers():
    md = log_markdown("Ann", [entry()], GENERATED)
    assert headings(md) == [
        "# Reflective log",
        "## Reading a funnel plot (version 1.2)",
        "### Control limits",
        "#### What?",
        "#### So what?",
        "#### Now what?",
    ]
    assert "**Prompt:** What surprised you about the control limits?" in md
    assert "Saved 22 November 2026 at 09:30 UTC" in md
    assert "#### What?\n\nSmall hospitals sat inside the limits." in md
    assert "#### So what?\n\nLeague tables reward and punish chance." in md
    assert "#### Now what?\n\nI will present our data as a funnel plot." in md


def test_markdown_groups_by_module_in_order_of_first_appearance_then_by_time():
    entries = [
        entry("Sepsis", "Late step", minutes=50),
        entry("Funnel plots", "Only step", minutes=10),
        entry("Sepsis", "Early step", minutes=5),
    ]
    found = headings(log_markdown("Ann", entries, GENERATED))
    assert [h for h in found if h.startswith(("## ", "### "))] == [
        "## Sepsis (version 1.2)",
        "### Early step",
        "### Late step",
        "## Funnel plots (version 1.2)",
        "### Only step",
    ]


def test_two_versions_of_a_module_are_separate_groups():
    entries = [entry(), entry(module_version="2.0", minutes=1)]
    assert [h for h in headings(log_markdown("Ann", entries, GENERATED)) if h[:3] == "## "] == [
        "## Reading a funnel plot (version 1.2)",
        "## Reading a funnel plot (version 2.0)",
    ]


@pytest.mark.parametrize("blank", ["", "   ", "\n\n"])
def test_empty_answers_say_not_answered(blank):
    md = log_markdown("Ann", [entry(so_what=blank)], GENERATED)
    assert "#### So what?\n\n_(not answered)_" in md


def test_an_empty_log_says_so():
    md = log_markdown("Ann", [], GENERATED)
    assert "No reflections yet" in md
    assert headings(md) == ["# Reflective log"]


def test_learner_text_cannot_make_headings_quotes_rules_or_html():
    md = log_markdown("Ann", [entry(what=HOSTILE, now_what="## Not a heading")], GENERATED)
    assert headings(md) == [
        "# Reflective log",
        "## Reading a funnel plot (version 1.2)",
        "### Control limits",
        "#### What?",
        "#### So what?",
        "#### Now what?",
    ]
    assert [line for line in md.split("\n") if line.startswith(">")] == [
        line for line in md.split("\n") if "patient-identifiable" in line
    ]
    assert not [line for line in md.split("\n") if line.startswith(("---", "<"))]
    assert "<script>" not in md.replace("\\<script>", "")
    assert "\\# heading  \n\\> quote  \n\\---  \n\\<script>alert(1)\\</script>" in md
    assert "\\## Not a heading" in md


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        ("# heading", "\\# heading"),
        ("> quote", "\\> quote"),
        ("---", "\\---"),
        ("***", "\\***"),
        ("===", "\\==="),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("12. item", "12\\. item"),
        ("3) item", "3\\) item"),
        ("```python", "\\`\\`\\`python"),
        ("~~~", "\\~~~"),
        ("| a | b |", "\\| a \\| b \\|"),
        ("<b>bold</b>", "\\<b>bold\\</b>"),
        ("[x](javascript:alert(1))", "\\[x](javascript:alert(1))"),
        ("&amp; &#60;", "\\&amp; \\&#60;"),
        ("costs $5 and $10", "costs \\$5 and \\$10"),
        ("C:\\temp \\*", "C:\\temp \\\\*"),
        ("    indented # text", "\u00a0\u00a0\u00a0\u00a0indented # text"),
        ("I felt *relieved* & thankful", "I felt *relieved* & thankful"),
    ],
)
def test_escape_line(typed, escaped):
    assert escape_line(typed) == escaped


def test_escape_block_keeps_line_breaks():
    assert escape_block("one\ntwo\r\nthree\n\nnew paragraph") == (
        "one  \ntwo  \nthree\n\nnew paragraph"
    )


def unescape(markdown_line: str) -> str:
    """What a CommonMark renderer shows for a line escape_line made (no emphasis in play)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown_line).replace("\u00a0", " ")


@given(st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=80))
def test_escape_line_shows_the_text_as_typed(line):
    # Leading spaces come back as no-break spaces, which look the same.
    assert unescape(escape_line(line)) == line.replace("\u00a0", " ")


@settings(max_examples=60, deadline=None)
@given(name=ANY_TEXT, what=ANY_TEXT, so_what=ANY_TEXT, step=ANY_TEXT)
def test_any_learner_text_keeps_the_document_structure(name, what, so_what, step):
    md = log_markdown(name, [entry(what=what, so_what=so_what, step_title=step)], GENERATED)
    assert len(headings(md)) == 6
    assert all(line.startswith("> CareLab") for line in md.split("\n") if line.startswith(">"))
    assert not [line for line in md.split("\n") if line.startswith(("---", "<", "```"))]


# PDF


@pytest.mark.parametrize("name", ["Łukasz Żółć", "Åsa Öberg", "Zoë O'Neill", "Ngọc Trâm"])
def test_pdf_has_the_same_content(name):
    entries = [
        entry(what="First line\nSecond line"),
        entry("Sepsis", "Escalation", minutes=5, so_what=""),
    ]
    data = log_pdf(name, entries, GENERATED)
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    assert reader.metadata.title == f"Reflective log: {name}"
    text = " ".join(pdf_pages(data))
    for expected in [
        "Reflective log",
        name,
        "Generated 23 November 2026",
        "some ask about a patient or a colleague you worked with",
        "Reading a funnel plot",
        "Version 1.2",
        "Control limits",
        "What surprised you about the control limits?",
        "What? First line Second line",
        "So what? League tables reward and punish chance.",
        "Now what? I will present our data as a funnel plot.",
        "Escalation",
        "So what? (not answered)",
        "Page 1 of 1",
    ]:
        assert expected in text, expected


def test_pdf_keeps_the_learners_line_breaks():
    data = log_pdf("Ann", [entry(what="First line\nSecond line")], GENERATED)
    raw = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "First line\nSecond line" in raw


def test_pdf_shows_hostile_text_as_text():
    text = " ".join(pdf_pages(log_pdf("Ann", [entry(what=HOSTILE)], GENERATED)))
    assert "# heading > quote --- <script>alert(1)</script>" in text


def test_an_empty_pdf_log_says_so():
    pages = pdf_pages(log_pdf("Ann", [], GENERATED))
    assert len(pages) == 1
    assert "No reflections yet" in pages[0]
    assert "Page 1 of 1" in pages[0]


@pytest.fixture(scope="module")
def long_log() -> list[str]:
    words = "Reflecting on variation and what it means for the unit I work in. "
    text = (words * 80)[:5000]
    entries = [
        entry(f"Module {i % 4}", f"Step {i}", minutes=i, what=text, so_what=text, now_what=text)
        for i in range(40)
    ]
    return pdf_pages(log_pdf("Åsa Öberg", entries, GENERATED))


def test_a_long_log_breaks_across_pages_numbered_n_of_total(long_log):
    total = len(long_log)
    assert total > 40
    for number, page in enumerate(long_log, start=1):
        assert f"Page {number} of {total}" in page


def test_pages_after_the_first_carry_a_running_header(long_log):
    assert all("Reflective log · Åsa Öberg · 23 November 2026" in page for page in long_log[1:])
    assert "Step 39" in " ".join(long_log)


@settings(max_examples=30, deadline=None)
@given(name=ANY_TEXT, what=ANY_TEXT, so_what=ANY_TEXT, step=ANY_TEXT)
def test_any_unicode_text_makes_a_pdf(name, what, so_what, step):
    data = log_pdf(name, [entry(what=what, so_what=so_what, step_title=step)], GENERATED)
    assert data.startswith(b"%PDF")


def test_a_step_without_a_prompt_leaves_the_prompt_out():
    md = log_markdown("Ann", [entry(prompt="")], GENERATED)
    assert "**Prompt:**" not in md
    text = " ".join(pdf_pages(log_pdf("Ann", [entry(prompt="")], GENERATED)))
    assert "Prompt" not in text


def test_line_breaks_in_names_and_titles_do_not_split_headings():
    md = log_markdown("Ann\nSmith", [entry(step="Step\none", module="Funnel\nplots")], GENERATED)
    assert "**Learner:** Ann Smith" in md
    assert "### Step one" in md
    assert "## Funnel plots (version 1.2)" in md
