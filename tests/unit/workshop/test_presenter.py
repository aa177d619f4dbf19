"""The presenter screen's token, its view and its actions (carelab.workshop.presenter)."""

from __future__ import annotations

import hashlib
import json

import pytest

from carelab import auth
from carelab.errors import PermissionDenied
from carelab.store import presenter as presenter_store
from carelab.workshop import participants, presenter, workshops
from carelab.workshop.errors import WorkshopEnded, WorkshopError, WorkshopStateError
from carelab.workshop.presenter import PresenterRefused
from tests.unit.workshop.conftest import T0, answer_all, content_steps, open_step

SINGLE, MULTIPLE, SCALE, NUMERIC, OPEN, QUIZ_SINGLE = 1, 2, 3, 4, 5, 6


def test_a_token_is_issued_stored_only_as_its_hash_and_opens_its_workshop(db, people, room):
    token = presenter.presenter_link(db, people.facilitator, room.id)
    stored = presenter_store.presenter_token_hash(db, room.id)
    assert len(token) >= 40
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(workshops.get_workshop(db, room.id).__dict__, default=str)
    assert presenter.presenter_workshop(db, room.code, token).id == room.id


def test_issuing_again_replaces_the_old_token(db, people, room):
    first = presenter.presenter_link(db, people.facilitator, room.id)
    second = presenter.presenter_link(db, people.facilitator, room.id)
    assert first != second
    with pytest.raises(PresenterRefused, match="replaced by a newer one"):
        presenter.presenter_workshop(db, room.code, first)
    assert presenter.presenter_workshop(db, room.code, second).id == room.id


def test_a_token_is_refused_once_the_workshop_has_ended(db, people, room):
    token = presenter.presenter_link(db, people.facilitator, room.id)
    workshops.end_workshop(db, people.facilitator, room.id)
    with pytest.raises(WorkshopEnded):
        presenter.presenter_workshop(db, room.code, token)
    with pytest.raises(WorkshopEnded):
        presenter.presenter_act(db, room.code, token, "next")
    with pytest.raises(WorkshopStateError, match="has ended"):
        presenter.presenter_link(db, people.facilitator, room.id)


@pytest.mark.parametrize("wrong", ["", "x", "A" * 43, None, 12, "A" * 5000])
def test_a_wrong_or_missing_token_is_refused(db, people, room, wrong):
    presenter.presenter_link(db, people.facilitator, room.id)
    with pytest.raises(PresenterRefused):
        presenter.presenter_workshop(db, room.code, wrong)
    with pytest.raises(PresenterRefused):
        presenter.presenter_act(db, room.code, wrong, "next")
    assert workshops.get_workshop(db, room.id).current_step == 0


def test_no_token_opens_a_workshop_that_never_issued_one(db, room):
    with pytest.raises(PresenterRefused):
        presenter.presenter_workshop(db, room.code, "")


def test_a_token_opens_only_its_own_workshop(db, people, room):
    other = workshops.create_workshop(
        db, people.facilitator, "Other", "module", "mod", content_steps(), now=T0
    )
    mine = presenter.presenter_link(db, people.facilitator, room.id)
    presenter.presenter_link(db, people.facilitator, other.id)
    with pytest.raises(PresenterRefused):
        presenter.presenter_workshop(db, other.code, mine)
    with pytest.raises(PresenterRefused):
        presenter.presenter_act(db, other.code, mine, "next")
    assert workshops.get_workshop(db, other.id).current_step == 0


def test_only_the_workshops_facilitator_or_an_admin_can_issue_a_token(db, people, room):
    for outsider in (people.other, people.learner, None):
        with pytest.raises(PermissionDenied):
            presenter.presenter_link(db, outsider, room.id)
    assert presenter.presenter_link(db, people.admin, room.id)


def test_the_token_loses_its_powers_when_the_facilitator_loses_the_role(db, people, room):
    token = presenter.presenter_link(db, people.facilitator, room.id)
    auth.set_role(db, people.admin, people.facilitator.id, "facilitator", False)
    with pytest.raises(PermissionDenied):
        presenter.presenter_start(db, room.code, token)
    with pytest.raises(PermissionDenied):
        presenter.presenter_act(db, room.code, token, "next")


def test_the_view_has_the_contracts_keys_and_no_results_until_revealed(db, people, room):
    answer_all(db, people, room, SINGLE, [0, 1, 1])
    participants.join(db, room.code, "late", "ip")  # joined, not answered
    view = presenter.presenter_view(db, room.id, now=T0)
    assert view["title"] == "Room" and view["code"] == room.code
    assert view["join_path"] == f"/room/{room.code}"
    assert (view["step_index"], view["step_count"]) == (
        SINGLE,
        len(workshops.workshop_steps_of(db, room.id)),
    )
    assert view["step"]["title"] == "Poll one" and view["step"]["options"] == [
        "Red",
        "Green",
        "Blue",
    ]
    assert (view["answered"], view["joined"]) == (3, 4)
    assert view["answering_open"] is True and view["results_revealed"] is False
    assert view["results"] is None
    assert {"floor", "leaderboard", "progress", "server_time", "timer_ends_at"} <= view.keys()
    assert view["floor"] is None and view["leaderboard"] is None and view["progress"] is None
    json.dumps(view)  # JSON-ready

    workshops.reveal_results(db, people.facilitator, room.id)
    results = presenter.presenter_view(db, room.id)["results"]
    assert [(c["label"], c["count"]) for c in results["counts"]] == [
        ("Red", 1),
        ("Green", 2),
        ("Blue", 0),
    ]
    assert results["counts"][1]["share"] == pytest.approx(2 / 3)
    assert results["answered"] == 3 and results["participants"] == 4
    assert "step" not in results and "responses" not in results


