"""A real Learning Record Store for the xAPI tests: ralph (France Université Numérique).

ralph pins its own FastAPI and pydantic, so it lives in its own virtual environment,
.venv-ralph, which `make test` installs (Makefile, RALPH_STAMP). Each test gets its own LRS:
`ralph runserver` with the filesystem backend in a temporary folder, on a free port, with a
Basic-auth user made by `ralph auth`. It can be stopped and started again on the same port
and folder, as an LRS that goes down for a while and comes back with its data.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.conftest import REPO
from tests.smtp_server import free_port

RALPH = REPO / ".venv-ralph" / "bin" / "ralph"
USERNAME = "carelab"
PASSWORD = "a-test-lrs-secret"
START_TIMEOUT = 60.0
HOME = "https://carelab.test"  # the LRS's own account for CareLab (its "authority")


class Ralph:
    """One ralph LRS: its endpoint, credentials, and start/stop on one port and folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        # runserver reloads on changes under its working folder: keep it away from the data.
        (folder / "cwd").mkdir(parents=True, exist_ok=True)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("RALPH_")},
            "RALPH_APP_DIR": str(folder / "app"),
            "RALPH_AUTH_FILE": str(folder / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
        }
        subprocess.run(
            [str(RALPH), *f"auth -u {USERNAME} -p {PASSWORD} -s all -w -A carelab {HOME}".split()],
            cwd=folder / "cwd",
            env=self.env,
            check=True,
            capture_output=True,
            timeout=60,
        )

    @property
    def endpoint(self) -> str:
        """The xAPI endpoint, as an admin would set CARELAB_XAPI_ENDPOINT."""
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def start(self) -> None:
        """Run the LRS and wait until it answers."""
        log = (self.folder / "ralph.log").open("ab")
        data = self.folder / "data"
        self.process = subprocess.Popen(
            [
                str(RALPH),
                *f"runserver -b fs -h 127.0.0.1 -p {self.port}".split(),
                "--fs-default-directory-path",
                str(data),
            ],
            cwd=self.folder / "cwd",
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its reloader and worker stop together (stop())
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"ralph exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url("/__heartbeat__"), timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"ralph did not answer in {START_TIMEOUT:.0f} s: {self.log_tail()}")

    def stop(self) -> None:
        """Stop the LRS (its reloader and worker) and wait until the port is closed."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def url(self, path: str) -> str:
        """An address on this LRS."""
        return f"http://127.0.0.1:{self.port}{path}"

    def log_tail(self) -> str:
        """The end of ralph's log, for a failure message."""
        path = self.folder / "ralph.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else "(no log)"

    def statements(self, **params: str) -> list[dict[str, Any]]:
        """Every statement the LRS holds (GET /xAPI/statements, following `more`)."""
        query = "&".join(f"{k}={v}" for k, v in {"limit": "500", **params}.items())
        token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        found: list[dict[str, Any]] = []
        path: str | None = f"/xAPI/statements?{query}"
        while path:
            request = urllib.request.Request(
                self.url(path),
                headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"},
            )
            with urllib.request.urlopen(request, timeout=10) as answer:
                page = json.loads(answer.read())
            found += page["statements"]
            path = page.get("more") or None
        return found
