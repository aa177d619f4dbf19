"""Start PostgreSQL, several CareLab servers and HAProxy on this machine, and keep them up.

`python -m carelab.cluster` (what `make run-cluster` runs) is the command; `Cluster` is the
same thing as a context manager, for the failover browser test and the room benchmark.
Every server is `streamlit run server.py` on 127.0.0.1 and a port of its own, with the same
database and the same Streamlit cookie secret (so a form opened on one server is accepted by
another); HAProxy (carelab.cluster.haproxy) is the only address browsers and phones use.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from carelab.cluster import haproxy, postgres_local

REPO = Path(__file__).resolve().parent.parent.parent
RESTART_AFTER_SECONDS = 2.0


def _get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    """GET `url`: (status, body); status 0 when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except OSError:
        return 0, b""


@dataclass
class Server:
    """One CareLab server process of the cluster."""

    name: str
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: int = field(default=0)

    @property
    def url(self) -> str:
        """Where this server listens (127.0.0.1 only: reach it through HAProxy)."""
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        """Whether the process is running."""
        return self.process is not None and self.process.poll() is None


class Cluster:
    """PostgreSQL, `servers` CareLab processes and HAProxy; everything stops on exit.

    With `database_url` the servers use that database; otherwise a throwaway PostgreSQL is
    made in `folder` (or, with `keep_database`, one kept there between runs). `env` adds
    settings to every server's environment.
    """

    def __init__(
        self,
        folder: Path,
        servers: int = 2,
        port: int | None = None,
        bind: str = "127.0.0.1",
        database_url: str | None = None,
        keep_database: bool = False,
        env: Mapping[str, str] | None = None,
        public_host: str = "localhost",
    ) -> None:
        if servers < 1:
            raise ValueError("a cluster needs at least one server")
        self.folder = folder
        self.port = port or postgres_local.free_port()
        self.bind = bind
        self.public_host = public_host
        self.stats_port = postgres_local.free_port()
        self.database_url = database_url or ""
        self._own_database = database_url is None
        self._keep_database = keep_database
        self.extra_env = dict(env or {})
        self.servers = [
            Server(f"s{i + 1}", postgres_local.free_port(), folder / f"s{i + 1}.log")
            for i in range(servers)
        ]
        self.balancer: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The address browsers and phones use: HAProxy's."""
        host = "127.0.0.1" if self.bind in ("127.0.0.1", "0.0.0.0", "::") else self.bind  # noqa: S104
        return f"http://{host}:{self.port}"

    @property
    def stats_url(self) -> str:
        """HAProxy's statistics page (127.0.0.1 only)."""
        return f"http://127.0.0.1:{self.stats_port}/"

    # --- starting ------------------------------------------------------------------------

    def __enter__(self) -> Cluster:
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            self._start_database()
            self._migrate()
            for server in self.servers:
                self.start_server(server, wait=False)
            for server in self.servers:
                self._wait_healthy(server)
            self._start_balancer()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _database_folder(self) -> Path:
        return self.folder / "postgres"

    def _start_database(self) -> None:
        if not self._own_database:
            return
        if self._keep_database:
            self.database_url = postgres_local.ensure(self._database_folder())
        else:
            self.database_url = postgres_local.start(self._database_folder())

    def server_env(self) -> dict[str, str]:
        """The environment every server runs with."""
        return {**os.environ, **self.extra_env, "CARELAB_DB": self.database_url}

    def _migrate(self) -> None:
        # Once, before any server starts; each server's start-up then finds nothing to do.
        done = subprocess.run(
            [sys.executable, "-m", "carelab", "db", "migrate"],
            cwd=REPO, env=self.server_env(), capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"carelab db migrate failed:\n{done.stdout}{done.stderr}")

    def _cookie_secret(self) -> str:
        kept = self.folder / "streamlit-cookie-secret"
        if not kept.exists():
            kept.write_text(secrets.token_urlsafe(32))
            kept.chmod(0o600)
        return kept.read_text().strip()

    def start_server(self, server: Server, wait: bool = True) -> None:
        """Start (or start again) one server on its port; by default wait until it is healthy."""
        command = [
            sys.executable, "-m", "streamlit", "run", "server.py",
            "--server.headless=true", f"--server.port={server.port}",
            "--server.address=127.0.0.1", "--server.fileWatcherType=none",
            "--browser.gatherUsageStats=false",
            f"--browser.serverAddress={self.public_host}", f"--browser.serverPort={self.port}",
        ]  # fmt: skip
        # Streamlit takes its cookie secret only from a file or the environment.
        env = {**self.server_env(), "STREAMLIT_SERVER_COOKIE_SECRET": self._cookie_secret()}
        with server.log.open("a") as out:
            server.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)
        if wait:
            self._wait_healthy(server)

    def _wait_healthy(self, server: Server, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not server.alive():
                raise RuntimeError(f"server {server.name} exited early; see {server.log}")
            if _get(f"{server.url}/healthz")[0] == 200:
                return
            time.sleep(0.3)
        raise RuntimeError(f"server {server.name} did not become healthy; see {server.log}")

    def _start_balancer(self) -> None:
        backends = [haproxy.Backend(s.name, "127.0.0.1", s.port) for s in self.servers]
        config = self.folder / "haproxy.cfg"
        config.write_text(haproxy.config_text(backends, self.bind, self.port, self.stats_port))
        checked = subprocess.run(
            [haproxy.program(), "-c", "-f", str(config)], capture_output=True, text=True
        )
        if checked.returncode != 0:
            raise RuntimeError(f"HAProxy refused {config}:\n{checked.stdout}{checked.stderr}")
        with (self.folder / "haproxy.log").open("a") as out:
            self.balancer = subprocess.Popen(
                [haproxy.program(), "-db", "-f", str(config)], stdout=out, stderr=out
            )
        self.wait_until_up([s.name for s in self.servers])

    # --- watching ----------------------------------------------------------------------------

    def server_states(self) -> dict[str, str]:
        """What HAProxy thinks of each server of the Streamlit backend: UP, DOWN, ..."""
        status, body = _get(f"{self.stats_url};csv")
        if status != 200:
            return {}
        rows = csv.DictReader(io.StringIO(body.decode().lstrip("# ")))
        return {
            row["svname"]: row["status"].split(" ")[0]
            for row in rows
            if row["pxname"] == "app" and row["svname"] not in ("FRONTEND", "BACKEND")
        }

    def wait_until_up(self, names: list[str], timeout: float = 30) -> None:
        """Wait until HAProxy routes to every server in `names` (and not to the others)."""
        deadline = time.monotonic() + timeout
        wanted = set(names)
        while time.monotonic() < deadline:
            if self.balancer is not None and self.balancer.poll() is not None:
                raise RuntimeError(f"HAProxy exited; see {self.folder / 'haproxy.log'}")
            states = self.server_states()
            up = {name for name, state in states.items() if state == "UP"}
            if states and up == wanted:
                return
            time.sleep(0.2)
        raise RuntimeError(f"HAProxy did not see {sorted(wanted)} up: {self.server_states()}")

    def kill(self, name: str) -> None:
        """Kill one server outright (SIGKILL, as a crash or a pulled plug would)."""
        server = self.server(name)
        if server.process is not None and server.alive():
            server.process.kill()
            server.process.wait(timeout=10)

    def server(self, name: str) -> Server:
        """The server called `name` (s1, s2, ...)."""
        return next(s for s in self.servers if s.name == name)

    def supervise(self, restart: bool = True, say: object = print) -> None:
        """Run until interrupted; report (and by default restart) a server that stops."""
        assert callable(say)
        while True:
            time.sleep(0.5)
            if self.balancer is not None and self.balancer.poll() is not None:
                raise RuntimeError(f"HAProxy stopped; see {self.folder / 'haproxy.log'}")
            for server in self.servers:
                if server.alive() or server.process is None:
                    continue
                code = server.process.returncode
                say(f"  server {server.name} stopped (exit {code}); HAProxy sends its users on.")
                if restart:
                    time.sleep(RESTART_AFTER_SECONDS)
                    server.restarts += 1
                    self.start_server(server)
                    say(f"  server {server.name} is back ({server.url}).")

    # --- stopping ----------------------------------------------------------------------------

    def __exit__(self, *exc: object) -> None:
        processes = [self.balancer, *(s.process for s in self.servers)]
        for process in processes:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            if process is None:
                continue
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._own_database and self.database_url:
            postgres_local.stop(self._database_folder())
            self.database_url = ""


def _setup_link(cluster: Cluster) -> str | None:
    """A one-time link to create the administrator, if there is none (made after start-up)."""
    from carelab import accounts  # here: the package's top imports only the standard library

    token = accounts.new_setup_token(cluster.database_url)
    if token is None:
        return None
    return f"http://{cluster.public_host}:{cluster.port}/setup?token={token}"


def _stop_on_signals() -> None:
    """Make Ctrl+C and SIGTERM (a service manager's stop) both stop everything cleanly.

    A command started in the background by a shell without job control (`cmd &` in a
    script, CI) inherits SIGINT as ignored, and Python then never raises KeyboardInterrupt:
    Ctrl+C did nothing and the servers ran on. SIGTERM killed this process at once and left
    the servers and HAProxy running.
    """

    def stop(_signum: int, _frame: object) -> None:
        # Once: a second Ctrl+C must not cut short the stopping it started.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def main(argv: list[str] | None = None) -> int:
    """Start the cluster, print where it is, and keep it running until Ctrl+C."""
    parser = argparse.ArgumentParser(
        prog="python -m carelab.cluster",
        description="Several CareLab servers behind HAProxy on one PostgreSQL database.",
    )
    parser.add_argument("--servers", type=int, default=2, help="CareLab processes (default 2)")
    parser.add_argument("--port", type=int, default=8500, help="HAProxy's port (default 8500)")
    parser.add_argument(
        "--address",
        default="0.0.0.0",  # noqa: S104 - phones on the network join through it
        help="address HAProxy listens on (default: every interface, for phones)",
    )
    parser.add_argument("--folder", type=Path, default=REPO / ".cluster", help="logs and data")
    parser.add_argument(
        "--no-restart", action="store_true", help="leave a stopped server down (default: restart)"
    )
    args = parser.parse_args(argv)
    given = os.environ.get("CARELAB_DB", "")
    database = given if given.startswith(("postgresql://", "postgres://")) else None
    cluster = Cluster(
        args.folder, servers=args.servers, port=args.port, bind=args.address,
        database_url=database, keep_database=True,
    )  # fmt: skip
    _stop_on_signals()
    print(f"Starting PostgreSQL, {args.servers} CareLab servers and HAProxy ...", flush=True)
    try:
        with cluster:
            where = "kept in " + str(args.folder / "postgres") if database is None else "yours"
            print(f"\n  CareLab is at   http://{cluster.public_host}:{cluster.port}")
            for server in cluster.servers:
                print(f"  server {server.name}       {server.url}  (log: {server.log})")
            print(f"  HAProxy stats   {cluster.stats_url}")
            print(f"  database        {cluster.database_url}  ({where})")
            link = _setup_link(cluster)
            if link:
                print(f"\n  No administrator yet. Open this link to create one (once):\n    {link}")
            print("\n  Ctrl+C stops everything.\n", flush=True)
            cluster.supervise(restart=not args.no_restart)
    except KeyboardInterrupt:
        print("\nStopped.")
    except RuntimeError as exc:
        print(f"carelab cluster: {exc}", file=sys.stderr)
        return 1
    return 0
