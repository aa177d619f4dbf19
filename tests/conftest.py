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
from urllib.parse import urlsplit, urlunsplit

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


# The folders whose tests run on both databases: every test there that uses `db_path` or
# `db` runs once on SQLite and once on PostgreSQL, unless marked `sqlite_only` (it reads the
# SQLite file itself: pragmas, file removal, a second process's lock).
BOTH_BACKENDS = ("tests/unit/store/", "tests/unit/workshop/", "tests/unit/web/",
                 "tests/unit/learning/", "tests/unit/test_auth.py", "tests/unit/test_accounts.py",
                 "tests/unit/test_account_attacks.py",
                 "tests/unit/integration/")  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker for tests that need SQLite itself."""
    config.addinivalue_line("markers", "sqlite_only: runs on SQLite only (reads the file itself)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run the tests of BOTH_BACKENDS on SQLite and on PostgreSQL."""
    if "backend" not in metafunc.fixturenames:
        return
    where = metafunc.definition.path.as_posix()
    both = any(folder in where for folder in BOTH_BACKENDS)
    if both and not metafunc.definition.get_closest_marker("sqlite_only"):
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The database a test runs on: "sqlite", or "postgresql" where both are tested."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_path(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Path | str]:
    """A fresh, migrated database that CARELAB_DB points at: a SQLite file, or on the
    PostgreSQL run a new database's URL."""
    if backend == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        monkeypatch.setenv("CARELAB_DB", url)
        # Race tests hold up to 50 connections at once, one per thread, as 50 pages would.
        monkeypatch.setenv("CARELAB_POSTGRES_POOL_SIZE", "64")
        store_db.prepare(url)
        yield url
        return
    path = tmp_path / "carelab.db"
    monkeypatch.setenv("CARELAB_DB", str(path))
    store_db.prepare(path)
    yield path


@pytest.fixture
def db(db_path: Path | str):
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

    name = f"carelab_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    # A postgresql:// URL, the form CARELAB_DB takes, with the test database as its path.
    url = urlunsplit(urlsplit(postgres_server)._replace(path=f"/{name}"))
    try:
        yield url
    finally:
        from carelab.store import postgres

        postgres.close_pool(url)
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
