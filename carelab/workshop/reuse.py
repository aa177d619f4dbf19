"""Reusing workshops: duplicate a past one, keep one as a template, schedule a start.

A duplicate or a workshop started from a template has the same step snapshots and
settings as its source, a fresh join code, and no participants, answers or questions
from the floor. A template belongs to the facilitator who saved it (an admin sees and
uses every template). A scheduled workshop (`scheduled_for`) takes joins at once but no
answers until the facilitator starts it: "Start now", or opening a step, clears the
schedule (carelab.workshop.workshops._act).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from carelab.auth import User
from carelab.errors import NotFound, PermissionDenied
from carelab.store import Connection
from carelab.store import reuse as store
from carelab.workshop import workshops
from carelab.workshop.errors import WorkshopError, WorkshopStateError
from carelab.workshop.settings import SETTINGS, clean_settings
from carelab.workshop.steps import WorkshopStep, clean_text
from carelab.workshop.workshops import MAX_TITLE, Workshop

# What a copy or a template keeps of its source: every on/off setting and anonymity. A
# scheduled start is not kept: a copy is scheduled (or not) when it is made.
KEPT_SETTINGS = tuple(key for key, kind in SETTINGS.items() if kind == "flag")
COPY_SUFFIX = " (copy)"


@dataclass(frozen=True)
class Template:
    """A saved workshop plan: its steps and settings, under a title, owned by a facilitator."""

    id: int
    owner_id: int | None
    title: str
    source_kind: str
    source_id: str
    step_count: int
    settings: dict[str, bool]
    created_at: float


def _template(row: dict[str, Any]) -> Template:
    settings = json.loads(row["settings"])
    return Template(
        row["id"], row["owner_id"], row["title"], row["source_kind"], row["source_id"],
        len(json.loads(row["steps"])), {k: bool(v) for k, v in settings.items()},
        row["created_at"],
    )  # fmt: skip


def _facilitator(user: User | None) -> User:
    if user is None or not user.can("facilitator"):
        raise PermissionDenied("Only a facilitator or an administrator can reuse workshops.")
    return user


def _title(title: str | None, fallback: str) -> str:
    chosen = clean_text(title or "")
    return chosen or fallback


def copy_title(title: str) -> str:
    """A copy's default title: the source's with " (copy)", kept within the title limit."""
    return title[: MAX_TITLE - len(COPY_SUFFIX)].rstrip() + COPY_SUFFIX


def kept_settings(workshop: Workshop) -> dict[str, bool]:
    """The settings a copy or template keeps of a workshop (flags and anonymity)."""
    return {key: bool(getattr(workshop, key)) for key in (*KEPT_SETTINGS, "anonymous")}


def _create(
    db: Connection,
    user: User,
    title: str,
    source: tuple[str, str],
    steps: list[WorkshopStep],
    kept: Mapping[str, bool],
    scheduled_for: float | None,
    copied_from: int | None,
    now: float | None,
) -> Workshop:
    settings: dict[str, Any] = {k: v for k, v in kept.items() if k in KEPT_SETTINGS}
    if scheduled_for is not None:
        settings["scheduled_for"] = scheduled_for
    return workshops.create_workshop(
        db, user, title, source[0], source[1], steps, bool(kept.get("anonymous", True)),
        now=now, settings=settings, copied_from=copied_from,
    )  # fmt: skip


def duplicate_workshop(
    db: Connection,
    user: User | None,
    workshop_id: int,
    title: str | None = None,
    scheduled_for: float | None = None,
    now: float | None = None,
) -> Workshop:
    """A new workshop with a past one's steps and settings, no answers, and a new join code."""
    source = workshops.facilitated_workshop(db, _facilitator(user), workshop_id)
    steps = workshops.workshop_steps_of(db, source.id)
    return _create(
        db, _facilitator(user), _title(title, copy_title(source.title)),
        (source.source_kind, source.source_id), steps, kept_settings(source), scheduled_for,
        source.id, now,
    )  # fmt: skip


