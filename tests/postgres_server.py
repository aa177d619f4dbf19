"""A throwaway PostgreSQL cluster for the tests: Debian's `postgresql`, in a temporary folder.

`.ci/run` starts one (`python -m tests.postgres_server start FOLDER`, which prints the URL
for CARELAB_TEST_POSTGRES) and stops it when the run ends. PostgreSQL refuses to run as
root, so as root the cluster runs as the `postgres` user the Debian package creates. It
listens on 127.0.0.1 only, on a free port, and trusts local connections: it holds nothing
but test data and is deleted afterwards.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
from pathlib import Path


def _bin(name: str) -> str:
    """The path of a PostgreSQL server program (Debian keeps them out of PATH)."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise RuntimeError(f"{name} not found: apt-get install postgresql")
    return found


def _as_owner(folder: Path) -> list[str]:
    """The command prefix that runs a program as a non-root user owning `folder`."""
    if os.geteuid() != 0:
        return []
    user = pwd.getpwnam("postgres")
    shutil.chown(folder, user.pw_uid, user.pw_gid)
    return ["runuser", "-u", "postgres", "--"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(folder: Path) -> str:
    """Create and start a cluster in `folder`; return its connection URL."""
    folder.mkdir(parents=True, exist_ok=True)
    prefix = _as_owner(folder)
    data = folder / "data"
    port = _free_port()
    subprocess.run(
        [*prefix, _bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
         "--locale=C.UTF-8"],
        check=True, capture_output=True,
    )  # fmt: skip
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} "
        "-c max_connections=200"  # race tests hold up to 64 pooled connections at once
    )
    subprocess.run(
        [*prefix, _bin("pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-o",
         options, "-w", "start"],
        check=True, capture_output=True,
    )  # fmt: skip
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def stop(folder: Path) -> None:
    """Stop the cluster in `folder` (fast shutdown) if it runs."""
    data = folder / "data"
    if (data / "postmaster.pid").exists():
        subprocess.run(
            [*_as_owner(folder), _bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip


if __name__ == "__main__":
    command, where = sys.argv[1], Path(sys.argv[2])
    if command == "start":
        print(start(where))
    elif command == "stop":
        stop(where)
    else:
        raise SystemExit("usage: python -m tests.postgres_server start|stop FOLDER")
