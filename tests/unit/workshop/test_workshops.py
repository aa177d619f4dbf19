"""The facilitator's side: join codes, creating a workshop, pacing, reveals and permissions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carelab.content import schema
from carelab.content.catalog import load_catalog
from carelab.errors import NotFound, PermissionDenied
from carelab.workshop import participants, workshops
from carelab.workshop.errors import InvalidCode, WorkshopError, WorkshopStateError
from carelab.workshop.steps import steps_from_case, steps_from_module, workshop_steps
from tests.conftest import VALID_CASE
from tests.unit.workshop.conftest import T0, content_steps, open_step

# --- codes -----------------------------------------------------------------------------


def test_join_codes_use_only_unambiguous_characters():
    codes = {workshops.new_join_code() for _ in range(2000)}
    assert len(codes) > 1990
    assert all(len(code) == 6 and set(code) <= set(workshops.CODE_ALPHABET) for code in codes)
    assert not set("01OIL") & set("".join(codes))


@pytest.mark.parametrize(
    "typed", ["K7M3QX", "k7m3qx", " k7m 3qx ", "K7M-3QX", "k7m_3qx", "Ｋ７Ｍ３ＱＸ"]
)
def test_normalise_code_accepts_what_people_type(typed):
    assert workshops.normalise_join_code(typed) == "K7M3QX"


@pytest.mark.parametrize("typed", ["", "K7M3Q", "K7M3QXA", "K7M3Q0", "K7M3QI", "K7M3QL", "K7M3Q!"])
def test_normalise_code_refuses_what_cannot_be_a_code(typed):
    with pytest.raises(InvalidCode) as caught:
        workshops.normalise_join_code(typed)
    assert str(caught.value) == (
        "That is not a workshop code: codes have 6 letters and digits, like K7M3QX."
    )


def test_a_taken_code_is_retried(db, people, room, monkeypatch):
    fresh = iter([room.code, room.code, "ZZZ222"])
    monkeypatch.setattr(workshops, "new_join_code", lambda: next(fresh))
    second = workshops.create_workshop(db, people.facilitator, "Two", "case", "c", content_steps())
    assert second.code == "ZZZ222"


def test_running_out_of_codes_is_a_clear_error(db, people, room, monkeypatch):
    monkeypatch.setattr(workshops, "new_join_code", lambda: room.code)
    with pytest.raises(WorkshopError, match="No free join code was found"):
        workshops.create_workshop(db, people.facilitator, "Two", "case", "c", content_steps())


# --- creating --------------------------------------------------------------------------


def test_a_new_workshop_starts_on_its_first_step_with_everything_closed(room, people):
    assert (room.current_step, room.step_count, room.version) == (0, 9, 1)
    assert room.anonymous and not room.ended
    assert not (room.answering_open or room.results_revealed or room.answer_revealed)
    assert room.timer_ends_at is None and room.facilitator_id == people.facilitator.id


@pytest.mark.parametrize("who", ["learner", None])
def test_only_facilitators_and_admins_create_workshops(db, people, who):
    user = getattr(people, who) if who else None
    with pytest.raises(PermissionDenied):
        workshops.create_workshop(db, user, "T", "case", "c", content_steps())
    assert workshops.create_workshop(db, people.admin, "T", "case", "c", content_steps())


@pytest.mark.parametrize(
    ("title", "kind", "steps", "message"),
    [
        ("  ", "case", None, "Give the workshop a title of 1 to 200 characters."),
        ("x" * 201, "case", None, "Give the workshop a title of 1 to 200 characters."),
        ("T", "lab", None, "A workshop comes from a case or a module, not 'lab'."),
        ("T", "case", [], "A workshop needs 1 to 500 steps; this one has 0."),
    ],
)
def test_create_refuses_bad_input(db, people, title, kind, steps, message):
    steps = content_steps() if steps is None else steps
    with pytest.raises(WorkshopError) as caught:
        workshops.create_workshop(db, people.facilitator, title, kind, "c", steps)
    assert str(caught.value) == message


def test_quiz_questions_become_one_step_each_with_their_right_answers():
    steps = workshop_steps(content_steps())
    best, rate = steps[6], steps[7]
    assert (best.id, best.kind, best.mode, best.options) == (
        "check.best",
        "question",
        "single",
        ("A", "B"),
    )
    assert best.answer == {"options": [1]} and best.explanation == "B is best."
    assert best.title == "Check: question 1 of 2"
    assert (rate.mode, rate.unit, rate.answer) == (
        "numeric",
        "%",
        {"value": 12.0, "tolerance": 0.5},
    )
    assert [s.has_answer for s in steps] == [False] * 6 + [True, True, False]


def test_true_false_and_short_answer_questions_and_a_quiz_intro():
    quiz = schema.QuizStep(
        id="q",
        kind="quiz",
        title="Q",
        intro="Read this first.",
        questions=[
            schema.TrueFalse(
                id="tf", kind="true_false", prompt="Sky blue?", explanation="Yes.", answer=False
            ),
            schema.ShortAnswer(
                id="sa", kind="short_text", prompt="Name?", explanation=".", accepted=["sbar*"]
            ),
        ],
    )
    intro, tf, sa = workshop_steps([quiz])
    assert (intro.kind, intro.prompt, intro.mode) == ("text", "Read this first.", None)
    assert (tf.options, tf.answer) == (("True", "False"), {"options": [1]})
    assert (sa.mode, sa.answer) == ("open", {"accepted": ["sbar*"], "case_sensitive": False})


def test_module_steps_turn_labs_into_votes_and_keep_cases_to_show(shipped_content):
    catalog = load_catalog(shipped_content)
    steps = steps_from_module(catalog.module("indicators"))
    labs = [s for s in steps if s.kind == "lab"]
    assert len(labs) == 7 and all(s.extra["scenario"] and s.mode == "single" for s in labs)
    assert sum(s.kind == "question" for s in steps) >= 5
    assert all(s.answerable == (s.kind in {"poll", "question", "lab"}) for s in steps)


def test_a_case_without_a_workshop_plan_is_a_clear_error(shipped_content):
    case = load_catalog(shipped_content).cases["kaiser-permanente"]
    assert steps_from_case(case)
    with pytest.raises(WorkshopError, match="has no workshop plan"):
        steps_from_case(case.model_copy(update={"workshop_plan": None}))


PLAN = """\
workshop_plan:
  - id: vote
    kind: poll
    title: Vote
    prompt: {prompt}
    mode: single
    options: [Agree, Disagree]
