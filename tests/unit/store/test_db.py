"""The database: pragmas, recorded migrations, and many writers at once without loss."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from carelab.store import accounts
from carelab.store import db as store_db


@pytest.mark.sqlite_only
def test_pragmas_are_set_on_every_connection(db_path):
    with store_db.session(db_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL, the default
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000


def test_migrations_are_numbered_recorded_and_idempotent(db_path):
    with store_db.session(db_path) as db:
        applied = store_db.applied_migrations(db)
        assert applied[:2] == ["0001_accounts", "0002_learning"]
        # Numbered in order, each recorded once.
        assert applied == sorted(applied) and len(set(applied)) == len(applied)
        assert all(name[:4].isdigit() and name[4] == "_" for name in applied)
        assert store_db.migrate(db) == []
        assert {"users", "user_roles", "sessions", "sign_in_handoffs", "settings"} <= set(
            db.table_names()
        )


def test_database_folder_is_created(tmp_path):
    path = tmp_path / "nested" / "folder" / "carelab.db"
    store_db.prepare(path)
    assert path.exists()


def test_write_transaction_rolls_back_on_error(db):
    try:
        with store_db.write_transaction(db):
            accounts.insert_session(db, "h", 999, 0.0, 1.0)
    except Exception:
        pass
    assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0
    assert not db.in_transaction


def test_many_threads_writing_at_once_lose_nothing(db_path):
    """40 threads, each on its own connection, each reading then writing 10 times."""
    errors: list[BaseException] = []
    start = threading.Barrier(40)
    roomy = accounts.Limit(10_000, 60)

    def worker(n: int) -> None:
        try:
            start.wait()  # then all at once (on PostgreSQL, through the process's pool)
            with store_db.session(db_path) as db:
                for i in range(10):
                    accounts.insert_user(db, f"u{n}-{i}@example.org", "U", "x", float(i))
                    # reserve_attempt reads (the counts so far) then writes, in one BEGIN
                    # IMMEDIATE transaction: the pattern that fails with a plain BEGIN.
                    accounts.reserve_attempt(db, "sign-in", "k", "a", 0.0, {"address": roomy})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store_db.session(db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 400
        # Every read-then-write landed: none was lost to a race or refused as locked.
        assert db.execute("SELECT COUNT(*) FROM auth_attempts").fetchone()[0] == 400


def test_a_thread_keeps_its_connection_and_threads_never_share_one(tmp_path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    store_db.prepare(first)
    store_db.prepare(second)
    kept = store_db.thread_connection(first)
    assert store_db.thread_connection(first) is kept
    assert kept.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    elsewhere: list[object] = []
    worker = threading.Thread(target=lambda: elsewhere.append(store_db.thread_connection(first)))
    worker.start()
    worker.join()
    assert elsewhere[0] is not kept
    # Another database (a test's, or a changed setting): the old connection is closed.
    moved = store_db.thread_connection(second)
    assert moved is not kept
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        kept.execute("SELECT 1")


def test_a_kept_connection_left_in_a_transaction_is_rolled_back(tmp_path):
    path = tmp_path / "t.db"
    store_db.prepare(path)
    db = store_db.thread_connection(path)
    db.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO t VALUES (1)")  # a failed action left this uncommitted
    again = store_db.thread_connection(path)
    assert not again.in_transaction
    assert again.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0
