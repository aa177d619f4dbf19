"""How CareLab's web server treats connections: which proxies it believes, and slow clients.

`streamlit run server.py` builds uvicorn's Config before it imports server.py, and has no
option for either. uvicorn imports server.py from inside `Config.load()`, before it wraps
the app in its ProxyHeadersMiddleware and before it makes any connection's protocol, so
server.py hands that Config to `adopt` (found by `loading_config`), which sets both:

- the addresses whose X-Forwarded-For and X-Forwarded-Proto are believed come from
  CARELAB_TRUSTED_PROXIES, for the room, the sign-in routes and Streamlit's own
  `st.context.ip_address` alike (uvicorn's own default, FORWARDED_ALLOW_IPS, is
  127.0.0.1 and ::1, read before server.py could change it);
- `GuardedH11Protocol` closes a connection that is slow to send a request: uvicorn 0.55
  has no deadline for a request's head or body, so a client sending a byte every few
  seconds held its connection (and a file descriptor) forever.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import sys
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from carelab import config

log = logging.getLogger(__name__)

# A request's line and headers must be complete this long after the connection opens or
# the previous response ends. A phone sends them in one packet; nginx allows 60 s.
HEAD_SECONDS = 10.0
# A body must then keep up this average rate after a grace period: 16 KB (the room's
# largest request) has 10 s, a 10 MB upload about 20 minutes, a trickle is cut at 10 s.
BODY_GRACE_SECONDS = 10.0
BODY_MIN_BYTES_PER_SECOND = 8 * 1024


def trusted_proxies() -> list[str]:
    """The proxies named by CARELAB_TRUSTED_PROXIES, as uvicorn takes them (`none`: none)."""
    named = [part.strip() for part in config.get("CARELAB_TRUSTED_PROXIES").split(",")]
    kept = []
    for entry in filter(None, named):
        if entry == "*" or entry.lower() == "none":
            kept.append(entry.lower())
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            log.warning("CARELAB_TRUSTED_PROXIES: %r is not an address or network; ignored", entry)
            continue
        # uvicorn would take 10.1.2.3/8 as a name that matches nothing: give it 10.0.0.0/8.
        kept.append(str(network) if "/" in entry else entry)
    if "*" in kept:
        return ["*"]
    return [entry for entry in kept if entry != "none"]


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose client is slow to send.

    While the client owes a request's head, it has HEAD_SECONDS; while it owes a body, it
    must average BODY_MIN_BYTES_PER_SECOND after BODY_GRACE_SECONDS. Nothing is timed
    while the app works on a request (long polls and streams may take long), nor once a
    connection has become a websocket.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._owed: object = None  # h11.IDLE (a head) or h11.SEND_BODY (a body), or None
        self._timer: asyncio.TimerHandle | None = None
        self._received = 0
        self._body_start = (0.0, 0)  # loop time and bytes received when the head arrived

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the connection, and the clock for its first request's head."""
        super().connection_made(transport)
        self._watch()

    def data_received(self, data: bytes) -> None:
        """Count what arrives, then see what the client owes now."""
        self._received += len(data)
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        """After a response, a kept-alive connection owes the next request's head."""
        super().on_response_complete()
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clock."""
        self._stop()
        super().connection_lost(exc)

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._owed = None

    def _watch(self) -> None:
        owed = self.conn.their_state
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            owed = None  # closed, or handed over to a websocket protocol
        elif owed is not h11.IDLE and owed is not h11.SEND_BODY:
            owed = None  # the request is in; the app is working on it
        if owed is self._owed:
            return
        self._stop()
        self._owed = owed
        if owed is h11.IDLE:
            self._timer = self.loop.call_later(HEAD_SECONDS, self._head_late)
        elif owed is h11.SEND_BODY:
            self._body_start = (self.loop.time(), self._received)
            self._timer = self.loop.call_later(BODY_GRACE_SECONDS, self._body_slow)

    def _head_late(self) -> None:
        self._timer = None
        self._close("request head", HEAD_SECONDS)

    def _body_slow(self) -> None:
        self._timer = None
        started, before = self._body_start
        due = started + BODY_GRACE_SECONDS + (self._received - before) / BODY_MIN_BYTES_PER_SECOND
        if self.flow.read_paused or self.loop.time() < due:
            # On time so far, or the app is not reading yet (then the client is not to blame).
            self._timer = self.loop.call_at(max(due, self.loop.time() + 1), self._body_slow)
            return
        self._close("request body", self.loop.time() - started)

    def _close(self, what: str, seconds: float) -> None:
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            return
        log.debug("closed a connection from %s: %s too slow (%.0f s)", self.client, what, seconds)
        self._owed = None
        self.transport.close()  # connection_lost tells a running app that the client left


def adopt(server_config: uvicorn.Config) -> None:
    """Set a Config that is loading: believe only CareLab's proxies, guard every connection."""
    server_config.proxy_headers = True
    server_config.forwarded_allow_ips = trusted_proxies()
    server_config.http_protocol_class = GuardedH11Protocol


def loading_config() -> uvicorn.Config | None:
    """The uvicorn Config whose `load()` is importing the caller's module, or None.

    `streamlit run` and `uvicorn server:app` both import server.py from Config.load_app(),
    with the Config as its `self`; a plain import (a test, a script) finds none.
    """
    frame = sys._getframe(1)
    while frame is not None:
        owner = frame.f_locals.get("self")
        if isinstance(owner, uvicorn.Config) and not owner.loaded:
            return owner
        frame = frame.f_back
    return None
