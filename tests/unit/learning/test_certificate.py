"""Certificates: verification codes, attested time, and a one-page PDF an appraiser can trust."""

from __future__ import annotations

import dataclasses
import io
import math
import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from carelab.learning.certificate import (
    CODE_ALPHABET,
    CertificateData,
    CertificateError,
    attested_minutes,
    certificate_pdf,
    new_code,
    normalise_certificate_code,
    printable,
)

NO_CREDIT = (
    "CareLab itself awards no CME or CPD credit. Learners record this activity, "
    "with their reflections, in their own CPD or appraisal portfolio."
)
CODE = "CL-7K3M-9QXD-2HTP-R4WN"
URL = "https://carelab.example.org/?verify=CL-7K3M-9QXD-2HTP-R4WN"
UNICODE_NAMES = [
    "Łukasz Żółć",
    "Åsa Öberg",
    "Zoë O'Neill",
    "Ngọc Trâm",
    "Nguyễn Thị Minh Khai",
    "José Ñúñez-Álvarez",
    "Σοφία Παπαδοπούλου",
    "Анна Кузнецова",
    "Şükrü Güneş",
]
# Text a person could type: anything but lone surrogates, which no str from a browser holds.
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=300)


def make(**changes) -> CertificateData:
    fields = {
        "code": CODE,
        "learner_name": "Åsa Öberg",
        "module_title": "Reading a funnel plot",
        "module_version": "1.2",
        "objectives": (
            "Explain why small units sit at the extremes of a league table",
            "Read control limits on a funnel plot",
        ),
        "estimated_minutes": 45,
        "attested_minutes": 30,
        "completed_at": datetime(2026, 11, 22, 14, 5, tzinfo=UTC),
        "verify_url": URL,
        "score": 0.85,
    }
    return CertificateData(**(fields | changes))


