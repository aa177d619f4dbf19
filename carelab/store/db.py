"""SQLite connections, pragmas, write transactions and the numbered schema migrations.

Measured on this machine (see ../shared/ARCHITECTURE.md): with WAL and a busy timeout,
single-statement writes from 200 threads never fail, but a transaction that reads and
then writes must start with BEGIN IMMEDIATE, or it fails at once under concurrent
writers whatever the timeout. sqlite-utils' `atomic()` issues a plain BEGIN, so CareLab's
read-then-write actions go through `write_transaction` instead. A connection belongs to
one thread: each Streamlit rerun is a new thread, so callers open one per action.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from carelab import config

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
        """
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
        """
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
        """
    )


def connect(path: Path | None = None) -> Database:
    """Open a connection for this thread with CareLab's pragmas; the caller closes it."""
    path = path or config.db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: no implicit transactions; every write commits unless a
    # transaction was opened explicitly with write_transaction().
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return Database(conn)


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Run a read-then-write action as one BEGIN IMMEDIATE transaction; roll back on error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.commit()


def migrate(db: Database) -> list[str]:
    """Apply pending migrations; return the names applied."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending


def applied_migrations(db: Database) -> list[str]:
    """Return the names of the migrations recorded in the database."""
    return [m.name for m in migrations.applied(db)]


@contextmanager
def session(path: Path | None = None) -> Iterator[Database]:
    """Open a migrated connection for one user action and close it afterwards."""
    db = connect(path)
    try:
        yield db
    finally:
        db.close()


_kept = threading.local()


def thread_connection(path: Path | None = None) -> Database:
    """This thread's kept connection to the database, opened on first use and reused.

    For a pool of worker threads that each run many short actions (the workshop room's):
    opening a connection costs more than a typical read or answer (its pragmas, WAL mode
    above all), so each thread keeps one. A connection is never shared between threads;
    one left inside a transaction by a failed action is rolled back before reuse.
    """
    path = path or config.db_path()
    held: tuple[Path, Database] | None = getattr(_kept, "held", None)
    if held is not None and held[0] != path:
        held[1].close()
        held = None
    if held is None:
        held = (path, connect(path))
        _kept.held = held
    db = held[1]
    if db.conn.in_transaction:
        db.conn.rollback()
    return db
