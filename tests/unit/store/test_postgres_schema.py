"""The numbered migrations give the same schema on SQLite and on a real PostgreSQL server.

Compared table by table: columns (name, type, NOT NULL, default), primary keys, unique
constraints and indexes (as column sets), and foreign keys with their ON DELETE rule. CHECK
constraints are written identically in both files and are not parsed back here.
Needs CARELAB_TEST_POSTGRES (see tests/conftest.py); skips saying why without it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg

from carelab.store import db as store_db
from carelab.store import migrations as sqlite_migrations
from carelab.store import postgres

TYPES = {"INTEGER": "integer", "TEXT": "text", "REAL": "float", "double precision": "float"}
ON_DELETE = {"CASCADE": "cascade", "SET NULL": "set null", "NO ACTION": "no action"}
PG_ON_DELETE = {"c": "cascade", "n": "set null", "a": "no action"}


def _default(value: str | None) -> str | None:
    return None if value is None else value.split("::", 1)[0]


def sqlite_schema(path: Path) -> dict[str, object]:
    """Columns, keys and indexes of a migrated SQLite file, in a dialect-free form."""
    conn = sqlite3.connect(path)
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != ?",
            [sqlite_migrations.migrations.migrations_table],
        )
    ]
    columns, keys, indexes, foreign = set(), set(), set(), set()
    for table in tables:
        info = conn.execute(f"PRAGMA table_info([{table}])").fetchall()
        for _, name, kind, notnull, default, pk in info:
            # A single-column INTEGER PRIMARY KEY is the row id: never null, numbered itself.
            columns.add((table, name, TYPES[kind], bool(notnull or pk), _default(default)))
        keys.add((table, tuple(row[1] for row in sorted(info, key=lambda r: r[5]) if row[5])))
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
        for _, name, unique, origin, _partial in conn.execute(f"PRAGMA index_list([{table}])"):
            if origin == "pk":
                continue
            cols = tuple(r[2] for r in conn.execute(f"PRAGMA index_info([{name}])"))
            if cols == ("email",) and "COLLATE NOCASE" in sql:
                cols = ("lower(email)",)  # the case-insensitive unique email
            indexes.add((table, cols, bool(unique)))
        fks: dict[int, list] = {}
        for fk_id, _seq, target, source, to, _upd, on_delete, _m in conn.execute(
            f"PRAGMA foreign_key_list([{table}])"
        ):
            fks.setdefault(fk_id, [target, [], [], ON_DELETE[on_delete]])
            fks[fk_id][1].append(source)
            fks[fk_id][2].append(to)
        for target, sources, tos, rule in fks.values():
            foreign.add((table, tuple(sources), target, tuple(tos), rule))
    conn.close()
    return {"columns": columns, "keys": keys, "indexes": indexes, "foreign keys": foreign}


def postgres_schema(conn: psycopg.Connection) -> dict[str, object]:
    """The same description of the public schema of a PostgreSQL database."""
    skip = postgres.MIGRATIONS_TABLE
    columns = {
        (table, name, TYPES.get(kind, kind), nullable == "NO", _default(default))
        for table, name, kind, nullable, default in conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = 'public' AND table_name != %s",
            [skip],
        )
    }
    indexes, keys = set(), set()
    rows = conn.execute(
        "SELECT c.relname, i.indexrelid, i.indisunique, i.indisprimary, i.indnatts "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relname != %s",
        [skip],
    ).fetchall()
    for table, index, unique, primary, count in rows:
        cols = tuple(
            conn.execute("SELECT pg_get_indexdef(%s, %s, true)", [index, k]).fetchone()[0]
            for k in range(1, count + 1)
        )
        if primary:
            keys.add((table, cols))
        else:
            indexes.add((table, cols, unique))
    tables = {row[0] for row in columns}
    keys |= {(t, ()) for t in tables if t not in {k[0] for k in keys}}
    foreign = set()
    for table, sources, target, tos, rule in conn.execute(
        "SELECT c.relname, "
        "ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o) "
        "      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o), "
        "t.relname, "
        "ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o) "
        "      JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o), "
        "k.confdeltype "
        "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
        "JOIN pg_class t ON t.oid = k.confrelid WHERE k.contype = 'f'"
    ):
        foreign.add((table, tuple(sources), target, tuple(tos), PG_ON_DELETE[rule]))
    return {"columns": columns, "keys": keys, "indexes": indexes, "foreign keys": foreign}


def test_the_same_migrations_in_the_same_order():
    names = [m.name for m in sqlite_migrations.migrations._migrations]
    assert [name for name, _ in postgres.MIGRATIONS] == names


def test_postgres_migrations_give_the_sqlite_schema(postgres_url: str, tmp_path: Path):
    sqlite_file = tmp_path / "carelab.db"
    store_db.prepare(sqlite_file)
    with postgres.connect(postgres_url) as conn:
        assert postgres.migrate(conn) == [name for name, _ in postgres.MIGRATIONS]
        found = postgres_schema(conn)
    expected = sqlite_schema(sqlite_file)
    for part in expected:
        missing = expected[part] - found[part]
        extra = found[part] - expected[part]
        assert not missing and not extra, f"{part}: missing {missing}, extra {extra}"


def test_migrating_twice_applies_nothing_and_keeps_data(postgres_url: str):
    with postgres.connect(postgres_url) as conn:
        postgres.migrate(conn)
        conn.execute(
            "INSERT INTO users (email, display_name, password_hash, created_at) "
            "VALUES ('Ada@Example.org', 'Ada', 'x', 1.5e9)"
        )
        conn.commit()
        assert postgres.migrate(conn) == []
        assert postgres.applied_migrations(conn) == [name for name, _ in postgres.MIGRATIONS]
        assert conn.execute("SELECT display_name FROM users").fetchall() == [("Ada",)]


def test_emails_are_unique_whatever_their_case(postgres_url: str):
    with postgres.connect(postgres_url) as conn:
        postgres.migrate(conn)
        insert = (
            "INSERT INTO users (email, display_name, password_hash, created_at) "
            "VALUES (%s, 'Ada', 'x', 1.5e9)"
        )
        conn.execute(insert, ["ada@example.org"])
        try:
            conn.execute(insert, ["ADA@example.org"])
        except psycopg.errors.UniqueViolation:
            conn.rollback()
        else:
            raise AssertionError("a second account with the same email in capitals was allowed")


def test_times_keep_their_seconds(postgres_url: str):
    # PostgreSQL's REAL would round a Unix time to about two minutes; times are doubles.
    with postgres.connect(postgres_url) as conn:
        postgres.migrate(conn)
        conn.execute(
            "INSERT INTO settings (key, value) VALUES ('k', 'v');"
            "INSERT INTO setup_tokens (token_hash, created_at) VALUES ('t', 1764720000.25)"
        )
        assert conn.execute("SELECT created_at FROM setup_tokens").fetchone()[0] == 1764720000.25
