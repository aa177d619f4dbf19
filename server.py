"""CareLab's server: the Streamlit app plus CareLab's own routes, in one process on one port.

Run with `streamlit run server.py` (what `make run` does).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st

from carelab.room.hub import Hub, stop_on_exit_signals
from carelab.room.routes import routes as room_routes
from carelab.store import db as store_db
from carelab.web.auth_routes import routes as auth_routes

# The room's shared pollers; told to end the phones' streams when the server stops.
room_hub = Hub()


@asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[None]:
    """Bring the database schema up to date before the first request.

    While serving, Ctrl+C or SIGTERM ends the phones' open streams at once, so the server
    stops in about a second instead of waiting for them (they reconnect by themselves).
    """
    with store_db.session() as db:
        store_db.migrate(db)
    with stop_on_exit_signals(room_hub):
        yield


app = st.App(
    str(Path(__file__).with_name("app.py")),
    routes=auth_routes() + room_routes(room_hub),
    lifespan=lifespan,
)