def read(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    # Wrapped lines come back with line breaks; compare text with single spaces.
    return reader, " ".join(text.split())


def test_certificate_shows_everything_an_appraiser_needs():
    reader, text = read(certificate_pdf(make()))
    assert len(reader.pages) == 1
    for expected in [
        "Certificate of completion",
        "Åsa Öberg",
        "Reading a funnel plot",
        "Version 1.2",
        "Explain why small units sit at the extremes of a league table",
        "Read control limits on a funnel plot",
        "Estimated duration: 45 minutes",
        "Time on task: 30 minutes",
        "Time on task is the learner's active time in CareLab's module player: the time "
        "between their actions, each pause counted up to 15 minutes, and at most 1.5 times "
        "the estimated duration (68 minutes).",
        "Completed: 22 November 2026",
        "Quiz score: 85%",
        CODE,
        URL,
        NO_CREDIT,
    ]:
        assert expected in text, expected


def test_certificate_is_a4_landscape_with_metadata():
    reader, _ = read(certificate_pdf(make()))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (297, 210)
    assert reader.metadata.title == "Certificate of completion: Reading a funnel plot"
    assert reader.metadata.author == "CareLab"
    assert "Reading a funnel plot" in reader.metadata.subject
    assert "1.2" in reader.metadata.subject


def test_certificate_has_no_unfilled_template_text():
    _, text = read(certificate_pdf(make()))
    for marker in ("lorem", "xxx", "{nb}", "none"):
        assert marker not in text.lower()


@pytest.mark.parametrize("name", UNICODE_NAMES)
def test_unicode_names_print(name):
    _, text = read(certificate_pdf(make(learner_name=name)))
    assert name in text


def test_decomposed_name_prints_composed():
    decomposed = unicodedata.normalize("NFD", "Ngọc Trâm")
    _, text = read(certificate_pdf(make(learner_name=decomposed)))
    assert "Ngọc Trâm" in text


def test_deleted_account_shows_the_name_was_removed():
    _, text = read(certificate_pdf(make(learner_name=None)))
    assert "Name removed at the learner's request" in text


def test_a_certificate_from_before_measured_time_still_says_the_time_was_claimed():
    _, text = read(certificate_pdf(make(time_basis="claimed")))
    assert "Time the learner attests to: 30 minutes" in text
    assert "Attested time is the learner's own account, capped at the estimated duration." in text
    assert "Time on task" not in text


def test_score_is_left_out_when_there_is_none():
    _, text = read(certificate_pdf(make(score=None)))
    assert "score" not in text.lower()


def test_one_minute_is_singular():
    _, text = read(certificate_pdf(make(estimated_minutes=1, attested_minutes=1)))
    assert "Estimated duration: 1 minute " in text + " "


def test_completion_date_is_in_utc():
    late_in_london = datetime(2026, 11, 23, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    _, text = read(certificate_pdf(make(completed_at=late_in_london)))
    assert "Completed: 22 November 2026" in text


def test_long_content_still_fits_on_one_page():
    objectives = tuple(f"Objective {i:02d}: " + "interpret variation " * 20 for i in range(12))
    objectives = tuple(o[:300] for o in objectives)
    title = ("Understanding special-cause and common-cause variation " * 6)[:300]
    name = "Maximiliane Alexandra Konstantinopoulou-Świętochowska von Hohenzollern-Sigmaringen"
    reader, text = read(
        certificate_pdf(make(objectives=objectives, module_title=title, learner_name=name))
    )
    assert len(reader.pages) == 1
    assert " ".join(title.split()) in text
    assert name in text
    for objective in objectives:
        assert " ".join(objective.split()) in text
    assert NO_CREDIT in text
    assert CODE in text


def lowest_text_above_statement(data: bytes) -> tuple[float, float]:
    """The baseline of the lowest line above the no-credit statement, and the statement's own."""
    heights: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            heights.append((tm[5], text))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    statement = min(y for y, text in heights if "CareLab itself awards" in text)
    others = [y for y, text in heights if y > statement]
    return min(others), statement


@pytest.mark.parametrize(
    "text",
    [
        "interpret variation in outcomes between units and over time, ",
        "\u1676",  # one of DejaVu's widest glyphs, with no spaces to wrap at
    ],
)
def test_content_never_runs_into_the_statement(text):
    long = (text * 300)[:300]
    data = certificate_pdf(
        make(learner_name=long[:100], module_title=long, objectives=(long,) * 12)
    )
    lowest, statement = lowest_text_above_statement(data)
    # PDF y grows upwards; one 8.5 pt line of space must separate the two.
    assert lowest - statement > 8.5
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"attested_minutes": 69},
            "the attested time (69 minutes) must be between 1 and 1.5 "
            "times the estimate (68 minutes)",
        ),
        ({"attested_minutes": 0}, "the attested time (0 minutes) must be between 1 and"),
        ({"code": ""}, "the verification code is empty"),
        ({"code": "CL-0000-0000-0000-0000"}, "is not in the form CL-7K3M-9QXD-2HTP-R4WN"),
        ({"learner_name": "  "}, "the learner's name is empty"),
        ({"module_title": ""}, "the module title is empty"),
        ({"module_version": " "}, "the module version is empty"),
        ({"objectives": ()}, "at least one learning objective"),
        ({"objectives": ("a",) * 13}, "at most 12 learning objectives"),
        ({"estimated_minutes": 0, "attested_minutes": 0}, "the estimated duration is under 1"),
        ({"completed_at": datetime(2026, 11, 22)}, "the completion time has no time zone"),
        ({"verify_url": "carelab.example.org"}, "must start with http:// or https://"),
        ({"score": 1.5}, "the score must be between 0 and 1"),
        ({"score": math.nan}, "the score must be between 0 and 1"),
        ({"time_basis": "guessed"}, "the time basis must be one of measured, claimed"),
    ],
)
def test_invalid_data_is_refused(changes, message):
    with pytest.raises(CertificateError, match=re.escape(message)):
        make(**changes)


def test_every_problem_is_reported_at_once():
    with pytest.raises(CertificateError) as caught:
        make(code="", attested_minutes=99, score=-1)
    assert str(caught.value) == (
        "This certificate cannot be issued: the verification code is empty; "
        "the attested time (99 minutes) must be between 1 and 1.5 times the estimate "
        "(68 minutes); "
        "the score must be between 0 and 1."
    )


def test_data_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        make().code = "CL-AAAA-AAAA-AAAA-AAAA"  # type: ignore[misc]


