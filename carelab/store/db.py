"""SQLite connections, pragmas, write transactions and the numbered schema migrations.

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

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from carelab import config
from carelab.errors import CareLabError
from carelab.store.errors import DatabaseBusy, DatabaseUnavailable

log = logging.getLogger(__name__)
BUSY_TIMEOUT_SECONDS = 30

migrations = Migrations("carelab")


@migrations(name="0001_accounts")
def _accounts(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at REAL NOT NULL,
            failed_signins INTEGER NOT NULL DEFAULT 0,
            locked_until REAL
        );
        CREATE TABLE user_roles (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('facilitator', 'author', 'admin')),
            granted_at REAL NOT NULL,
            granted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            PRIMARY KEY (user_id, role)
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at REAL NOT NULL,
            expires_at REAL NOT NULL
        );
        CREATE INDEX sessions_user ON sessions(user_id);
        CREATE TABLE sign_in_handoffs (
            code_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            expires_at REAL NOT NULL
        );
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    )


@migrations(name="0002_learning")
def _learning(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            module_id TEXT NOT NULL,
            module_version TEXT NOT NULL,
            number INTEGER NOT NULL,
            seed INTEGER NOT NULL,
            started_at REAL NOT NULL,
            current_step TEXT,
            completed_at REAL,
            score REAL,
            UNIQUE (user_id, module_id, number)
        );
        CREATE INDEX attempts_user ON attempts(user_id, module_id);
        CREATE TABLE answers (
            attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
            step_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            first_response TEXT NOT NULL,
            score REAL NOT NULL,
            last_response TEXT NOT NULL,
            last_correct INTEGER NOT NULL,
            tries INTEGER NOT NULL,
            answered_at REAL NOT NULL,
            PRIMARY KEY (attempt_id, question_id)
        );
        CREATE TABLE step_progress (
            attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
            step_id TEXT NOT NULL,
            done_at REAL NOT NULL,
            PRIMARY KEY (attempt_id, step_id)
        );
        CREATE TABLE reflections (
            attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
            step_id TEXT NOT NULL,
            step_title TEXT NOT NULL,
            prompt TEXT NOT NULL,
            what TEXT NOT NULL,
            so_what TEXT NOT NULL,
            now_what TEXT NOT NULL,
            saved_at REAL NOT NULL,
            PRIMARY KEY (attempt_id, step_id)
        );
        CREATE TABLE certificates (
            code TEXT PRIMARY KEY,
            attempt_id INTEGER UNIQUE REFERENCES attempts(id) ON DELETE SET NULL,
            user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            learner_name TEXT,
            module_id TEXT NOT NULL,
            module_title TEXT NOT NULL,
            module_version TEXT NOT NULL,
            objectives TEXT NOT NULL,
            estimated_minutes INTEGER NOT NULL,
            attested_minutes INTEGER NOT NULL,
            score REAL,
            completed_at REAL NOT NULL
        );
        """,
    )


@migrations(name="0003_workshops")
def _workshops(db: Database) -> None:
    # Participants have no account: a random token (stored only as its SHA-256) is their
    # identity. `version` rises with every facilitator change, so phones can long-poll it.
    db.executescript(
        """
        CREATE TABLE workshops (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            source_kind TEXT NOT NULL CHECK (source_kind IN ('case', 'module')),
            source_id TEXT NOT NULL,
            facilitator_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            anonymous INTEGER NOT NULL DEFAULT 1 CHECK (anonymous IN (0, 1)),
            created_at REAL NOT NULL,
            ended_at REAL,
            step_count INTEGER NOT NULL CHECK (step_count > 0),
            current_step INTEGER NOT NULL DEFAULT 0,
            answering_open INTEGER NOT NULL DEFAULT 0 CHECK (answering_open IN (0, 1)),
            results_revealed INTEGER NOT NULL DEFAULT 0 CHECK (results_revealed IN (0, 1)),
            answer_revealed INTEGER NOT NULL DEFAULT 0 CHECK (answer_revealed IN (0, 1)),
            timer_ends_at REAL,
            version INTEGER NOT NULL DEFAULT 1,
            CHECK (current_step >= 0 AND current_step < step_count)
        );
        CREATE INDEX workshops_facilitator ON workshops(facilitator_id, created_at);
        CREATE TABLE workshop_steps (
            workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
            step_index INTEGER NOT NULL CHECK (step_index >= 0),
            step TEXT NOT NULL,
            PRIMARY KEY (workshop_id, step_index)
        );
        CREATE TABLE workshop_participants (
            id INTEGER PRIMARY KEY,
            workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            number INTEGER NOT NULL,
            nickname TEXT NOT NULL DEFAULT '',
            joined_at REAL NOT NULL,
            last_seen REAL NOT NULL,
            UNIQUE (workshop_id, number)
        );
        CREATE TABLE workshop_responses (
            workshop_id INTEGER NOT NULL,
            step_index INTEGER NOT NULL,
            participant_id INTEGER NOT NULL
                REFERENCES workshop_participants(id) ON DELETE CASCADE,
            answer TEXT NOT NULL,
            hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
            first_answered_at REAL NOT NULL,
            last_answered_at REAL NOT NULL,
            PRIMARY KEY (workshop_id, step_index, participant_id),
            FOREIGN KEY (workshop_id, step_index)
                REFERENCES workshop_steps(workshop_id, step_index) ON DELETE CASCADE
        );
        CREATE INDEX workshop_responses_participant ON workshop_responses(participant_id);
        CREATE TABLE workshop_join_attempts (
            client_key TEXT NOT NULL,
            attempted_at REAL NOT NULL
        );
        CREATE INDEX workshop_join_attempts_key
            ON workshop_join_attempts(client_key, attempted_at);
        """,
    )


