"""Join lookups from an address over the wrong-code limit go one at a time, spaced out,
so a guesser cannot make thousands of guesses a second once the limit stops counting; the
spacing is booked in the database, so several server processes share it (both databases)."""

from __future__ import annotations

import asyncio

import pytest

from carelab.room.pacing import MAX_WAITING, DatabaseSlots, JoinPacer, TooManyWaiting
from carelab.store import Connection
from carelab.store import db as store_db
from carelab.store import workshops as store
from tests.conftest import run_coroutine


class Clock:
    """A clock the test moves by hand, and a sleep that moves it on and records by how much."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # let the other requests run, as a real sleep would


def _on(db: Connection):
    """DatabaseSlots' runner on one given connection (one 'process' of its own)."""

    async def run(work, *args):
        return work(db, *args)

    return run


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
    # The first goes at once; each of the others waits for its slot, 0.2 s after the last.
    assert clock.slept == pytest.approx([0.2] * 19)
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

        # The first goes straight through (its slot is now); the next sleeps, the rest queue.
        waiting = [asyncio.ensure_future(one()) for _ in range(MAX_WAITING + 1)]
        await asyncio.sleep(0)
        with pytest.raises(TooManyWaiting):
            await one()
        gate.set()
        await asyncio.gather(*waiting)

    run_coroutine(run())


def test_two_processes_share_one_over_limit_addresss_spacing(db_path):
    # Two pacers with their own connections, as two CareLab processes behind one balancer,
    # taking turns: together they still let the address look up once per 0.2 s.
    clock = Clock()
    went: list[float] = []

    async def run() -> None:
        with store_db.session(db_path) as one, store_db.session(db_path) as two:
            pacers = [
                JoinPacer(0.2, clock.sleep, clock, DatabaseSlots(_on(db))) for db in (one, two)
            ]
            for pacer in pacers:
                pacer.over_limit("ip:10.0.0.1", 600)
            for _ in range(3):
                for pacer in pacers:
                    async with pacer.turn("ip:10.0.0.1"):
                        went.append(clock.now)

    run_coroutine(run())
    assert went == pytest.approx([1000.0, 1000.2, 1000.4, 1000.6, 1000.8, 1001.0])


def test_a_right_code_from_an_address_under_the_limit_is_never_delayed(db_path):
    clock = Clock()

    async def run() -> list[str]:
        with store_db.session(db_path) as one, store_db.session(db_path) as two:
            busy = JoinPacer(0.2, clock.sleep, clock, DatabaseSlots(_on(one)))
            busy.over_limit("ip:10.0.0.1", 600)
            pacer = JoinPacer(0.2, clock.sleep, clock, DatabaseSlots(_on(two)))
            for _ in range(3):  # the guesser books slots ahead...
                async with busy.turn("ip:10.0.0.1"):
                    pass
            clock.slept.clear()
            for _ in range(5):  # ...and a ward's phones on another address are not held
                async with pacer.turn("ip:10.0.0.2"):
                    pass
            return [r[0] for r in one.execute("SELECT client_key FROM workshop_join_pacing")]

    booked = run_coroutine(run())
    assert clock.slept == []
    assert booked == ["ip:10.0.0.1"]


def test_the_shared_queue_is_capped_and_old_bookings_are_forgotten(db):
    slots = [store.reserve_join_slot(db, "ip:10.0.0.1", 1000.0, 0.2, 0.5) for _ in range(4)]
    assert slots[:3] == pytest.approx([1000.0, 1000.2, 1000.4])
    assert slots[3] is None, "a slot more than max_ahead away is refused"
    assert store.reserve_join_slot(db, "ip:10.0.0.2", 1100.0, 0.2, 0.5) == 1100.0
    remaining = [r[0] for r in db.execute("SELECT client_key FROM workshop_join_pacing")]
    assert remaining == ["ip:10.0.0.2"], "a booking a minute past its time is deleted"
