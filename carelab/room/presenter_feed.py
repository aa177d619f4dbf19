"""The presenter screens' shared pollers: one per workshop shown, however many screens show it.

A `Feed` reads the workshop's cheap signature (its version, who joined, how many answered
the current step and when last; carelab.store.presenter.signature) every POLL_SECONDS, and
only when it has moved rebuilds the presenter view, once, for every screen of that
workshop. A new answer therefore reaches the screen within about a quarter of a second
plus the time to build the view, with one small query a tick per workshop, not per screen.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from typing import Any, TypeVar

from carelab.errors import CareLabError, NotFound
from carelab.store import Connection
from carelab.store import db as store_db
from carelab.store import presenter as store
from carelab.workshop import presenter

log = logging.getLogger(__name__)
T = TypeVar("T")
View = dict[str, Any]
POLL_SECONDS = 0.25
# The presenters' reads run on a thread of their own, not in the pool that serves the
# phones: with 1,000 phones answering, a read queued behind their saves held the screen
# back by seconds (docs/performance.md).
_READER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="presenter-feed")


def _read_here(work: Callable[..., T], *args: Any) -> T:
    with store_db.named_failures():
        return work(store_db.thread_connection(), *args)


async def read(work: Callable[..., T], *args: Any) -> T:
    """Run `work(db, *args)` on the presenters' own reader thread and its kept connection."""
    return await asyncio.get_running_loop().run_in_executor(_READER, _read_here, work, *args)


def _fresh(db: Connection, workshop_id: int) -> tuple[Any, View | None]:
    found = store.signature(db, workshop_id)
    if found is None:
        return None, None
    try:
        return found, presenter.presenter_view(db, workshop_id)
    except NotFound:
        return None, None


class Feed:
    """One workshop's latest presenter view, its sequence number, and who is watching."""

    def __init__(self, workshop_id: int, view: View, signature: Any) -> None:
        self.workshop_id = workshop_id
        self.view = view
        self.signature = signature
        self.seq = 0
        self.gone = False
        self.stopping = False
        self.watchers = 0
        self.task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._nudged = asyncio.Event()

    def publish(self, signature: Any, view: View | None) -> None:
        """Hand a new view (None: the workshop is gone) to every waiting screen."""
        if view is None:
            self.gone = True
        else:
            self.signature, self.view = signature, view
        self.seq += 1
        self._changed.set()
        self._changed = asyncio.Event()

    def stop(self) -> None:
        """Wake every screen to end its stream: the server is stopping."""
        self.stopping = True
        self._changed.set()

    def nudge(self) -> None:
        """Read the workshop at once rather than at the next tick (after a presenter action)."""
        self._nudged.set()

    async def wait_past(self, seq: int, timeout: float) -> bool:
        """True once a view newer than `seq` is out (or the feed is gone); False on timeout."""
        if self.seq > seq or self.gone:
            return True
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            return False
        return self.seq > seq or self.gone

    async def tick(self, seconds: float) -> None:
        """Sleep until the next poll, or less when nudged."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._nudged.wait(), seconds)
        self._nudged.clear()


class Feeds:
    """Every presenter feed of an app: started with the first screen, stopped after the last."""

    def __init__(
        self, poll_seconds: float = POLL_SECONDS, stopping: Callable[[], bool] | None = None
    ) -> None:
        self.poll_seconds = poll_seconds
        self.stopping = stopping or (lambda: False)
        self._feeds: dict[tuple[asyncio.AbstractEventLoop, int], Feed] = {}

    @asynccontextmanager
    async def following(self, workshop_id: int, view: View) -> AsyncIterator[Feed]:
        """Follow one workshop's presenter view (as of `view`) during the block."""
        key = (asyncio.get_running_loop(), workshop_id)
        feed = self._feeds.get(key)
        if feed is None:
            feed = self._feeds[key] = Feed(workshop_id, view, None)
            feed.task = asyncio.create_task(self._poll(key, feed))
        feed.watchers += 1
        try:
            yield feed
        finally:
            feed.watchers -= 1

    def nudge(self, workshop_id: int) -> None:
        """Re-read a workshop now (call on the event loop that serves the screens)."""
        for (loop, watched), feed in list(self._feeds.items()):
            if watched == workshop_id and loop is asyncio.get_running_loop():
                feed.nudge()

    def active(self) -> int:
        """How many workshops are being followed now (for tests and diagnostics)."""
        return len(self._feeds)

    async def _poll(self, key: tuple[asyncio.AbstractEventLoop, int], feed: Feed) -> None:
        try:
            while feed.watchers > 0 and not feed.gone:
                if self.stopping():
                    feed.stop()
                    return
                try:
                    await self._check(feed)
                except CareLabError:
                    # The database is busy or away: the screens keep the last view, and the
                    # next tick tries again.
                    log.warning("presenter feed could not read workshop %s", feed.workshop_id)
                except Exception:
                    log.exception("presenter feed failed on workshop %s", feed.workshop_id)
                await feed.tick(self.poll_seconds)
        finally:
            if self._feeds.get(key) is feed:
                del self._feeds[key]

    async def _check(self, feed: Feed) -> None:
        found = await read(store.signature, feed.workshop_id)
        if found is not None and found == feed.signature:
            return
        signature, view = await read(_fresh, feed.workshop_id)
        if view is None:
            feed.publish(None, None)
            return
        feed.signature = signature
        # A view that differs only in its clock (say, a re-sent identical answer) is not sent.
        if _without_clock(view) != _without_clock(feed.view):
            feed.publish(signature, view)


def _without_clock(view: View) -> View:
    return {key: value for key, value in view.items() if key != "server_time"}
