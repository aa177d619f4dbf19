"""The phone page and the load generator must use the room API the same way.

bench/workshop_load.py simulates hundreds of phones without a browser, so its numbers
only mean something if it makes the requests the real page makes. This test records the
real page's requests in Chromium through join, stream, answer and reload, and checks each
against ROOM_API below: method, path, content type, and the JSON body's (or the query's)
keys. Then it runs the bench's own Phone once against the same server and checks its
requests against the same shapes, in the same order. When either part fails because the
page changed, change the bench with it.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Request, expect

from bench.workshop_load import Phone, Room
from carelab.workshop import workshops
from tests.e2e.test_room_phone import Facilitator
from tests.e2e.waits import WAIT_SECONDS, patient
from tests.e2e.workshop_room import ACK, PHONE


@dataclass(frozen=True)
class Call:
    """One room API request as the page sends it."""

    method: str
    path: str
    content_type: str | None = None  # of the request body; None: no body
    body: frozenset[str] = frozenset()  # the JSON body's keys
    query: frozenset[str] = frozenset()  # the query string's keys
    kind: str = "fetch"  # Playwright's resource type: fetch, or eventsource for the stream


# What the load generator does, in the page's words. Keep bench/workshop_load.py in step.
ROOM_API = {
    "join": Call(
        "POST", "/room/api/join", "application/json", frozenset({"code", "nickname", "device"})
    ),
    "state": Call("GET", "/room/api/state", query=frozenset({"code", "p"})),
    "stream": Call("GET", "/room/api/stream", query=frozenset({"code", "p"}), kind="eventsource"),
    "answer": Call(
        "POST",
        "/room/api/answer",
        "application/json",
        frozenset({"code", "p", "step_index", "value"}),
    ),
}
# What a phone does, in order: join, read the state, listen; answer; reload, read, listen.
JOURNEY = ["join", "state", "stream", "answer", "state", "stream"]

pytestmark = pytest.mark.browser


def shape(request: Request) -> Call:
    """The recorded request in ROOM_API's terms."""
    url = urlsplit(request.url)
    body = request.post_data_json if request.post_data else None
    content_type = request.headers.get("content-type")
    return Call(
        request.method,
        url.path,
        content_type.split(";")[0].strip() if content_type else None,
        frozenset(body) if isinstance(body, dict) else frozenset(),
        frozenset(parse_qs(url.query)),
        request.resource_type,
    )


def test_the_phone_page_uses_the_room_api_as_the_bench_does(browser: Browser, server: str):
    host = Facilitator(server)
    host.do(workshops.go_to_step, 0, open_answering=True)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        patient(page)
        api: list[Request] = []
        page.on("request", lambda r: api.append(r) if "/room/api/" in r.url else None)

        page.goto(f"{server}/room")
        page.get_by_label("Workshop code").fill(host.workshop.code)
        page.get_by_label("Nickname (optional)").fill("Sam")
        with page.expect_request("**/room/api/stream?*"):
            page.get_by_role("button", name="Join").tap()
        expect(page.get_by_text("Which <b>ward</b> do you work on?")).to_be_visible()
        page.get_by_label("Surgical").tap()
        page.get_by_role("button", name="Send").tap()
        expect(page.get_by_text(ACK)).to_be_visible()
        with page.expect_request("**/room/api/stream?*"):
            page.reload()
        expect(page.get_by_label("Surgical")).to_be_checked()
        expect(page.get_by_text(ACK)).to_be_visible()
        replies = [(r.response().status, r.response().headers["content-type"]) for r in api]
    finally:
        context.close()

    seen = [shape(r) for r in api]
    names = {call: name for name, call in ROOM_API.items()}
    unknown = [call for call in seen if call not in names]
    assert not unknown, f"the page made requests the bench does not know: {unknown}"
    assert [names[call] for call in seen] == JOURNEY
    assert replies == [
        (201, "application/json"),
        (200, "application/json"),
        (200, "text/event-stream; charset=utf-8"),
        (200, "application/json"),
        (200, "application/json"),
        (200, "text/event-stream; charset=utf-8"),
    ]
    join, answer = api[0].post_data_json, api[3].post_data_json
    assert join["code"] == host.workshop.code and join["nickname"] == "Sam"
    assert isinstance(join["device"], str) and len(join["device"]) == 32
    token = parse_qs(urlsplit(api[1].url).query)["p"][0]
    assert answer == {"code": host.workshop.code, "p": token, "step_index": 0, "value": 1}


class ScriptedDice(random.Random):
    """The bench's dice, loaded: answer at once, do not change the answer, then reload."""

    def __init__(self) -> None:
        super().__init__(1)
        self.rolls = [0.0, 0.5, 0.05]  # think time, change (< 0.2), reload (< 0.1)

    def random(self) -> float:
        """The next scripted roll, then 0.99 (nothing more happens)."""
        return self.rolls.pop(0) if self.rolls else 0.99

    def getrandbits(self, k: int) -> int:
        """Unscripted: defining it keeps randrange (the answer's choice) off the rolls."""
        return super().getrandbits(k)


def bench_shape(request: httpx.Request) -> Call:
    """A request the bench's client sent, in ROOM_API's terms."""
    content_type = request.headers.get("content-type")
    body = json.loads(request.content) if request.content else None
    return Call(
        request.method,
        request.url.path,
        content_type.split(";")[0].strip() if content_type else None,
        frozenset(body) if isinstance(body, dict) else frozenset(),
        frozenset(parse_qs(request.url.query.decode())),
        "eventsource" if request.url.path.endswith("/stream") else "fetch",
    )


def test_the_bench_phone_makes_the_page_requests_in_the_page_order(server: str):
    """bench/workshop_load.py's own Phone, run once against the server, matches ROOM_API."""
    host = Facilitator(server)
    host.do(workshops.go_to_step, 0, open_answering=True)
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        if "/room/api/" in request.url.path:
            sent.append(request)

    async def one_phone() -> None:
        hooks = {"request": [record]}
        async with httpx.AsyncClient(base_url=server, event_hooks=hooks) as client:
            phone = Phone(Room(host.workshop.code, ScriptedDice(), think=0.3), client)
            assert await phone.join()
            # It answers, reloads and listens again by itself: wait until it has.
            deadline = time.monotonic() + WAIT_SECONDS
            while time.monotonic() < deadline:
                streams = [r for r in sent if r.url.path.endswith("/stream")]
                if 0 in phone.done and len(streams) == 2:
                    break
                await asyncio.sleep(0.05)
            phone.ended = True
            if phone.live is not None:
                phone.live.cancel()
            assert 0 in phone.acked, phone.room.errors

    # Playwright's sync API keeps an event loop running in this thread: use another one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, one_phone()).result(timeout=2 * WAIT_SECONDS)
    names = {call: name for name, call in ROOM_API.items()}
    seen = [bench_shape(r) for r in sent]
    unknown = [call for call in seen if call not in names]
    assert not unknown, f"the bench made requests the page does not: {unknown}"
    assert [names[call] for call in seen] == JOURNEY
