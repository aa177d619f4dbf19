"""Joining a room on a real server: a ward behind one address, a guesser, and a full room."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator

import httpx2 as httpx
import pytest

from tests.conftest import run_coroutine
from tests.server.conftest import WRONG_CODE, client, open_room, start_server, typo
from tests.serving import ServerProcess


async def _ward(url: str, code: str, phones: int) -> tuple[list[int], list[int]]:
    """Every phone joins from one address; every fifth mistypes the code twice first."""
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.11")
    limits = httpx.Limits(max_connections=40)
    typos: list[int] = []
    async with httpx.AsyncClient(
        base_url=url, transport=transport, limits=limits, timeout=60
    ) as http:

        async def phone(n: int) -> int:
            # The page sends a random id it keeps in localStorage; a browser that refuses
            # storage (some private modes) sends none. Half the phones here do each.
            device = {"device": secrets.token_hex(16)} if n % 2 else {}
            for _ in range(2 if n % 5 == 0 else 0):
                wrong = await http.post("/room/api/join", json={"code": typo(code), **device})
                typos.append(wrong.status_code)
            right = await http.post("/room/api/join", json={"code": code, **device})
            return right.status_code

        joined = await asyncio.gather(*(phone(n) for n in range(phones)))
    return list(joined), typos


def test_200_phones_behind_one_address_all_get_in_though_40_mistype_twice(room):
    joined, typos = run_coroutine(_ward(room.server.url, room.code, 200))
    assert joined == [201] * 200
    assert room.participants() == 200
    assert typos == [404] * 80  # 80 wrong codes: under the limit, so each hears "no such code"


def test_a_right_code_joins_after_130_wrong_ones_from_the_same_address(room):
    with client(room.server, "127.0.0.12") as http:
        statuses = []
        for _ in range(130):
            # A guesser rotates the device id: it changes nothing.
            body = {"code": typo(room.code), "device": secrets.token_hex(16)}
            statuses.append(http.post("/room/api/join", json=body))
        fresh = http.post("/room/api/join", json={"code": room.code, "device": "f" * 32})
    assert fresh.status_code == 201, fresh.text
    assert room.participants() == 1
    assert [r.status_code for r in statuses] == [404] * 100 + [429] * 30
    assert statuses[0].json() == {"error": WRONG_CODE.format(typo(room.code))}
    throttled = statuses[-1]
    assert int(throttled.headers["retry-after"]) == throttled.json()["retry_after"] > 0
    assert throttled.json()["error"].startswith("Too many wrong codes have come from your")
    assert "device" not in throttled.json()["error"]


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server that lets 3 phones into a workshop."""
    started = start_server(tmp_path_factory.mktemp("small"), CARELAB_MAX_PARTICIPANTS="3")
    try:
        yield started
    finally:
        started.stop()


def test_a_full_workshop_says_so_and_keeps_the_phones_already_in(small_server):
    room = open_room(small_server)
    with client(small_server, "127.0.0.15") as http:
        tokens = [http.post("/room/api/join", json={"code": room.code}).json()["token"]]
        tokens += [http.post("/room/api/join", json={"code": room.code}).json()["token"]]
        third = http.post("/room/api/join", json={"code": room.code})
        assert third.status_code == 201
        full = http.post("/room/api/join", json={"code": room.code})
        assert (full.status_code, full.json()) == (
            409,
            {"error": "This workshop is full: it has room for 3 phones. Tell the facilitator."},
        )
        # A phone already in comes back by its link (a reload): it is not a new place.
        for token in tokens:
            page = http.get(f"/room/{room.code}", params={"p": token})
            again = http.get("/room/api/state", params={"code": room.code, "p": token})
            assert (page.status_code, again.status_code) == (200, 200)
        assert http.post("/room/api/join", json={"code": room.code}).status_code == 409
    assert room.participants() == 3
    # Another workshop on the same server has its own places.
    other = open_room(small_server)
    with client(small_server, "127.0.0.15") as http:
        assert http.post("/room/api/join", json={"code": other.code}).status_code == 201


async def _rush(url: str, code: str, phones: int) -> list[int]:
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.16")
    async with httpx.AsyncClient(base_url=url, transport=transport, timeout=60) as http:
        sent = [http.post("/room/api/join", json={"code": code}) for _ in range(phones)]
        return sorted(r.status_code for r in await asyncio.gather(*sent))


def test_phones_rushing_a_nearly_full_workshop_never_pass_the_cap(small_server):
    room = open_room(small_server)
    assert run_coroutine(_rush(small_server.url, room.code, 30)) == [201] * 3 + [409] * 27
    assert room.participants() == 3
