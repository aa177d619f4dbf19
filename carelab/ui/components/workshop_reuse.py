"""Facilitate: start from a case, a module or a template; schedule; duplicate; save as template."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from carelab.auth import User
from carelab.content.catalog import Catalog
from carelab.ui.components import workshop_views as views
from carelab.ui.errors import shown_as_message
from carelab.workshop import facilitation, reuse_services
from carelab.workshop.errors import WorkshopError
from carelab.workshop.reuse import copy_title
from carelab.workshop.workshops import Workshop

START_FROM = {"case": "A case", "module": "A module", "template": "My templates"}


def zone() -> ZoneInfo:
    """The facilitator's time zone, as their browser reports it (UTC if it does not)."""
    try:
        return ZoneInfo(st.context.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(timestamp: float) -> str:
    """A UTC timestamp as the facilitator's local date and time, with the zone's name."""
    when = datetime.fromtimestamp(timestamp, UTC).astimezone(zone())
    return when.strftime("%A %d %B %Y, %H:%M %Z")


def start_from() -> str:
    """Where a new workshop's steps come from: a case, a module or one of my templates."""
    chosen = st.radio(
        "Start from", list(START_FROM), format_func=START_FROM.get, horizontal=True,
        key="facilitate.start_from",
    )  # fmt: skip
    return chosen or "case"


def sources(user: User, catalog: Catalog, kind: str) -> dict[str, str]:
    """The choices for "Run the plan of", keyed "case:<id>", "module:<id>" or "template:<id>"."""
    if kind == "case":
        return {
            f"case:{c.id}": f"Case: {c.title}" for c in catalog.cases.values() if c.workshop_plan
        }
    if kind == "module":
        return {f"module:{m.id}": f"Module: {m.title}" for m in catalog.modules.values()}
    found: dict[str, str] = {}
    with shown_as_message():
        for t in reuse_services.templates(user):
            day = datetime.fromtimestamp(t.created_at, UTC).strftime("%d %b %Y")
            found[f"template:{t.id}"] = f"Template: {t.title} · {t.step_count} steps · {day}"
    if not found:
        st.caption("No templates yet: open a workshop and use Save as template under Reuse.")
    return found


LATER = "facilitate.create.later"


def create_options() -> dict[str, Any]:
    """The form's self-paced and scheduling choices, as create settings (in a form)."""
    settings: dict[str, Any] = {
        "self_paced": st.checkbox(
            "Self-paced: each participant moves through the steps on their own",
            help="For a case's quiz done before a session: participants see the right answer "
            "and explanation once they have answered. You see their progress.",
            key="facilitate.create.self_paced",
        )
    }
    later = st.checkbox("Schedule for a later start", key=LATER)
    left, right = st.columns(2)
    tomorrow = datetime.now(zone()).date() + timedelta(days=1)
    day = left.date_input("Schedule for (date)", value=tomorrow, key="facilitate.create.day")
    at = right.time_input(
        f"Time ({zone().key})", value=clock(9, 0), step=300, key="facilitate.create.time"
    )
    if later and isinstance(day, date) and isinstance(at, clock):
        settings["scheduled_for"] = datetime.combine(day, at, zone()).timestamp()
    return settings


def create(
    user: User,
    catalog: Catalog,
    chosen: str,
    title: str,
    anonymous: bool,
    with_quiz: bool,
    settings: dict[str, Any],
) -> Workshop:
    """Create the workshop the form describes (from a case, a module or a template)."""
    when = settings.get("scheduled_for")
    if when is not None and when <= time.time():
        raise WorkshopError(f"Schedule the start in the future: {local_time(when)} has passed.")
    kind, item_id = chosen.split(":", 1)
    if kind == "template":
        return reuse_services.start_from_template(user, int(item_id), title, settings, anonymous)
    item = catalog.case(item_id) if kind == "case" else catalog.module(item_id)
    return facilitation.create(user, item, title, anonymous, with_quiz, settings)


OPENING = "facilitate.opening"


def open_workshop(workshop: Workshop) -> None:
    """Show `workshop` on the Facilitate page (just made, or picked from the upcoming list)."""
    st.query_params["w"] = str(workshop.id)
    # The chooser already ran in this run: it takes the new choice at the top of the next.
    st.session_state[OPENING] = workshop.id
    st.rerun()


def follow_opened() -> None:
    """Before the workshop chooser: select the workshop open_workshop asked for, if any."""
    if OPENING in st.session_state:
        st.session_state["facilitate.w"] = st.session_state.pop(OPENING)


def upcoming_list(user: User) -> None:
    """Workshops waiting for their scheduled start, with the link and QR code to share ahead."""
    found: list[Workshop] = []
    with shown_as_message():
        found = reuse_services.upcoming(user)
    if not found:
        return
    st.subheader("Upcoming workshops", anchor=False)
    for workshop in found:
        with st.expander(f"{workshop.title} · starts {local_time(workshop.scheduled_for or 0)}"):
            url = views.join_url(workshop.code)
            left, right = st.columns([1, 3])
            alt = f"QR code: scan it to open {url} and join workshop {workshop.code}"
            left.image(views.qr_png(url, 4), caption="Scan to join", alt=alt)
            right.markdown(f"Code **{workshop.code}**. Share this link ahead:")
            right.code(url, language=None)
            if right.button("Run this workshop", key=f"facilitate.upcoming.{workshop.id}"):
                open_workshop(workshop)


def schedule_banner(user: User, workshop: Workshop) -> None:
    """For a scheduled workshop: when it starts, what phones see meanwhile, and Start now."""
    if workshop.scheduled_for is None or workshop.ended:
        return
    st.info(
        f"Scheduled for {local_time(workshop.scheduled_for)}. Share the link now: phones can "
        "join and wait, and see the start time in their own time zone. No one can answer "
        "until you start (Start now, or open answering on a step)."
    )
    if st.button("Start now", key="facilitate.start_now", type="primary"):
        with shown_as_message():
            reuse_services.start_now(user, workshop.id)
            st.rerun()


def reuse_actions(user: User, workshop: Workshop) -> None:
    """Duplicate this workshop, or save it as a template; and the user's templates."""
    st.header("Reuse", anchor=False)
    left, right = st.columns(2)
    with left.popover("Duplicate", icon=":material/content_copy:"):
        st.write("A new workshop with these steps and settings, a new code and no answers.")
        title = st.text_input("Title of the copy", copy_title(workshop.title), max_chars=200,
                              key=f"facilitate.copy_title.{workshop.id}")  # fmt: skip
        if st.button("Make the copy", type="primary", key="facilitate.duplicate"):
            with shown_as_message():
                open_workshop(reuse_services.duplicate(user, workshop.id, title))
    with right.popover("Save as template", icon=":material/bookmark_add:"):
        st.write("Keep these steps and settings to start new workshops from later.")
        name = st.text_input("Template name", workshop.title, max_chars=200,
                             key=f"facilitate.template_title.{workshop.id}")  # fmt: skip
        if st.button("Save template", type="primary", key="facilitate.save_template"):
            with shown_as_message():
                saved = reuse_services.save_template(user, workshop.id, name)
                st.success(f"Saved the template “{saved.title}”. Start from it under New workshop.")
    templates_list(user)


def templates_list(user: User) -> None:
    """The user's templates, each with a Delete button."""
    found = []
    with shown_as_message():
        found = reuse_services.templates(user)
    if not found:
        return
    with st.expander(f"My templates ({len(found)})"):
        for template in found:
            left, right = st.columns([4, 1])
            left.markdown(f"**{template.title}** · {template.step_count} steps")
            if right.button("Delete", key=f"facilitate.template.delete.{template.id}"):
                with shown_as_message():
                    reuse_services.delete_template(user, template.id)
                    st.rerun()
