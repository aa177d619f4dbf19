"""The room on one SQLite server, one PostgreSQL server and N servers behind HAProxy, side by side.

Runs `bench/workshop_load.py` once per configuration and size, interleaved (round by
round, so a busy spell on the machine does not land on one configuration only), each in a
fresh process with a fresh database, and prints one Markdown table of the medians.
Every run's full result is also written as a JSON line to `--out`.

    python -m bench.room_compare --sizes 1000 2000 --rounds 2 --out /tmp/room.jsonl

Configurations are `backend:servers`: `sqlite:1 postgres:1 postgres:2` by default.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import json
import statistics
import subprocess
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def one_run(backend: str, servers: int, phones: int, steps: int, seed: int) -> dict[str, Any]:
    """One workshop_load run in its own process; its JSON result."""
    command = [
        sys.executable, "bench/workshop_load.py", "--json", f"--participants={phones}",
        f"--steps={steps}", f"--seed={seed}", f"--servers={servers}", f"--backend={backend}",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"backend": backend, "servers": servers, "participants": phones,
                "failed": done.stderr[-2000:]}  # fmt: skip
    return json.loads(lines[-1])


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def _median(runs: list[dict[str, Any]], *path: str) -> float | None:
    values = []
    for run in runs:
        found: Any = run
        for key in path:
            found = found.get(key) if isinstance(found, dict) else None
        if isinstance(found, int | float):
            values.append(float(found))
    return statistics.median(values) if values else None


def _pair(runs: list[dict[str, Any]], key: str) -> str:
    return f"{_ms(_median(runs, key, 'p50'))} / {_ms(_median(runs, key, 'p95'))}"


def _cpu(runs: list[dict[str, Any]], part: str) -> str:
    found = _median(runs, "cpu_percent_by_part", part, "mean")
    return "–" if found is None else f"{found:.0f}"


def table(results: list[dict[str, Any]]) -> str:
    """The Markdown table: one row per configuration and size, medians over its runs."""
    head = (
        "| Set-up | Phones | Runs | Step → phone p50 / p95 | Answer → saved p50 / p95 "
        "| Send → dashboard p50 / p95 | CPU % CareLab / HAProxy / PostgreSQL (mean) "
        "| Client CPU % | Other CPU % | Lost / dup | Errors |\n"
        "|:--|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    groups: dict[tuple[str, int, int], list[dict[str, Any]]] = {}
    for result in results:
        key = (result["backend"], result["servers"], result["participants"])
        groups.setdefault(key, []).append(result)
    rows = [head]
    for (backend, servers, phones), runs in sorted(groups.items(), key=lambda kv: kv[0][2]):
        ok = [r for r in runs if "failed" not in r]
        name = f"{servers} × CareLab on {'PostgreSQL' if backend == 'postgres' else 'SQLite'}"
        if servers > 1:
            name += " + HAProxy"
        if not ok:
            rows.append(f"| {name} | {phones:,} | 0 (failed) | | | | | | | | |")
            continue
        lost = sum(r["lost"] for r in ok)
        duplicated = sum(r["duplicated"] for r in ok)
        errors = sum(sum(r["errors"].values()) for r in ok)
        cpu = " / ".join(_cpu(ok, part) for part in ("carelab", "haproxy", "postgres"))
        client = _median(ok, "client_cpu_percent", "mean") or 0
        other = _median(ok, "other_cpu_percent", "mean") or 0
        rows.append(
            f"| {name} | {phones:,} | {len(ok)} | {_pair(ok, 'step_to_phone_ms')} "
            f"| {_pair(ok, 'answer_to_saved_ms')} | {_pair(ok, 'sent_to_dashboard_ms')} "
            f"| {cpu} | {client:.0f} | {other:.0f} | {lost} / {duplicated} | {errors} |"
        )
    return "\n".join(rows)


def main() -> None:
    """Run the configurations side by side and print the table (`--json`: JSON lines too)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200])
    parser.add_argument("--configs", nargs="+", default=["sqlite:1", "postgres:1", "postgres:2"])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--out", type=Path, help="append every run's JSON result here")
    parser.add_argument("--json", action="store_true")
    args, _ = parser.parse_known_args()  # run_all passes its own arguments through
    results: list[dict[str, Any]] = []
    for round_number in range(args.rounds):
        for phones in args.sizes:
            for config in args.configs:
                backend, servers = config.split(":")
                result = one_run(backend, int(servers), phones, args.steps, round_number + 1)
                results.append(result)
                if args.out:
                    with args.out.open("a") as out:
                        out.write(json.dumps(result) + "\n")
                if args.json:
                    print(json.dumps({"bench": "room_compare", **result}), flush=True)
                else:
                    sent = result.get("sent_to_dashboard_ms", {})
                    print(f"  {config} {phones} phones: send → dashboard {sent}", flush=True)
    if not args.json:
        print("## room_compare\n" + table(results))


if __name__ == "__main__":
    main()
