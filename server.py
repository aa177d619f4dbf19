"""CareLab's server: the Streamlit app plus CareLab's own routes, in one process on one port.

Run with `streamlit run server.py` (what `make run` does).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st

from carelab import config, integration, startup
from carelab.room.hub import Hub, hearing_other_processes, stop_on_exit_signals
from carelab.room.routes import routes as room_routes
from carelab.web import connections
from carelab.web.auth_routes import routes as auth_routes
from carelab.web.export_routes import routes as export_routes
from carelab.web.health import routes as health_routes
from carelab.web.lti_routes import routes as lti_routes
from carelab.workshop import events

# Streamlit makes uvicorn's Config before it imports this file, with no option for proxies
# or slow clients: set both on the Config that is importing it (carelab/web/connections.py).
_uvicorn_config = connections.loading_config()
if _uvicorn_config is not None:
    connections.adopt(_uvicorn_config)
else:
    logging.getLogger(__name__).warning(
        "not imported by uvicorn: CARELAB_TRUSTED_PROXIES and the slow-client limits are off"
    )


# The room's shared pollers; told to end the phones' streams when the server stops, and
# nudged when a facilitator acts on this server, so phones follow at once. On PostgreSQL
# the lifespan also nudges them on every other process's commits (LISTEN/NOTIFY).
room_hub = Hub(poll_seconds=config.room_poll_seconds())
events.on_change(room_hub.nudge)


def _open_descriptors() -> Iterator[int]:
    try:
        return (int(name) for name in os.listdir("/proc/self/fd"))
    except OSError:  # no /proc: try the low descriptors, where a server's sockets are
        return iter(range(3, 256))


def send_small_replies_at_once() -> int:
    """Turn on TCP_NODELAY on this process's listening TCP sockets; return how many.

    Streamlit binds its listening socket itself, with protocol 0, so asyncio does not turn
    on TCP_NODELAY for the connections it accepts (it does that only for IPPROTO_TCP). Each
    small reply on a kept-alive connection then waited for the client's delayed ACK: 48 ms
    per answer or state read from one phone, against 4.6 ms on a fresh connection. Accepted
    connections inherit the option from the listening socket.
    """
    found = 0
    for fd in _open_descriptors():
        try:
            probe = socket.socket(fileno=fd)
        except OSError:
            continue  # not a socket
        try:
            listening = probe.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
            if listening and probe.family in (socket.AF_INET, socket.AF_INET6):
                probe.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                found += 1
        except OSError:
            pass
        finally:
            probe.detach()  # the descriptor stays open and belongs to its owner
    return found


@asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[None]:
    """Bring the database schema up to date before the first request.

    On a fresh install it also prints the one-time link that creates the administrator.
    While serving, Ctrl+C or SIGTERM ends the phones' open streams at once, so the server
    stops in about a second instead of waiting for them (they reconnect by themselves).
    """
    startup.prepare_database()  # the only place a running server may make a new database file
    from carelab.ui.first_run import announce_setup_link

    announce_setup_link()  # only while there is no administrator: a one-time setup link
    send_small_replies_at_once()
    # Learning records for an LMS or an LRS: queued as learners act, sent in the background.
    integration.install()
    senders_stop = threading.Event()
    integration.start_background(senders_stop)
    try:
        with hearing_other_processes(room_hub), stop_on_exit_signals(room_hub):
            yield
    finally:
        senders_stop.set()


app = st.App(
    str(Path(__file__).with_name("app.py")),
    routes=auth_routes() + room_routes(room_hub) + export_routes() + health_routes() + lti_routes(),
    lifespan=lifespan,
)
