"""The workshop tables and their SQL: migration, conditional upserts, state changes, cascades."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from carelab.store import db as store_db
from carelab.store import workshops as store
from tests.unit.workshop.conftest import T0, make_user

# What each database raises when a constraint refuses a row.
REFUSED = (sqlite3.IntegrityError, psycopg.IntegrityError)

STEPS = ['{"kind": "text"}', '{"kind": "poll"}']


@pytest.fixture
def wid(db) -> int:
    owner = make_user(db, "owner@example.org", "facilitator")
    row = {
        "code": "ABC234",
        "title": "T",
        "source_kind": "case",
        "source_id": "c",
        "facilitator_id": owner.id,
        "anonymous": 1,
        "created_at": T0,
    }
    return store.insert_workshop(db, row, STEPS)


def test_the_migration_is_recorded_and_makes_the_tables(db):
    assert "0003_workshops" in store_db.applied_migrations(db)
    assert {
        "workshops",
        "workshop_steps",
        "workshop_participants",
        "workshop_responses",
        "workshop_join_attempts",
    } <= set(db.table_names())
    assert store_db.migrate(db) == []


def test_insert_workshop_stores_snapshots_and_refuses_a_taken_code(db, wid):
    row = store.workshop(db, wid)
    assert (row["step_count"], row["current_step"], row["version"], row["anonymous"]) == (
        2,
        0,
        1,
        1,
    )
    assert store.steps(db, wid) == STEPS and store.step(db, wid, 1) == STEPS[1]
    assert store.step(db, wid, 2) is None
    again = {k: row[k] for k in ("code", "title", "source_kind", "source_id", "anonymous")}
    assert (
        store.insert_workshop(db, {**again, "facilitator_id": None, "created_at": T0}, STEPS)
        is None
    )
    assert store.workshop_by_code(db, "ABC234")["id"] == wid


def test_a_workshop_whose_steps_cannot_be_stored_is_not_stored_at_all(db, wid):
    row = {k: v for k, v in store.workshop(db, wid).items() if k in ("title", "anonymous")}
    row |= {"code": "XYZ789", "source_kind": "case", "source_id": "c"}
    row |= {"facilitator_id": None, "created_at": T0}
    with pytest.raises(REFUSED):  # 2nd step is NULL
        store.insert_workshop(db, row, ['{"kind": "text"}', None])
    assert store.workshop_by_code(db, "XYZ789") is None
    assert [w["id"] for w in store.workshops_of(db, None)] == [wid]


def test_the_schema_refuses_impossible_states(db, wid):
    with pytest.raises(REFUSED):
        db.execute("UPDATE workshops SET current_step = 2 WHERE id = ?", [wid])
    with pytest.raises(REFUSED):
        db.execute("UPDATE workshops SET source_kind = 'lab' WHERE id = ?", [wid])


def test_change_state_raises_the_version_only_when_something_changes(db, wid):
    assert store.change_state(db, wid, lambda row: {"current_step": 1})["version"] == 2
    assert store.change_state(db, wid, lambda row: {"current_step": 1})["version"] == 2
    assert store.state_version(db, wid) == 2
    assert store.change_state(db, 999, lambda row: {}) is None
    assert store.state_version(db, 999) is None


def test_change_state_refuses_other_columns_and_rolls_back_on_error(db, wid):
    with pytest.raises(ValueError, match="not a workshop state column"):
        store.change_state(db, wid, lambda row: {"code": "HACKED"})

    def refuse(row):
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        store.change_state(db, wid, refuse)
    assert not db.in_transaction and store.workshop(db, wid)["code"] == "ABC234"


def test_participants_are_numbered_per_workshop(db, wid):
    first = store.insert_participant(db, wid, "h1", "Ann", T0)
    second = store.insert_participant(db, wid, "h2", "", T0)
    assert (first["number"], second["number"]) == (1, 2)
    assert store.participant(db, wid, "h2")["id"] == second["id"]
    assert store.participant(db, wid + 1, "h2") is None
    assert store.participant_count(db, wid) == 2
    assert store.participant_id_by_number(db, wid, 2) == second["id"]
    with pytest.raises(REFUSED):
        store.insert_participant(db, wid, "h1", "dup", T0)


def test_touch_participant_writes_at_most_once_per_interval(db, wid):
    pid = store.insert_participant(db, wid, "h", "", T0)["id"]
    store.touch_participant(db, pid, T0 + 10, every=30)
    assert store.participant(db, wid, "h")["last_seen"] == T0
    store.touch_participant(db, pid, T0 + 31, every=30)
    assert store.participant(db, wid, "h")["last_seen"] == T0 + 31


def open_step_one(db, wid, **extra):
    store.change_state(db, wid, lambda row: {"current_step": 1, "answering_open": 1, **extra})


def test_an_answer_is_one_idempotent_upsert(db, wid):
    open_step_one(db, wid)
    pid = store.insert_participant(db, wid, "h", "", T0)["id"]
    for i, answer in enumerate(["1", "2", "2"]):
        assert store.upsert_response(db, wid, 1, pid, answer, T0 + i, 2.0)
    (row,) = store.responses(db, wid)
    assert (row["answer"], row["first_answered_at"], row["last_answered_at"]) == ("2", T0, T0 + 2)
    assert store.response(db, wid, 1, pid)["answer"] == "2"


@pytest.mark.parametrize(
    "state",
    [
        {"answering_open": 0},
        {"current_step": 0},
        {"ended_at": T0},
        {"timer_ends_at": T0 - 5},
    ],
)
def test_the_upsert_stores_nothing_unless_the_step_is_current_and_open(db, wid, state):
    open_step_one(db, wid)
    store.change_state(db, wid, lambda row: state)
    pid = store.insert_participant(db, wid, "h", "", T0)["id"]
    assert store.upsert_response(db, wid, 1, pid, "1", T0, 2.0) is False
    assert store.responses(db, wid) == []


def test_the_upsert_allows_the_timer_grace(db, wid):
    open_step_one(db, wid, timer_ends_at=T0)
    pid = store.insert_participant(db, wid, "h", "", T0)["id"]
    assert store.upsert_response(db, wid, 1, pid, "1", T0 + 1.9, 2.0)
    assert not store.upsert_response(db, wid, 1, pid, "1", T0 + 2.0, 2.0)


def test_hiding_a_response_raises_the_version(db, wid):
    open_step_one(db, wid)
    pid = store.insert_participant(db, wid, "h", "", T0)["id"]
    store.upsert_response(db, wid, 1, pid, '"x"', T0, 2.0)
    before = store.state_version(db, wid)
    assert store.set_response_hidden(db, wid, 1, pid, True)
    assert store.responses(db, wid, 1)[0]["hidden"] == 1
    assert store.state_version(db, wid) == before + 1
    assert not store.set_response_hidden(db, wid, 0, pid, True)
    assert store.state_version(db, wid) == before + 1
    # A later change of answer keeps the moderation.
    store.upsert_response(db, wid, 1, pid, '"y"', T0 + 1, 2.0)
    assert store.responses(db, wid, 1)[0]["hidden"] == 1


def test_failed_joins_are_counted_in_a_window_and_pruned(db):
    store.record_failed_join(db, "ip", T0, forget_before=0)
    store.record_failed_join(db, "ip", T0 + 5, forget_before=0)
    store.record_failed_join(db, "other", T0 + 5, forget_before=0)
    assert store.recent_failed_joins(db, "ip", T0 + 1) == [T0 + 5]
    store.record_failed_join(db, "ip", T0 + 10, forget_before=T0 + 5)
    assert store.recent_failed_joins(db, "ip", 0) == [T0 + 5, T0 + 10]


def test_deleting_a_workshop_removes_everything_in_it(db, wid):
    open_step_one(db, wid)
    pid = store.insert_participant(db, wid, "h", "", T0)["id"]
    store.upsert_response(db, wid, 1, pid, "1", T0, 2.0)
    db.execute("DELETE FROM workshops WHERE id = ?", [wid])
    for table in ("workshop_steps", "workshop_participants", "workshop_responses"):
        assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0


def test_deleting_the_facilitator_keeps_the_workshop(db, wid):
    owner = store.workshop(db, wid)["facilitator_id"]
    db.execute("DELETE FROM users WHERE id = ?", [owner])
    assert store.workshop(db, wid)["facilitator_id"] is None


def test_workshops_of_lists_newest_first(db, wid):
    owner = store.workshop(db, wid)["facilitator_id"]
    row = {
        "code": "XYZ789",
        "title": "Later",
        "source_kind": "module",
        "source_id": "m",
        "facilitator_id": None,
        "anonymous": 0,
        "created_at": T0 + 1,
    }
    later = store.insert_workshop(db, row, STEPS)
    assert [w["id"] for w in store.workshops_of(db, owner)] == [wid]
    assert [w["id"] for w in store.workshops_of(db, None)] == [later, wid]
