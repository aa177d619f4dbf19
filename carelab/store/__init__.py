"""All of CareLab's SQL: connections, migrations and one repository module per concern.

`Connection` is the one type the rest of CareLab knows the database by (SQLite's or
PostgreSQL's, see connection.py): the core's services take it and pass it to the store's
functions, and never call it themselves.
"""

from carelab.store.connection import Connection

__all__ = ["Connection"]
