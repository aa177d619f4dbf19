"""What the summaries say about reuse and self-paced rooms: the source of a copy, and progress.

carelab.workshop.summary adds these lines to the Markdown and PDF summaries: which
workshop a duplicate was copied from, and in a self-paced room (or one that was
self-paced, so phones moved on their own) how far each step and each phone got.
"""

from __future__ import annotations

from datetime import UTC, datetime

from carelab.errors import NotFound
from carelab.store import Connection
from carelab.workshop import self_paced, workshops
from carelab.workshop.workshops import Workshop


def copied_from_line(db: Connection, workshop: Workshop) -> str | None:
    """ "Copied from: <title> (<code>, <day>)" for a duplicate, else None."""
    if workshop.copied_from is None:
        return None
    try:
        source = workshops.get_workshop(db, workshop.copied_from)
    except NotFound:
        return f"Copied from: workshop {workshop.copied_from} (since deleted)"
    day = datetime.fromtimestamp(source.created_at, UTC).strftime("%Y-%m-%d")
    return f"Copied from: {source.title} ({source.code}, {day})"


def shows_progress(db: Connection, workshop: Workshop, found: self_paced.Progress) -> bool:
    """Whether progress adds information: the room is (or was) self-paced."""
    return workshop.self_paced or any(phone.at_step > 1 for phone in found.phones)


def progress_tables(
    db: Connection, workshop: Workshop
) -> tuple[str, list[tuple[str, ...]], list[tuple[str, ...]]] | None:
    """A sentence, the per-step table and the per-phone table of progress (header first)."""
    found = self_paced.progress(db, workshop)
    if not shows_progress(db, workshop, found):
        return None
    sentence = (
        f"{found.finished} of {len(found.phones)} participants finished "
        f"(answered all {found.answerable} questions and reached the last step)."
    )
    steps = [("Step", "Reached", "Answered")] + [
        (f"{s.index + 1}. {s.title}", str(s.reached), str(s.answered) if s.answerable else "-")
        for s in found.steps
    ]
    who = ("Participant",) if workshop.anonymous else ("Participant", "Nickname")
    phones = [(*who, "At step", "Answered", "Finished")]
    for phone in found.phones:
        name = (f"Participant {phone.number}",)
        if not workshop.anonymous:
            name += (phone.nickname,)
        phones.append(
            (*name, str(phone.at_step), str(phone.answered), "yes" if phone.finished else "no")
        )
    return sentence, steps, phones


def markdown_lines(db: Connection, workshop_id: int) -> list[str]:
    """The summary's "Self-paced progress" section in Markdown, or nothing."""
    tables = progress_tables(db, workshops.get_workshop(db, workshop_id))
    if tables is None:
        return []
    sentence, *grids = tables
    lines = ["", "## Self-paced progress", "", sentence]
    for grid in grids:
        lines += ["", "| " + " | ".join(grid[0]) + " |", "|" + "---|" * len(grid[0])]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in grid[1:]]
    return lines


def plain_lines(db: Connection, workshop_id: int) -> list[str]:
    """The same progress as plain lines, for the PDF."""
    tables = progress_tables(db, workshops.get_workshop(db, workshop_id))
    if tables is None:
        return []
    sentence, *grids = tables
    lines = [sentence]
    for grid in grids:
        lines += [" · ".join(f"{h}: {c}" for h, c in zip(grid[0], row, strict=True))
                  for row in grid[1:]]  # fmt: skip
    return lines
