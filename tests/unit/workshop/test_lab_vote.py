"""A Lab step in a workshop: the room votes on which simulated hospital is worst."""

from __future__ import annotations

import pandas as pd
import pytest

from carelab.content import schema
from carelab.indicators.scenarios import SCENARIO_IDS
from carelab.workshop import participants, workshops
from carelab.workshop.errors import WorkshopError
from carelab.workshop.lab_vote import lab_vote, option_label, pick_candidates
from carelab.workshop.steps import is_correct, workshop_steps


@pytest.mark.parametrize("scenario_id", sorted(SCENARIO_IDS))
def test_every_scenario_puts_five_hospitals_with_the_truly_worst_among_them(scenario_id):
    vote = lab_vote(scenario_id)
    assert len(vote.options) == len(vote.candidates) == 5
    names = [c["provider"] for c in vote.candidates]
    assert names == sorted(names) and len(set(names)) == 5
    ranks = [c["true_rank"] for c in vote.candidates]
    # The right answer is the hospital whose simulated true quality is worst of all.
    assert ranks[vote.right] == 1 and ranks.count(1) == 1
    assert vote.prompt.startswith("Simulated data:")
    assert f"Simulated truth: {names[vote.right]} gives the worst care" in vote.explanation
    for option, name in zip(vote.options, names, strict=True):
        assert option.startswith(f"{name}: ")


def test_the_same_scenario_gives_the_same_vote_every_time():
    assert lab_vote("small-numbers") == lab_vote("small-numbers")


def test_the_candidates_include_the_league_tables_worst_and_the_furthest_out():
    table = pd.DataFrame(
        {
            "provider": ["A", "B", "C", "D", "E", "F", "G"],
            "value": [0.50, 0.10, 0.12, 0.11, 0.09, 0.10, 0.10],
            "n": [4, 100, 5000, 900, 800, 700, 600],
            "target": [0.1] * 7,
            "lower95": [0.0, 0.05, 0.09, 0.08, 0.07, 0.07, 0.07],
            "upper95": [0.6, 0.16, 0.11, 0.12, 0.13, 0.13, 0.13],
            "true_quality": [0.5, -1.0, 0.0, 0.1, 0.2, 0.3, 0.4],
        }
    )
    picked = pick_candidates(table, higher_is_better=False)
    # A looks worst (50% of 4); C is furthest beyond its limit; B is truly worst; C largest.
    assert {"A", "B", "C"} <= set(picked) and len(picked) == 5 and picked == sorted(picked)


def test_option_labels_read_like_a_league_table():
    row = pd.Series({"provider": "H001", "value": 0.125, "n": 1200.0, "numerator": 150.0})
    assert option_label(row, "proportion", "process") == "H001: 12.5% of 1,200 patients"
    assert option_label(row, "proportion", "four_hour") == "H001: 12.5% of 1,200 attendances"
    ratio = row.copy()
    ratio[["value", "n", "numerator"]] = [1.5, 10.0, 15.0]
    assert option_label(ratio, "ratio", "mortality") == (
        "H001: observed/expected 1.50 (15 deaths, 10.0 expected)"
    )


def test_an_unknown_scenario_is_a_clear_error():
    with pytest.raises(WorkshopError, match="no Indicator Lab scenario 'nope'"):
        lab_vote("nope")


def test_a_lab_step_runs_in_a_room_and_reveals_the_truth(db, people):
    step = schema.LabStep(
        id="lab", kind="lab", title="Lab: small units", scenario="small-numbers", prompt="Try B."
    )
    [snapshot] = workshop_steps([step])
    assert snapshot.extra["notes"] == "Try B." and snapshot.extra["scenario"] == "small-numbers"
    room = workshops.create_workshop(db, people.facilitator, "Lab", "module", "m", [step])
    workshops.go_to_step(db, people.facilitator, room.id, 0, open_answering=True)
    phone = participants.join(db, room.code, "", "ip")
    state = participants.state_for_participant(db, room.code, phone.token)
    assert state["step"]["options"] == list(snapshot.options)
    assert state["step"]["answer"] is None and state["step"]["explanation"] is None
    participants.answer(db, room.code, phone.token, 0, snapshot.answer["options"][0])
    workshops.reveal_answer(db, people.facilitator, room.id)
    state = participants.state_for_participant(db, room.code, phone.token)
    assert state["step"]["answer"] == snapshot.answer
    assert state["step"]["explanation"].startswith("Simulated truth:")
    assert is_correct(snapshot, snapshot.answer["options"][0])
