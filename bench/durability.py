"""What waiting for the disk costs: SQLite's synchronous=FULL against NORMAL, per answer.

With WAL, NORMAL acknowledges a commit once it is in the operating system's cache (safe if
CareLab crashes, not if the machine loses power); FULL waits for the WAL to reach the disk
(fsync) first. Each write here is the room's answer: one conditional upsert committed on
its own, through CareLab's own connection (store_db.connect, which reads the setting).
Reports, for both settings, the median and p95 time of one commit with one writer and
with 8 writers at once, and commits per second, medians of RUNS alternating runs.
Results: docs/performance.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Runnable as `python bench/NAME.py` as well as `python -m bench.NAME`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import os
import statistics
import tempfile
import threading
import time

from bench.common import report
from carelab.store import db as store_db

RUNS = 5
WRITES = 400  # per writer and run
UPSERT = (
    "INSERT INTO answers_bench (participant, step, answer) VALUES (?, ?, ?) "
    "ON CONFLICT (participant, step) DO UPDATE SET answer = excluded.answer"
)


def _run(path: Path, writers: int) -> tuple[list[float], float]:
    """Every writer commits WRITES upserts; return each commit's ms and commits per second."""
    times: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(writers + 1)

    def writer(number: int) -> None:
        db = store_db.connect(path)
        mine = []
        barrier.wait()
        for i in range(WRITES):
            started = time.perf_counter()
            db.execute(UPSERT, [number * 1000 + i % 50, i % 5, f"answer {i}"])
            mine.append((time.perf_counter() - started) * 1000)
        db.close()
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return times, writers * WRITES / (time.perf_counter() - started)


def _measure(mode: str, writers: int, folder: Path) -> tuple[float, float, float]:
    os.environ["CARELAB_SQLITE_SYNCHRONOUS"] = mode
    path = folder / f"{mode}-{writers}-{time.monotonic_ns()}.db"
    store_db.prepare(path)
    with store_db.session(path) as db:
        db.execute(
            "CREATE TABLE answers_bench (participant INTEGER, step INTEGER, answer TEXT, "
            "PRIMARY KEY (participant, step))"
        )
    times, rate = _run(path, writers)
    ordered = sorted(times)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))], rate


def main() -> None:
    """Alternate FULL and NORMAL runs with 1 and 8 writers; report medians and the ratio."""
    before = os.environ.get("CARELAB_SQLITE_SYNCHRONOUS")
    results: dict[str, float | int] = {}
    with tempfile.TemporaryDirectory(dir=Path(__file__).resolve().parent.parent) as tmp:
        for writers in (1, 8):
            runs: dict[str, list[tuple[float, float, float]]] = {"FULL": [], "NORMAL": []}
            for _ in range(RUNS):
                for mode in runs:
                    runs[mode].append(_measure(mode, writers, Path(tmp)))
            for mode, values in runs.items():
                median, p95, rate = (statistics.median(v[i] for v in values) for i in range(3))
                results[f"{writers}w_{mode.lower()}_commit_ms_p50"] = round(median, 3)
                results[f"{writers}w_{mode.lower()}_commit_ms_p95"] = round(p95, 3)
                results[f"{writers}w_{mode.lower()}_commits_per_s"] = round(rate)
            results[f"{writers}w_full_over_normal_p50"] = round(
                results[f"{writers}w_full_commit_ms_p50"]
                / results[f"{writers}w_normal_commit_ms_p50"],
                2,
            )
    if before is None:
        os.environ.pop("CARELAB_SQLITE_SYNCHRONOUS", None)
    else:
        os.environ["CARELAB_SQLITE_SYNCHRONOUS"] = before
    report("durability: synchronous FULL against NORMAL", results)


if __name__ == "__main__":
    main()
