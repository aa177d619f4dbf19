"""The xAPI tests' real LRS (tests/lrs_server.py): skipped without .venv-ralph, failed in CI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lrs_server import RALPH, Ralph


@pytest.fixture
def lrs(tmp_path: Path) -> Iterator[Ralph]:
    """A running ralph LRS of this test's own, stopped afterwards."""
    if not RALPH.exists():
        why = (
            f"{RALPH} is missing: `make test` installs ralph-malph there (its own venv); "
            "the xAPI tests against a real LRS are skipped"
        )
        if os.environ.get("CARELAB_REQUIRE_LRS") == "1":
            pytest.fail(why)
        pytest.skip(why)
    server = Ralph(tmp_path / "ralph")
    server.start()
    try:
        yield server
    finally:
        server.stop()
