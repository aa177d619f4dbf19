"""A stopping server ends the phones' streams and long polls at once, instead of after 25 s.

uvicorn waits for every open response before it stops; the room's streams last up to
STREAM_SECONDS. `Hub.stop` ends them, and `stop_on_exit_signals` calls it on SIGINT or
SIGTERM before handing the signal on to the server. (A real SIGTERM with phones in
Chromium is timed in tests/e2e/test_workshop_restart.py.)
"""

from __future__ import annotations

import asyncio
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from carelab.room import hub as hub_module
from carelab.room import routes as room
from carelab.workshop import workshops
from tests.unit.web.test_room import joined, read_event, wait_until
from tests.unit.workshop.conftest import content_steps, make_user

LONG = 60.0  # far longer than any wait below: a request that ends was ended by the stop


@pytest.fixture
def hub():
    return hub_module.Hub(poll_seconds=0.05)


@pytest.fixture
def workshop(db):
    facilitator = make_user(db, "fac@example.org", "facilitator")
    return workshops.create_workshop(db, facilitator, "Ward round", "module", "m", content_steps())


@pytest.fixture
def client(db_path, hub):
    app = Starlette(routes=room.routes(hub, stream_seconds=LONG))
    # Inside `with`, every request runs on one event loop, as in a server, and the
    # portal lets the test call Hub.stop on that loop, as the signal handler does.
    with TestClient(app, base_url="http://testserver") as client:
        yield client


def test_stop_ends_an_open_stream_without_renew(client, hub, workshop):
    params = {"code": workshop.code, "p": joined(client, workshop)}
    with (
        ThreadPoolExecutor(1) as pool,
        client.stream("GET", "/room/api/stream", params=params) as response,
    ):
        lines = response.iter_lines()
        assert pool.submit(read_event, lines).result(timeout=5)[0] == "state"
        client.portal.call(hub.stop)
        # The stream ends (no `renew`: the browser waits `retry`, then finds the new server).
        rest = pool.submit(lambda: [line for line in lines if line]).result(timeout=5)
        assert rest == []
    wait_until(lambda: hub.active() == 0)


def test_stop_answers_a_waiting_long_poll_with_503(client, hub, workshop):
    token = joined(client, workshop)
    params = {"code": workshop.code, "p": token}
    version = client.get("/room/api/state", params=params).json()["version"]
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(client.get, "/room/api/wait", params={**params, "version": version})
        wait_until(lambda: hub.active() == 1)
        assert not waiting.done()
        client.portal.call(hub.stop)
        response = waiting.result(timeout=5)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json() == {"error": room.STOPPING}


def test_a_stream_that_opens_while_stopping_ends_after_its_first_state(client, hub, workshop):
    params = {"code": workshop.code, "p": joined(client, workshop)}
    client.portal.call(hub.stop)
    with (
        ThreadPoolExecutor(1) as pool,
        client.stream("GET", "/room/api/stream", params=params) as response,
    ):
        lines = response.iter_lines()
        assert pool.submit(read_event, lines).result(timeout=5)[0] == "state"
        assert pool.submit(lambda: [line for line in lines if line]).result(timeout=5) == []


@pytest.fixture
def loop():
    """An event loop serving in a thread of its own, as the server's loop does.

    Not asyncio.run in this thread: after the browser tests, Playwright's loop is still
    marked as running here, and asyncio refuses to start a second one.
    """
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_an_exit_signal_stops_the_hub_and_still_reaches_the_server(sig, loop):
    """The wrapper tells the hub, then calls the server's own handler, and is undone after."""
    hub = hub_module.Hub()
    received: list[int] = []

    def server_handler(signum, frame):  # stands in for uvicorn's Server.handle_exit
        received.append(signum)

    original = signal.signal(sig, server_handler)
    try:
        with hub_module.stop_on_exit_signals(hub, loop):
            assert signal.getsignal(sig) is not server_handler
            signal.raise_signal(sig)
            wait_until(lambda: hub.stopping)
        assert signal.getsignal(sig) is server_handler
        assert received == [sig]
    finally:
        signal.signal(sig, original)


def test_outside_the_main_thread_the_wrapper_changes_nothing(loop):
    before = signal.getsignal(signal.SIGTERM)

    def enter() -> None:
        with hub_module.stop_on_exit_signals(hub_module.Hub(), loop):
            assert signal.getsignal(signal.SIGTERM) is before

    with ThreadPoolExecutor(1) as pool:
        pool.submit(enter).result(timeout=5)
