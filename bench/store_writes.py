"""Concurrent writers on one SQLite file: CareLab's BEGIN IMMEDIATE against a plain BEGIN.

Each of THREADS threads opens its own connection (as each Streamlit rerun does) and makes
ROUNDS read-then-write actions, the shape of sign-up (is this the first user?) and of a
failed sign-in (read the count, write it back plus one). Reports committed actions per
second and how many of the 1,000 failed with "database is locked", medians of 5 runs, for
both ways of starting the transaction.
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


def main() -> None:
    """Run the store benchmarks and report throughput and failures."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        with store_db.session(path) as db:
            store_db.migrate(db)
            accounts.insert_user(db, "a@example.org", "A", "x", 0.0)
        immediate_per_s, immediate_failed = _median_run(path, "BEGIN IMMEDIATE")
        plain_per_s, plain_failed = _median_run(path, "BEGIN")
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


if __name__ == "__main__":
    main()
