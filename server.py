"""CareLab's server: the Streamlit app plus CareLab's own routes, in one process on one port.

Run with `streamlit run server.py` (what `make run` does).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st

from carelab.room.routes import routes as room_routes
from carelab.store import db as store_db
from carelab.web.auth_routes import routes as auth_routes


@asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[None]:
    """Bring the database schema up to date before the first request."""
    with store_db.session() as db:
        store_db.migrate(db)
    yield


app = st.App(
    str(Path(__file__).with_name("app.py")),
    routes=auth_routes() + room_routes(),
    lifespan=lifespan,
)
