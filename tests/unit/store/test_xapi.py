"""The xAPI outbox's SQL on SQLite and PostgreSQL: queue, claim with a lease, retry, status."""

from __future__ import annotations

import threading

import pytest

from carelab import auth
from carelab.store import db as store_db
from carelab.store import xapi as store

NOW = 1_000_000.0


def learner(db, email="lee@example.org"):
    return auth.create_account(db, email, "correct horse battery", "Lee")


def queue(db, user_id, count, at=NOW, prefix="s"):
    ids = [f"{prefix}{i:03d}" for i in range(count)]
    store.enqueue(db, user_id, [(i, f'{{"id": "{i}"}}') for i in ids], at)
    return ids


def test_a_learner_keeps_one_opaque_name_whatever_is_proposed_later(db):
    lee = learner(db)
    first = store.actor_name(db, lee.id, "name-one", NOW)
    assert first == "name-one"
    assert store.actor_name(db, lee.id, "name-two", NOW + 1) == "name-one"


def test_claimed_statements_come_oldest_first_and_are_not_claimed_again_during_the_lease(db):
    lee = learner(db)
    queue(db, lee.id, 3, at=NOW, prefix="old")
    queue(db, lee.id, 2, at=NOW + 1, prefix="new")
    first = store.claim(db, "a", NOW + 2, lease=60, limit=4)
    assert [c.id for c in first] == ["old000", "old001", "old002", "new000"]
    assert first[0].statement == '{"id": "old000"}' and first[0].attempts == 0
    assert [c.id for c in store.claim(db, "b", NOW + 3, lease=60, limit=10)] == ["new001"]
    assert store.claim(db, "c", NOW + 4, lease=60, limit=10) == []
    # A sender that died: its rows come back once the lease lapses.
    assert len(store.claim(db, "c", NOW + 64, lease=60, limit=10)) == 5


def test_a_sent_statement_is_never_claimed_again_and_counts_as_sent(db):
    lee = learner(db)
    queue(db, lee.id, 2)
    claimed = store.claim(db, "a", NOW, lease=60, limit=10)
    store.mark_sent(db, [claimed[0].id], NOW + 1)
    assert [c.id for c in store.claim(db, "b", NOW + 100, lease=60, limit=10)] == ["s001"]
    found = store.status(db)
    assert (found.queued, found.sent, found.failing, found.last_sent_at) == (1, 1, 0, NOW + 1)


def test_a_failure_is_kept_with_its_error_and_waits_until_its_next_try(db):
    lee = learner(db)
    queue(db, lee.id, 1)
    (claimed,) = store.claim(db, "a", NOW, lease=60, limit=10)
    store.mark_failed(db, "a", [(claimed.id, NOW + 30)], "The LRS answered 503", NOW)
    assert store.claim(db, "a", NOW + 29, lease=60, limit=10) == []
    (again,) = store.claim(db, "a", NOW + 30, lease=60, limit=10)
    assert again.attempts == 1
    found = store.status(db)
    assert (found.queued, found.failing, found.sent) == (1, 1, 0)
    assert (found.last_error, found.last_error_at) == ("The LRS answered 503", NOW)


def test_a_sender_whose_lease_lapsed_cannot_overwrite_the_new_holders_try(db):
    lee = learner(db)
    queue(db, lee.id, 1)
    store.claim(db, "slow", NOW, lease=60, limit=10)
    store.claim(db, "fresh", NOW + 61, lease=60, limit=10)
    store.mark_sent(db, ["s000"], NOW + 62)
    store.mark_failed(db, "slow", [("s000", NOW + 90)], "timed out", NOW + 70)
    assert store.status(db).sent == 1
    assert store.statements(db)[0]["attempts"] == 0


def test_retry_now_makes_every_waiting_statement_due(db):
    lee = learner(db)
    queue(db, lee.id, 2)
    claimed = store.claim(db, "a", NOW, lease=60, limit=10)
    store.mark_failed(db, "a", [(c.id, NOW + 3600) for c in claimed], "down", NOW)
    assert store.retry_now(db, NOW + 5) == 2
    assert len(store.claim(db, "a", NOW + 5, lease=60, limit=10)) == 2


def test_queueing_the_same_statement_id_twice_keeps_the_first(db):
    lee = learner(db)
    store.enqueue(db, lee.id, [("same", '{"v": 1}')], NOW)
    store.enqueue(db, lee.id, [("same", '{"v": 2}')], NOW + 1)
    assert [(r["id"], r["statement"]) for r in store.statements(db)] == [("same", '{"v": 1}')]


def test_deleting_an_account_drops_its_unsent_statements_and_its_name(db):
    lee, ann = learner(db), learner(db, "ann@example.org")
    store.actor_name(db, lee.id, "lee-name", NOW)
    queue(db, lee.id, 2, prefix="lee")
    queue(db, ann.id, 1, prefix="ann")
    db.execute("DELETE FROM users WHERE id = ?", [lee.id])
    assert [r["id"] for r in store.statements(db)] == ["ann000"]
    assert store.actor_name(db, ann.id, "ann-name", NOW) == "ann-name"


def test_servers_claiming_at_once_never_take_the_same_statement(db, db_path):
    lee = learner(db)
    queue(db, lee.id, 200)
    taken: dict[str, list[str]] = {}
    start = threading.Barrier(8)

    def sender(name: str) -> None:
        mine: list[str] = []
        with store_db.session(db_path) as own:
            start.wait()
            while claimed := store.claim(own, name, NOW, lease=60, limit=7):
                mine += [c.id for c in claimed]
        taken[name] = mine

    threads = [threading.Thread(target=sender, args=(f"server-{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [sid for ids in taken.values() for sid in ids]
    assert len(every) == 200 and len(set(every)) == 200


def test_on_postgresql_a_server_takes_the_next_rows_while_another_is_claiming(db, db_path, backend):
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: a second claim waits its turn")
    lee = learner(db)
    queue(db, lee.id, 6)
    with store_db.session(db_path) as first, store_db.session(db_path) as second:
        second.execute("SET lock_timeout = '5s'")  # waiting on the first claim's rows fails
        first.execute("BEGIN")  # a claim still in progress: its rows are locked, not committed
        held = store.claim(first, "a", NOW, lease=60, limit=3)
        taken = store.claim(second, "b", NOW, lease=60, limit=3)
        first.commit()
    assert [c.id for c in held] == ["s000", "s001", "s002"]
    assert [c.id for c in taken] == ["s003", "s004", "s005"]
