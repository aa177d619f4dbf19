"""The room endpoint for self-paced and scheduled rooms: a phone's own moves over HTTP."""

from __future__ import annotations

from carelab.workshop import reuse, workshops
from tests.unit.web.test_room import answer, client, facilitator, hub, joined, state  # noqa: F401
from tests.unit.workshop.conftest import content_steps

QUIZ = 6


def make(db, facilitator, **settings):  # noqa: F811
    return workshops.create_workshop(
        db, facilitator, "Pre-session quiz", "module", "m", content_steps(), settings=settings
    )


def move(client, workshop, token, step_index):  # noqa: F811
    body = {"code": workshop.code, "p": token, "step_index": step_index}
    return client.post("/room/api/move", json=body)


def test_a_phone_moves_and_answers_its_own_step(client, db, facilitator):  # noqa: F811
    room = make(db, facilitator, self_paced=True)
    token = joined(client, room)
    moved = move(client, room, token, QUIZ)
    assert moved.status_code == 200 and moved.json()["step_index"] == QUIZ
    assert moved.headers["cache-control"] == "no-store"
    assert answer(client, room, token, QUIZ, 1).status_code == 200
    shown = state(client, room, token).json()
    assert shown["step_index"] == QUIZ and shown["my_answer_correct"] is True
    assert shown["step"]["explanation"] == "B is best."
    refused = answer(client, room, token, 1, 0)  # not the step this phone is on
    assert refused.status_code == 409 and refused.json()["current_step"] == QUIZ
    assert move(client, room, token, 99).status_code == 400
    assert move(client, room, "forged", 1).status_code == 404


def test_moves_are_refused_in_a_facilitator_paced_or_waiting_room(client, db, facilitator):  # noqa: F811
    paced = make(db, facilitator)
    token = joined(client, paced)
    assert move(client, paced, token, QUIZ).status_code == 409
    later = make(db, facilitator, self_paced=True, scheduled_for=4e9)
    early = joined(client, later)
    assert state(client, later, early).json()["starts_at"] == 4e9
    waiting = move(client, later, early, 1)
    assert waiting.status_code == 423 and "not started" in waiting.json()["error"]
    reuse.start_now(db, facilitator, later.id)
    assert move(client, later, early, 1).status_code == 200
