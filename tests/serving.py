"""A real CareLab server for tests: `streamlit run server.py` on a free port and its own database.

The browser tests (tests/e2e) and the server tests (tests/server) both start one this way.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import REPO

_ENVIRONMENTS: dict[str, dict[str, str]] = {}


def server_env(url: str) -> dict[str, str]:
    """The environment the server at `url` runs with, for running `carelab` against it."""
    return _ENVIRONMENTS[url]


@contextmanager
def serving_env(url: str, env: dict[str, str]) -> Iterator[None]:
    """While the block runs, `server_env(url)` gives `env` (for servers started elsewhere)."""
    _ENVIRONMENTS[url] = env
    try:
        yield
    finally:
        _ENVIRONMENTS.pop(url, None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server did not become healthy:\n{log.read_text()}")


class ServerProcess:
    """`streamlit run server.py` on a fixed port and database, to stop and start again.

    `cases` adds case files (name: YAML) to a copy of the repository's content; `env`
    adds settings to the server's environment.
    """

    def __init__(
        self,
        workdir: Path,
        cases: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        content = workdir / "content"
        for folder in ("modules", "cases"):
            shutil.copytree(REPO / folder, content / folder)
        for name, text in (cases or {}).items():
            (content / "cases" / name).write_text(text, encoding="utf-8")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "CARELAB_DB": str(workdir / "carelab.db"),
            "CARELAB_CONTENT_DIR": str(content),
            **(env or {}),
        }
        self.log = workdir / "server.log"
        self.process: subprocess.Popen | None = None
        _ENVIRONMENTS[self.url] = self.env

    def start(self) -> None:
        """Start the server (again: same port, same database) and wait until it is healthy."""
        command = [
            sys.executable, "-m", "streamlit", "run", "server.py",
            "--server.headless=true", f"--server.port={self.port}",
            "--server.address=127.0.0.1", "--server.fileWatcherType=none",
            "--browser.gatherUsageStats=false",
        ]  # fmt: skip
        with self.log.open("a") as out:
            self.process = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=out, stderr=out)
        _wait_healthy(self.url, self.process, self.log)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> float:
        """Send `sig` (SIGKILL: a crash) and wait until the process has gone; return seconds."""
        assert self.process is not None
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(sig)
        self.process.wait(timeout=timeout)
        return time.monotonic() - started
