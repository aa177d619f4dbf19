"""PDF drawing shared by certificates, the reflective log and workshop summaries.

Fonts, colours, safe text and dates, in one place for every PDF CareLab writes.

Text is drawn with the bundled DejaVu fonts (fpdf2's core fonts are Latin-1 only); a
character they have no glyph for (CJK, emoji, control characters) prints as U+FFFD, the
replacement character, rather than as nothing.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

import carelab

FONT_DIR = Path(carelab.__file__).parent / "assets" / "fonts"
FONT_FAMILY = "DejaVu"
REPLACEMENT = "\ufffd"
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip

NAVY = (24, 54, 90)
INK = (33, 37, 41)
MUTED = (94, 102, 112)
GOLD = (170, 136, 80)
RULE = (200, 204, 210)
MARGIN = 20.0


def setup_pdf(pdf: FPDF, *, title: str, subject: str, author: str) -> None:
    """Load the bundled Unicode fonts into a new PDF and set its metadata."""
    pdf.add_font(FONT_FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT_FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(printable(title))
    pdf.set_subject(printable(subject))
    pdf.set_author(printable(author))
    pdf.set_creator("CareLab")
    pdf.set_lang("en-GB")


def write(
    pdf: FPDF,
    text: str,
    size: float,
    *,
    bold: bool = False,
    color: tuple[int, int, int] = INK,
    align: str = "C",
    w: float = 0,
    gap: float = 0,
) -> None:
    """Write wrapped text at the cursor, then move below it (plus gap mm)."""
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    pdf.set_text_color(*color)
    # Line height 1.35 em; 0.3528 converts points to millimetres.
    height = size * 0.3528 * 1.35
    text = printable(text, multiline=True)
    pdf.multi_cell(w, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if gap:
        pdf.ln(gap)


@cache
def _glyphs() -> frozenset[int]:
    # Text is drawn in both weights, so a character must be in both fonts to print.
    maps = [
        TTFont(FONT_DIR / name).getBestCmap() for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
    ]
    return frozenset(maps[0]) & frozenset(maps[1])


def printable(text: str, *, multiline: bool = False) -> str:
    """Text the bundled fonts can draw: composed (NFC), each unprintable character as U+FFFD."""
    lines = unicodedata.normalize("NFC", text).replace("\t", "    ").splitlines()
    glyphs = _glyphs()

    def keep(ch: str) -> str:
        # Controls and lone surrogates would corrupt the PDF; missing glyphs would vanish.
        ok = ord(ch) in glyphs and unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn")
        return ch if ok else REPLACEMENT

    cleaned = ["".join(keep(ch) for ch in line) for line in lines]
    return "\n".join(cleaned) if multiline else " ".join(cleaned)


def clip(text: str, limit: int) -> str:
    """The text cut to limit characters, with an ellipsis if anything was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def long_date(moment: datetime) -> str:
    """A date as 22 November 2026, in UTC (a naive datetime is taken to be UTC already)."""
    day = moment.astimezone(UTC) if moment.tzinfo else moment
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


class PagedPDF(FPDF):
    """A4 portrait pages, 20 mm margins, a running header after page 1 and 'Page n of N'."""

    def __init__(self, running_head: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.running_head = running_head
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)

    def header(self) -> None:
        """The running head on every page after the first."""
        if self.page_no() == 1:
            return
        self.set_y(9)
        self.set_font(FONT_FAMILY, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, printable(self.running_head), align="L")
        self.set_draw_color(*RULE)
        self.line(MARGIN, 15, self.w - MARGIN, 15)
        self.set_y(MARGIN)

    def footer(self) -> None:
        """'Page n of N', centred at the foot of every page."""
        self.set_y(-14)
        self.set_font(FONT_FAMILY, "", 8)
        self.set_text_color(*MUTED)
        # {nb} is fpdf2's alias for the total page count, filled in when the PDF is written.
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")


def keep_with_next(pdf: FPDF, room: float) -> None:
    """Start a new page if less than `room` mm is left, so a heading stays with what follows."""
    if pdf.get_y() > pdf.page_break_trigger - room:
        pdf.add_page()
