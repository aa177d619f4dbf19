"""Fixtures shared by every test: a fresh migrated database and a scratch content root."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from carelab.store import db as store_db

REPO = Path(__file__).resolve().parent.parent
# Real public data shipped with the repository (provenance in data/README.md).
DATA = REPO / "data"
AE_CSV = DATA / "ae_attendances.csv"
# GIFT files written for CareLab's own tests.
GIFT_FILES = REPO / "tests" / "data" / "gift"
# Moodle's own GIFT examples are GPL and stay outside the repository; the conformance tests
# that read them skip, saying why, when this folder is absent.
MOODLE_GIFT = REPO.parent / "shared" / "data" / "moodle-gift"
VALID_CASE = """\
id: {id}
title: A test case
setting: Somewhere, 2020
summary: What happened.
sections:
  - heading: Story
    body: It happened.
    sources: [src]
key_figures:
  - label: A number
    value: "42"
    source: src
sources:
  - id: src
    citation: Author A. Title. Journal 2020;1:1.
"""
VALID_MODULE = """\
id: {id}
title: A test module
summary: What it teaches.
learning_objectives: [Explain a thing]
estimated_minutes: 30
version: "1.0"
steps:
  - id: read
    kind: text
    title: Read
    body: Some text.
  - id: the-case
    kind: case
    title: The case
    case: {case}
"""


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, migrated database that CARELAB_DB points at."""
    path = tmp_path / "carelab.db"
    monkeypatch.setenv("CARELAB_DB", str(path))
    store_db.prepare(path)
    return path


@pytest.fixture
def db(db_path: Path):
    """An open connection to the fresh database."""
    with store_db.session(db_path) as connection:
        yield connection


@pytest.fixture
def content_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty content root with modules/ and cases/, which CARELAB_CONTENT_DIR points at."""
    root = tmp_path / "content"
    (root / "modules").mkdir(parents=True)
    (root / "cases").mkdir()
    monkeypatch.setenv("CARELAB_CONTENT_DIR", str(root))
    return root


@pytest.fixture
def shipped_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's shipped modules and cases in a scratch content root."""
    root = tmp_path / "shipped"
    for folder in ("modules", "cases"):
        shutil.copytree(REPO / folder, root / folder)
    monkeypatch.setenv("CARELAB_CONTENT_DIR", str(root))
    return root


def run_coroutine(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to the end on an event loop of its own thread.

    Once a browser test has run, Playwright's sync API keeps an event loop running on the
    main thread, and asyncio.run() there fails with "cannot be called from a running event
    loop"; a test that needs its own loop therefore runs it on a fresh thread.
    """
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
