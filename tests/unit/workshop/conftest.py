"""Fixtures for workshop tests: people with roles and a room with one step of every kind."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from carelab.auth import User
from carelab.content import schema
from carelab.store import accounts
from carelab.workshop import participants, workshops

T0 = 1_000_000.0


def make_user(db, email: str, *roles: str) -> User:
    """A stored account (without the cost of scrypt) and its User value."""
    user_id = accounts.insert_user(db, email, email.split("@")[0], "x", T0)
    for role in roles:
        accounts.grant_role(db, user_id, role, None, T0)
    return User(user_id, email, email.split("@")[0], frozenset({"learner", *roles}))


def poll(step_id: str, mode: str, **fields) -> schema.PollStep:
    return schema.PollStep(
        id=step_id,
        kind="poll",
        title=f"Poll {step_id}",
        prompt=f"Prompt {step_id}?",
        mode=mode,
        **fields,
    )


def content_steps() -> list:
    """0 text, 1 single, 2 multiple, 3 scale, 4 numeric, 5 open, 6-7 quiz, 8 discussion."""
    quiz = schema.QuizStep(
        id="check",
        kind="quiz",
        title="Check",
        questions=[
            schema.SingleChoice(
                id="best",
                kind="single_choice",
                prompt="Which is best?",
                explanation="B is best.",
                options=[schema.Option(text="A"), schema.Option(text="B", correct=True)],
            ),
            schema.Numeric(
                id="rate",
                kind="numeric",
                prompt="What rate?",
                explanation="It is 12.",
                answer=12,
                tolerance=0.5,
                unit="%",
            ),
        ],
    )
    return [
        schema.TextStep(id="welcome", kind="text", title="Welcome", body="Notes for you."),
        poll("one", "single", options=["Red", "Green", "Blue"]),
        poll("many", "multiple", options=["Red", "Green", "Blue"]),
        poll("scale", "scale", scale_low="Low", scale_high="High"),
        poll("number", "numeric", unit="%"),
        poll("words", "open"),
        quiz,
        schema.DiscussionStep(
            id="talk", kind="discussion", title="Talk", prompt="Discuss.", minutes=5
        ),
    ]


@pytest.fixture
def people(db):
    """An admin (the first account), two facilitators and a learner."""
    return SimpleNamespace(
        admin=make_user(db, "admin@example.org", "admin"),
        facilitator=make_user(db, "fac@example.org", "facilitator"),
        other=make_user(db, "other@example.org", "facilitator"),
        learner=make_user(db, "learner@example.org"),
    )


@pytest.fixture
def room(db, people):
    """A fresh anonymous workshop run by `people.facilitator`."""
    return workshops.create_workshop(
        db, people.facilitator, "Room", "module", "mod", content_steps(), now=T0
    )


def open_step(db, people, room, index: int) -> workshops.Workshop:
    """Go to a step and open answering, as the facilitator."""
    return workshops.go_to_step(db, people.facilitator, room.id, index, open_answering=True)


def answer_all(db, people, room, step: int, values: list) -> list[participants.Participant]:
    """One new participant per value, each answering `step`."""
    open_step(db, people, room, step)
    joined = []
    for i, value in enumerate(values):
        person = participants.join(db, room.code, f"Nick{i}", "ip")
        participants.answer(db, room.code, person.token, step, value)
        joined.append(person)
    return joined
