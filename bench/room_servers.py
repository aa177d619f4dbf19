"""What the room benchmarks run against: one CareLab server, or several behind HAProxy.

`Server` is `streamlit run server.py` on a free port (SQLite file or PostgreSQL URL);
`ClusterServers` is `carelab.cluster.Cluster` (N servers, one PostgreSQL, HAProxy), reached
only through HAProxy. `FreshPostgres` makes a throwaway PostgreSQL for one run. `Sampler`
samples the CPU of each part (CareLab, HAProxy, PostgreSQL), of the benchmark itself and of
everything else on the machine. Not a benchmark itself (bench/run_all.py skips it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from carelab.cluster import postgres_local
from carelab.cluster.run import Cluster

REPO = Path(__file__).resolve().parent.parent
now = time.perf_counter
Pids = dict[str, list[int]]  # part ("carelab", "haproxy", "postgres") -> process ids


def postmaster_pid(folder: Path) -> list[int]:
    """The PostgreSQL postmaster of a cluster made by carelab.cluster.postgres_local."""
    try:
        return [int((folder / "data" / "postmaster.pid").read_text().split()[0])]
    except (OSError, ValueError, IndexError):
        return []


class FreshPostgres:
    """A throwaway PostgreSQL for one run, in a temporary folder; stopped and deleted on exit."""

    def __enter__(self) -> FreshPostgres:
        self._folder = tempfile.TemporaryDirectory(prefix="carelab-bench-pg-")
        self.folder = Path(self._folder.name)
        self.url = postgres_local.start(self.folder)
        return self

    def pids(self) -> list[int]:
        """The postmaster (its backends are its children)."""
        return postmaster_pid(self.folder)

    def __exit__(self, *exc: object) -> None:
        postgres_local.stop(self.folder)
        self._folder.cleanup()


class Server:
    """`streamlit run server.py` on a free port with its own database; stopped on exit.

    `database` is a PostgreSQL URL; without it, a SQLite file in `folder`.
    """

    def __init__(self, folder: Path, database: str | None = None) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.db: Path | str = database or folder / "bench.db"
        self.log = folder / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.postgres: FreshPostgres | None = None

    def __enter__(self) -> Server:
        env = {**os.environ, "CARELAB_DB": str(self.db), "CARELAB_SECRET_KEY": "bench-secret"}
        env.pop("CARELAB_CONTENT_DIR", None)
        command = [
            sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless=true",
            f"--server.port={self.port}", "--server.address=127.0.0.1",
            "--server.fileWatcherType=none", "--browser.gatherUsageStats=false",
        ]  # fmt: skip
        with self.log.open("w") as out:
            self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)
        try:
            self._wait_healthy()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + 60
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"server did not become healthy:\n{self.log.read_text()}")

    def pids(self) -> Pids:
        """The server's process, and PostgreSQL's when the run made one."""
        found: Pids = {"carelab": [self.process.pid] if self.process else []}
        if self.postgres is not None:
            found["postgres"] = self.postgres.pids()
        return found

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


class ClusterServers:
    """N CareLab servers on one PostgreSQL behind HAProxy (`carelab.cluster`); `url` is HAProxy."""

    def __init__(self, folder: Path, servers: int, postgres: FreshPostgres) -> None:
        self.postgres = postgres
        self.db: Path | str = postgres.url
        env = {"CARELAB_SECRET_KEY": "bench-secret"}
        self.cluster = Cluster(folder, servers=servers, database_url=postgres.url, env=env)
        self.url = self.cluster.url

    def __enter__(self) -> ClusterServers:
        self.cluster.__enter__()
        return self

    def pids(self) -> Pids:
        """Every CareLab server, HAProxy and PostgreSQL."""
        balancer = self.cluster.balancer
        return {
            "carelab": [s.process.pid for s in self.cluster.servers if s.process],
            "haproxy": [balancer.pid] if balancer else [],
            "postgres": self.postgres.pids(),
        }

    def __exit__(self, *exc: object) -> None:
        self.cluster.__exit__()


def usage(pids: list[int]) -> tuple[float, float]:
    """CPU seconds used and RSS in MB of processes and all their children (psutil)."""
    import psutil

    cpu = rss = 0.0
    for pid in pids:
        try:
            parent = psutil.Process(pid)
            family = [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for proc in family:
            try:
                times, memory = proc.cpu_times(), proc.memory_info()
            except psutil.NoSuchProcess:
                continue
            cpu += times.user + times.system + times.children_user + times.children_system
            rss += memory.rss / 2**20
    return cpu, rss


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # less idle, iowait


class Sampler(threading.Thread):
    """Samples CPU% (100 = one core) of each part, of this process and of everything else.

    "server" is the sum of the parts (CareLab, HAProxy, PostgreSQL); `rss` is CareLab's.
    """

    def __init__(self, pids: Pids, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pids, self.every, self.stop = pids, every, threading.Event()
        self.cpu: dict[str, list[float]] = {"server": [], "client": [], "other": []}
        self.cpu.update({part: [] for part in pids})
        self.rss: list[float] = []

    def _read(self) -> tuple[float, dict[str, float], float, float, float]:
        parts = {part: usage(pids) for part, pids in self.pids.items()}
        cpu = {part: used for part, (used, _) in parts.items()}
        rss = parts.get("carelab", (0.0, 0.0))[1]
        return now(), cpu, time.process_time(), machine_busy(), rss

    def run(self) -> None:
        """Sample until stopped."""
        last = self._read()
        while not self.stop.wait(self.every):
            current = self._read()
            t, cpu, mine, busy, rss = current
            scale = 100 / (t - last[0])
            server = 0.0
            for part, used in cpu.items():
                value = scale * (used - last[1][part])
                self.cpu[part].append(round(value, 1))
                server += value
            client = scale * (mine - last[2])
            other = max(0.0, scale * (busy - last[3]) - server - client)
            for key, value in ("server", server), ("client", client), ("other", other):
                self.cpu[key].append(round(value, 1))
            self.rss.append(rss)
            last = current
