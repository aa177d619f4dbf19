"""A workshop's settings: chosen at creation, changed while it runs, refused when unknown."""

from __future__ import annotations

import pytest

from carelab.errors import PermissionDenied
from carelab.workshop import workshops
from carelab.workshop.errors import WorkshopError, WorkshopStateError
from tests.unit.workshop.conftest import T0, content_steps


def test_everything_is_off_unless_the_facilitator_chooses_it(db, people, room):
    assert not (room.floor_questions or room.scored or room.self_paced or room.speed_bonus)
    assert room.scheduled_for is None and room.copied_from is None


def test_settings_chosen_at_creation_are_kept(db, people):
    made = workshops.create_workshop(
        db,
        people.facilitator,
        "Quiz night",
        "module",
        "mod",
        content_steps(),
        now=T0,
        settings={"floor_questions": True, "scored": True, "scheduled_for": T0 + 86_400},
    )
    again = workshops.get_workshop(db, made.id)
    assert again.floor_questions and again.scored and not again.speed_bonus
    assert again.scheduled_for == T0 + 86_400


def test_a_running_workshop_changes_its_settings_and_phones_hear_of_it(db, people, room):
    changed = workshops.change_settings(db, people.facilitator, room.id, scored=True)
    assert changed.scored and changed.version == room.version + 1
    off = workshops.change_settings(db, people.facilitator, room.id, scored=False)
    assert not off.scored


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"colour": True}, "'colour' is not a workshop setting."),
        ({"scored": 1}, "Turn quiz scoring on or off (true or false)."),
        ({"scheduled_for": "tomorrow"}, "Give the scheduled start as a date and time."),
        ({"scheduled_for": float("nan")}, "Give the scheduled start as a date and time."),
    ],
)
def test_a_wrong_setting_is_named(db, people, room, settings, message):
    with pytest.raises(WorkshopError) as caught:
        workshops.change_settings(db, people.facilitator, room.id, **settings)
    assert str(caught.value) == message


def test_only_the_facilitator_changes_settings_and_not_after_the_end(db, people, room):
    with pytest.raises(PermissionDenied):
        workshops.change_settings(db, people.other, room.id, scored=True)
    workshops.end_workshop(db, people.facilitator, room.id)
    with pytest.raises(WorkshopStateError):
        workshops.change_settings(db, people.facilitator, room.id, scored=True)
