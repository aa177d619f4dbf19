"""The facilitator's services: no connection in, the workshop's dataclasses (or bytes) out,
and every one checked against the user on the server."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from carelab.content import schema
from carelab.errors import PermissionDenied
from carelab.workshop import facilitation, participants
from carelab.workshop.aggregate import StepResults
from carelab.workshop.errors import WorkshopError, WorkshopStateError
from carelab.workshop.facilitation import LiveRoom
from carelab.workshop.steps import WorkshopStep
from carelab.workshop.workshops import Workshop
from tests.conftest import VALID_MODULE


def test_create_from_a_module_and_list_it(db, people):
    module = schema.Module.model_validate(yaml.safe_load(VALID_MODULE.format(id="m", case="c")))
    made = facilitation.create(people.facilitator, module, "  ", anonymous=False)
    assert isinstance(made, Workshop)
    assert (made.title, made.source_kind, made.source_id, made.step_count) == (
        module.title,
        "module",
        "m",
        2,
    )
    assert not made.anonymous
    assert facilitation.mine(people.facilitator) == [made]
    assert facilitation.mine(people.other) == []
    assert facilitation.mine(people.admin) == [made]
    with pytest.raises(PermissionDenied):
        facilitation.create(people.learner, module, "Mine now")


def test_create_passes_the_forms_settings_on(db, people):
    module = schema.Module.model_validate(yaml.safe_load(VALID_MODULE.format(id="m", case="c")))
    made = facilitation.create(
        people.facilitator, module, "Set", settings={"self_paced": True, "scheduled_for": 5e9}
    )
    assert (made.self_paced, made.scheduled_for, made.scored) == (True, 5e9, False)
    with pytest.raises(WorkshopError, match="not a workshop setting"):
        facilitation.create(people.facilitator, module, "Bad", settings={"colour": True})


def test_actions_return_the_room_as_it_is_now(db, people, room):
    moved = facilitation.next_step(people.facilitator, room.id)
    assert isinstance(moved, Workshop) and moved.current_step == 1
    assert facilitation.open_answering(people.facilitator, room.id).answering_open
    assert facilitation.start_timer(people.facilitator, room.id, 30).timer_ends_at is not None
    assert facilitation.reveal_results(people.facilitator, room.id).results_revealed
    assert not facilitation.hide_results(people.facilitator, room.id).results_revealed
    assert not facilitation.lock_answering(people.facilitator, room.id).answering_open
    with pytest.raises(WorkshopStateError, match="no right answer"):
        facilitation.reveal_answer(people.facilitator, room.id)  # a poll has none
    assert facilitation.previous_step(people.facilitator, room.id).current_step == 0
    assert facilitation.end_workshop(people.facilitator, room.id).ended
    with pytest.raises(PermissionDenied):
        facilitation.next_step(people.other, room.id)


def test_live_results_and_moderation(db, people, room):
    facilitation.next_step(people.facilitator, room.id)
    facilitation.open_answering(people.facilitator, room.id)
    person = participants.join(db, room.code, "Nick", "ip")
    participants.answer(db, room.code, person.token, 1, 0)
    live = facilitation.live(people.facilitator, room.id)
    assert isinstance(live, LiveRoom) and isinstance(live.step, WorkshopStep)
    assert isinstance(live.results, StepResults)
    assert (live.workshop.current_step, live.step.title, live.results.answered) == (
        1,
        "Poll one",
        1,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        live.step = None  # type: ignore[misc]
    facilitation.hide_response(people.facilitator, room.id, 1, person.number)
    assert facilitation.results(people.facilitator, room.id, 1).hidden == 1
    steps = facilitation.steps_of(people.facilitator, room.id)
    assert [s.title for s in steps][:2] == ["Welcome", "Poll one"]


@pytest.mark.parametrize(
    "service",
    [
        facilitation.live,
        facilitation.steps_of,
        facilitation.export_csv,
        facilitation.summary_markdown,
        facilitation.summary_pdf,
        lambda user, wid: facilitation.results(user, wid, 1),
        lambda user, wid: facilitation.hide_response(user, wid, 1, 1),
    ],
)
def test_only_the_workshops_facilitator_or_an_admin_reads_it(db, people, room, service):
    for stranger in (people.other, people.learner, None):
        with pytest.raises(PermissionDenied):
            service(stranger, room.id)


def test_exports_are_bytes(db, people, room):
    csv = facilitation.export_csv(people.admin, room.id)
    assert csv.startswith("\ufeff".encode()) and b"step" in csv
    assert facilitation.summary_markdown(people.facilitator, room.id).startswith(b"# ")
    assert facilitation.summary_pdf(people.facilitator, room.id).startswith(b"%PDF")