@migrations(name="0004_security")
def _security(db: Database) -> None:
    # Sign-in and sign-up attempts, each recorded before its password check and kept until
    # it ages out (a successful sign-in deletes its email's rows). `email_key` is a SHA-256
    # of the typed email, lower-cased: unknown emails are throttled exactly like real ones,
    # and no typed text (sometimes a password typed in the wrong box) is kept. This replaces
    # users.failed_signins and users.locked_until, which stay unused. A setup token (its
    # SHA-256) exists only while the database has no administrator.
    db.executescript(
        """
        CREATE TABLE auth_attempts (
            kind TEXT NOT NULL CHECK (kind IN ('sign-in', 'sign-up')),
            email_key TEXT NOT NULL,
            address TEXT NOT NULL,
            attempted_at REAL NOT NULL
        );
        CREATE INDEX auth_attempts_email ON auth_attempts(email_key, kind, attempted_at);
        CREATE INDEX auth_attempts_address ON auth_attempts(address, kind, attempted_at);
        CREATE INDEX auth_attempts_time ON auth_attempts(attempted_at);
        CREATE TABLE setup_tokens (
            token_hash TEXT PRIMARY KEY,
            created_at REAL NOT NULL
        );
        """,
    )


@migrations(name="0005_case_progress")
def _case_progress(db: Database) -> None:
    # A learner's own answers to a case's quiz (on the case page) are an attempt like a
    # module's, so they reuse the answers table, its first-answer scoring and its idempotent
    # upsert. For a case attempt, module_id holds the case id and module_version the case's
    # version. The old UNIQUE (user_id, module_id, number) stays (SQLite cannot drop it
    # without rebuilding a table that four others reference), so numbers are counted per
    # id across both kinds: a case and a module that share an id never share a number.
    db.execute(
        "ALTER TABLE attempts ADD COLUMN kind TEXT NOT NULL DEFAULT 'module' "
        "CHECK (kind IN ('module', 'case'))"
    )
    db.execute("CREATE INDEX attempts_kind ON attempts(user_id, kind, module_id)")


@migrations(name="0006_active_time")
def _active_time(db: Database) -> None:
    # Time on task for the certificate (carelab.learning.active_time): the seconds between
    # a learner's actions in the module player, each gap capped, added up per attempt, and
    # when the last action was, to measure the next gap from.
    db.execute("ALTER TABLE attempts ADD COLUMN active_seconds REAL NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE attempts ADD COLUMN last_action_at REAL")
    # Certificates issued before this attest the learner's own claim (capped at the
    # estimate); they keep saying so, and new ones say the time was measured.
    db.execute(
        "ALTER TABLE certificates ADD COLUMN time_basis TEXT NOT NULL DEFAULT 'measured' "
        "CHECK (time_basis IN ('claimed', 'measured'))"
    )
    db.execute("UPDATE certificates SET time_basis = 'claimed'")


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


def connect(path: Path | None = None, create: bool = False) -> Database:
    """Open a connection for this thread with CareLab's pragmas; the caller closes it.

    Only `create=True` (start-up and `carelab db migrate`) may make a new database file: a
    file removed while the server runs must not come back empty and swallow answers.
    """
    path = path or config.db_path()
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
    return Database(conn)


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
    """Turn SQLite's failures inside the block into DatabaseBusy or DatabaseUnavailable."""
    try:
        yield
    except sqlite3.Error as exc:
        failure = _failure(exc)
        if failure is None:
            raise
        raise failure from exc


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Run a read-then-write action as one BEGIN IMMEDIATE transaction; roll back on error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.rollback()
        raise
    db.commit()


_MIGRATIONS_TABLE = migrations.migrations_table


def migrate(db: Database) -> list[str]:
    """Apply pending migrations in one write transaction; return the names applied.

    The write lock comes first (BEGIN IMMEDIATE), so two processes starting on a fresh
    database at once take turns: the second finds nothing left to do.
    """
    applied: list[str] = []
    with write_transaction(db):
        db.executescript(
            f"CREATE TABLE IF NOT EXISTS [{_MIGRATIONS_TABLE}] (id INTEGER PRIMARY KEY, "
            "migration_set TEXT, name TEXT, applied_at TEXT);\n"
            f"CREATE UNIQUE INDEX IF NOT EXISTS idx_{_MIGRATIONS_TABLE}_migration_set_name "
            f"ON [{_MIGRATIONS_TABLE}] (migration_set, name);\n",
        )
        for migration in migrations.pending(db):
            migration.fn(db)
            if not db.conn.in_transaction:
                raise RuntimeError(f"migration {migration.name} committed on its own")
            db.execute(
                f"INSERT INTO [{_MIGRATIONS_TABLE}] (migration_set, name, applied_at) "  # noqa: S608
                "VALUES (?, ?, ?)",
                [migrations.name, migration.name, str(datetime.now(UTC))],
            )
            applied.append(migration.name)
    return applied


def applied_migrations(db: Database) -> list[str]:
    """Return the names of the migrations recorded in the database."""
    return [m.name for m in migrations.applied(db)]


def prepare(path: Path | None = None) -> list[str]:
    """Create the database if it is missing and bring its schema up to date (start-up only)."""
    with session(path, create=True) as db:
        return migrate(db)


@contextmanager
def session(path: Path | None = None, create: bool = False) -> Iterator[Database]:
    """Open a connection for one user action and close it afterwards; failures are named."""
    db = connect(path, create)
    try:
        with named_failures():
            yield db
    finally:
        db.close()


_kept = threading.local()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def thread_connection(path: Path | None = None) -> Database:
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
    path = path or config.db_path()
    held: tuple[Path, Database, tuple[int, int] | None] | None = getattr(_kept, "held", None)
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
    if db.conn.in_transaction:
        db.conn.rollback()
    return db
