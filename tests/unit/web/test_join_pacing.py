"""Join lookups from an address over the wrong-code limit go one at a time, spaced out,
so a guesser cannot make thousands of guesses a second once the limit stops counting."""

from __future__ import annotations

import asyncio

import pytest

from carelab.room.pacing import MAX_WAITING, JoinPacer, TooManyWaiting
from tests.conftest import run_coroutine


class Clock:
    """A clock the test moves by hand, and a sleep that only records what it was asked."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await asyncio.sleep(0)  # let the other requests run, as a real sleep would


def _many(pacer: JoinPacer, address: str, count: int) -> tuple[int, int]:
    """Run `count` joins from `address` at once; return (most inside at one time, done)."""
    inside = most = done = 0

    async def one() -> None:
        nonlocal inside, most, done
        async with pacer.turn(address):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0)
            inside -= 1
            done += 1

    async def run() -> None:
        await asyncio.gather(*(one() for _ in range(count)))

    run_coroutine(run())
    return most, done


def test_an_address_under_the_limit_is_not_slowed():
    clock = Clock()
    pacer = JoinPacer(spacing=0.2, sleep=clock.sleep, clock=clock)
    most, done = _many(pacer, "ip:10.0.0.1", 20)
    assert done == 20 and most == 20
    assert clock.slept == []


def test_an_address_over_the_limit_is_served_one_at_a_time_and_spaced():
    clock = Clock()
    pacer = JoinPacer(spacing=0.2, sleep=clock.sleep, clock=clock)
    pacer.over_limit("ip:10.0.0.1", 600)
    most, done = _many(pacer, "ip:10.0.0.1", 20)
    assert done == 20, "every request is still answered: a right code still joins"
    assert most == 1
    assert clock.slept == [0.2] * 20
    # Another address on the same server is not held up by it.
    most, _ = _many(pacer, "ip:10.0.0.2", 5)
    assert most == 5


def test_the_pace_ends_when_the_window_has_passed():
    clock = Clock()
    pacer = JoinPacer(spacing=0.2, sleep=clock.sleep, clock=clock)
    pacer.over_limit("ip:10.0.0.1", 600)
    clock.now += 601
    most, _ = _many(pacer, "ip:10.0.0.1", 5)
    assert most == 5 and clock.slept == []
    assert pacer.lanes == {}, "an address's lane is forgotten once its window has passed"


def test_a_flood_from_one_address_is_told_to_wait_rather_than_queued_forever():
    async def run() -> None:
        gate = asyncio.Event()

        async def slow(_seconds: float) -> None:
            await gate.wait()

        pacer = JoinPacer(spacing=0.2, sleep=slow)
        pacer.over_limit("ip:10.0.0.1", 600)

        async def one() -> None:
            async with pacer.turn("ip:10.0.0.1"):
                pass

        waiting = [asyncio.ensure_future(one()) for _ in range(MAX_WAITING)]
        await asyncio.sleep(0)
        with pytest.raises(TooManyWaiting):
            await one()
        gate.set()
        await asyncio.gather(*waiting)

    run_coroutine(run())
