"""Questions from the floor in the record: their own CSV, and a section of the summaries.

The CSV has one row per question, every status included (hidden and never-approved ones
are flagged by their status, as hidden answers are in the responses CSV). The Markdown and
PDF summaries list what the room saw (open and answered) and count what it did not. An
anonymous workshop's exports name no one; one that keeps nicknames names the askers who
gave one. No participant number is exported: it would tie a question to that phone's
answers in the responses CSV.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from carelab.store import Connection
from carelab.store import floor as store
from carelab.workshop.aggregate import csv_bytes
from carelab.workshop.floor import STATUS_LABELS
from carelab.workshop.workshops import get_workshop


def _utc(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def export_columns(anonymous: bool) -> list[str]:
    """The questions CSV's columns; the nickname column exists only when anonymity is off."""
    return ["question", "votes", "status", "asked_at", *([] if anonymous else ["nickname"])]


def export_rows(db: Connection, workshop_id: int) -> list[dict[str, Any]]:
    """One row per question, most votes first, respecting the workshop's anonymity."""
    workshop = get_workshop(db, workshop_id)
    rows = []
    for r in store.questions(db, workshop.id):
        row: dict[str, Any] = {
            "question": r["text"],
            "votes": r["votes"],
            "status": r["status"],
            "asked_at": _utc(r["asked_at"]),
        }
        if not workshop.anonymous:
            row["nickname"] = r["nickname"] or ""
        rows.append(row)
    return rows


def export_csv(db: Connection, workshop_id: int) -> bytes:
    """Every question of a workshop as CSV bytes, with the header even when there are none."""
    workshop = get_workshop(db, workshop_id)
    return csv_bytes(export_rows(db, workshop_id), export_columns(workshop.anonymous))


def summary_section(
    db: Connection, workshop_id: int
) -> tuple[tuple[str, ...], list[tuple[Any, ...]], str] | None:
    """The summaries' section: a header, the rows the room saw, and a line of counts.

    None when the workshop never took questions and has none.
    """
    workshop = get_workshop(db, workshop_id)
    found = store.questions(db, workshop.id)
    if not found and not workshop.floor_questions:
        return None
    shown = [r for r in found if r["status"] in store.VISIBLE]
    header = ("Question", "Votes", "Status", *(() if workshop.anonymous else ("Asked by",)))
    rows = [
        (
            r["text"],
            r["votes"],
            STATUS_LABELS[r["status"]],
            *(() if workshop.anonymous else (r["nickname"] or "(no nickname)",)),
        )
        for r in shown
    ]
    hidden = sum(r["status"] == "hidden" for r in found)
    pending = sum(r["status"] == "pending" for r in found)
    noun = "question" if len(found) == 1 else "questions"
    counts = f"{len(found)} {noun} from the floor"
    left_out = [f"{hidden} hidden"] * bool(hidden) + [f"{pending} never approved"] * bool(pending)
    if left_out:
        counts += f" ({' and '.join(left_out)}, not listed)"
    return header, rows, counts
