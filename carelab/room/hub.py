"""The room's shared pollers: one per workshop, so each phone costs a connection, not a query.

A `Hub` keeps one `Watch` per workshop (and event loop). Its poller reads the room's
`version` every half second; only when it moves does it read the state of every listening
phone, in one batch on one connection, and wake their streams and long polls. A poller is
nudged to read at once by a facilitator in this process (carelab.workshop.events) and, on
PostgreSQL, by any process's commit (store/notifications.py's LISTEN, wired in server.py);
while that LISTEN is connected (`listening`), the poll is only a safety net and slows to
LISTENED_POLL_SECONDS, and as soon as it is not, the half-second poll is back. When the
server is told to stop (Ctrl+C, SIGTERM), `stop_on_exit_signals` ends every stream and
long poll at once, so that a restart does not wait for them.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from types import FrameType
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from carelab import config
from carelab.errors import CareLabError, NotFound
from carelab.store import Connection
from carelab.store import db as store_db
from carelab.store.notifications import WorkshopListener
from carelab.workshop import participants, workshops

log = logging.getLogger(__name__)
T = TypeVar("T")
State = dict[str, Any]  # what a phone shows: participants.state_for_participant's JSON

POLL_SECONDS = 0.5
LISTENED_POLL_SECONDS = 5.0  # the safety-net poll while a LISTEN connection hears every change
EXIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # the ones uvicorn stops on


def _never() -> bool:
    return False


def _in_db(work: Callable[..., T], *args: Any) -> T:
    # Each threadpool thread keeps its own connection: opening one per request was half of
    # the pool's busy time with 1,000 phones (docs/performance.md).
    with store_db.named_failures():
        return work(store_db.thread_connection(), *args)


async def in_db(work: Callable[..., T], *args: Any) -> T:
    """Run `work(db, *args)` in the threadpool on that thread's kept connection."""
    return await run_in_threadpool(_in_db, work, *args)


def _states(db: Connection, code: str, tokens: list[str]) -> dict[str, State | CareLabError]:
    # The whole room in four queries (participants.states_for_participants): one by one it
    # was four a phone, 8,000 round trips to PostgreSQL at each step of a 2,000-phone room.
    return participants.states_for_participants(db, code, tokens)


def _version_or_none(db: Connection, workshop_id: int) -> int | None:
    try:
        return workshops.state_version(db, workshop_id)
    except NotFound:
        return None


class Watch:
    """One workshop's shared poller state: its version, who listens, and their fresh states."""

    def __init__(self, workshop_id: int, code: str, version: int) -> None:
        self.workshop_id = workshop_id
        self.code = code
        self.version = version
        self.gone = False
        self.stopping = False  # the server is stopping: waiters give up at once
        self.tokens: Counter[str] = Counter()  # a phone may hold a stream and a long poll
        self.states: dict[str, State | CareLabError] = {}
        self.task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._nudged = asyncio.Event()  # set when this process's facilitator acted

    def nudge(self) -> None:
        """Have the poller read the room now rather than at its next tick."""
        self._nudged.set()

    async def next_tick(
        self, seconds: float, longer: float | None = None, listening: Callable[[], bool] = _never
    ) -> None:
        """Sleep `seconds` until the next poll, or less if nudged.

        With `longer`, keep sleeping, `seconds` at a time, up to `longer` in all, for as long
        as `listening()` is true: the poll slows down only while changes are heard.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (longer if longer is not None else seconds)
        while True:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._nudged.wait(), min(seconds, deadline - loop.time()))
            if self._nudged.is_set() or loop.time() >= deadline or not listening():
                break
        self._nudged.clear()

    def publish(self, version: int | None, states: dict[str, State | CareLabError]) -> None:
        """Record a new version (None: the workshop is gone) and wake every waiter."""
        self.gone = version is None
        self.version = self.version if version is None else version
        self.states = states
        # A fresh Event per change: waiters hold the old one, which stays set.
        self._wake()

    def stop(self) -> None:
        """The server is stopping: wake every waiter, which then ends its request."""
        self.stopping = True
        self._wake()

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait_past(self, version: int, timeout: float) -> bool:
        """True once the room's version is above `version` (or it is gone); False on timeout.

        Also False, at once, when the server is stopping (see `stopping`).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.version <= version and not self.gone:
            if self.stopping:
                return False
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return False
        return True

    async def state_of(self, token: str) -> State:
        """This phone's state as of the latest change: from the batch, or read on its own."""
        found = self.states.get(token)
        if isinstance(found, CareLabError):
            raise found
        if found is not None and found["version"] >= self.version:
            return found
        return await in_db(participants.state_for_participant, self.code, token)


