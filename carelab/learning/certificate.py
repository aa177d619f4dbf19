"""Completion certificates: verification codes, attested time on task and the one-page PDF.

Drawing helpers (fonts, printable text, dates) live in carelab.pdf, shared with the
reflective log.
"""

from __future__ import annotations

import dataclasses
import math
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF

from carelab.errors import CareLabError
from carelab.learning.active_time import GAP_CAP_SECONDS
from carelab.learning.pre_test import gain_text
from carelab.learning.records import Certificate
from carelab.pdf import (
    GOLD,
    MUTED,
    NAVY,
    RULE,
    clip,
    long_date,
    printable,
    setup_pdf,
    write,
)

# No 0/O, 1/I/L: a code is read off paper and typed back in.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_PREFIX = "CL"
# 31 symbols give 4.95 bits each, so 16 of them (79 bits) are needed to pass 60 bits.
CODE_GROUPS = 4
CODE_GROUP_LENGTH = 4
CODE_EXAMPLE = "CL-7K3M-9QXD-2HTP-R4WN"
_CODE_PATTERN = re.compile(
    rf"{CODE_PREFIX}(-[{CODE_ALPHABET}]{{{CODE_GROUP_LENGTH}}}){{{CODE_GROUPS}}}"
)
NO_CREDIT_STATEMENT = (
    "CareLab itself awards no CME or CPD credit. Learners record this activity, "
    "with their reflections, in their own CPD or appraisal portfolio."
)
NAME_REMOVED = "Name removed at the learner's request"
COMPLETION_RULE = "Issued only when every required step is finished and any quiz is passed."
EVALUATION_COMPLETED = "Evaluation completed"
MAX_OBJECTIVES = 12  # the module schema's limit; the one-page layout is tested against it


class CertificateError(CareLabError):
    """Certificate data that cannot be printed, or text that is not a verification code."""


