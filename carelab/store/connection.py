"""One connection type over two databases: SQLite (the default) and PostgreSQL.

The store writes its SQL once, in the subset both databases understand: `?` for a
positional parameter and `:name` for a named one, `ON CONFLICT`, `RETURNING`, `COALESCE`,
`CASE`. `PostgresConnection` turns the parameter marks into psycopg's (`%s`, `%(name)s`)
before it sends a statement; nothing else is rewritten, so a query that needs one database's
dialect says so in the store, beside the query.

Transactions are the same on both: outside `write_transaction` each statement commits on
its own; inside it, one transaction holds the write lock from its first statement
(SQLite's BEGIN IMMEDIATE; on PostgreSQL, a transaction-scoped advisory lock that every
CareLab process takes), so a read-then-write action never races another one. See
docs/deployment.md, The database.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlite_utils import Database

Params = Sequence[Any] | Mapping[str, Any] | None
# The key every CareLab process takes for a write transaction on PostgreSQL.
WRITE_LOCK = 7_310_442_981


class SqliteConnection:
    """A SQLite connection in autocommit mode, as store/db.py opens it."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.raw = conn

    def execute(self, sql: str, params: Params = None) -> sqlite3.Cursor:
        """Run one statement; return its cursor (fetchone, fetchall, rowcount)."""
        return self.raw.execute(sql, params or [])

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement once per set of parameters."""
        self.raw.executemany(sql, rows)

    def executescript(self, script: str) -> None:
        """Run several statements (migrations only); they join any open transaction."""
        for statement in _statements(script):
            self.raw.execute(statement)

    def query(self, sql: str, params: Params = None) -> Iterator[dict[str, Any]]:
        """Run a SELECT; yield each row as a dict keyed by column name."""
        cursor = self.raw.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def begin_write(self) -> None:
        """Start a transaction that holds the write lock from now until it ends."""
        self.raw.execute("BEGIN IMMEDIATE")

    def notify(self, channel: str, payload: str) -> None:
        """Nothing on SQLite: other processes see a change by polling (PostgreSQL: NOTIFY)."""

    @property
    def in_transaction(self) -> bool:
        """True inside a transaction not yet committed or rolled back."""
        return self.raw.in_transaction

    def commit(self) -> None:
        """Commit the open transaction."""
        self.raw.commit()

    def rollback(self) -> None:
        """Roll back the open transaction."""
        self.raw.rollback()

    def close(self) -> None:
        """Close the connection."""
        self.raw.close()

    def table_names(self) -> list[str]:
        """The names of the tables in the database."""
        return Database(self.raw).table_names()

    def utils(self) -> Database:
        """sqlite-utils' view of this connection, for the migrations it keeps."""
        return Database(self.raw)


_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_QUOTED = re.compile(r"('(?:[^']|'')*')")


def to_psycopg(sql: str) -> str:
    """SQLite's parameter marks as psycopg's: `?` as `%s`, `:name` as `%(name)s`.

    Text in single quotes is left alone, and a literal `%` is doubled, as psycopg needs.
    """
    parts = _QUOTED.split(sql)
    for i in range(0, len(parts), 2):  # the parts outside quotes
        part = parts[i].replace("%", "%%").replace("?", "%s")
        parts[i] = _NAMED.sub(r"%(\1)s", part)
    for i in range(1, len(parts), 2):
        parts[i] = parts[i].replace("%", "%%")
    return "".join(parts)


def _statements(script: str) -> list[str]:
    """A script's statements (no semicolons inside CareLab's DDL strings)."""
    return [s.strip() for s in script.split(";") if s.strip()]


class PostgresConnection:
    """A psycopg connection made to behave like the SQLite one (autocommit, `?` marks)."""

    dialect = "postgresql"

    def __init__(self, conn: Any) -> None:
        self.raw = conn  # psycopg.Connection in autocommit mode

    def execute(self, sql: str, params: Params = None) -> Any:
        """Run one statement; return its cursor (fetchone, fetchall, rowcount)."""
        return self.raw.execute(to_psycopg(sql), params or None)

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement once per set of parameters."""
        with self.raw.cursor() as cursor:
            cursor.executemany(to_psycopg(sql), list(rows))

    def executescript(self, script: str) -> None:
        """Run several statements; they join any open transaction."""
        for statement in _statements(script):
            self.raw.execute(statement)

    def query(self, sql: str, params: Params = None) -> Iterator[dict[str, Any]]:
        """Run a SELECT; yield each row as a dict keyed by column name."""
        cursor = self.raw.execute(to_psycopg(sql), params or None)
        names = [d.name for d in cursor.description]
        for row in cursor.fetchall():
            yield dict(zip(names, row, strict=True))

    def begin_write(self) -> None:
        """Start a transaction holding CareLab's write lock (an advisory lock) until it ends."""
        self.raw.execute("BEGIN")
        self.raw.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])

    def notify(self, channel: str, payload: str) -> None:
        """Tell every LISTENing connection on `channel`; inside a transaction, on commit only.

        PostgreSQL queues the notification with the transaction and drops it on rollback, so
        a listener never hears of a change it could not read (store/notifications.py).
        """
        self.raw.execute("SELECT pg_notify(%s, %s)", [channel, payload])

    @property
    def in_transaction(self) -> bool:
        """True inside a transaction not yet committed or rolled back."""
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def commit(self) -> None:
        """Commit the open transaction."""
        self.raw.execute("COMMIT")

    def rollback(self) -> None:
        """Roll back the open transaction."""
        self.raw.execute("ROLLBACK")

    def close(self) -> None:
        """Close the connection."""
        self.raw.close()

    def table_names(self) -> list[str]:
        """The names of the tables in the database's public schema."""
        rows = self.raw.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "ORDER BY table_name"
        ).fetchall()
        return [row[0] for row in rows]


Connection = SqliteConnection | PostgresConnection