class Hub:
    """The shared pollers of one app, started on the first listener and stopped after the last."""

    def __init__(
        self,
        poll_seconds: float = POLL_SECONDS,
        listened_poll_seconds: float = LISTENED_POLL_SECONDS,
        listening: Callable[[], bool] | None = None,
    ) -> None:
        self.poll_seconds = poll_seconds
        self.listened_poll_seconds = max(listened_poll_seconds, poll_seconds)
        # True while every committed change reaches `nudge` (a connected LISTEN); set by
        # server.py on PostgreSQL. Never true on SQLite: there the poll is the only news.
        self.listening: Callable[[], bool] = listening or _never
        self.stopping = False
        # Keyed by event loop too: a Watch's asyncio objects belong to the loop that made them.
        self._watches: dict[tuple[asyncio.AbstractEventLoop, int], Watch] = {}

    @asynccontextmanager
    async def watching(self, workshop_id: int, token: str, state: State) -> AsyncIterator[Watch]:
        """Follow a workshop for one phone, whose current `state` is known, during the block."""
        key = (asyncio.get_running_loop(), workshop_id)
        watch = self._watches.get(key)
        if watch is None:
            watch = self._watches[key] = Watch(workshop_id, state["code"], state["version"])
            # A change committed between the phone's read and now was announced to no one:
            # read the room once at the start rather than at the first (slow) tick.
            watch.nudge()
            # The Watch keeps a reference, or the event loop could drop the running task.
            watch.task = asyncio.create_task(self._poll(key, watch))
            if self.stopping:
                watch.stop()
        watch.tokens[token] += 1
        try:
            yield watch
        finally:
            watch.tokens[token] -= 1
            if watch.tokens[token] <= 0:
                del watch.tokens[token]

    def active(self) -> int:
        """How many workshops are being polled now (for tests and diagnostics)."""
        return len(self._watches)

    def nudge(self, workshop_id: int) -> None:
        """A facilitator in this process changed a workshop: poll it now (any thread may call).

        Subscribe it with carelab.workshop.events.on_change; phones then follow a step in
        milliseconds instead of up to `poll_seconds`.
        """
        for (loop, watched), watch in list(self._watches.items()):
            if watched == workshop_id:
                with suppress(RuntimeError):  # that loop has closed
                    loop.call_soon_threadsafe(watch.nudge)

    def nudge_all(self) -> None:
        """Poll every watched workshop now (any thread may call): changes may have been missed.

        The LISTEN connection calls it on each (re)connect: notifications sent while it was
        down are lost.
        """
        for (loop, _), watch in list(self._watches.items()):
            with suppress(RuntimeError):  # that loop has closed
                loop.call_soon_threadsafe(watch.nudge)

    def stop(self) -> None:
        """End every stream and long poll of this event loop now: the server is stopping.

        Call it on the loop that serves the room (from a signal handler, through
        `loop.call_soon_threadsafe`). Requests that arrive later end at once too.
        """
        self.stopping = True
        loop = asyncio.get_running_loop()
        for (owner, _), watch in list(self._watches.items()):
            if owner is loop:
                watch.stop()

    async def _poll(self, key: tuple[asyncio.AbstractEventLoop, int], watch: Watch) -> None:
        try:
            while watch.tokens and not watch.gone and not watch.stopping:
                await watch.next_tick(self.poll_seconds, self.listened_poll_seconds, self.listening)
                try:
                    await self._check(watch)
                except Exception:
                    # A poller that died would leave every phone of the room stranded.
                    log.exception("room poller could not read workshop %s", watch.workshop_id)
        finally:
            # No await between the last listener check and this: no phone can slip in.
            if self._watches.get(key) is watch:
                del self._watches[key]

    async def _check(self, watch: Watch) -> None:
        version = await in_db(_version_or_none, watch.workshop_id)
        if version is None:
            watch.publish(None, {})
        elif version != watch.version:
            states = await in_db(_states, watch.code, list(watch.tokens))
            watch.publish(version, states)


@contextmanager
def hearing_other_processes(hub: Hub, url: str | None = None) -> Iterator[WorkshopListener | None]:
    """On PostgreSQL, nudge `hub` on every workshop change any process commits (LISTEN).

    One listener connection for the block (store/notifications.py): each notification
    nudges that workshop's poller, each (re)connect re-reads every watched workshop, and
    while it is connected the hub's poll slows to a safety net. `url` is the database
    (default: CARELAB_DB); on SQLite it does nothing and yields None.
    """
    url = url or config.postgres_url()
    if url is None:
        yield None
        return
    listener = WorkshopListener(url, on_change=hub.nudge, on_connect=hub.nudge_all)
    hub.listening = lambda: listener.connected
    listener.start()
    try:
        yield listener
    finally:
        listener.stop()
        hub.listening = _never


@contextmanager
def stop_on_exit_signals(hub: Hub, loop: asyncio.AbstractEventLoop | None = None) -> Iterator[None]:
    """While the block runs, tell `hub` to stop (`Hub.stop`) as soon as the server is.

    uvicorn, which st.App runs, answers SIGINT and SIGTERM by closing its listening socket
    and then waiting, with no time limit, for every open response to finish; only after
    that does it run the lifespan's shutdown, too late to end a stream. So this wraps the
    server's own signal handlers: ours schedules `hub.stop` on the event loop, then hands
    the signal on unchanged. Enter it in the lifespan, inside the running server (main
    thread, the server's handlers in place); in any other thread it does nothing, and so
    does a signal whose handler is not a Python function. `loop` is the event loop that
    serves the room: by default the running one.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = loop or asyncio.get_running_loop()
    previous = {sig: signal.getsignal(sig) for sig in EXIT_SIGNALS}
    chained = {sig: handler for sig, handler in previous.items() if callable(handler)}

    def handle(sig: int, frame: FrameType | None) -> None:
        with suppress(RuntimeError):  # the loop has closed: nothing is left to stop
            loop.call_soon_threadsafe(hub.stop)
        chained[sig](sig, frame)

    for sig in chained:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        for sig, handler in chained.items():
            if signal.getsignal(sig) is handle:
                signal.signal(sig, handler)