def new_code() -> str:
    """A fresh random verification code such as CL-7K3M-9QXD-2HTP-R4WN."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    return _format_code(body)


def normalise_certificate_code(text: str) -> str:
    """The canonical form of a code as a person typed it (any case, spaces, dashes or none)."""
    # NFKC folds full-width letters from East Asian keyboards into ASCII.
    compact = re.sub(r"[\s\-_.\u2010-\u2015]", "", unicodedata.normalize("NFKC", text)).upper()
    length = CODE_GROUPS * CODE_GROUP_LENGTH
    if len(compact) == length + len(CODE_PREFIX) and compact.startswith(CODE_PREFIX):
        compact = compact[len(CODE_PREFIX) :]
    if len(compact) != length or any(c not in CODE_ALPHABET for c in compact):
        raise CertificateError(
            "The code is unknown. That is not a CareLab verification code: codes look like "
            f"{CODE_EXAMPLE}."
        )
    return _format_code(compact)


def _format_code(body: str) -> str:
    size = CODE_GROUP_LENGTH
    return "-".join([CODE_PREFIX, *(body[i : i + size] for i in range(0, len(body), size))])


# A learner may take longer than the estimate (the content review of 0.4 found modules
# taking up to twice their stated time), so more than the estimate is attested, but no more
# than this share of it: beyond that, time in the player is more likely idle than work.
ATTESTED_CAP_FACTOR = 1.5
TIME_BASES = ("measured", "claimed")


def attested_cap(estimated: int) -> int:
    """The most minutes a certificate attests for a module of this estimated duration."""
    return math.ceil(ATTESTED_CAP_FACTOR * estimated)


def attested_minutes(active_seconds: float, estimated: int) -> int:
    """The minutes a certificate attests: the measured time on task, capped, at least 1."""
    if estimated < 1:
        raise CertificateError("A module's estimated duration must be at least 1 minute.")
    measured = math.floor(max(0.0, active_seconds) / 60 + 0.5)
    return max(1, min(measured, attested_cap(estimated)))


@dataclass(frozen=True)
class CertificateData:
    """Everything a certificate shows; learner_name None means the account was deleted."""

    code: str
    learner_name: str | None
    module_title: str
    module_version: str
    objectives: tuple[str, ...]
    estimated_minutes: int
    attested_minutes: int
    completed_at: datetime
    verify_url: str
    score: float | None
    # 'measured': time on task in the player; 'claimed': the learner's own figure, as every
    # certificate issued before 0.5 attests.
    time_basis: str = "measured"
    # The assessment (scored questions, pass mark) when the certificate recorded it, and
    # whether the learner has submitted the evaluation (carelab.learning.evaluation).
    assessment_questions: int | None = None
    pass_mark: float | None = None
    evaluation_completed: bool = False
    # The attempt's pre-test score (carelab.learning.pre_test); None: none, or skipped.
    pre_test_score: float | None = None

    def __post_init__(self) -> None:
        problems = certificate_problems(self)
        if problems:
            raise CertificateError(
                "This certificate cannot be issued: " + "; ".join(problems) + "."
            )


def certificate_problems(data: CertificateData) -> list[str]:
    """Every reason the data cannot make a truthful certificate, as short phrases."""
    problems = []
    if not data.code.strip():
        problems.append("the verification code is empty")
    elif not _CODE_PATTERN.fullmatch(data.code):
        problems.append(f"the verification code {data.code!r} is not in the form {CODE_EXAMPLE}")
    if data.learner_name is not None and not data.learner_name.strip():
        problems.append("the learner's name is empty (None marks a deleted account)")
    for field in ("module_title", "module_version"):
        if not getattr(data, field).strip():
            problems.append(f"the {field.replace('_', ' ')} is empty")
    if not data.objectives or any(not o.strip() for o in data.objectives):
        problems.append("every module lists at least one learning objective, none blank")
    if len(data.objectives) > MAX_OBJECTIVES:
        problems.append(f"a module has at most {MAX_OBJECTIVES} learning objectives")
    if data.time_basis not in TIME_BASES:
        problems.append(f"the time basis must be one of {', '.join(TIME_BASES)}")
    if data.estimated_minutes < 1:
        problems.append("the estimated duration is under 1 minute")
    elif not 1 <= data.attested_minutes <= attested_cap(data.estimated_minutes):
        problems.append(
            f"the attested time ({data.attested_minutes} minutes) must be between 1 and "
            f"{ATTESTED_CAP_FACTOR:g} times the estimate "
            f"({attested_cap(data.estimated_minutes)} minutes)"
        )
    if data.completed_at.tzinfo is None:
        problems.append("the completion time has no time zone")
    if not re.match(r"https?://\S", data.verify_url):
        problems.append("the verify URL must start with http:// or https://")
    if data.score is not None and not (math.isfinite(data.score) and 0 <= data.score <= 1):
        problems.append("the score must be between 0 and 1")
    if data.pass_mark is not None and not (
        math.isfinite(data.pass_mark) and 0 <= data.pass_mark <= 1
    ):
        problems.append("the pass mark must be between 0 and 1")
    if data.assessment_questions is not None and data.assessment_questions < 0:
        problems.append("the number of assessment questions cannot be negative")
    pre = data.pre_test_score
    if pre is not None and not (math.isfinite(pre) and 0 <= pre <= 1):
        problems.append("the pre-test score must be between 0 and 1")
    return problems


# Layout of the A4 landscape page, in millimetres.
PAGE_W, PAGE_H = 297.0, 210.0
SIDE = 30.0
TOP = 24.0
STATEMENT_Y = 183.0
CONTENT_END = STATEMENT_Y - 4  # content stops this far above the rule over the statement
BLOCK_W = 215.0  # objectives and details: narrower than the page, so lines stay readable
BLOCK_X = (PAGE_W - BLOCK_W) / 2
MIN_SCALE = 0.45
MAX_NAME, MAX_TEXT = 120, 300  # display limits; the schema caps titles and objectives at 300


def certificate_pdf(data: CertificateData) -> bytes:
    """The one-page A4 landscape certificate as PDF bytes."""
    limit = MAX_TEXT
    shown = _clipped(data, limit)
    scale, end = _fit(shown)
    # Only text no module has (hundreds of the widest glyphs) gets here: cut it shorter.
    while end > CONTENT_END and limit > 20:
        limit //= 2
        shown = _clipped(data, limit)
        scale, end = _fit(shown)
    # Centre the content in the space above the statement; a short certificate looks planned.
    slack = max(0.0, CONTENT_END - end)
    pdf, _ = _render(shown, scale, TOP + min(slack / 2, 14.0))
    return bytes(pdf.output())


def _clipped(data: CertificateData, limit: int) -> CertificateData:
    # One line each (a stray line break in a name would split it) and at most limit characters.
    def shown(text: str, most: int = limit) -> str:
        return clip(printable(text).strip(), most)

    name = data.learner_name
    return dataclasses.replace(
        data,
        learner_name=None if name is None else shown(name, min(limit, MAX_NAME)),
        module_title=shown(data.module_title),
        objectives=tuple(shown(objective) for objective in data.objectives),
    )


def _fit(data: CertificateData) -> tuple[float, float]:
    """The largest font scale (down to MIN_SCALE) at which the content ends above the statement."""
    _, end = _render(data, 1.0, TOP)
    if end <= CONTENT_END:
        return 1.0, end
    # Shrink everything together: a bisection over the scale, keeping the best that fits.
    low, high = MIN_SCALE, 1.0
    for _ in range(6):
        mid = (low + high) / 2
        _, end_mid = _render(data, mid, TOP)
        low, high = (mid, high) if end_mid <= CONTENT_END else (low, mid)
    _, end = _render(data, low, TOP)
    return low, end


def _render(data: CertificateData, scale: float, top: float) -> tuple[FPDF, float]:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    setup_pdf(
        pdf,
        title=f"Certificate of completion: {data.module_title}",
        subject=f"Completion of the CareLab module {data.module_title}, "
        f"version {data.module_version}",
        author="CareLab",
    )
    pdf.set_auto_page_break(False)
    pdf.set_margins(SIDE, TOP, SIDE)
    pdf.add_page()
    _draw_frame(pdf)
    pdf.set_y(top)
    _draw_heading(pdf, data, scale)
    _draw_objectives(pdf, data.objectives, scale)
    _draw_details(pdf, data, scale)
    end = pdf.get_y()
    pdf.set_y(STATEMENT_Y + 3)
    write(pdf, NO_CREDIT_STATEMENT, 8.5, color=MUTED)
    return pdf, end


def _draw_frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(0.9)
    pdf.rect(10, 10, PAGE_W - 20, PAGE_H - 20)
    pdf.set_line_width(0.25)
    pdf.rect(13, 13, PAGE_W - 26, PAGE_H - 26)
    pdf.set_draw_color(*RULE)
    pdf.line(BLOCK_X, STATEMENT_Y, BLOCK_X + BLOCK_W, STATEMENT_Y)


def _draw_heading(pdf: FPDF, data: CertificateData, s: float) -> None:
    pdf.set_char_spacing(2.5)
    write(pdf, "CARELAB", 9 * s, bold=True, color=GOLD, gap=2 * s)
    pdf.set_char_spacing(0)
    write(pdf, "Certificate of completion", 30 * s, bold=True, color=NAVY, gap=2 * s)
    y = pdf.get_y()
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.6)
    pdf.line(PAGE_W / 2 - 25, y, PAGE_W / 2 + 25, y)
    pdf.set_y(y + 6 * s)
    write(pdf, "This is to record that", 11 * s, color=MUTED, gap=1.5 * s)
    if data.learner_name is None:
        write(pdf, NAME_REMOVED, 15 * s, color=MUTED, gap=1.5 * s)
    else:
        write(pdf, data.learner_name, 24 * s, bold=True, gap=1.5 * s)
    write(pdf, "completed the self-paced CareLab module", 11 * s, color=MUTED, gap=2 * s)
    write(pdf, data.module_title, 16 * s, bold=True, color=NAVY, gap=0.5 * s)
    write(pdf, f"Version {clip(data.module_version, 40)}", 10 * s, color=MUTED, gap=6 * s)


def _draw_objectives(pdf: FPDF, objectives: tuple[str, ...], s: float) -> None:
    pdf.set_x(BLOCK_X)
    write(pdf, "Learning objectives", 10.5 * s, bold=True, color=NAVY, align="L", w=BLOCK_W)
    pdf.ln(1.5 * s)
    size, indent = 9.5 * s, 5.0
    for objective in objectives:
        y = pdf.get_y()
        pdf.set_xy(BLOCK_X + 1, y)
        write(pdf, "•", size, color=GOLD, align="L", w=indent)
        pdf.set_xy(BLOCK_X + indent, y)
        write(pdf, objective, size, align="L", w=BLOCK_W - indent, gap=1.2 * s)
    pdf.ln(3 * s)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.25)
    pdf.line(BLOCK_X, pdf.get_y(), BLOCK_X + BLOCK_W, pdf.get_y())
    pdf.ln(4 * s)


def _draw_details(pdf: FPDF, data: CertificateData, s: float) -> None:
    top, left_w = pdf.get_y(), BLOCK_W * 0.56
    size = 10 * s
    lines = [
        f"Completed: {long_date(data.completed_at)}",
        f"Estimated duration: {_minutes(data.estimated_minutes)}",
        (
            f"Time on task: {_minutes(data.attested_minutes)}"
            if data.time_basis == "measured"
            else f"Time the learner attests to: {_minutes(data.attested_minutes)}"
        ),
    ]
    for line in lines:
        pdf.set_x(BLOCK_X)
        write(pdf, line, size, align="L", w=left_w, gap=0.8 * s)
    pdf.set_x(BLOCK_X)
    write(
        pdf,
        time_note(data.time_basis, data.estimated_minutes),
        8 * s,
        color=MUTED,
        align="L",
        w=left_w,
        gap=0.8 * s,
    )
    if (line := assessment_line(data)) is not None:
        pdf.set_x(BLOCK_X)
        write(pdf, line, size, align="L", w=left_w, gap=0.8 * s)
    if (gain := gain_line(data)) is not None:
        pdf.set_x(BLOCK_X)
        write(pdf, gain, size, align="L", w=left_w, gap=0.8 * s)
    if data.evaluation_completed:
        pdf.set_x(BLOCK_X)
        write(pdf, EVALUATION_COMPLETED, size, align="L", w=left_w, gap=0.8 * s)
    pdf.set_x(BLOCK_X)
    write(pdf, COMPLETION_RULE, 8 * s, color=MUTED, align="L", w=left_w)
    left_end = pdf.get_y()
    right_x, right_w = BLOCK_X + left_w + 6, BLOCK_W - left_w - 6
    pdf.set_xy(right_x, top)
    write(pdf, "Verification code", 8.5 * s, bold=True, color=MUTED, align="L", w=right_w)
    pdf.set_x(right_x)
    write(pdf, data.code, 14 * s, bold=True, color=NAVY, align="L", w=right_w, gap=1.5 * s)
    pdf.set_x(right_x)
    write(
        pdf, "Anyone can check it at the address below.", 8.5 * s, color=MUTED, align="L", w=right_w
    )
    pdf.set_y(max(left_end, pdf.get_y()) + 3 * s)
    # Full width, so a typical verify URL stays on one line and can be typed from paper.
    write(pdf, data.verify_url, 9 * s, color=NAVY)


def gain_line(data: CertificateData | Certificate) -> str | None:
    """The learner's gain, "Pre-test 45%, post-test 85%", when both scores exist."""
    return gain_text(data.pre_test_score, data.score)