def save_template(
    db: Connection,
    user: User | None,
    workshop_id: int,
    title: str | None = None,
    now: float | None = None,
) -> Template:
    """Keep a workshop's steps and settings as a template owned by the user."""
    source = workshops.facilitated_workshop(db, _facilitator(user), workshop_id)
    chosen = _title(title, source.title)
    if len(chosen) > MAX_TITLE:
        raise WorkshopError(f"Give the template a title of 1 to {MAX_TITLE} characters.")
    steps = [json.loads(s.to_json()) for s in workshops.workshop_steps_of(db, source.id)]
    template_id = store.insert_template(
        db,
        {
            "owner_id": _facilitator(user).id,
            "title": chosen,
            "source_kind": source.source_kind,
            "source_id": source.source_id,
            "steps": json.dumps(steps),
            "settings": json.dumps(kept_settings(source), sort_keys=True),
            "created_at": time.time() if now is None else now,
        },
    )
    return get_template(db, user, template_id)


def _owned(db: Connection, user: User | None, template_id: int) -> dict[str, Any]:
    user = _facilitator(user)
    row = store.template(db, template_id) if type(template_id) is int else None
    if row is None:
        raise NotFound(f"There is no template {template_id}.")
    if "admin" not in user.roles and row["owner_id"] != user.id:
        raise PermissionDenied("Only the facilitator who saved this template can use it.")
    return row


def get_template(db: Connection, user: User | None, template_id: int) -> Template:
    """One of the user's templates (an admin: any), or NotFound / PermissionDenied."""
    return _template(_owned(db, user, template_id))


def list_templates(db: Connection, user: User | None) -> list[Template]:
    """The user's templates, newest first (an admin sees every template)."""
    user = _facilitator(user)
    rows = store.templates_of(db, None if "admin" in user.roles else user.id)
    return [_template(row) for row in rows]


def delete_template(db: Connection, user: User | None, template_id: int) -> None:
    """Delete one of the user's templates (an admin: any); workshops made from it stay."""
    _owned(db, user, template_id)
    store.delete_template(db, template_id)


def start_from_template(
    db: Connection,
    user: User | None,
    template_id: int,
    title: str | None = None,
    settings: Mapping[str, Any] | None = None,
    anonymous: bool = False,
    now: float | None = None,
) -> Workshop:
    """A new workshop from a template; a setting (or anonymity) on in either is on."""
    row = _owned(db, user, template_id)
    kept = {k: bool(v) for k, v in json.loads(row["settings"]).items()}
    extra = dict(settings or {})
    scheduled_for = extra.pop("scheduled_for", None)
    clean_settings(extra)  # names the first wrong key or value
    for key, value in extra.items():
        kept[key] = kept.get(key, False) or bool(value)
    kept["anonymous"] = kept.get("anonymous", True) or anonymous
    steps = [WorkshopStep.from_json(json.dumps(step)) for step in json.loads(row["steps"])]
    return _create(
        db, _facilitator(user), _title(title, row["title"]),
        (row["source_kind"], row["source_id"]), steps, kept, scheduled_for, None, now,
    )  # fmt: skip


# --- scheduling ------------------------------------------------------------------------


def upcoming(db: Connection, user: User | None) -> list[Workshop]:
    """The user's workshops waiting for their scheduled start, soonest first (admin: all)."""
    user = _facilitator(user)
    rows = store.upcoming_workshops(db, None if "admin" in user.roles else user.id)
    return [workshops.workshop_from_row(row) for row in rows]


def start_now(db: Connection, user: User | None, workshop_id: int) -> Workshop:
    """Start a scheduled workshop now, early or late: phones stop showing the start time."""

    def decide(row: dict[str, Any]) -> dict[str, Any]:
        if row["scheduled_for"] is None:
            raise WorkshopStateError("This workshop is not waiting for a scheduled start.")
        return {"scheduled_for": None}

    return workshops._act(db, user, workshop_id, decide)


def reschedule(
    db: Connection, user: User | None, workshop_id: int, when: float, now: float | None = None
) -> Workshop:
    """Move the start of a workshop still waiting for it to `when` (UTC seconds, in the future)."""
    now = time.time() if now is None else now
    if type(when) not in (int, float) or when <= now:
        raise WorkshopError("Schedule the start for a time in the future.")

    def decide(row: dict[str, Any]) -> dict[str, Any]:
        if row["scheduled_for"] is None:
            raise WorkshopStateError("This workshop has started; its start cannot move.")
        return {"scheduled_for": float(when)}

    return workshops._act(db, user, workshop_id, decide)
