"""How fast a phone hears of a step change: the room's half-second poll against a nudge.

In one process: one phone holds the step stream (Starlette's TestClient against
`carelab.room.routes`, in this process); the facilitator moves through 19 steps, at
different points of the poll cycle. Reported: median and largest time from the commit to
the phone's `state` event, by polling alone, and with the poller nudged by
`carelab.workshop.events` (what a facilitator on the same server gets).

Across processes: a real server (`streamlit run server.py`, bench/room_servers.py) holds the
phone's stream, and the facilitator commits CROSS_CHANGES steps from this process, so the
server hears of them only through the database: on SQLite by its half-second poll, on a
throwaway PostgreSQL through LISTEN/NOTIFY (store/notifications.py). Reported: median and
95th percentile from the commit to the phone's `state` event.

Run: `python -m bench.room_nudge [--json] [--cross-only]`.
"""

from __future__ import annotations

import json
import os
import queue
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bench.common import report
from bench.room_servers import FreshPostgres, Server
from carelab import auth
from carelab.room import hub as hub_module
from carelab.room import routes as room
from carelab.store import db as store_db
from carelab.workshop import events, workshops
from carelab.workshop.steps import WorkshopStep

CHANGES = 19
CROSS_CHANGES = 40


def _state(lines: Iterator[str]) -> dict:
    event = None
    for line in lines:
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == "state":
            return json.loads(line.removeprefix("data: "))
    raise RuntimeError("the stream ended")


def step_to_phone_ms(nudged: bool) -> list[float]:
    """Commit-to-phone times for CHANGES step changes, with or without the nudge."""
    store_db.prepare()  # makes and migrates the file (a session alone may not make one)
    with store_db.session() as db:
        made = auth.create_account(db, f"f{time.time_ns()}@example.org", "bench password 1", "F")
        auth.grant_role_as_operator(db, made.id, "facilitator")
        user = auth.get_user(db, made.id)
        steps = [WorkshopStep(id=f"s{i}", kind="text", title=f"Step {i}") for i in range(20)]
        workshop = workshops.create_workshop(db, user, "Bench", "module", "bench", steps)
    hub = hub_module.Hub(poll_seconds=0.5)
    undo = events.on_change(hub.nudge) if nudged else (lambda: None)
    client = TestClient(Starlette(routes=room.routes(hub)), base_url="http://bench")
    join = {"code": workshop.code, "nickname": ""}
    token = client.post("/room/api/join", json=join).json()["token"]
    times = []
    params = {"code": workshop.code, "p": token}
    try:
        with (
            ThreadPoolExecutor(1) as pool,
            client.stream("GET", "/room/api/stream", params=params) as response,
        ):
            lines = response.iter_lines()
            pool.submit(_state, lines).result(10)
            for index in range(1, CHANGES + 1):
                time.sleep(0.13 * (index % 4))  # land at different points of the poll cycle
                heard = pool.submit(_state, lines)
                with store_db.session() as db:
                    start = time.perf_counter()
                    workshops.go_to_step(db, user, workshop.id, index)
                heard.result(10)
                times.append((time.perf_counter() - start) * 1000)
    finally:
        undo()
    return times


def _phone(url: str, code: str, token: str, heard: queue.Queue, done: threading.Event) -> None:
    """Follow the stream, reopening it when it renews; put (arrival, step_index) per state."""
    params = {"code": code, "p": token}
    while not done.is_set():
        with httpx.stream("GET", f"{url}/room/api/stream", params=params, timeout=60) as stream:
            event = None
            for line in stream.iter_lines():
                if done.is_set():
                    return
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: ") and event == "state":
                    state = json.loads(line.removeprefix("data: "))
                    heard.put((time.perf_counter(), state["step_index"]))


def cross_process_ms(server: Server, database: Path | str) -> list[float]:
    """Commit-to-phone times for CROSS_CHANGES steps committed here, heard on `server`."""
    with store_db.session(database) as db:
        made = auth.create_account(db, f"f{time.time_ns()}@example.org", "bench password 1", "F")
        auth.grant_role_as_operator(db, made.id, "facilitator")
        user = auth.get_user(db, made.id)
        steps = [WorkshopStep(id=f"s{i}", kind="text", title=f"Step {i}") for i in range(50)]
        workshop = workshops.create_workshop(db, user, "Bench", "module", "bench", steps)
    joined = httpx.post(f"{server.url}/room/api/join", json={"code": workshop.code}, timeout=30)
    heard: queue.Queue[tuple[float, int]] = queue.Queue()
    done = threading.Event()
    phone = threading.Thread(
        target=_phone,
        args=(server.url, workshop.code, joined.json()["token"], heard, done),
        daemon=True,
    )
    phone.start()
    times = []
    try:
        while heard.get(timeout=30)[1] != 0:
            pass
        time.sleep(1)  # past the poller's first read
        for index in range(1, CROSS_CHANGES + 1):
            time.sleep(0.13 * (index % 4))  # land at different points of the poll cycle
            with store_db.session(database) as db:
                start = time.perf_counter()
                workshops.go_to_step(db, user, workshop.id, index)
            while True:
                arrived, step_index = heard.get(timeout=30)
                if step_index == index:
                    break
            times.append((arrived - start) * 1000)
    finally:
        done.set()
    return times


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[94]


def cross_process() -> dict[str, float]:
    """Step-to-phone across processes: SQLite (the poll) and PostgreSQL (LISTEN/NOTIFY)."""
    found: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        with Server(Path(folder)) as server:
            polled = cross_process_ms(server, server.db)
        with FreshPostgres() as postgres, Server(Path(folder), postgres.url) as server:
            notified = cross_process_ms(server, postgres.url)
            store_db.postgres.close_pools()
    for name, times in (("cross_sqlite_poll", polled), ("cross_postgres_notify", notified)):
        found[f"{name}_median_ms"] = round(statistics.median(times), 1)
        found[f"{name}_p95_ms"] = round(_p95(times), 1)
        found[f"{name}_max_ms"] = round(max(times), 1)
    found["cross_steps"] = CROSS_CHANGES
    return found


def main() -> None:
    """Print step-to-phone times: in one process (polled, nudged) and across processes."""
    results: dict[str, float] = {}
    if "--cross-only" not in sys.argv:
        with tempfile.TemporaryDirectory() as folder:
            os.environ["CARELAB_DB"] = str(Path(folder) / "nudge.db")
            polled, nudged = step_to_phone_ms(False), step_to_phone_ms(True)
        results = {
            "polled_median_ms": round(statistics.median(polled), 1),
            "polled_max_ms": round(max(polled), 1),
            "nudged_median_ms": round(statistics.median(nudged), 2),
            "nudged_max_ms": round(max(nudged), 2),
        }
    report("room_nudge", {**results, **cross_process()})


if __name__ == "__main__":
    main()
