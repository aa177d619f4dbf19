"""Room tests against a real server: `streamlit run server.py`, plain HTTP, no browser.

The server believes X-Forwarded-For only from PROXY (127.0.0.2). Each test sends from its
own loopback address (Linux routes all of 127.0.0.0/8 to this machine), because wrong
codes are counted per address and the database is shared by the tests of a session.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest

from carelab import auth
from carelab.store import db as store_db
from carelab.workshop import workshops
from tests.serving import ServerProcess
from tests.unit.workshop.conftest import content_steps

PROXY = "127.0.0.2"
NUMERIC = 4  # content_steps(): step 4 is a numeric poll
WRONG_CODE = "There is no workshop with the code {}. Check the code on the screen and try again."


@dataclass(frozen=True)
class Room:
    """A live workshop on a test server, on its numeric step with answering open."""

    server: ServerProcess
    id: int
    code: str

    def participants(self) -> int:
        """How many phones have joined, read from the server's database."""
        with store_db.session(Path(self.server.env["CARELAB_DB"])) as db:
            return db.execute(
                "SELECT COUNT(*) FROM workshop_participants WHERE workshop_id = ?", [self.id]
            ).fetchone()[0]


def start_server(workdir: Path, **settings: str) -> ServerProcess:
    """A started server believing PROXY, with `settings` added to its environment."""
    server = ServerProcess(workdir, env={"CARELAB_TRUSTED_PROXIES": PROXY, **settings})
    server.start()
    return server


def open_room(server: ServerProcess) -> Room:
    """A new workshop run by a new facilitator, made through the core on the server's database."""
    with store_db.session(Path(server.env["CARELAB_DB"])) as db:
        email = f"fac-{secrets.token_hex(5)}@example.org"
        made = auth.create_account(db, email, secrets.token_urlsafe(18), "Fay")
        auth.grant_role_as_operator(db, made.id, "facilitator")
        user = auth.get_user(db, made.id)
        workshop = workshops.create_workshop(
            db, user, "Ward huddle", "module", "m", content_steps()
        )
        workshops.go_to_step(db, user, workshop.id, NUMERIC, open_answering=True)
    return Room(server, workshop.id, workshop.code)


def client(server: ServerProcess, source: str) -> httpx.Client:
    """An HTTP client to `server` whose connections come from the address `source`."""
    transport = httpx.HTTPTransport(local_address=source)
    return httpx.Client(base_url=server.url, transport=transport, timeout=30)


def typo(code: str) -> str:
    """The code with its last character mistyped (still a well-formed code)."""
    return code[:-1] + ("2" if code[-1] != "2" else "3")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the room tests that need the default settings."""
    started = start_server(tmp_path_factory.mktemp("room-server"))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def room(server: ServerProcess) -> Room:
    """A fresh workshop on the shared server."""
    return open_room(server)
