"""A PostgreSQL cluster in a folder of its own, from Debian's `postgresql` package.

`start` makes a throwaway one (the tests' and the benchmarks'); `ensure` keeps one between
runs (`make run-cluster`'s, in `.cluster/postgres`). PostgreSQL refuses to run as root, so
as root the cluster runs as the `postgres` user the Debian package creates. It listens on
127.0.0.1 only, on a free port, and trusts local connections: it is for one machine, never
for production (docs/deployment.md shows a real one).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path

MAX_CONNECTIONS = 300  # race tests hold 64 pooled connections; each CareLab process up to ~60


def program(name: str) -> str:
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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _initdb(folder: Path, prefix: list[str]) -> None:
    subprocess.run(
        [*prefix, program("initdb"), "-D", str(folder / "data"), "-U", "postgres", "-A",
         "trust", "-E", "UTF8", "--locale=C.UTF-8"],
        check=True, capture_output=True,
    )  # fmt: skip


def _pg_ctl_start(folder: Path, prefix: list[str], port: int) -> None:
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} "
        f"-c max_connections={MAX_CONNECTIONS}"
    )
    subprocess.run(
        [*prefix, program("pg_ctl"), "-D", str(folder / "data"), "-l",
         str(folder / "server.log"), "-o", options, "-w", "start"],
        check=True, capture_output=True,
    )  # fmt: skip


def _url(port: int, database: str = "postgres") -> str:
    return f"postgresql://postgres@127.0.0.1:{port}/{database}"


def start(folder: Path) -> str:
    """Create and start a throwaway cluster in `folder`; return its connection URL."""
    folder.mkdir(parents=True, exist_ok=True)
    prefix = _as_owner(folder)
    _initdb(folder, prefix)
    port = free_port()
    _pg_ctl_start(folder, prefix, port)
    return _url(port)


def running(folder: Path) -> bool:
    """Whether the cluster in `folder` is running (pg_ctl status)."""
    if not (folder / "data" / "PG_VERSION").exists():
        return False
    status = subprocess.run(
        [*_as_owner(folder), program("pg_ctl"), "-D", str(folder / "data"), "status"],
        check=False, capture_output=True,
    )  # fmt: skip
    return status.returncode == 0


def ensure(folder: Path, database: str = "carelab") -> str:
    """Start the kept cluster in `folder` (creating it and `database` the first time); URL."""
    folder.mkdir(parents=True, exist_ok=True)
    prefix = _as_owner(folder)
    port_file = folder / "port"
    if not (folder / "data" / "PG_VERSION").exists():
        _initdb(folder, prefix)
    if running(folder) and port_file.exists():
        return _url(int(port_file.read_text()), database)
    port = free_port()
    _pg_ctl_start(folder, prefix, port)
    port_file.write_text(str(port))
    made = subprocess.run(
        [program("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", database],
        check=False, capture_output=True, text=True,
    )  # fmt: skip
    if made.returncode != 0 and "already exists" not in made.stderr:
        raise RuntimeError(f"createdb {database} failed: {made.stderr.strip()}")
    return _url(port, database)


def stop(folder: Path) -> None:
    """Stop the cluster in `folder` (fast shutdown) if it runs."""
    data = folder / "data"
    if (data / "postmaster.pid").exists():
        subprocess.run(
            [*_as_owner(folder), program("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
