"""Reusing workshops: duplicates, templates and a scheduled start, checked against the user."""

from __future__ import annotations

import json

import pytest

from carelab.errors import NotFound, PermissionDenied
from carelab.store import workshops as store
from carelab.workshop import aggregate, participants, reuse, summary, workshops
from carelab.workshop.errors import AnsweringClosed, WorkshopError, WorkshopStateError
from tests.unit.workshop.conftest import T0, answer_all, content_steps
from tests.unit.workshop.test_summary import pdf_text

SETTINGS = {"floor_questions": True, "scored": True, "speed_bonus": True, "self_paced": False}


@pytest.fixture
def past(db, people):
    """An ended, non-anonymous workshop with settings on, two answers and a hidden one."""
    made = workshops.create_workshop(
        db, people.facilitator, "Sepsis round", "module", "mod",
        content_steps(),
        anonymous=False, now=T0, settings=SETTINGS,
    )  # fmt: skip
    answer_all(db, people, made, 1, [0, 2])
    workshops.end_workshop(db, people.facilitator, made.id, now=T0 + 60)
    return workshops.get_workshop(db, made.id)


def test_a_duplicate_keeps_steps_and_settings_but_no_people_or_answers(db, people, past):
    copy = reuse.duplicate_workshop(db, people.facilitator, past.id, now=T0 + 100)
    assert copy.id != past.id and copy.code != past.code
    assert copy.title == "Sepsis round (copy)" and copy.copied_from == past.id
    assert (copy.source_kind, copy.source_id, copy.step_count) == ("module", "mod", 9)
    assert workshops.workshop_steps_of(db, copy.id) == workshops.workshop_steps_of(db, past.id)
    assert (copy.floor_questions, copy.scored, copy.speed_bonus, copy.self_paced) == (
        True, True, True, False,
    )  # fmt: skip
    assert copy.anonymous is False
    assert not copy.ended and copy.current_step == 0 and not copy.answering_open
    assert store.participant_count(db, copy.id) == 0
    assert aggregate.export_rows(db, copy.id) == []
    assert len(aggregate.export_rows(db, past.id)) == 2  # the original keeps its answers


def test_a_duplicate_takes_a_chosen_title_and_a_schedule(db, people, past):
    copy = reuse.duplicate_workshop(
        db, people.facilitator, past.id, title="  Sepsis, March  ", scheduled_for=T0 + 9000
    )
    assert (copy.title, copy.scheduled_for) == ("Sepsis, March", T0 + 9000)


def test_only_the_facilitator_or_an_admin_may_duplicate(db, people, past):
    with pytest.raises(PermissionDenied):
        reuse.duplicate_workshop(db, people.other, past.id)
    with pytest.raises(PermissionDenied):
        reuse.duplicate_workshop(db, people.learner, past.id)
    copy = reuse.duplicate_workshop(db, people.admin, past.id)
    assert copy.facilitator_id == people.admin.id  # the admin runs the copy
    with pytest.raises(NotFound):
        reuse.duplicate_workshop(db, people.facilitator, 9999)


def test_a_copy_of_a_long_title_stays_within_the_limit(db, people, past):
    long = workshops.create_workshop(
        db, people.facilitator, "x" * 200, "module", "mod",
        workshops.workshop_steps_of(db, past.id),
    )  # fmt: skip
    copy = reuse.duplicate_workshop(db, people.facilitator, long.id)
    assert len(copy.title) == 200 and copy.title.endswith(" (copy)")


def test_a_template_round_trip(db, people, past):
    saved = reuse.save_template(db, people.facilitator, past.id, "Sepsis plan", now=T0 + 5)
    assert (saved.title, saved.source_kind, saved.source_id, saved.step_count) == (
        "Sepsis plan", "module", "mod", 9,
    )  # fmt: skip
    assert saved.settings["scored"] and not saved.settings["anonymous"]
    assert reuse.list_templates(db, people.facilitator) == [saved]
    made = reuse.start_from_template(db, people.facilitator, saved.id, "From the plan")
    assert made.title == "From the plan" and made.copied_from is None
    assert workshops.workshop_steps_of(db, made.id) == workshops.workshop_steps_of(db, past.id)
    assert (made.scored, made.floor_questions, made.anonymous) == (True, True, False)
    assert store.participant_count(db, made.id) == 0
    # The form's choices add to the template's: on in either is on, anonymity too.
    more = reuse.start_from_template(
        db, people.facilitator, saved.id, settings={"self_paced": True, "scored": False},
        anonymous=True,
    )  # fmt: skip
    assert (more.title, more.self_paced, more.scored, more.anonymous) == (
        "Sepsis plan", True, True, True,
    )  # fmt: skip
    with pytest.raises(WorkshopError, match="not a workshop setting"):
        reuse.start_from_template(db, people.facilitator, saved.id, settings={"x": True})


