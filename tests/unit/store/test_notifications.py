"""PostgreSQL LISTEN/NOTIFY: a committed workshop change is heard by every process's listener,
a rolled-back one never, the payload is only the id, and a dropped connection comes back."""

from __future__ import annotations

import queue
import time

import psycopg
import pytest

from carelab.store import db as store_db
from carelab.store import workshops as store
from carelab.store.notifications import WORKSHOP_CHANGED, WorkshopListener, workshop_id_of
from carelab.workshop import workshops
from tests.unit.workshop.conftest import content_steps, make_user


def wait_until(condition, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


@pytest.fixture
def url(postgres_url):
    store_db.prepare(postgres_url)
    return postgres_url


@pytest.fixture
def two_workshops(url):
    with store_db.session(url) as db:
        user = make_user(db, "fac@example.org", "facilitator")
        return [
            workshops.create_workshop(db, user, f"Room {n}", "module", "m", content_steps()).id
            for n in (1, 2)
        ]


@pytest.fixture
def heard(url):
    """A started listener on the test database, and the queue of workshop ids it heard."""
    found: queue.Queue[int] = queue.Queue()
    connects: list[float] = []
    listener = WorkshopListener(url, found.put, lambda: connects.append(time.monotonic()))
    listener.start()
    wait_until(lambda: listener.connected)
    yield listener, found, connects
    listener.stop()


def _step(url: str, workshop_id: int, index: int) -> None:
    with store_db.session(url) as db:
        store.change_state(db, workshop_id, lambda row: {"current_step": index})


def test_a_commit_on_another_connection_is_heard_and_a_rolled_back_one_is_not(
    url, two_workshops, heard
):
    _listener, found, _ = heard
    first, second = two_workshops
    with store_db.session(url) as db:

        def failing(row):
            raise RuntimeError("the facilitator's action failed")

        # A change that raises the version and then fails: rolled back, so never announced.
        with pytest.raises(RuntimeError), store_db.write_transaction(db):
            db.execute("UPDATE workshops SET version = version + 1 WHERE id = ?", [first])
            db.notify(WORKSHOP_CHANGED, str(first))
            failing(None)
        assert store.state_version(db, first) == 1
    _step(url, second, 2)  # committed after it: heard, and in commit order
    assert found.get(timeout=10) == second
    assert found.empty(), "the rolled-back change was announced"
    _step(url, first, 1)
    assert found.get(timeout=10) == first


def test_the_payload_is_only_the_workshop_id(url, two_workshops):
    first, _ = two_workshops
    with psycopg.connect(url, autocommit=True) as raw:
        raw.execute(f"LISTEN {WORKSHOP_CHANGED}")
        _step(url, first, 1)
        with store_db.session(url) as db:
            assert store.set_response_hidden(db, first, 1, 999, True) is False  # no such row
            store.change_state(db, first, lambda row: {"answering_open": 1})
        notes = list(raw.notifies(timeout=2, stop_after=2))
    assert [(n.channel, n.payload) for n in notes] == [(WORKSHOP_CHANGED, str(first))] * 2


def test_a_payload_that_names_no_workshop_is_ignored(url, two_workshops, heard):
    listener, found, _ = heard
    with psycopg.connect(url, autocommit=True) as raw:
        for junk in ("", "drop table", "-1", "1.5", "٣", "9" * 40):
            raw.execute("SELECT pg_notify(%s, %s)", [WORKSHOP_CHANGED, junk])
    _step(url, two_workshops[0], 1)
    assert found.get(timeout=10) == two_workshops[0]
    assert found.empty() and listener.connected
    assert [workshop_id_of(p) for p in ("7", " 12 ", "x7")] == [7, 12, None]


def test_a_killed_connection_reconnects_calls_on_connect_and_still_hears(url, two_workshops, heard):
    listener, found, connects = heard
    assert len(connects) == 1
    pid = listener.backend_pid()
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    # Notifications sent while it was down are lost: on_connect is the hub's cue to re-read.
    wait_until(lambda: len(connects) == 2 and listener.connected)
    assert listener.backend_pid() != pid
    _step(url, two_workshops[1], 3)
    assert found.get(timeout=10) == two_workshops[1]


def test_stop_ends_the_thread(url):
    listener = WorkshopListener(url, lambda _id: None)
    listener.start()
    wait_until(lambda: listener.connected)
    thread = listener._thread
    listener.stop(timeout=10)
    assert thread is not None and not thread.is_alive()
    assert not listener.connected


def test_an_unreachable_database_is_retried_until_stopped(postgres_url):
    dead = postgres_url.replace(postgres_url.rsplit("/", 1)[1], "no_such_database_here")
    listener = WorkshopListener(dead, lambda _id: None, max_retry_seconds=0.2)
    listener.start()
    thread = listener._thread
    listener.stop(timeout=10)
    assert thread is not None and not thread.is_alive() and not listener.connected
