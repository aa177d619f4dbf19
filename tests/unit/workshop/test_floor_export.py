"""Questions from the floor in the exports: their CSV, and the Markdown and PDF summaries."""

from __future__ import annotations

import csv
import io

from pypdf import PdfReader

from carelab.workshop import floor, floor_export, summary
from carelab.workshop import participants as phones

from .conftest import T0
from .test_floor import make_room


def _asked(db, people, anonymous):
    room = make_room(db, people, anonymous=anonymous)
    named, plain = phones.join(db, room.code, "Dr Who", "ip"), phones.join(db, room.code, "", "ip")
    first = floor.ask(db, room.code, named.token, "=HYPERLINK(1) | why?", T0)["questions"][0]
    floor.ask(db, room.code, plain.token, "Second question", T0 + 60)
    hide = floor.ask(db, room.code, plain.token, "Rude remark", T0 + 120)["questions"]
    floor.vote(db, room.code, plain.token, first["id"], True)
    hidden_id = next(q["id"] for q in hide if q["text"] == "Rude remark")
    floor.set_status(db, people.facilitator, room.id, hidden_id, "hidden")
    return room


def _csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_csv_of_an_anonymous_room_names_no_one(db, people):
    room = _asked(db, people, anonymous=True)
    rows = _csv(floor_export.export_csv(db, room.id))
    assert list(rows[0]) == ["question", "votes", "status", "asked_at"]
    assert [(r["question"], r["votes"], r["status"]) for r in rows] == [
        ("'=HYPERLINK(1) | why?", "1", "open"),  # a formula is defused for spreadsheets
        ("Second question", "0", "open"),
        ("Rude remark", "0", "hidden"),
    ]
    assert rows[1]["asked_at"] == "1970-01-12T13:47:40+00:00"
    assert b"Dr Who" not in floor_export.export_csv(db, room.id)


def test_the_csv_keeps_nicknames_when_the_room_does(db, people):
    room = _asked(db, people, anonymous=False)
    rows = _csv(floor_export.export_csv(db, room.id))
    assert [r["nickname"] for r in rows] == ["Dr Who", "", ""]


def test_the_csv_has_its_header_with_no_questions(db, people):
    room = make_room(db, people)
    assert floor_export.export_csv(db, room.id).decode("utf-8-sig").splitlines() == [
        "question,votes,status,asked_at"
    ]


def test_the_markdown_lists_what_the_room_saw_and_counts_the_rest(db, people):
    room = _asked(db, people, anonymous=True)
    text = summary.summary_markdown(db, room.id)
    section = text.split("## Questions from the floor", 1)[1]
    assert section.splitlines()[:8] == [
        "",
        "",
        "3 questions from the floor (1 hidden, not listed).",
        "",
        "| Question | Votes | Status |",
        "|---|---|---|",
        "| =HYPERLINK(1) \\| why? | 1 | Open |",
        "| Second question | 0 | Open |",
    ]
    assert "Rude remark" not in text and "Dr Who" not in text


def test_a_room_without_questions_has_no_section(db, people, room):
    assert "Questions from the floor" not in summary.summary_markdown(db, room.id)


def test_the_pdf_prints_the_questions_and_named_askers(db, people):
    room = _asked(db, people, anonymous=False)
    reader = PdfReader(io.BytesIO(summary.summary_pdf(db, room.id)))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Questions from the floor" in text
    assert "3 questions from the floor (1 hidden, not listed)." in text
    assert "Second question" in text and "Dr Who" in text and "Rude remark" not in text