"""


def test_editing_the_source_later_does_not_change_the_workshop(db, people, content_root: Path):
    path = content_root / "cases" / "c.yaml"
    path.write_text(VALID_CASE.format(id="c") + PLAN.format(prompt="Old question?"))
    case = load_catalog(content_root).case("c")
    room = workshops.create_workshop(
        db, people.facilitator, case.title, "case", "c", steps_from_case(case)
    )
    path.write_text(VALID_CASE.format(id="c") + PLAN.format(prompt="New question?"))
    assert load_catalog(content_root).case("c").workshop_plan[0].prompt == "New question?"
    assert workshops.step_at(db, room.id, 0).prompt == "Old question?"
    joined = participants.join(db, room.code, "", "ip")
    state = participants.state_for_participant(db, room.code, joined.token)
    assert state["step"]["prompt"] == "Old question?"


def test_steps_round_trip_through_their_snapshot(db, room):
    assert workshops.workshop_steps_of(db, room.id) == workshop_steps(content_steps())
    json.loads(workshops.workshop_steps_of(db, room.id)[1].to_json())


# --- pacing ----------------------------------------------------------------------------


def test_moving_between_steps_resets_the_step_state(db, people, room):
    f = people.facilitator
    workshops.open_answering(db, f, workshops.next_step(db, f, room.id).id)
    workshops.reveal_results(db, f, room.id)
    workshops.start_timer(db, f, room.id, 60, now=T0)
    moved = workshops.next_step(db, f, room.id)
    assert moved.current_step == 2
    assert not (moved.answering_open or moved.results_revealed or moved.answer_revealed)
    assert moved.timer_ends_at is None
    back = workshops.previous_step(db, f, room.id)
    assert back.current_step == 1 and not back.answering_open
    assert workshops.go_to_step(db, f, room.id, 5).current_step == 5


def test_step_order_rules(db, people, room):
    f = people.facilitator
    with pytest.raises(WorkshopStateError, match="This is the first step"):
        workshops.previous_step(db, f, room.id)
    workshops.go_to_step(db, f, room.id, 8)
    with pytest.raises(WorkshopStateError, match="This is the last step"):
        workshops.next_step(db, f, room.id)
    for bad in (-1, 9, True, "2"):
        with pytest.raises(WorkshopStateError) as caught:
            workshops.go_to_step(db, f, room.id, bad)
        assert str(caught.value) == "There is no such step: this workshop has steps 1 to 9."


def test_every_change_raises_the_version_and_a_no_op_does_not(db, people, room):
    f = people.facilitator
    versions = [room.version]
    for act in (
        lambda: workshops.go_to_step(db, f, room.id, 1),
        lambda: workshops.open_answering(db, f, room.id),
        lambda: workshops.lock_answering(db, f, room.id),
        lambda: workshops.reveal_results(db, f, room.id),
        lambda: workshops.hide_results(db, f, room.id),
        lambda: workshops.start_timer(db, f, room.id, 30),
        lambda: workshops.clear_timer(db, f, room.id),
        lambda: workshops.end_workshop(db, f, room.id),
    ):
        versions.append(act().version)
        assert workshops.state_version(db, room.id) == versions[-1]
    assert versions == sorted(set(versions))
    assert workshops.end_workshop(db, f, room.id).version == versions[-1]


def test_go_to_the_current_step_changes_nothing_unless_asked_to_open(db, people, room):
    at_one = workshops.go_to_step(db, people.facilitator, room.id, 1)
    assert workshops.go_to_step(db, people.facilitator, room.id, 1).version == at_one.version
    opened = workshops.go_to_step(db, people.facilitator, room.id, 1, open_answering=True)
    assert opened.answering_open and opened.version == at_one.version + 1


def test_open_answering_needs_a_step_that_takes_answers(db, people, room):
    with pytest.raises(WorkshopStateError, match="This step takes no answers"):
        workshops.open_answering(db, people.facilitator, room.id)
    assert not workshops.go_to_step(
        db, people.facilitator, room.id, 8, open_answering=True
    ).answering_open
    assert open_step(db, people, room, 1).answering_open
    assert not workshops.lock_answering(db, people.facilitator, room.id).answering_open


def test_reveal_results_needs_answers_and_hide_results_undoes_it(db, people, room):
    with pytest.raises(WorkshopStateError, match="This step has no results to reveal"):
        workshops.reveal_results(db, people.facilitator, room.id)
    workshops.go_to_step(db, people.facilitator, room.id, 5)
    assert workshops.reveal_results(db, people.facilitator, room.id).results_revealed
    assert not workshops.hide_results(db, people.facilitator, room.id).results_revealed


def test_reveal_answer_only_where_there_is_one_and_it_locks_answering(db, people, room):
    open_step(db, people, room, 1)
    with pytest.raises(WorkshopStateError, match="This step has no right answer to reveal"):
        workshops.reveal_answer(db, people.facilitator, room.id)
    open_step(db, people, room, 6)
    revealed = workshops.reveal_answer(db, people.facilitator, room.id)
    assert revealed.answer_revealed and not revealed.answering_open


def test_timer_bounds_and_clearing(db, people, room):
    f = people.facilitator
    assert workshops.start_timer(db, f, room.id, 90, now=T0).timer_ends_at == T0 + 90
    for bad in (4, 3601, "60", None):
        with pytest.raises(WorkshopStateError, match="Choose a timer of 5 seconds to 60 minutes"):
            workshops.start_timer(db, f, room.id, bad)
    assert workshops.clear_timer(db, f, room.id).timer_ends_at is None


def test_seconds_left_counts_down_in_whole_seconds_and_stops_at_zero(db, people, room):
    assert workshops.get_workshop(db, room.id).seconds_left(T0) is None  # no timer
    running = workshops.start_timer(db, people.facilitator, room.id, 90, now=T0)
    assert running.seconds_left(T0) == 90
    assert running.seconds_left(T0 + 0.2) == 90  # 89.8 s is shown as 1:30, not 1:29
    assert running.seconds_left(T0 + 89.5) == 1
    assert running.seconds_left(T0 + 95) == 0
    ended = workshops.end_workshop(db, people.facilitator, room.id, now=T0 + 10)
    assert ended.seconds_left(T0 + 10) is None


def test_opening_again_clears_a_timer_that_ran_out(db, people, room):
    open_step(db, people, room, 1)
    workshops.start_timer(db, people.facilitator, room.id, 10, now=T0)
    reopened = workshops.open_answering(db, people.facilitator, room.id, now=T0 + 11)
    assert reopened.answering_open and reopened.timer_ends_at is None


def test_ending_closes_everything_and_freezes_the_steps(db, people, room):
    f = people.facilitator
    open_step(db, people, room, 1)
    workshops.start_timer(db, f, room.id, 60)
    ended = workshops.end_workshop(db, f, room.id, now=T0 + 5)
    assert ended.ended and ended.ended_at == T0 + 5
    assert not ended.answering_open and ended.timer_ends_at is None
    assert workshops.end_workshop(db, f, room.id, now=T0 + 99).ended_at == T0 + 5
    for act in (workshops.next_step, workshops.open_answering, workshops.reveal_results):
        with pytest.raises(WorkshopStateError, match="This workshop has ended"):
            act(db, f, room.id)


def test_hide_response_moderates_and_works_after_the_end(db, people, room):
    open_step(db, people, room, 5)
    joined = participants.join(db, room.code, "", "ip")
    participants.answer(db, room.code, joined.token, 5, "rude words")
    workshops.end_workshop(db, people.facilitator, room.id)
    workshops.hide_response(db, people.facilitator, room.id, 5, joined.number)
    with pytest.raises(NotFound, match="Participant 7 gave no answer to step 6"):
        workshops.hide_response(db, people.facilitator, room.id, 5, 7)


# --- permissions -----------------------------------------------------------------------

ACTIONS = {
    "go_to_step": lambda db, u, w: workshops.go_to_step(db, u, w, 1),
    "next_step": lambda db, u, w: workshops.next_step(db, u, w),
    "previous_step": lambda db, u, w: workshops.previous_step(db, u, w),
    "open_answering": lambda db, u, w: workshops.open_answering(db, u, w),
    "lock_answering": lambda db, u, w: workshops.lock_answering(db, u, w),
    "reveal_results": lambda db, u, w: workshops.reveal_results(db, u, w),
    "hide_results": lambda db, u, w: workshops.hide_results(db, u, w),
    "reveal_answer": lambda db, u, w: workshops.reveal_answer(db, u, w),
    "start_timer": lambda db, u, w: workshops.start_timer(db, u, w, 30),
    "clear_timer": lambda db, u, w: workshops.clear_timer(db, u, w),
    "hide_response": lambda db, u, w: workshops.hide_response(db, u, w, 1, 1),
    "end_workshop": lambda db, u, w: workshops.end_workshop(db, u, w),
    "facilitated_workshop": lambda db, u, w: workshops.facilitated_workshop(db, u, w),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("who", ["other", "learner", "revoked", "nobody"])
def test_no_one_but_the_owner_or_an_admin_can_act(db, people, room, action, who):
    users = {"other": people.other, "learner": people.learner, "nobody": None}
    # The owner's account after its facilitator role was taken away.
    users["revoked"] = type(people.facilitator)(
        people.facilitator.id, "fac@example.org", "fac", frozenset({"learner"})
    )
    open_step(db, people, room, 1)
    before = workshops.state_version(db, room.id)
    with pytest.raises(PermissionDenied):
        ACTIONS[action](db, users[who], room.id)
    assert workshops.state_version(db, room.id) == before


def test_an_admin_can_run_anyones_workshop(db, people, room):
    assert workshops.next_step(db, people.admin, room.id).current_step == 1
    assert workshops.facilitated_workshop(db, people.admin, room.id).id == room.id


def test_a_participant_token_is_not_a_facilitator(db, people, room):
    joined = participants.join(db, room.code, "Mallory", "ip")
    # Nothing in the facilitator's API accepts a token; the nearest forgery is no user.
    with pytest.raises(PermissionDenied):
        workshops.next_step(db, None, room.id)
    assert joined.token not in json.dumps(
        participants.state_for_participant(db, room.code, joined.token)
    )


def test_unknown_workshops_are_not_found(db, people):
    with pytest.raises(NotFound, match="There is no workshop 99"):
        workshops.next_step(db, people.facilitator, 99)
    with pytest.raises(NotFound):
        workshops.state_version(db, 99)


def test_listing_shows_own_workshops_and_all_to_an_admin(db, people, room):
    mine = workshops.list_workshops(db, people.facilitator)
    theirs = workshops.create_workshop(
        db, people.other, "Theirs", "case", "c", content_steps(), now=T0 + 1
    )
    assert [w.id for w in mine] == [room.id]
    assert [w.id for w in workshops.list_workshops(db, people.other)] == [theirs.id]
    assert [w.id for w in workshops.list_workshops(db, people.admin)] == [theirs.id, room.id]
    with pytest.raises(PermissionDenied):
        workshops.list_workshops(db, people.learner)
