"""Migration 0019_xapi's tables, in both dialects (migrations.py and postgres.py apply them).

- xapi_actors: the random name each learner has in the Learning Record Store, made on their
  first statement and never changed, so the LRS never learns an e-mail address or a row id.
- xapi_statements: the outbox. Each statement waits here, as the JSON that will be posted,
  until the LRS has it. A sender claims due rows with a lease (`claimed_until`,
  `claimed_by`), so several servers never post the same row at once and a crashed server's
  rows come back when the lease lapses; a failure keeps its text and is retried with
  exponential backoff (`attempts`, `next_try_at`). `user_id` cascades: deleting an account
  drops its statements not yet sent.
"""

from __future__ import annotations

_TABLES = """
CREATE TABLE xapi_actors (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL UNIQUE,
    created_at {real} NOT NULL
);
CREATE TABLE xapi_statements (
    id TEXT PRIMARY KEY,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    statement TEXT NOT NULL,
    created_at {real} NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at {real} NOT NULL,
    claimed_until {real},
    claimed_by TEXT,
    last_tried_at {real},
    last_error TEXT,
    sent_at {real}
);
CREATE INDEX xapi_statements_due ON xapi_statements(sent_at, next_try_at);
CREATE INDEX xapi_statements_user ON xapi_statements(user_id);
"""

SQLITE = _TABLES.format(real="REAL")
# PostgreSQL's REAL is 4 bytes and would round a Unix time to minutes (see postgres.py).
POSTGRES = _TABLES.format(real="DOUBLE PRECISION")