def test_the_right_answer_is_neither_in_the_step_nor_the_results_until_revealed(db, people, room):
    answer_all(db, people, room, QUIZ_SINGLE, [1, 0])
    workshops.reveal_results(db, people.facilitator, room.id)
    view = presenter.presenter_view(db, room.id)
    assert view["step"]["answer"] is None and view["step"]["explanation"] is None
    assert [c["correct"] for c in view["results"]["counts"]] == [None, None]
    workshops.reveal_answer(db, people.facilitator, room.id)
    view = presenter.presenter_view(db, room.id)
    assert view["step"]["answer"] == {"options": [1]}
    assert view["step"]["explanation"] == "B is best."
    assert [c["correct"] for c in view["results"]["counts"]] == [False, True]


def test_the_view_carries_scale_numeric_and_word_results(db, people, room):
    answer_all(db, people, room, NUMERIC, [10, 12, 30])
    workshops.reveal_results(db, people.facilitator, room.id)
    numeric = presenter.presenter_view(db, room.id)["results"]["numeric"]
    assert numeric["median"] == 12 and numeric["n"] == 3
    assert sum(b["count"] for b in numeric["bins"]) == 3
    answer_all(db, people, room, OPEN, ["Hand hygiene", "hygiene audit"])
    workshops.reveal_results(db, people.facilitator, room.id)
    words = presenter.presenter_view(db, room.id)["results"]["words"]
    assert words[0] == {"word": "hygiene", "count": 2}
    answer_all(db, people, room, SCALE, [5, 5, 1])
    workshops.reveal_results(db, people.facilitator, room.id)
    counts = presenter.presenter_view(db, room.id)["results"]["counts"]
    assert [c["count"] for c in counts] == [1, 0, 0, 0, 2]


def test_hidden_answers_leave_the_presenters_counts(db, people, room):
    answer_all(db, people, room, OPEN, ["sepsis", "rude words"])
    workshops.reveal_results(db, people.facilitator, room.id)
    workshops.hide_response(db, people.facilitator, room.id, OPEN, 2)
    view = presenter.presenter_view(db, room.id)
    assert view["answered"] == 1
    assert [w["word"] for w in view["results"]["words"]] == ["sepsis"]


def test_a_text_step_shows_its_body_and_takes_no_results(db, people, room):
    view = presenter.presenter_view(db, room.id)
    assert view["step_index"] == 0 and view["step"]["mode"] is None
    assert view["body"] == "Notes for you."
    assert view["results"] is None


def test_the_token_paces_the_room_with_the_facilitators_own_rules(db, people, room):
    token = presenter.presenter_link(db, people.facilitator, room.id)
    view = presenter.presenter_act(db, room.code, token, "next")
    assert view["step_index"] == 1 and view["answering_open"] is False
    assert presenter.presenter_act(db, room.code, token, "lock")["answering_open"] is True
    assert presenter.presenter_act(db, room.code, token, "lock")["answering_open"] is False
    assert presenter.presenter_act(db, room.code, token, "reveal")["results_revealed"] is True
    assert presenter.presenter_act(db, room.code, token, "reveal")["results_revealed"] is False
    assert presenter.presenter_act(db, room.code, token, "previous")["step_index"] == 0
    # The facilitator's rules, not copies: no step before the first, no answer on a poll.
    with pytest.raises(WorkshopStateError, match="first step"):
        presenter.presenter_act(db, room.code, token, "previous")
    with pytest.raises(WorkshopStateError, match="takes no answers"):
        presenter.presenter_act(db, room.code, token, "lock")
    presenter.presenter_act(db, room.code, token, "next")
    with pytest.raises(WorkshopStateError, match="no right answer"):
        presenter.presenter_act(db, room.code, token, "answer")
    with pytest.raises(WorkshopError, match="can do next, previous"):
        presenter.presenter_act(db, room.code, token, "end")


def test_revealing_the_answer_with_the_token_locks_answering(db, people, room):
    token = presenter.presenter_link(db, people.facilitator, room.id)
    open_step(db, people, room, QUIZ_SINGLE)
    view = presenter.presenter_act(db, room.code, token, "answer")
    assert view["answer_revealed"] is True and view["answering_open"] is False


def test_the_signature_moves_with_each_answer_and_change(db, people, room):
    before = presenter_store.signature(db, room.id)
    person = answer_all(db, people, room, SINGLE, [0])[0]
    moved = presenter_store.signature(db, room.id)
    assert moved != before
    participants.answer(db, room.code, person.token, SINGLE, 2, now=T0 + 50)
    assert presenter_store.signature(db, room.id) != moved
    assert presenter_store.signature(db, 10_000) is None
