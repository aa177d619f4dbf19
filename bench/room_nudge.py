"""How fast a phone hears of a step change: the room's half-second poll against a nudge.

One phone holds the step stream (Starlette's TestClient against `carelab.room.routes`, in
this process); the facilitator moves through 19 steps, at different points of the poll
cycle. Reported: median and largest time from the commit to the phone's `state` event,
by polling alone, and with the poller nudged by `carelab.workshop.events` (what a facilitator
on the same server gets). Run: `python -m bench.room_nudge [--json]`.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from starlette.applications import Starlette
from starlette.testclient import TestClient

from bench.common import report
from carelab import auth
from carelab.room import hub as hub_module
from carelab.room import routes as room
from carelab.store import db as store_db
from carelab.workshop import events, workshops
from carelab.workshop.steps import WorkshopStep

CHANGES = 19


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
    with store_db.session() as db:
        store_db.migrate(db)
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


def main() -> None:
    """Print the median and largest step-to-phone time, polled and nudged."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ["CARELAB_DB"] = str(Path(folder) / "nudge.db")
        polled, nudged = step_to_phone_ms(False), step_to_phone_ms(True)
    report(
        "room_nudge",
        {
            "polled_median_ms": round(statistics.median(polled), 1),
            "polled_max_ms": round(max(polled), 1),
            "nudged_median_ms": round(statistics.median(nudged), 2),
            "nudged_max_ms": round(max(nudged), 2),
        },
    )


if __name__ == "__main__":
    main()
