"""Join lookups from an address that has had too many wrong codes are spaced, across processes.

A right code always joins, so the wrong-code limit alone cannot stop a guesser: once over
it, every guess still costs only a lookup, and one address answered about 700 guesses a
second (a 1 in 180 chance of finding one live 6-character code in a two-hour workshop).
Once an address is over the limit, each of its join requests first books a slot, at most
one every GUESS_SPACING_SECONDS, and waits for it, until the limit's window has passed: 5
guesses a second, 36,000 in two hours, about 1 in 25,000 for one live code. A ward behind
that address still gets in with the right code, a few phones a second.

The slots are booked in the database (`workshop_join_pacing`, store/workshops.py
`reserve_join_slot`, one write transaction each), so every CareLab process on the same
database shares one address's spacing: the 5 a second hold for the whole cluster, not per
process. Slot times are wall-clock times, so several machines need their clocks kept in step
(NTP: milliseconds apart, against a 200 ms spacing).

Two things stay in each process, on purpose. Which addresses are over the limit: a process
learns it from its own lookup answering JoinThrottled (the counts are in the database), so
each process lets at most one wrong guess per address through unpaced per window. And a
lane per address, which lets one request at a time book and wait: a flood queues in memory
(MAX_WAITING per process, then "wait") instead of costing a database write per request, and
the database sees at most one booking per address per process at a time. The cluster-wide
queue is capped too: a slot more than MAX_WAITING spacings ahead is refused.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from carelab.store import workshops as store

GUESS_SPACING_SECONDS = 0.2
MAX_WAITING = 200  # joins queued behind one over-limit address before it is told to wait


class TooManyWaiting(Exception):
    """Too many joins from one over-limit address are already waiting their turn."""


class Slots(Protocol):
    """Where an address's next lookup time is kept."""

    async def reserve(
        self, address: str, now: float, spacing: float, max_ahead: float
    ) -> float | None:
        """Book the address's next slot (`now` or later); None if it is over `max_ahead` away."""
        ...


class MemorySlots:
    """Slots kept in this process only (tests, and one process on its own)."""

    def __init__(self) -> None:
        self.next_at: dict[str, float] = {}

    async def reserve(
        self, address: str, now: float, spacing: float, max_ahead: float
    ) -> float | None:
        """Book the address's next slot; None if it is over `max_ahead` away."""
        for key in [k for k, at in self.next_at.items() if at < now - 60]:
            del self.next_at[key]
        slot = max(self.next_at.get(address, now), now)
        if slot - now > max_ahead:
            return None
        self.next_at[address] = slot + spacing
        return slot


Run = Callable[..., Awaitable[Any]]  # run(work, *args): await work(db, *args) somewhere


class DatabaseSlots:
    """Slots kept in the database, shared by every process on it."""

    def __init__(self, run: Run) -> None:
        self.run = run  # e.g. carelab.room.hub.in_db

    async def reserve(
        self, address: str, now: float, spacing: float, max_ahead: float
    ) -> float | None:
        """Book the address's next slot in one write transaction; None if too far ahead."""
        found: float | None = await self.run(
            store.reserve_join_slot, address, now, spacing, max_ahead
        )
        return found


@dataclass
class _Lane:
    until: float  # when the address is no longer over the limit (the pacer's clock)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


class JoinPacer:
    """One lane per over-limit address; requests from other addresses pass untouched."""

    def __init__(
        self,
        spacing: float = GUESS_SPACING_SECONDS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        slots: Slots | None = None,
    ) -> None:
        self.spacing = spacing
        self.sleep = sleep
        self.clock = clock
        self.slots: Slots = slots or MemorySlots()
        self.lanes: dict[str, _Lane] = {}

    def over_limit(self, address: str, seconds: float) -> None:
        """Note that `address` is over the wrong-code limit for `seconds` more."""
        until = self.clock() + seconds
        lane = self.lanes.get(address)
        if lane is None:
            self.lanes[address] = _Lane(until)
        else:
            lane.until = max(lane.until, until)

    def _lane(self, address: str) -> _Lane | None:
        lane = self.lanes.get(address)
        if lane is not None and lane.until <= self.clock() and not lane.waiting:
            del self.lanes[address]  # its window has passed: back to full speed
            return None
        return lane

    @asynccontextmanager
    async def turn(self, address: str) -> AsyncIterator[None]:
        """Wait for this address's booked slot if it is over the limit; else go at once."""
        lane = self._lane(address)
        if lane is None:
            yield
            return
        if lane.waiting >= MAX_WAITING:
            raise TooManyWaiting()
        lane.waiting += 1
        try:
            async with lane.lock:
                ahead = MAX_WAITING * self.spacing
                slot = await self.slots.reserve(address, self.clock(), self.spacing, ahead)
                if slot is None:
                    raise TooManyWaiting()
                delay = slot - self.clock()
                if delay > 0:
                    await self.sleep(delay)
                yield
        finally:
            lane.waiting -= 1
