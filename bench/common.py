"""Timing helpers shared by the benchmarks: medians over repeats, printed as JSON."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable


def median_ms(fn: Callable[[], object], repeats: int = 15, warmup: int = 2) -> float:
    """Return the median wall time of `fn` in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 3)


def report(name: str, results: dict[str, float | int]) -> None:
    """Print one JSON line (with --json) or a readable table."""
    if "--json" in sys.argv:
        print(json.dumps({"bench": name, **results}))
        return
    print(f"## {name}")
    for key, value in results.items():
        print(f"  {key:<34} {value}")
