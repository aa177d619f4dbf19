"""Nothing acknowledged is lost: a removed, replaced, full or read-only database refuses
the action with a sentence and a log line, and only start-up makes a new database."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from sqlite_utils.migrations import Migrations

from carelab.store import db as store_db
from carelab.store.errors import CANNOT_SAVE, DatabaseBusy, DatabaseUnavailable
from tests.conftest import REPO

# These tests are about SQLite's own file: its sync setting, removal and replacement.
pytestmark = pytest.mark.sqlite_only


def _remove(path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _kept_in_a_thread(work):
    """Run `work` on a fresh thread (so with a fresh kept connection) and return its result."""
    out: list[object] = []
    worker = threading.Thread(target=lambda: out.append(_capture(work)))
    worker.start()
    worker.join()
    return out[0]


def _capture(work):
    try:
        return work()
    except Exception as exc:
        return exc


def test_a_connection_never_makes_a_missing_database(tmp_path):
    path = tmp_path / "gone.db"
    with pytest.raises(DatabaseUnavailable, match="cannot save right now"):
        store_db.connect(path)
    assert not path.exists()


def test_start_up_makes_and_migrates_a_new_database(tmp_path):
    path = tmp_path / "new" / "carelab.db"
    assert "0001_accounts" in store_db.prepare(path)
    assert store_db.prepare(path) == []


def test_a_kept_connection_refuses_once_its_file_is_removed(db_path, caplog):
    def write_twice_around_a_removal():
        db = store_db.thread_connection(db_path)
        db.execute("INSERT INTO settings (key, value) VALUES ('before', '1')")
        _remove(db_path)
        # 0.4 wrote this into the deleted file and acknowledged it.
        store_db.thread_connection(db_path).execute(
            "INSERT INTO settings (key, value) VALUES ('after', '1')"
        )

    with caplog.at_level(logging.ERROR, logger="carelab.store.db"):
        failure = _kept_in_a_thread(write_twice_around_a_removal)
    assert isinstance(failure, DatabaseUnavailable)
    assert str(failure) == CANNOT_SAVE
    assert "was removed while CareLab was running" in caplog.text
    assert not db_path.exists(), "a new empty database was made mid-run"


def test_a_replaced_file_is_reopened_not_written_through_the_old_one(db_path, tmp_path):
    spare = tmp_path / "restored.db"
    store_db.prepare(spare)

    def write_around_a_replacement():
        store_db.thread_connection(db_path).execute("SELECT 1")
        _remove(db_path)
        os.replace(spare, db_path)  # an operator restores a backup under the same name
        store_db.thread_connection(db_path).execute(
            "INSERT INTO settings (key, value) VALUES ('restored', 'yes')"
        )

    assert _kept_in_a_thread(write_around_a_replacement) is None
    with store_db.session(db_path) as db:
        assert db.execute("SELECT value FROM settings WHERE key = 'restored'").fetchone() == (
            "yes",
        )


def test_a_full_disk_says_nothing_was_saved_and_logs_why(db_path, caplog):
    with store_db.session(db_path) as db:
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    with (
        caplog.at_level(logging.ERROR, logger="carelab.store.db"),
        pytest.raises(DatabaseUnavailable) as raised,
        store_db.session(db_path) as db,
    ):
        db.execute(f"PRAGMA max_page_count = {pages + 1}")  # the disk fills up
        for i in range(200):
            db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", [i, "x" * 4000])
    assert str(raised.value) == "CareLab cannot save right now; your last answer was not saved."
    assert "SQLITE_FULL" in caplog.text


def test_a_read_only_database_says_nothing_was_saved(db_path):
    with (
        pytest.raises(DatabaseUnavailable, match="your last answer was not saved"),
        store_db.session(db_path) as db,
    ):
        db.execute("PRAGMA query_only = 1")  # as a read-only mount or file would
        db.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')")


def test_a_database_held_too_long_is_busy_not_unavailable(db_path):
    holder = store_db.connect(db_path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy, match="busy"), store_db.session(db_path) as db:
            db.execute("PRAGMA busy_timeout = 50")
            db.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')")
    finally:
        holder.rollback()
        holder.close()


def test_a_migration_that_commits_on_its_own_is_refused(tmp_path, monkeypatch):
    bad = Migrations("carelab")

    @bad(name="0001_commits")
    def _commits(db) -> None:
        db.execute("CREATE TABLE t (x INTEGER)")
        db.conn.commit()  # half a migration would be visible to a second process

    monkeypatch.setattr(store_db, "migrations", bad)
    with pytest.raises(RuntimeError, match="0001_commits committed on its own"):
        store_db.prepare(tmp_path / "x.db")


MIGRATE_AT = """\
import sys, time
from pathlib import Path
from carelab.store import db
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
print(",".join(db.prepare(Path(sys.argv[1]))) or "-")
"""


@pytest.mark.parametrize("round_", range(3))
def test_two_processes_starting_on_a_fresh_database_both_come_up(tmp_path, round_):
    path = tmp_path / f"race{round_}.db"
    start = time.time() + 2.5  # both have imported CareLab by then and start together
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(MIGRATE_AT), str(path), str(start)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(*run.communicate(timeout=120), run.returncode) for run in runs]
    assert [code for _, _, code in results] == [0, 0], [err for _, err, _ in results]
    outputs = sorted(out.strip() for out, _, _ in results)
    # One applied every migration; the other found nothing left to do.
    assert outputs[0] == "-" and outputs[1].startswith("0001_accounts")
    with store_db.session(path) as db:
        assert store_db.migrate(db) == []
