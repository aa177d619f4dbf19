"""PostgreSQL LISTEN/NOTIFY: "workshop X changed", heard by every CareLab process at once.

Every store write that raises a workshop's `version` also sends `NOTIFY` on
`WORKSHOP_CHANGED` in the same transaction (store/workshops.py, through the connection's
`notify`), so the notification is delivered only if, and once, the change commits. The
payload is only the workshop's id, as text: listeners read the state from the tables.

Each process runs one `WorkshopListener`: ONE dedicated connection of its own, opened with
psycopg straight from the database URL in autocommit mode (never taken from the pool, whose
connections are handed to other threads, and never through a transaction pooler such as
PgBouncer in transaction mode, which does not keep a LISTEN on a server connection), which
`LISTEN`s in a daemon thread and calls `on_change(workshop_id)` for each notification.

Notifications sent while the listener is disconnected are lost, so after every (re)connect,
once the LISTEN is in place, it calls `on_connect()`, for the room to re-read every workshop
it watches; a dropped connection is reopened with a capped backoff. SQLite has no such thing:
there the room keeps polling (carelab/room/hub.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

WORKSHOP_CHANGED = "carelab_workshop_changed"
FIRST_RETRY_SECONDS = 0.1
MAX_RETRY_SECONDS = 5.0
WAKE_SECONDS = 0.5  # how often the thread looks up from the socket, to stop or to probe
PROBE_SECONDS = 10.0  # a quiet connection is checked with SELECT 1 this often
# Find a dead peer (a cable pulled, a failover) in about half a minute, not TCP's two hours.
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}


def workshop_id_of(payload: str) -> int | None:
    """The workshop id a notification names, or None if the payload is not one."""
    text = payload.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)


class WorkshopListener:
    """One process's LISTEN connection on WORKSHOP_CHANGED, in a daemon thread."""

    def __init__(
        self,
        url: str,
        on_change: Callable[[int], None],
        on_connect: Callable[[], None] | None = None,
        channel: str = WORKSHOP_CHANGED,
        max_retry_seconds: float = MAX_RETRY_SECONDS,
    ) -> None:
        self.url = url
        self.on_change = on_change
        self.on_connect = on_connect
        self.channel = channel
        self.max_retry_seconds = max_retry_seconds
        self.connects = 0  # how many times the LISTEN has been (re)established
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: psycopg.Connection[Any] | None = None

    @property
    def connected(self) -> bool:
        """True while the LISTEN connection is open (notifications are being heard)."""
        return self._connected.is_set()

    def start(self) -> None:
        """Start listening in a daemon thread (it connects, and reconnects, by itself)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="carelab-listen", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop listening and close the connection; wait up to `timeout` for the thread."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("the LISTEN thread did not stop within %s s", timeout)

    def backend_pid(self) -> int | None:
        """The server process id of the LISTEN connection (for tests), or None."""
        conn = self._conn
        return conn.info.backend_pid if conn is not None and not conn.closed else None

    def _run(self) -> None:
        retry = FIRST_RETRY_SECONDS
        while not self._stop.is_set():
            try:
                self._listen()
                retry = FIRST_RETRY_SECONDS  # it had connected: start the backoff afresh
            except (psycopg.Error, OSError) as exc:
                if self._stop.is_set():
                    break
                log.warning("LISTEN %s: %s; retrying in %.1f s", self.channel, exc, retry)
                self._stop.wait(retry)
                retry = min(retry * 2, self.max_retry_seconds)

    def _listen(self) -> None:
        conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10, **KEEPALIVES)
        self._conn = conn
        try:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self._connected.set()
            self.connects += 1
            log.info("listening for workshop changes on %s", self.channel)
            self._call(self.on_connect)
            quiet = 0.0
            while not self._stop.is_set():
                heard = False
                for note in conn.notifies(timeout=WAKE_SECONDS):
                    heard = True
                    self._deliver(note.payload)
                    if self._stop.is_set():
                        break
                quiet = 0.0 if heard else quiet + WAKE_SECONDS
                if quiet >= PROBE_SECONDS:
                    conn.execute("SELECT 1")  # raises if the server went away without a word
                    quiet = 0.0
        finally:
            self._connected.clear()
            self._conn = None
            conn.close()

    def _deliver(self, payload: str) -> None:
        workshop_id = workshop_id_of(payload)
        if workshop_id is None:
            log.warning(
                "ignored a %s notification that names no workshop: %r", self.channel, payload[:80]
            )
            return
        self._call(self.on_change, workshop_id)

    def _call(self, callback: Callable[..., None] | None, *args: Any) -> None:
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:
            log.exception("a %s listener callback failed", self.channel)
