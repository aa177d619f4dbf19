"""Reuse and self-paced rooms as whole operations for the pages: no connection in, dataclasses out.

Each function opens its own connection and calls carelab.workshop.reuse or self_paced,
which check the user on the server (the workshop's facilitator, a template's owner, or
an admin) and raise a CareLabError with a sentence to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from carelab.auth import User
from carelab.store import db as store_db
from carelab.workshop import reuse, self_paced, workshops
from carelab.workshop.reuse import Template
from carelab.workshop.self_paced import Progress
from carelab.workshop.workshops import Workshop


def duplicate(
    user: User | None, workshop_id: int, title: str = "", scheduled_for: float | None = None
) -> Workshop:
    """A copy of a workshop the user runs: its steps and settings, no answers, a new code."""
    with store_db.session() as db:
        return reuse.duplicate_workshop(db, user, workshop_id, title, scheduled_for)


def save_template(user: User | None, workshop_id: int, title: str = "") -> Template:
    """Keep a workshop's steps and settings as one of the user's templates."""
    with store_db.session() as db:
        return reuse.save_template(db, user, workshop_id, title)


def templates(user: User | None) -> list[Template]:
    """The user's templates, newest first (an admin sees every one)."""
    with store_db.session() as db:
        return reuse.list_templates(db, user)


def delete_template(user: User | None, template_id: int) -> None:
    """Delete one of the user's templates."""
    with store_db.session() as db:
        reuse.delete_template(db, user, template_id)


def start_from_template(
    user: User | None,
    template_id: int,
    title: str = "",
    settings: Mapping[str, Any] | None = None,
    anonymous: bool = False,
) -> Workshop:
    """A new workshop from one of the user's templates, with the create form's choices added."""
    with store_db.session() as db:
        return reuse.start_from_template(db, user, template_id, title, settings, anonymous)


def upcoming(user: User | None) -> list[Workshop]:
    """The user's workshops waiting for their scheduled start, soonest first."""
    with store_db.session() as db:
        return reuse.upcoming(db, user)


def start_now(user: User | None, workshop_id: int) -> Workshop:
    """Start a scheduled workshop now."""
    with store_db.session() as db:
        return reuse.start_now(db, user, workshop_id)


def set_self_paced(user: User | None, workshop_id: int, on: bool) -> Workshop:
    """Switch a room between self-paced and facilitator-paced."""
    with store_db.session() as db:
        return self_paced.set_self_paced(db, user, workshop_id, on)


def progress(user: User | None, workshop_id: int) -> tuple[Workshop, Progress]:
    """A workshop the user runs and its self-paced progress, read together."""
    with store_db.session() as db:
        workshop = workshops.facilitated_workshop(db, user, workshop_id)
        return workshop, self_paced.progress(db, workshop)
