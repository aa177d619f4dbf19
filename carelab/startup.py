"""What a CareLab process does before it serves anyone: bring the database up to date."""

from __future__ import annotations

from pathlib import Path

from carelab.store import db as store_db


def prepare_database(path: Path | str | None = None) -> list[str]:
    """Create the database if it is missing and apply pending migrations; return their names."""
    return store_db.prepare(path)
