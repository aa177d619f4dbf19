"""`carelab db copy`: a SQLite installation into PostgreSQL, verified table by table.

Needs CARELAB_TEST_POSTGRES (see tests/conftest.py); skips saying why without it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from carelab.cli import main
from carelab.store import db as store_db
from carelab.store import postgres
from carelab.store.copy import CopyRefused, _tables_in_order, copy_to_postgres

ROWS = [
    "INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES "
    "(1, 'ada@example.org', 'Ada Lovelace', 'h1', 1764720000.125), "
    "(7, 'bjorn@example.se', 'Björn Ångström', 'h2', 1764720100.5)",
    "INSERT INTO user_roles VALUES (7, 'facilitator', 1764720200.0, 1)",
    "INSERT INTO attempts (id, user_id, module_id, module_version, number, seed, started_at, "
    "current_step, completed_at, score) VALUES "
    "(3, 1, 'indicators', '2.0', 1, 42, 1764720300.0, 'quiz', NULL, NULL), "
    "(4, 7, 'teamwork', '1.1', 1, 43, 1764720400.0, NULL, 1764720999.75, 0.875)",
    "INSERT INTO answers VALUES (3, 'quiz', 'q1', '\"b\"', 1.0, '\"b\"', 1, 1, 1764720310.0, "
    "'high')",
    "INSERT INTO pre_test_answers VALUES (3, 'p1', '1', 0.5, 1764720305.25)",
    "INSERT INTO pre_test_results VALUES (3, 'taken', 0.5, 1, 1764720306.0)",
    "INSERT INTO reflections VALUES (3, 'r', 'Reflect', 'What?', 'A ward round — “late”', "
    "'So', 'Now', 1764720320.0)",
    "INSERT INTO workshops (id, code, title, source_kind, source_id, facilitator_id, "
    "created_at, step_count) VALUES (5, 'GFW7ET', 'Huddle', 'case', 'kaiser', 7, 1.0, 2)",
    "INSERT INTO workshop_steps (workshop_id, step_index, step) VALUES (5, 0, '{}'), (5, 1, '{}')",
    "INSERT INTO workshop_participants (id, workshop_id, token_hash, number, joined_at, "
    "last_seen) VALUES (9, 5, 't', 1, 2.0, 3.0)",
    "INSERT INTO workshop_responses VALUES (5, 1, 9, '0', 0, 4.0, 4.0)",
]


@pytest.fixture
def installation(tmp_path: Path) -> Path:
    """A migrated SQLite database with rows in tables linked by foreign keys."""
    path = tmp_path / "carelab.db"
    store_db.prepare(path)
    conn = sqlite3.connect(path)
    for statement in ROWS:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path


def test_every_row_arrives_and_is_verified(installation: Path, postgres_url: str):
    copied = {t.table: t for t in copy_to_postgres(installation, postgres_url)}
    assert copied["users"].rows == 2 and copied["workshop_responses"].rows == 1
    assert copied["sessions"].rows == 0
    with postgres.connect(postgres_url) as conn:
        assert conn.execute(
            "SELECT display_name, created_at FROM users WHERE id = 7"
        ).fetchone() == (
            "Björn Ångström",
            1764720100.5,
        )
        assert conn.execute("SELECT what FROM reflections").fetchone() == ("A ward round — “late”",)
        # New rows number on after the copied ids instead of colliding with them.
        new_id = conn.execute(
            "INSERT INTO users (email, display_name, password_hash, created_at) "
            "VALUES ('c@example.org', 'C', 'h', 1.0) RETURNING id"
        ).fetchone()[0]
        assert new_id == 8


def test_a_database_that_already_holds_rows_is_left_alone(installation: Path, postgres_url: str):
    copy_to_postgres(installation, postgres_url)
    with pytest.raises(CopyRefused, match="already holds rows"):
        copy_to_postgres(installation, postgres_url)
    with postgres.connect(postgres_url) as conn:
        assert conn.execute("SELECT COUNT(*) FROM users").fetchone() == (2,)


def test_a_mismatch_rolls_the_whole_copy_back(installation: Path, postgres_url: str, monkeypatch):
    from carelab.store import copy as copy_module

    real = copy_module._target_rows

    def one_row_changed(target, table, columns, order):
        rows = real(target, table, columns, order)
        return [("tampered", *rows[0][1:]), *rows[1:]] if table == "reflections" else rows

    monkeypatch.setattr(copy_module, "_target_rows", one_row_changed)
    with pytest.raises(CopyRefused, match="Table reflections did not verify"):
        copy_to_postgres(installation, postgres_url)
    with postgres.connect(postgres_url) as conn:
        assert conn.execute("SELECT COUNT(*) FROM users").fetchone() == (0,)


def test_an_unmigrated_or_missing_file_is_refused(tmp_path: Path, postgres_url: str):
    with pytest.raises(CopyRefused, match="no SQLite database"):
        copy_to_postgres(tmp_path / "missing.db", postgres_url)
    old = tmp_path / "old.db"
    sqlite3.connect(old).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(CopyRefused, match=r"not a CareLab database|carelab db migrate"):
        copy_to_postgres(old, postgres_url)


def test_the_command_prints_each_table_and_fails_in_one_sentence(
    installation: Path, postgres_url: str, capsys
):
    assert main(["db", "copy", str(installation), postgres_url]) == 0
    out = capsys.readouterr().out
    tables = len(_tables_in_order(sqlite3.connect(installation)))
    assert "users" in out and f"ok: {tables} tables, 14 rows copied" in out
    assert main(["db", "copy", str(installation), postgres_url]) == 1
    assert "already holds rows" in capsys.readouterr().err
    assert main(["db", "copy", str(installation), "postgresql://nobody@127.0.0.1:1/x"]) == 1
    assert "PostgreSQL refused" in capsys.readouterr().err