def test_templates_belong_to_their_owner_and_admins_see_all(db, people, past):
    saved = reuse.save_template(db, people.facilitator, past.id)
    assert saved.title == "Sepsis round"
    assert reuse.list_templates(db, people.other) == []
    assert [t.id for t in reuse.list_templates(db, people.admin)] == [saved.id]
    with pytest.raises(PermissionDenied):
        reuse.save_template(db, people.other, past.id)
    for action in (reuse.start_from_template, reuse.delete_template, reuse.get_template):
        with pytest.raises(PermissionDenied):
            action(db, people.other, saved.id)
    with pytest.raises(PermissionDenied):
        reuse.list_templates(db, people.learner)
    reuse.delete_template(db, people.facilitator, saved.id)
    assert reuse.list_templates(db, people.facilitator) == []
    with pytest.raises(NotFound):
        reuse.delete_template(db, people.admin, saved.id)


def test_a_template_snapshot_is_independent_of_its_source(db, people, past):
    saved = reuse.save_template(db, people.facilitator, past.id)
    row = db.execute("SELECT steps FROM workshop_templates WHERE id = ?", [saved.id]).fetchone()
    assert [step["id"] for step in json.loads(row[0])][:2] == ["welcome", "one"]


# --- scheduling ------------------------------------------------------------------------


@pytest.fixture
def scheduled(db, people):
    return workshops.create_workshop(
        db, people.facilitator, "Later", "module", "mod",
        content_steps(),
        settings={"scheduled_for": T0 + 3600},
    )  # fmt: skip


def test_phones_join_a_scheduled_workshop_early_and_see_its_start(db, people, scheduled):
    person = participants.join(db, scheduled.code, "Early", "ip")
    state = participants.state_for_participant(db, scheduled.code, person.token, now=T0)
    assert state["starts_at"] == T0 + 3600 and not state["answering_open"]
    assert [w.id for w in reuse.upcoming(db, people.facilitator)] == [scheduled.id]
    assert reuse.upcoming(db, people.other) == []


def test_no_answers_before_the_facilitator_opens_a_step(db, people, scheduled):
    person = participants.join(db, scheduled.code, "", "ip")
    with pytest.raises(AnsweringClosed):
        participants.answer(db, scheduled.code, person.token, 0, 0)
    # Opening a step is the start: the schedule clears and the answer counts.
    workshops.go_to_step(db, people.facilitator, scheduled.id, 1, open_answering=True)
    assert workshops.get_workshop(db, scheduled.id).scheduled_for is None
    participants.answer(db, scheduled.code, person.token, 1, 2)
    assert reuse.upcoming(db, people.facilitator) == []


def test_start_now_and_reschedule(db, people, scheduled):
    with pytest.raises(PermissionDenied):
        reuse.start_now(db, people.other, scheduled.id)
    moved = reuse.reschedule(db, people.facilitator, scheduled.id, T0 + 7200, now=T0)
    assert moved.scheduled_for == T0 + 7200
    with pytest.raises(WorkshopError, match="future"):
        reuse.reschedule(db, people.facilitator, scheduled.id, T0 - 1, now=T0)
    started = reuse.start_now(db, people.facilitator, scheduled.id)
    assert started.scheduled_for is None and started.version > scheduled.version
    with pytest.raises(WorkshopStateError):
        reuse.start_now(db, people.facilitator, scheduled.id)
    with pytest.raises(WorkshopStateError, match="has started"):
        reuse.reschedule(db, people.facilitator, scheduled.id, T0 + 9000, now=T0)


def test_exports_say_what_a_copy_was_copied_from(db, people, past):
    copy = reuse.duplicate_workshop(db, people.facilitator, past.id)
    text = summary.summary_markdown(db, copy.id)
    assert f"Copied from: Sepsis round ({past.code}" in text
    assert "Copied from" not in summary.summary_markdown(db, past.id)
    assert f"Copied from: Sepsis round ({past.code}" in pdf_text(summary.summary_pdf(db, copy.id))