# Verification codes


def test_alphabet_has_no_ambiguous_characters():
    assert not set("0O1IL") & set(CODE_ALPHABET)
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET)


def test_codes_carry_at_least_60_bits():
    body = new_code().removeprefix("CL-").replace("-", "")
    assert len(body) * math.log2(len(CODE_ALPHABET)) >= 60


def test_codes_are_unique_and_use_only_the_alphabet():
    codes = [new_code() for _ in range(10_000)]
    assert len(set(codes)) == len(codes)
    pattern = re.compile(rf"CL(-[{CODE_ALPHABET}]{{4}}){{4}}")
    assert all(pattern.fullmatch(code) for code in codes)


@pytest.mark.parametrize(
    "typed",
    [
        "CL-7K3M-9QXD-2HTP-R4WN",
        "cl-7k3m-9qxd-2htp-r4wn",
        "CL7K3M9QXD2HTPR4WN",
        "7K3M9QXD2HTPR4WN",
        " cl 7k3m 9qxd 2htp r4wn ",
        "7k3m-9qxd-2htp-r4wn",
        "CL–7K3M–9QXD–2HTP–R4WN",  # en dashes, as a word processor writes them
        "ＣＬ－７Ｋ３Ｍ９ＱＸＤ２ＨＴＰＲ４ＷＮ",  # full-width, from an East Asian keyboard
    ],
)
def test_normalise_code_accepts_what_people_type(typed):
    assert normalise_certificate_code(typed) == CODE


def test_normalise_code_round_trips():
    for _ in range(200):
        code = new_code()
        assert normalise_certificate_code(code) == code
        assert normalise_certificate_code(code.lower().replace("-", " ")) == code


@pytest.mark.parametrize(
    "typed", ["", "CL-7K3M", "CL-7K3M-9QXD-2HTP-R4W0", "CL-OK3M-9QXD-2HTP-R4WN", "hello world"]
)
def test_normalise_code_refuses_what_is_not_a_code(typed):
    with pytest.raises(CertificateError, match="That is not a CareLab verification code"):
        normalise_certificate_code(typed)


# Attested time


@pytest.mark.parametrize(
    ("active_seconds", "estimated", "expected"),
    [
        (30 * 60, 45, 30),  # less than the estimate: what was measured
        (60 * 60, 45, 60),  # more than the estimate: still what was measured
        (67 * 60 + 29, 45, 67),  # rounded to the nearest minute
        (67 * 60 + 30, 45, 68),  # 1.5 x 45 = 67.5, so the cap is 68
        (5 * 3600, 45, 68),  # an afternoon in the player: the cap
        (0, 45, 1),  # completed at once (e.g. answers from an earlier visit): 1 minute
        (-5, 45, 1),
        (90, 1, 2),  # the cap of a 1-minute module is 2
    ],
)
def test_attested_minutes_are_the_time_on_task_up_to_one_and_a_half_the_estimate(
    active_seconds, estimated, expected
):
    assert attested_minutes(active_seconds, estimated) == expected


def test_attested_minutes_need_an_estimate():
    with pytest.raises(CertificateError, match="at least 1 minute"):
        attested_minutes(600, 0)


# Characters the bundled fonts cannot draw


def test_unprintable_characters_become_the_replacement_character():
    assert printable("王小明 🙂 Ann") == "\ufffd\ufffd\ufffd \ufffd Ann"
    assert printable("a\x00b\x07c") == "a\ufffdb\ufffdc"
    assert printable("line one\nline two") == "line one line two"
    assert printable("line one\r\nline two", multiline=True) == "line one\nline two"


def test_a_name_the_fonts_cannot_draw_still_makes_a_certificate():
    _, text = read(certificate_pdf(make(learner_name="王小明 (Wang Xiaoming)")))
    assert "(Wang Xiaoming)" in text


@settings(max_examples=25, deadline=None)
@given(name=ANY_TEXT.filter(str.strip), title=ANY_TEXT.filter(str.strip))
def test_any_unicode_name_or_title_makes_a_one_page_certificate(name, title):
    reader, _ = read(certificate_pdf(make(learner_name=name, module_title=title)))
    assert len(reader.pages) == 1
