"""Two real servers on one PostgreSQL: a phone streaming from one follows a facilitator whose
action is committed elsewhere, through LISTEN/NOTIFY, with the room's poll set to an hour."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx

from carelab import auth
from carelab.store import db as store_db
from carelab.workshop import workshops
from tests.serving import ServerProcess
from tests.unit.workshop.conftest import content_steps


def _events(lines: Iterator[str]) -> Iterator[dict]:
    event = None
    for line in lines:
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == "state":
            yield json.loads(line.removeprefix("data: "))


def test_a_phone_on_server_two_follows_a_step_committed_in_another_process(postgres_url, tmp_path):
    store_db.prepare(postgres_url)
    with store_db.session(postgres_url) as db:
        made = auth.create_account(db, "fay@example.org", secrets.token_urlsafe(18), "Fay")
        auth.grant_role_as_operator(db, made.id, "facilitator")
        fay = auth.get_user(db, made.id)
        room = workshops.create_workshop(db, fay, "Huddle", "module", "m", content_steps())
    # An hour-long poll: only a notification can bring the step to the phone in time.
    env = {"CARELAB_DB": postgres_url, "CARELAB_ROOM_POLL_SECONDS": "3600"}
    servers = [ServerProcess(tmp_path / name, env=env) for name in ("one", "two")]
    try:
        for server in servers:
            server.start()
        joined = httpx.post(f"{servers[0].url}/room/api/join", json={"code": room.code})
        assert joined.status_code == 201, joined.text
        params = {"code": room.code, "p": joined.json()["token"]}
        with (
            httpx.stream(
                "GET", f"{servers[1].url}/room/api/stream", params=params, timeout=60
            ) as stream,
            ThreadPoolExecutor(1) as pool,
        ):
            states = _events(stream.iter_lines())
            assert pool.submit(next, states).result(timeout=30)["step_index"] == 0
            time.sleep(1)  # past the poller's first read: afterwards only NOTIFY can wake it
            # The facilitator acts through the core in this (third) process.
            with store_db.session(postgres_url) as db:
                workshops.go_to_step(db, fay, room.id, 2)
            moved = pool.submit(next, states).result(timeout=30)
        assert moved["step_index"] == 2
    finally:
        for server in servers:
            if server.process is not None:
                server.stop()