def assessment_line(data: CertificateData | Certificate) -> str | None:
    """The assessment as the certificate states it, e.g. "Assessment: 12 questions, pass mark
    80%; score 90%" (only the score for certificates issued before it was recorded)."""
    if data.score is None or data.assessment_questions == 0:
        return None
    if data.assessment_questions is None or data.pass_mark is None:
        return f"Quiz score: {data.score:.0%}"
    n = data.assessment_questions
    return (
        f"Assessment: {n} question{'' if n == 1 else 's'}, pass mark {data.pass_mark:.0%}; "
        f"score {data.score:.0%}"
    )


def time_note(basis: str, estimated: int) -> str:
    """What the attested time is, as the certificate and the verify page say it."""
    if basis == "claimed":
        return "Attested time is the learner's own account, capped at the estimated duration."
    return (
        "Time on task is the learner's active time in CareLab's module player: the time "
        f"between their actions, each pause counted up to {GAP_CAP_SECONDS / 60:g} minutes, "
        f"and at most {ATTESTED_CAP_FACTOR:g} times the estimated duration "
        f"({_minutes(attested_cap(estimated))})."
    )


def _minutes(n: int) -> str:
    return f"{n} minute" if n == 1 else f"{n} minutes"


# Shared PDF helpers, used by the certificate and the reflective log.
