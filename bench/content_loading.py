"""How long content takes to load and validate, against plain yaml.safe_load.

Keys (medians, ms): safe_load_ms (PyYAML's C safe_load of every shipped file, the floor),
loader_ms (CareLab's positioned, bounded loader), catalog_ms (load + validate + references,
what a content change costs the app), signature_ms (the per-rerun check for changed files),
alias_bomb_ms (refusing a 9-level alias bomb); loader_ratio = loader_ms / safe_load_ms.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Runnable as `python bench/NAME.py` as well as `python -m bench.NAME`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

import yaml

from bench.common import median_ms, report
from carelab.content.catalog import content_files, content_signature, load_catalog
from carelab.content.loader import YamlLoadFailed, load_yaml_text

REPO = Path(__file__).resolve().parent.parent
BOMB = "\n".join(
    ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=False)
    ]
).encode()


def main() -> None:
    """Run the content benchmarks and report medians."""
    texts = [(str(p), p.read_bytes()) for _, p in content_files(REPO)]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def plain() -> None:
        for _, raw in texts:
            yaml.load(raw, Loader=loader)

    def ours() -> None:
        for name, raw in texts:
            load_yaml_text(raw, name)

    def bomb() -> None:
        with contextlib.suppress(YamlLoadFailed):
            load_yaml_text(BOMB, "bomb.yaml")

    safe_load_ms = median_ms(plain)
    loader_ms = median_ms(ours)
    report(
        "content_loading",
        {
            "files": len(texts),
            "bytes": sum(len(raw) for _, raw in texts),
            "safe_load_ms": safe_load_ms,
            "loader_ms": loader_ms,
            "loader_ratio": round(loader_ms / safe_load_ms, 2),
            "catalog_ms": median_ms(lambda: load_catalog(REPO)),
            "signature_ms": median_ms(lambda: content_signature(REPO), repeats=101),
            "alias_bomb_ms": median_ms(bomb),
        },
    )


if __name__ == "__main__":
    main()
