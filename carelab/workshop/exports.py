"""A workshop's exports by name: what each is called, how it is made, where it is fetched.

The files are made when asked (carelab/web/export_routes.py serves them), so each holds
every answer given so far, at any time during the event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from carelab.auth import User
from carelab.workshop import facilitation, floor_service


@dataclass(frozen=True)
class Export:
    """One export a facilitator can download: how it is made and what it is called."""

    label: str
    suffix: str  # after "workshop-CODE"
    media_type: str
    make: Callable[[User | None, int], bytes]


EXPORTS: dict[str, Export] = {
    "responses.csv": Export(
        "Every response (CSV)", ".csv", "text/csv; charset=utf-8", facilitation.export_csv
    ),
    "summary.md": Export(
        "Summary (Markdown)",
        ".md",
        "text/markdown; charset=utf-8",
        facilitation.summary_markdown,
    ),
    "summary.pdf": Export("Summary (PDF)", ".pdf", "application/pdf", facilitation.summary_pdf),
    "questions.csv": Export(
        "Questions from the floor (CSV)",
        "-questions.csv",
        "text/csv; charset=utf-8",
        floor_service.export_csv,
    ),
}
# The three Facilitate offers under "Export"; the questions' CSV sits with the questions.
WORKSHOP_EXPORTS = ("responses.csv", "summary.md", "summary.pdf")


def export_url(workshop_id: int, name: str) -> str:
    """The address of one of a workshop's exports (a path on this server)."""
    if name not in EXPORTS:
        raise KeyError(f"no export called {name!r}")
    return f"/exports/workshop/{workshop_id}/{name}"


def make(user: User | None, workshop_id: int, name: str) -> tuple[str, bytes]:
    """The export's file name and bytes, made now, for a workshop the user runs."""
    export = EXPORTS[name]
    code = facilitation.facilitated(user, workshop_id).code
    return f"workshop-{code}{export.suffix}", export.make(user, workshop_id)
