"""The workshop summary a facilitator keeps: Markdown and PDF, from the dashboard's numbers."""

from __future__ import annotations

import io

from pypdf import PdfReader

from carelab.workshop import participants, summary, workshops
from tests.unit.workshop.conftest import answer_all, content_steps, open_step, poll


def answered_room(db, people, room) -> None:
    """Answers to a choice poll, a numeric poll, a free-text poll and a quiz question."""
    answer_all(db, people, room, 1, [2, 2, 0])
    answer_all(db, people, room, 4, [10, 30])
    answer_all(db, people, room, 5, ["handover", "Handover again"])
    answer_all(db, people, room, 7, [12])


def pdf_text(data: bytes) -> str:
    """Every page's text, whitespace collapsed."""
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_summary_markdown_has_every_prompt_and_the_numbers(db, people, room):
    answered_room(db, people, room)
    text = summary.summary_markdown(db, room.id)
    assert text.startswith("# Room\n")
    for prompt in ("Prompt one?", "Prompt number?", "Notes for you.", "Discuss.", "What rate?"):
        assert f"> {prompt}" in text
    assert "| Blue | 2 | 67% |" in text and "3 of 8 answered." in text
    assert "| 2 | 20 | 20 | 10 | 30 |" in text
    assert "| handover | 2 |" in text
    assert "| B (right) | 0 | 0% |" in text
    assert "Right answer: 12 % (within 0.5)" in text
    assert "Nick0" not in text


def test_summary_pdf_has_the_same_numbers_as_the_markdown(db, people, room):
    answered_room(db, people, room)
    data = summary.summary_pdf(db, room.id)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Workshop summary" in text and room.code in text
    assert "3 of 8 answered." in text and "2 of 8 answered." in text
    assert "Blue 2 (67%)" in text and "Red 1 (33%)" in text
    assert "Right answer: 12 % (within 0.5)" in text
    assert "handover 2" in text
    assert "Nick0" not in text and "Nick1" not in text


def test_summary_leaves_out_hidden_answers_and_says_how_many(db, people, room):
    joined = answer_all(db, people, room, 5, ["kind words", "rude words"])
    workshops.hide_response(db, people.facilitator, room.id, 5, 2)
    found = summary.workshop_summary(db, room.id).steps[5]
    assert found.answered == "1 of 2 answered (1 hidden)"
    assert [row[0] for row in found.tables[0].rows] == ["kind", "words"]
    assert "rude" not in pdf_text(summary.summary_pdf(db, room.id))
    assert len(joined) == 2


def test_summary_pdf_of_a_long_workshop_has_numbered_pages(db, people):
    steps = [step for _ in range(12) for step in content_steps()]
    made = workshops.create_workshop(db, people.facilitator, "Long", "module", "mod", steps)
    reader = PdfReader(io.BytesIO(summary.summary_pdf(db, made.id)))
    assert len(reader.pages) > 2
    assert "Page 2 of" in reader.pages[1].extract_text()


def test_summary_prints_unicode_and_markup_as_text(db, people):
    made = workshops.create_workshop(
        db, people.facilitator, "Åsa’s ward <b>round</b>", "module", "mod",
        [poll("p", "open")],
    )  # fmt: skip
    open_step(db, people, made, 0)
    person = participants.join(db, made.code, "", "ip")
    participants.answer(db, made.code, person.token, 0, "<script>x</script> Jönköping")
    text = pdf_text(summary.summary_pdf(db, made.id))
    assert "Åsa’s ward <b>round</b>" in text and "jönköping 1" in text
    assert "| jönköping | 1 |" in summary.summary_markdown(db, made.id)


def test_plain_text_drops_markdown_markers_and_keeps_link_addresses():
    text = summary.plain_text("**Bold** and `code` [NHS](https://www.nhs.uk)")
    assert text == "Bold and code NHS (https://www.nhs.uk)"
