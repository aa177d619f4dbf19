"""Copy an installation's SQLite database into a new PostgreSQL database, and prove it.

`carelab db copy SQLITE_FILE postgresql://...` runs `copy_to_postgres`. The SQLite file is
read in one read transaction (a consistent snapshot even while a server writes to it); the
PostgreSQL side is migrated to the same schema, filled table by table in foreign-key order,
and then each table is compared: its row count and a SHA-256 of its rows in primary-key
order, computed the same way from both databases. Any difference, or any failure on the
way, rolls the whole copy back: the target is left as it was.
"""

from __future__ import annotations

import graphlib
import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from carelab.errors import CareLabError
from carelab.store import migrations, postgres


class CopyRefused(CareLabError):
    """The copy cannot start or did not verify; the message says why and what to do."""


@dataclass(frozen=True)
class TableCopy:
    """One table as copied: its name, its rows, and the checksum both databases agree on."""

    table: str
    rows: int
    checksum: str


def _canonical(value: object) -> str:
    """One value as text, the same whichever database it was read from."""
    if value is None:
        return "\\N"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bool):
        return str(int(value))
    return f"{type(value).__name__}:{value}"


def _checksum(rows: list[tuple]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\t".join(_canonical(v) for v in row).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def _tables_in_order(source: sqlite3.Connection) -> list[str]:
    """CareLab's tables, each after the tables its foreign keys point to."""
    names = [
        row[0]
        for row in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != ? ORDER BY name",
            [migrations.migrations.migrations_table],
        )
    ]
    graph = {
        name: {row[2] for row in source.execute(f"PRAGMA foreign_key_list([{name}])")} - {name}
        for name in names
    }
    return list(graphlib.TopologicalSorter(graph).static_order())


def _columns_and_order(source: sqlite3.Connection, table: str) -> tuple[list[str], list[str]]:
    """A table's columns, and the columns that order its rows (its key, else all)."""
    info = source.execute(f"PRAGMA table_info([{table}])").fetchall()
    columns = [row[1] for row in info]
    key = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
    return columns, key or columns


def _source_rows(source: sqlite3.Connection, table: str) -> tuple[list[str], list[tuple]]:
    columns, order = _columns_and_order(source, table)
    listed = ", ".join(f"[{c}]" for c in columns)
    by = ", ".join(f"[{c}]" for c in order)
    return columns, source.execute(f"SELECT {listed} FROM [{table}] ORDER BY {by}").fetchall()  # noqa: S608


def _target_rows(
    target: psycopg.Connection, table: str, columns: list[str], order: list[str]
) -> list[tuple]:
    query = sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, order)),
    )
    return [tuple(row) for row in target.execute(query).fetchall()]


def _open_source(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise CopyRefused(f"There is no SQLite database at {path}.")
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    table = migrations.migrations.migrations_table
    try:
        applied = [
            row[0]
            for row in source.execute(
                f"SELECT name FROM [{table}] WHERE migration_set = ? ORDER BY id",  # noqa: S608
                [migrations.migrations.name],
            )
        ]
    except sqlite3.DatabaseError as exc:
        source.close()
        raise CopyRefused(f"{path} is not a CareLab database ({exc}).") from exc
    expected = [name for name, _ in postgres.MIGRATIONS]
    if applied != expected:
        source.close()
        raise CopyRefused(
            f"{path} has migrations {applied or 'none'}, this CareLab has {expected}: run "
            "`carelab db migrate` with the same CareLab version first, then copy."
        )
    return source


def copy_to_postgres(sqlite_file: Path, url: str) -> list[TableCopy]:
    """Copy every table from a SQLite file into an empty PostgreSQL database; verify each."""
    source = _open_source(sqlite_file)
    try:
        source.execute("BEGIN")  # one snapshot of every table
        with postgres.connect(url) as target:
            postgres.migrate(target)
            return _copy(source, target)
    except psycopg.OperationalError as exc:
        raise CopyRefused(f"PostgreSQL refused the connection or the copy: {exc}") from exc
    finally:
        source.close()


def _has_id_sequence(target: psycopg.Connection, table: str) -> bool:
    found = target.execute(
        sql.SQL("SELECT pg_get_serial_sequence({t}, 'id')").format(t=sql.Literal(table))
    ).fetchone()
    return found is not None and found[0] is not None


def _copy(source: sqlite3.Connection, target: psycopg.Connection) -> list[TableCopy]:
    tables = _tables_in_order(source)
    copied: list[TableCopy] = []
    with target.transaction():
        for table in tables:
            if target.execute(
                sql.SQL("SELECT 1 FROM {} LIMIT 1").format(sql.Identifier(table))
            ).fetchone():
                raise CopyRefused(
                    f"The PostgreSQL table {table} already holds rows: copy into a new, empty "
                    "database (nothing was changed)."
                )
        for table in tables:
            columns, rows = _source_rows(source, table)
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            with target.cursor().copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            if "id" in columns and _has_id_sequence(target, table):
                # identity columns continue after the copied ids (a text id has no sequence)
                target.execute(
                    sql.SQL(
                        "SELECT setval(pg_get_serial_sequence({t}, 'id'), "
                        "COALESCE((SELECT MAX(id) FROM {i}), 0) + 1, false)"
                    ).format(t=sql.Literal(table), i=sql.Identifier(table))
                )
            _, order = _columns_and_order(source, table)
            theirs = _target_rows(target, table, columns, order)
            mine, copied_sum = _checksum(rows), _checksum(theirs)
            if len(theirs) != len(rows) or mine != copied_sum:
                raise CopyRefused(
                    f"Table {table} did not verify ({len(rows)} rows in SQLite, {len(theirs)} "
                    "in PostgreSQL, or their checksums differ): the copy was rolled back."
                )
            copied.append(TableCopy(table, len(rows), mine))
    return copied
