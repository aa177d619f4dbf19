"""Run every benchmark in bench/ (what `make bench` does); pass --json for JSON lines."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

SKIP = {"__init__", "common", "run_all", "room_servers"}


def main() -> None:
    """Import and run each benchmark module's main()."""
    for path in sorted(HERE.glob("*.py")):
        if path.stem not in SKIP:
            importlib.import_module(f"bench.{path.stem}").main()


if __name__ == "__main__":
    main()
