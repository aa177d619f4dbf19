"""Connections (SQLite by default, PostgreSQL when CARELAB_DB is a postgresql:// URL),
SQLite's pragmas, write transactions and applying the migrations.

Measured on this machine (see ../shared/ARCHITECTURE.md): with WAL and a busy timeout,
single-statement writes from 200 threads never fail, but a transaction that reads and
then writes must start with BEGIN IMMEDIATE, or it fails at once under concurrent
writers whatever the timeout. sqlite-utils' `atomic()` issues a plain BEGIN, so CareLab's
read-then-write actions go through `write_transaction` instead. A connection belongs to
one thread: each Streamlit rerun is a new thread, so callers open one per action.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from carelab import config
from carelab.errors import CareLabError
from carelab.store import postgres
from carelab.store.connection import Connection, PostgresConnection, SqliteConnection
from carelab.store.errors import DatabaseBusy, DatabaseUnavailable
from carelab.store.migrations import migrations

Target = Path | str

log = logging.getLogger(__name__)
BUSY_TIMEOUT_SECONDS = 30


def _synchronous() -> str:
    value = config.get("CARELAB_SQLITE_SYNCHRONOUS").upper()
    return value if value in {"FULL", "NORMAL", "EXTRA"} else "FULL"


def _use_wal(conn: sqlite3.Connection) -> None:
    # Turning a new file to WAL needs it to itself, and SQLite answers "locked" at once
    # rather than through the busy timeout: two processes starting on a fresh database
    # together failed 2 runs in 2 without this wait. (A file already in WAL returns at once.)
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = (getattr(exc, "sqlite_errorname", "") or "").startswith("SQLITE_BUSY")
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _postgres_target(target: Target | None) -> str | None:
    if target is None:
        return config.postgres_url()
    text = str(target)
    return text if text.startswith(("postgresql://", "postgres://")) else None


def connect(path: Target | None = None, create: bool = False) -> Connection:
    """Open a connection for this thread with CareLab's settings; the caller closes it.

    `path` is a SQLite file or a postgresql:// URL (default: CARELAB_DB). Only
    `create=True` (start-up and `carelab db migrate`) may make a new SQLite file: a file
    removed while the server runs must not come back empty and swallow answers.
    """
    url = _postgres_target(path)
    if url is not None:
        return PostgresConnection(postgres.pool(url).getconn())
    path = Path(path) if path is not None else config.db_path()
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: no implicit transactions; every write commits unless a
    # transaction was opened explicitly with write_transaction().
    target = f"{path.resolve().as_uri()}?mode={'rwc' if create else 'rw'}"
    with named_failures():
        conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, uri=True)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        _use_wal(conn)
        conn.execute(f"PRAGMA synchronous = {_synchronous()}")
        conn.execute("PRAGMA foreign_keys = ON")
    return SqliteConnection(conn)


def release(db: Connection) -> None:
    """Close a SQLite connection, or give a PostgreSQL one back to its pool."""
    if isinstance(db, PostgresConnection):
        postgres.give_back(db.raw)
    else:
        db.close()


def _failure(exc: sqlite3.Error) -> CareLabError | None:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        log.warning("database busy past the %s s timeout: %s", BUSY_TIMEOUT_SECONDS, exc)
        return DatabaseBusy()
    if isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError:
        # Full disk, read-only file, I/O error, a file that is gone or not a database.
        log.error("database refused the action (%s): %s", name or type(exc).__name__, exc)
        return DatabaseUnavailable()
    return None  # integrity and programming errors are bugs or handled by the caller


@contextmanager
def named_failures() -> Iterator[None]:
    """Turn the database's failures inside the block into DatabaseBusy or DatabaseUnavailable."""
    try:
        yield
    except sqlite3.Error as exc:
        failure = _failure(exc)
        if failure is None:
            raise
        raise failure from exc
    except postgres.OperationalError as exc:
        log.error("PostgreSQL refused the action: %s", exc)
        raise DatabaseUnavailable() from exc


@contextmanager
def write_transaction(db: Connection) -> Iterator[Connection]:
    """Run a read-then-write action as one transaction holding the write lock; roll back
    on error (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock, see connection.py)."""
    db.begin_write()
    try:
        yield db
    except BaseException:
        if db.in_transaction:
            db.rollback()
        raise
    db.commit()


