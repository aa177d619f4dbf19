"""Questions from the floor on the Facilitate page: the create-form options and the panel.

The panel re-reads the questions every 3 seconds, most votes first; each action is checked
again on the server (carelab.workshop.floor). Question text is shown with st.text, so a
participant's Markdown or HTML is never rendered.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

import streamlit as st

from carelab.auth import User
from carelab.ui.components import live_actions
from carelab.ui.components.download_links import download_links
from carelab.ui.errors import shown_as_message
from carelab.workshop import exports, floor_service
from carelab.workshop.floor import FloorQuestion
from carelab.workshop.workshops import Workshop

QUESTIONS = "Let participants send questions"
MODERATED = "Approve questions before others see them"


def create_options() -> dict[str, Any]:
    """The create form's two checkboxes, as settings for the new workshop."""
    return {
        "floor_questions": st.checkbox(
            QUESTIONS,
            help="Phones get a Questions section: participants ask (anonymously) and upvote "
            "each other's questions. You can turn it on or off during the session.",
        ),
        "floor_moderated": st.checkbox(
            MODERATED,
            help="Each question waits for you to approve it before the room sees it.",
        ),
    }


def _settings(user: User, workshop: Workshop) -> None:
    left, right = st.columns(2)
    live_actions.setting_toggle(
        QUESTIONS, f"floor.on.{workshop.id}", workshop.floor_questions,
        lambda on: floor_service.change_settings(user, workshop.id, questions=on),
        where=left, disabled=workshop.ended,
    )  # fmt: skip
    live_actions.setting_toggle(
        MODERATED, f"floor.moderated.{workshop.id}", workshop.floor_moderated,
        lambda on: floor_service.change_settings(user, workshop.id, moderated=on),
        where=right, disabled=workshop.ended,
    )  # fmt: skip


def _act(user: User, workshop_id: int, question: FloorQuestion, action: str) -> None:
    if action == "spotlight":
        floor_service.spotlight(user, workshop_id, question.id)
    elif action == "off":
        floor_service.spotlight(user, workshop_id, None)
    else:
        floor_service.set_status(user, workshop_id, question.id, action)


def _buttons(question: FloorQuestion) -> list[tuple[str, str]]:
    found = {
        "pending": [("Approve", "open")],
        "open": [("Mark answered", "answered")],
        "answered": [("Reopen", "open")],
        "hidden": [("Show again", "open")],
    }[question.status]
    if question.status != "hidden":
        found.append(("Take off the screen", "off") if question.spotlight
                     else ("Put on the screen", "spotlight"))  # fmt: skip
        found.append(("Hide", "hidden"))
    return found


def _question(user: User, workshop_id: int, question: FloorQuestion) -> None:
    with st.container(border=True, key=f"floor-q-{question.id}"):
        st.text(question.text)
        votes = f"{question.votes} vote" + ("" if question.votes == 1 else "s")
        asked = datetime.fromtimestamp(question.asked_at, UTC).strftime("%H:%M UTC")
        screen = " · **On the screen**" if question.spotlight else ""
        st.caption(f"{votes} · {question.status_label} · {question.who} · asked {asked}{screen}")
        columns = st.columns(3)
        # Keyed by place (status, screen, hide), never by action: see live_actions.
        places = zip(columns, ("status", "screen", "hide"), _buttons(question), strict=False)
        for column, place, (label, action) in places:
            act = partial(_act, user, workshop_id, question, action)
            live_actions.action_button(label, f"floor.{place}.{question.id}", act, where=column)


@st.fragment(run_every="3s")
def _live(user: User, workshop_id: int) -> None:
    found: list[FloorQuestion] | None = None
    with shown_as_message():
        found = floor_service.questions(user, workshop_id)
    if found is None:
        return
    shown = [q for q in found if q.status != "hidden"]
    hidden = [q for q in found if q.status == "hidden"]
    waiting = sum(q.status == "pending" for q in found)
    st.markdown(
        f"{len(shown)} question{'s' * (len(shown) != 1)}, most votes first"
        + (f" · **{waiting} waiting for your approval**" if waiting else "")
    )
    if not found:
        st.caption("No questions yet. Phones show a Questions section while this is on.")
    for question in shown:
        _question(user, workshop_id, question)
    if hidden:
        with st.expander(f"Hidden ({len(hidden)}): the room does not see these"):
            for question in hidden:
                _question(user, workshop_id, question)


def panel(user: User, workshop: Workshop) -> None:
    """The moderation panel: settings, the live list with its actions, the CSV export."""
    st.header("Questions from the floor", anchor=False)
    _settings(user, workshop)
    if not workshop.floor_questions and not floor_service.questions(user, workshop.id):
        return
    _live(user, workshop.id)
    csv = exports.EXPORTS["questions.csv"]
    download_links([(csv.label, exports.export_url(workshop.id, "questions.csv"))],
                   "Export the questions")  # fmt: skip
