"""The room hears of changes made elsewhere: through LISTEN/NOTIFY on PostgreSQL even with an
hour-long poll, and by its half-second poll again as soon as the LISTEN connection is down."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from starlette.applications import Starlette
from starlette.testclient import TestClient

from carelab.room import hub as hub_module
from carelab.room import routes as room
from carelab.store import db as store_db
from carelab.store import workshops as store
from carelab.workshop import workshops
from tests.unit.workshop.conftest import content_steps, make_user

HOUR = 3600.0


def wait_until(condition, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def _room(db_path, hub):
    with store_db.session(db_path) as db:
        user = make_user(db, "fac@example.org", "facilitator")
        made = workshops.create_workshop(db, user, "Ward round", "module", "m", content_steps())
    client = TestClient(Starlette(routes=room.routes(hub)), base_url="http://testserver")
    token = client.post("/room/api/join", json={"code": made.code}).json()["token"]
    version = client.get("/room/api/state", params={"code": made.code, "p": token}).json()
    return client, made, token, version["version"]


def _step_elsewhere(db_path, workshop_id: int, index: int) -> None:
    # Straight through the store on a connection of its own, as another process would:
    # nothing in this process is told (no carelab.workshop.events nudge).
    with store_db.session(db_path) as db:
        store.change_state(db, workshop_id, lambda row: {"current_step": index})


def _waiting_phone(pool, client, made, token, version, hub):
    params = {"code": made.code, "p": token, "version": version}
    waiting = pool.submit(client.get, "/room/api/wait", params=params)
    wait_until(lambda: hub.active() == 1)
    # Let the poller's first read (made when it starts) pass, so that afterwards only a
    # notification, or a poll, can bring the change.
    time.sleep(0.5)
    return waiting


def test_a_phone_hears_another_processs_commit_with_an_hour_long_poll(postgres_url, monkeypatch):
    monkeypatch.setenv("CARELAB_DB", postgres_url)
    store_db.prepare(postgres_url)
    hub = hub_module.Hub(poll_seconds=HOUR)
    client, made, token, version = _room(postgres_url, hub)
    with (
        hub_module.hearing_other_processes(hub, postgres_url) as listener,
        ThreadPoolExecutor(1) as pool,
    ):
        wait_until(lambda: listener is not None and listener.connected)
        assert hub.listening()
        waiting = _waiting_phone(pool, client, made, token, version, hub)
        _step_elsewhere(postgres_url, made.id, 2)
        response = waiting.result(timeout=60)
    assert response.status_code == 200
    assert response.json()["step_index"] == 2
    assert not hub.listening(), "once the listener stops, the hub polls at its own pace"


def test_the_fast_poll_is_back_as_soon_as_the_listener_is_down(db_path):
    heard = {"now": True}
    hub = hub_module.Hub(
        poll_seconds=0.05, listened_poll_seconds=HOUR, listening=lambda: heard["now"]
    )
    client, made, token, version = _room(db_path, hub)
    with ThreadPoolExecutor(1) as pool:
        waiting = _waiting_phone(pool, client, made, token, version, hub)
        _step_elsewhere(db_path, made.id, 3)  # unheard: no LISTEN here, and the poll is slow
        heard["now"] = False  # the LISTEN connection dropped: the half-second poll again
        response = waiting.result(timeout=60)
    assert response.json()["step_index"] == 3


def test_on_sqlite_nothing_listens(tmp_path, monkeypatch):
    monkeypatch.setenv("CARELAB_DB", str(tmp_path / "carelab.db"))
    hub = hub_module.Hub()
    with hub_module.hearing_other_processes(hub) as listener:
        assert listener is None and not hub.listening()