_MIGRATIONS_TABLE = migrations.migrations_table


def migrate(db: Connection) -> list[str]:
    """Apply pending migrations in one write transaction; return the names applied.

    The write lock comes first, so two processes starting on a fresh database at once
    take turns: the second finds nothing left to do.
    """
    if isinstance(db, PostgresConnection):
        return postgres.migrate(db.raw)
    utils = db.utils()
    applied: list[str] = []
    with write_transaction(db):
        db.executescript(
            f"CREATE TABLE IF NOT EXISTS [{_MIGRATIONS_TABLE}] (id INTEGER PRIMARY KEY, "
            "migration_set TEXT, name TEXT, applied_at TEXT);\n"
            f"CREATE UNIQUE INDEX IF NOT EXISTS idx_{_MIGRATIONS_TABLE}_migration_set_name "
            f"ON [{_MIGRATIONS_TABLE}] (migration_set, name);\n",
        )
        for migration in migrations.pending(utils):
            migration.fn(utils)
            if not db.in_transaction:
                raise RuntimeError(f"migration {migration.name} committed on its own")
            db.execute(
                f"INSERT INTO [{_MIGRATIONS_TABLE}] (migration_set, name, applied_at) "  # noqa: S608
                "VALUES (?, ?, ?)",
                [migrations.name, migration.name, str(datetime.now(UTC))],
            )
            applied.append(migration.name)
    return applied


def known_migrations() -> list[str]:
    """The names of every migration this CareLab version has, in order."""
    return [name for name, _ in postgres.MIGRATIONS]


def applied_migrations(db: Connection) -> list[str]:
    """Return the names of the migrations recorded in the database."""
    if isinstance(db, PostgresConnection):
        return postgres.applied_migrations(db.raw)
    return [m.name for m in migrations.applied(db.utils())]


def prepare(path: Target | None = None) -> list[str]:
    """Create the database if it is missing and bring its schema up to date (start-up only)."""
    with session(path, create=True) as db:
        return migrate(db)


@contextmanager
def session(path: Target | None = None, create: bool = False) -> Iterator[Connection]:
    """Open a connection for one user action and close it afterwards; failures are named."""
    with named_failures():
        db = connect(path, create)
    try:
        with named_failures():
            yield db
    finally:
        if db.in_transaction:
            db.rollback()
        release(db)


_kept = threading.local()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def thread_connection(path: Target | None = None) -> Connection:
    """This thread's kept connection to the database, opened on first use and reused.

    For a pool of worker threads that each run many short actions (the workshop room's):
    opening a connection costs more than a typical read or answer (its pragmas, WAL mode
    above all), so each thread keeps one. A connection is never shared between threads;
    one left inside a transaction by a failed action is rolled back before reuse.

    A kept connection still writes into its file after the file was deleted or replaced,
    and every answer it acknowledged then would be lost, so each use first checks that
    the path still names the same file (a stat, about 2 µs): if it is gone, the action is
    refused (DatabaseUnavailable, logged); if it was replaced, the new file is opened.
    """
    url = _postgres_target(path)
    if url is not None:
        return _thread_postgres(url)
    path = Path(path) if path is not None else config.db_path()
    held: tuple[Path, Connection, tuple[int, int] | None] | None = getattr(_kept, "held", None)
    now_there = _identity(path)
    if held is not None and (held[0] != path or held[2] != now_there):
        held[1].close()
        _kept.held = held = None
        if now_there is None:
            log.error("database file %s was removed while CareLab was running", path)
        else:
            log.warning("database file %s was replaced; reopening it", path)
    if now_there is None:
        raise DatabaseUnavailable()
    if held is None:
        held = (path, connect(path), now_there)
        _kept.held = held
    db = held[1]
    if db.in_transaction:
        db.rollback()
    return db


def _thread_postgres(url: str) -> Connection:
    """This thread's kept PostgreSQL connection (a server restart gives a new one)."""
    held: tuple[str, PostgresConnection] | None = getattr(_kept, "postgres", None)
    if held is not None and (held[0] != url or held[1].raw.closed or held[1].raw.broken):
        _kept.postgres = held = None
    if held is None:
        with named_failures():
            held = (url, PostgresConnection(postgres.connect(url, autocommit=True)))
        _kept.postgres = held
    db = held[1]
    if db.in_transaction:
        db.rollback()
    return db
