"""Several CareLab servers behind HAProxy (carelab.cluster): what `make run-cluster` starts.

Needs Debian's haproxy and a PostgreSQL server (CARELAB_TEST_POSTGRES); without them these
tests skip, and in CI (CARELAB_REQUIRE_POSTGRES=1, where .ci/run installs both) they fail.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import httpx2 as httpx
import pytest

from carelab.cluster import haproxy
from carelab.cluster.run import Cluster
from tests.conftest import REPO


@pytest.fixture(scope="module")
def haproxy_program() -> str:
    """Debian's haproxy, or skip (fail in CI) saying why."""
    try:
        return haproxy.program()
    except RuntimeError as exc:
        if os.environ.get("CARELAB_REQUIRE_POSTGRES") == "1":
            pytest.fail(str(exc))
        pytest.skip(str(exc))


def _room_sessions(cluster: Cluster) -> dict[str, int]:
    """How many requests HAProxy has sent to each server of the room's backend."""
    with urllib.request.urlopen(f"{cluster.stats_url};csv", timeout=5) as response:
        rows = csv.DictReader(io.StringIO(response.read().decode().lstrip("# ")))
        return {
            row["svname"]: int(row["stot"])
            for row in rows
            if row["pxname"] == "room" and row["svname"] not in ("FRONTEND", "BACKEND")
        }


@pytest.mark.parametrize("servers", [1, 2, 5])
def test_haproxy_accepts_the_configuration_for_any_number_of_servers(
    haproxy_program: str, tmp_path: Path, servers: int
) -> None:
    backends = [haproxy.Backend(f"s{i + 1}", "127.0.0.1", 9000 + i) for i in range(servers)]
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy.config_text(backends, "127.0.0.1", 8500, 8404))
    checked = subprocess.run(
        [haproxy_program, "-c", "-f", str(config)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = config.read_text()
    # Streamlit's backend is sticky by HAProxy's own cookie; the room's is not.
    app, room = text.split("backend app", 1)[1].split("backend room", 1)
    assert f"cookie {haproxy.AFFINITY_COOKIE} insert" in app
    assert app.count(" cookie s") == servers
    assert "cookie" not in room
    assert text.count("option httpchk GET /healthz") == 2


@pytest.fixture
def cluster(haproxy_program: str, postgres_url: str, tmp_path: Path) -> Cluster:
    """Two CareLab servers on a fresh PostgreSQL database behind HAProxy."""
    with Cluster(tmp_path, servers=2, database_url=postgres_url) as running:
        yield running


def test_browsers_stick_to_a_server_and_move_when_it_dies(cluster: Cluster) -> None:
    with httpx.Client(base_url=cluster.url, timeout=10) as browser:
        first = browser.get("/")
        assert first.status_code == 200
        home = browser.cookies[haproxy.AFFINITY_COOKIE]
        assert home in ("s1", "s2")
        for _ in range(6):  # the same server every time, while it lives
            assert browser.get("/").status_code == 200
            assert browser.cookies[haproxy.AFFINITY_COOKIE] == home
        other = "s2" if home == "s1" else "s1"

        cluster.kill(home)
        answered = browser.get("/")  # before HAProxy's check notices: redispatched
        assert answered.status_code == 200
        cluster.wait_until_up([other])
        assert browser.get("/").status_code == 200
        assert browser.cookies[haproxy.AFFINITY_COOKIE] == other

        health = browser.get("/healthz")
        assert health.status_code == 200
        assert health.json()["database"] == "postgresql"


def test_room_requests_go_round_robin_to_every_server(cluster: Cluster) -> None:
    before = _room_sessions(cluster)
    with httpx.Client(base_url=cluster.url, timeout=10) as phone:
        for _ in range(10):
            # A wrong code: every server gives the same answer, from the shared database.
            found = phone.get("/room/api/state", params={"code": "ZZZZZZ", "p": "nobody"})
            assert found.status_code == 404
    after = _room_sessions(cluster)
    served = {name: after[name] - before.get(name, 0) for name in after}
    assert set(served) == {"s1", "s2"}
    assert all(count >= 3 for count in served.values()), served
    with httpx.Client(base_url=cluster.url, timeout=10) as phone:
        phone.get("/room/api/state", params={"code": "ZZZZZZ", "p": "nobody"})
        assert haproxy.AFFINITY_COOKIE not in phone.cookies  # phones are not pinned


@pytest.mark.parametrize(
    "stop_signal",
    # Ctrl+C, even when the command was started with SIGINT ignored (`cmd &` in a script
    # or CI); and SIGTERM, what a service manager sends.
    [signal.SIGINT, signal.SIGTERM],
    ids=["ctrl-c", "sigterm"],
)
def test_the_cluster_command_starts_everything_and_ctrl_c_stops_it(
    haproxy_program: str, postgres_url: str, stop_signal: signal.Signals
) -> None:
    # Not tmp_path: pytest makes its parents private to root, and PostgreSQL (which the
    # command starts as the postgres user when run as root) could not reach its folder.
    folder = Path(tempfile.mkdtemp(prefix="carelab-cluster-test-"))
    port = _free_port()
    env = {**os.environ, "CARELAB_DB": postgres_url, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "carelab.cluster", "--servers", "2", "--port", str(port),
               "--address", "127.0.0.1", "--folder", str(folder)]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    try:
        lines = _read_until(process, "Ctrl+C stops everything", timeout=120)
        text = "".join(lines)
        assert f"CareLab is at   http://localhost:{port}" in text
        assert "No administrator yet" in text and "/setup?token=" in text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as health:
            assert health.status == 200
        children = _descendants(process.pid)
        assert len(children) >= 3  # two servers and HAProxy

        process.send_signal(stop_signal)
        # The command gives HAProxy and each server up to 20 s to stop on SIGTERM (then
        # kills it), so a loaded machine may take over a minute; hanging is what fails.
        try:
            code = process.wait(timeout=150)
        except subprocess.TimeoutExpired:
            raise AssertionError("Ctrl+C did not stop the cluster:\n" + _logs(folder)) from None
        assert code == 0, _logs(folder)
        assert "Stopped." in process.stdout.read()
        assert not [pid for pid in children if _running(pid)]
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
    finally:
        if process.poll() is None:
            process.kill()
        shutil.rmtree(folder, ignore_errors=True)


def _free_port() -> int:
    from carelab.cluster.postgres_local import free_port

    return free_port()


def _read_until(process: subprocess.Popen[str], marker: str, timeout: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if marker in line:
            return lines
    raise AssertionError("the cluster command did not start:\n" + "".join(lines))


def _logs(folder: Path) -> str:
    """The last lines of every log the cluster wrote, to see what a slow stop was doing."""
    tails = []
    for log in sorted(folder.rglob("*.log")):
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        tails.append(f"--- {log.name}\n" + "\n".join(lines))
    return "\n".join(tails)


def _descendants(pid: int) -> list[int]:
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in found.stdout.split()]


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split(")")[1].split()[0] != "Z"
