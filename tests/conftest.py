"""Fixtures shared by every test: a fresh migrated database and a scratch content root."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Coroutine, Iterator
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


# --- PostgreSQL ---------------------------------------------------------------------------
# CARELAB_TEST_POSTGRES names a server the PostgreSQL half of the tests may use (it creates
# and drops its own databases there); .ci/run starts a throwaway cluster and sets it, and
# CARELAB_REQUIRE_POSTGRES=1 turns a missing server into a failure instead of a skip.


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The URL of a PostgreSQL server for tests, or skip (fail in CI) saying why."""
    url = os.environ.get("CARELAB_TEST_POSTGRES", "")
    why = ""
    if not url:
        why = (
            "CARELAB_TEST_POSTGRES is not set: PostgreSQL tests skipped (.ci/run starts a "
            "throwaway cluster with tests/postgres_server.py and sets it)"
        )
    else:
        import psycopg

        try:
            psycopg.connect(url, connect_timeout=5).close()
        except psycopg.OperationalError as exc:
            why = f"PostgreSQL at CARELAB_TEST_POSTGRES is not reachable: {exc}"
    if why:
        if os.environ.get("CARELAB_REQUIRE_POSTGRES") == "1":
            pytest.fail(why)
        pytest.skip(why)
    return url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards; its URL."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = f"carelab_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    params = conninfo_to_dict(postgres_server)
    params["dbname"] = name
    try:
        yield make_conninfo(**params)
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
