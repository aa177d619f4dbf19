"""Concurrent writers: CareLab's BEGIN IMMEDIATE against a plain BEGIN on one SQLite file,
and 200 writers through CareLab's own write transactions on SQLite and on PostgreSQL.

Each of THREADS threads opens its own connection (as each Streamlit rerun does) and makes
ROUNDS read-then-write actions, the shape of sign-up (is this the first user?) and of a
failed sign-in (read the count, write it back plus one). Reports committed actions per
second and how many of the 1,000 failed with "database is locked", medians of 5 runs, for
both ways of starting the transaction.
Then WRITERS threads each make WRITER_ROUNDS actions through `store_db.write_transaction`
(each action its own session, as a page's rerun): read a counter, write it plus one, insert
a row with a unique key. Afterwards the counter must equal the actions acknowledged (none
lost) and the rows must be exactly one per acknowledged action (none lost or duplicated).
PostgreSQL runs in a throwaway cluster (tests/postgres_server.py) unless
CARELAB_BENCH_POSTGRES names one; it is skipped when PostgreSQL is not installed.
Also reports the cost of one scrypt password check, which bounds sign-in latency.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Runnable as `python bench/NAME.py` as well as `python -m bench.NAME`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlite3
import statistics
import tempfile
import threading
import time
import uuid

from bench.common import median_ms, report
from carelab import auth
from carelab.store import accounts
from carelab.store import db as store_db

THREADS = 50
ROUNDS = 20
WRITERS = 200
WRITER_ROUNDS = 10


def _run(path: Path, begin: str) -> tuple[float, int]:
    failures = 0
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker() -> None:
        nonlocal failures
        with store_db.session(path) as db:
            barrier.wait()
            for _i in range(ROUNDS):
                try:
                    db.execute(begin)
                    count = db.execute("SELECT failed_signins FROM users WHERE id = 1").fetchone()
                    db.execute("UPDATE users SET failed_signins = ? WHERE id = 1", [count[0] + 1])
                    db.execute("INSERT INTO sessions VALUES (?, 1, 0, 1)", [uuid.uuid4().hex])
                    db.commit()
                except sqlite3.OperationalError:
                    db.rollback()
                    with lock:
                        failures += 1

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return (THREADS * ROUNDS - failures) / elapsed, failures


def _median_run(path: Path, begin: str, repeats: int = 5) -> tuple[int, int]:
    """Median committed actions per second and median locked errors over `repeats` runs."""
    runs = [_run(path, begin) for _ in range(repeats)]
    return (
        round(statistics.median(r[0] for r in runs)),
        round(statistics.median(r[1] for r in runs)),
    )


def _carelab_writers(target: Path | str) -> dict[str, float | int]:
    """WRITERS threads through write_transaction; actions/s, errors, lost and duplicated."""
    with store_db.session(target) as db:
        db.execute("INSERT INTO settings (key, value) VALUES ('counter', '0')")
    errors: list[BaseException] = []
    acknowledged = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        barrier.wait()
        for i in range(WRITER_ROUNDS):
            try:
                with store_db.session(target) as db, store_db.write_transaction(db):
                    value = db.execute("SELECT value FROM settings WHERE key = 'counter'")
                    count = int(value.fetchone()[0])
                    db.execute(
                        "UPDATE settings SET value = ? WHERE key = 'counter'", [str(count + 1)]
                    )
                    db.execute(
                        "INSERT INTO setup_tokens (token_hash, created_at) VALUES (?, ?)",
                        [f"{n}-{i}", float(i)],
                    )
                with lock:
                    acknowledged[0] += 1
            except BaseException as exc:  # counted and reported, never hidden
                with lock:
                    errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    with store_db.session(target) as db:
        counter = int(db.execute("SELECT value FROM settings WHERE key = 'counter'").fetchone()[0])
        rows, distinct = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT token_hash) FROM setup_tokens"
        ).fetchone()
    return {
        "writers": WRITERS,
        "actions": WRITERS * WRITER_ROUNDS,
        "committed_per_s": round(acknowledged[0] / elapsed),
        "errors": len(errors),
        "lost": max(0, acknowledged[0] - counter) + max(0, acknowledged[0] - distinct),
        "duplicated": rows - distinct + max(0, counter - acknowledged[0]),
    }


def _postgres_writers() -> dict[str, float | int] | None:
    """The same 200 writers on PostgreSQL: a given server, or a throwaway cluster."""
    import os
    import shutil
    import uuid as uuid_module

    import psycopg

    from tests import postgres_server

    given = os.environ.get("CARELAB_BENCH_POSTGRES")
    folder = Path(tempfile.mkdtemp(prefix="carelab-bench-pg-"))
    try:
        server = given or postgres_server.start(folder)
    except (RuntimeError, OSError):
        shutil.rmtree(folder, ignore_errors=True)
        return None
    name = f"carelab_bench_{uuid_module.uuid4().hex[:8]}"
    try:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = server.rsplit("/", 1)[0] + f"/{name}"
        # Pages share the process's pool: 200 writers queue for its connections.
        os.environ["CARELAB_POSTGRES_POOL_SIZE"] = "50"
        store_db.prepare(url)
        return _carelab_writers(url)
    finally:
        from carelab.store import postgres

        postgres.close_pools()
        if given:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            postgres_server.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    """Run the store benchmarks and report throughput and failures."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        store_db.prepare(path)  # only start-up may create a database file
        with store_db.session(path) as db:
            accounts.insert_user(db, "a@example.org", "A", "x", 0.0)
        immediate_per_s, immediate_failed = _median_run(path, "BEGIN IMMEDIATE")
        plain_per_s, plain_failed = _median_run(path, "BEGIN")
        sqlite_writers = _carelab_writers(path)
    postgres_writers = _postgres_writers()
    stored = auth.hash_password("correct horse battery")
    report(
        "store_writes",
        {
            "threads": THREADS,
            "actions": THREADS * ROUNDS,
            "begin_immediate_committed_per_s": immediate_per_s,
            "begin_immediate_locked_errors": immediate_failed,
            "plain_begin_committed_per_s": plain_per_s,
            "plain_begin_locked_errors": plain_failed,
            "scrypt_verify_ms": median_ms(
                lambda: auth.verify_password("correct horse battery", stored), repeats=11
            ),
        },
    )
    for name, found in (("sqlite", sqlite_writers), ("postgresql", postgres_writers)):
        if found is None:
            report(f"store_writes {name}, {WRITERS} writers", {"skipped: not installed": 0})
        else:
            report(f"store_writes {name}, {WRITERS} writers", found)


if __name__ == "__main__":
    main()
