"""Join lookups from an address that has had too many wrong codes go one at a time, spaced.

A right code always joins, so the wrong-code limit alone cannot stop a guesser: once over
it, every guess still costs only a lookup, and one address answered about 700 guesses a
second (a 1 in 180 chance of finding one live 6-character code in a two-hour workshop).
Once an address is over the limit, its join requests here are served one at a time, at
most one every GUESS_SPACING_SECONDS, until the limit's window has passed: 5 guesses a
second, 36,000 in two hours, about 1 in 25,000 for one live code. A ward behind that
address still gets in with the right code, a few phones a second. The pacing is per server
process; with several processes behind a load balancer, multiply the rate by their number.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

GUESS_SPACING_SECONDS = 0.2
MAX_WAITING = 200  # joins queued behind one over-limit address before it is told to wait


class TooManyWaiting(Exception):
    """Too many joins from one over-limit address are already waiting their turn."""


@dataclass
class _Lane:
    until: float  # monotonic time when the address is no longer over the limit
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


class JoinPacer:
    """One lane per over-limit address; requests from other addresses pass untouched."""

    def __init__(
        self,
        spacing: float = GUESS_SPACING_SECONDS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spacing = spacing
        self.sleep = sleep
        self.clock = clock
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
        """Wait for this address's turn if it is over the limit; space its lookups."""
        lane = self._lane(address)
        if lane is None:
            yield
            return
        if lane.waiting >= MAX_WAITING:
            raise TooManyWaiting()
        lane.waiting += 1
        try:
            async with lane.lock:
                try:
                    yield
                finally:
                    await self.sleep(self.spacing)
        finally:
            lane.waiting -= 1
