"""The SQL behind live workshops: rooms, step snapshots, participants, responses, join throttling.

An answer is one conditional, idempotent statement: it is stored only while its step is
current, answering is open, any timer has not run out and the workshop has not ended, so
a facilitator's lock can never race a late answer in. A resend or a double tap updates
the same row. Facilitator actions read the room and write it back in one BEGIN IMMEDIATE
transaction, and each change raises the room's `version` so phones can long-poll it; on
PostgreSQL the same transaction sends NOTIFY with the workshop's id (store/notifications.py),
so the room's pollers in every process hear of it on commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from carelab.store.connection import Connection
from carelab.store.db import write_transaction
from carelab.store.notifications import WORKSHOP_CHANGED

# The columns a facilitator action may change; anything else is a programming error.
STATE_COLUMNS = frozenset(
    {
        "current_step",
        "answering_open",
        "results_revealed",
        "answer_revealed",
        "timer_ends_at",
        "ended_at",
        # The second edition's settings (carelab.workshop.workshops.SETTINGS) and state.
        "floor_questions",
        "floor_moderated",
        "floor_spotlight_id",
        "scored",
        "speed_bonus",
        "leaderboard_revealed",
        "self_paced",
        "scheduled_for",
    }
)
# The columns a new workshop's row may set (its settings are among STATE_COLUMNS).
_INSERT_COLUMNS = (
    "code", "title", "source_kind", "source_id", "facilitator_id", "anonymous", "created_at",
    "step_count", "floor_questions", "floor_moderated", "scored", "speed_bonus", "self_paced",
    "scheduled_for", "copied_from",
)  # fmt: skip


_BATCH = 500  # bound parameters per IN (...) list, well under either database's limit


def _rows(db: Connection, sql: str, params: list[Any] | dict[str, Any]) -> list[dict[str, Any]]:
    return list(db.query(sql, params))


def _one(db: Connection, sql: str, params: list[Any] | dict[str, Any]) -> dict[str, Any] | None:
    rows = _rows(db, sql, params)
    return rows[0] if rows else None


def _changed(db: Connection, workshop_id: int) -> None:
    # Inside the write transaction that raised `version`: sent on commit, dropped on rollback.
    db.notify(WORKSHOP_CHANGED, str(workshop_id))


# --- workshops -------------------------------------------------------------------------


def insert_workshop(db: Connection, row: dict[str, Any], steps: list[str]) -> int | None:
    """Create a workshop and its step snapshots; return its id, or None if the code is taken."""
    with write_transaction(db):
        if _one(db, "SELECT 1 AS x FROM workshops WHERE code = ?", [row["code"]]):
            return None
        values = {**row, "step_count": len(steps)}
        if not values.keys() <= set(_INSERT_COLUMNS):
            raise ValueError(
                f"not a workshop column: {sorted(values.keys() - set(_INSERT_COLUMNS))}"
            )
        columns = [column for column in _INSERT_COLUMNS if column in values]
        workshop_id = int(
            db.execute(
                f"INSERT INTO workshops ({', '.join(columns)}) "  # noqa: S608 - our column names
                f"VALUES ({', '.join(':' + c for c in columns)}) RETURNING id",
                values,
            ).fetchall()[0][0]
        )
        db.executemany(
            "INSERT INTO workshop_steps (workshop_id, step_index, step) VALUES (?, ?, ?)",
            [(workshop_id, index, step) for index, step in enumerate(steps)],
        )
    return workshop_id


def workshop(db: Connection, workshop_id: int) -> dict[str, Any] | None:
    """One workshop by id."""
    return _one(db, "SELECT * FROM workshops WHERE id = ?", [workshop_id])


def workshop_by_code(db: Connection, code: str) -> dict[str, Any] | None:
    """One workshop by its join code."""
    return _one(db, "SELECT * FROM workshops WHERE code = ?", [code])


def workshops_of(db: Connection, facilitator_id: int | None) -> list[dict[str, Any]]:
    """A facilitator's workshops (every workshop when None), newest first."""
    if facilitator_id is None:
        return _rows(db, "SELECT * FROM workshops ORDER BY created_at DESC, id DESC", [])
    return _rows(
        db,
        "SELECT * FROM workshops WHERE facilitator_id = ? ORDER BY created_at DESC, id DESC",
        [facilitator_id],
    )


def steps(db: Connection, workshop_id: int) -> list[str]:
    """Every step snapshot (JSON text) of a workshop, in order."""
    rows = _rows(
        db,
        "SELECT step FROM workshop_steps WHERE workshop_id = ? ORDER BY step_index",
        [workshop_id],
    )
    return [row["step"] for row in rows]


def step(db: Connection, workshop_id: int, step_index: int) -> str | None:
    """One step snapshot (JSON text), or None."""
    row = _one(
        db,
        "SELECT step FROM workshop_steps WHERE workshop_id = ? AND step_index = ?",
        [workshop_id, step_index],
    )
    return row["step"] if row else None


def change_state(
    db: Connection, workshop_id: int, decide: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any] | None:
    """Apply `decide(row)`'s column changes in one transaction, raising `version` if any."""
    with write_transaction(db):
        row = workshop(db, workshop_id)
        if row is None:
            return None
        decided = decide(row)
        if not decided.keys() <= STATE_COLUMNS:
            raise ValueError(
                f"not a workshop state column: {sorted(decided.keys() - STATE_COLUMNS)}"
            )
        changes = {k: v for k, v in decided.items() if row[k] != v}
        if not changes:
            return row
        assignments = ", ".join(f"{column} = :{column}" for column in sorted(changes))
        db.execute(
            f"UPDATE workshops SET {assignments}, version = version + 1 WHERE id = :id",  # noqa: S608 - columns come from STATE_COLUMNS
            {**changes, "id": workshop_id},
        )
        _changed(db, workshop_id)
    return {**row, **changes, "version": row["version"] + 1}


def state_version(db: Connection, workshop_id: int) -> int | None:
    """The workshop's change counter: one indexed read, cheap enough for long polling."""
    row = db.execute("SELECT version FROM workshops WHERE id = ?", [workshop_id]).fetchone()
    return int(row[0]) if row else None


# --- participants ----------------------------------------------------------------------


def insert_participant(
    db: Connection,
    workshop_id: int,
    token_hash: str,
    nickname: str,
    now: float,
    limit: int | None = None,
) -> dict[str, Any] | None:
    """Add a participant with the workshop's next number; None if it already has `limit`."""
    # Counted and numbered in one statement under the write lock, so two phones joining at
    # once can neither take the same number nor both take the last place (SQLite makes one
    # statement atomic; PostgreSQL, at READ COMMITTED, needs the lock for the MAX and COUNT).
    with write_transaction(db):
        cursor = db.execute(
            "INSERT INTO workshop_participants "
            "(workshop_id, token_hash, number, nickname, joined_at, last_seen) "
            "SELECT :workshop_id, :token_hash, next_number, :nickname, :now, :now FROM ("
            "SELECT COALESCE(MAX(number), 0) + 1 AS next_number, COUNT(*) AS joined "
            "FROM workshop_participants WHERE workshop_id = :workshop_id) AS counted "
            "WHERE CAST(:limit AS INTEGER) IS NULL OR joined < :limit",
            {
                "workshop_id": workshop_id,
                "token_hash": token_hash,
                "nickname": nickname,
                "now": now,
                "limit": limit,
            },
        )
    if cursor.rowcount != 1:
        return None
    return participant(db, workshop_id, token_hash)


def participant(db: Connection, workshop_id: int, token_hash: str) -> dict[str, Any] | None:
    """The participant of a workshop holding a token, or None."""
    return _one(
        db,
        "SELECT * FROM workshop_participants WHERE token_hash = ? AND workshop_id = ?",
        [token_hash, workshop_id],
    )


_PARTICIPANT_COLUMNS = (
    "id", "workshop_id", "token_hash", "number", "nickname", "joined_at", "last_seen", "at_step",
)  # fmt: skip


def workshop_with_participant(
    db: Connection, code: str, token_hash: str
) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    """A workshop by join code and its participant holding a token, in one query.

    None when there is no such workshop; the participant is None when the token is not one
    of its phones'. Each answer and state read starts here: one round trip, not two.
    """
    picked = ", ".join(f"p.{column} AS p_{column}" for column in _PARTICIPANT_COLUMNS)
    row = _one(
        db,
        f"SELECT w.*, {picked} FROM workshops w "  # noqa: S608 - column names are ours
        "LEFT JOIN workshop_participants p ON p.workshop_id = w.id AND p.token_hash = ? "
        "WHERE w.code = ?",
        [token_hash, code],
    )
    if row is None:
        return None
    participant = {column: row.pop(f"p_{column}") for column in _PARTICIPANT_COLUMNS}
    return row, participant if participant["id"] is not None else None


def participants_by_token(
    db: Connection, workshop_id: int, token_hashes: list[str]
) -> dict[str, dict[str, Any]]:
    """The participants of a workshop holding any of these tokens, by token hash."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(token_hashes), _BATCH):
        chunk = token_hashes[start : start + _BATCH]
        marks = ", ".join("?" for _ in chunk)
        sql = "SELECT * FROM workshop_participants WHERE workshop_id = ? AND token_hash IN "
        for row in db.query(f"{sql}({marks})", [workshop_id, *chunk]):
            found[row["token_hash"]] = row
    return found


def step_answers(db: Connection, workshop_id: int, step_index: int) -> dict[int, str]:
    """Every stored answer (JSON text) to one step, by participant id."""
    rows = db.query(
        "SELECT participant_id, answer FROM workshop_responses "
        "WHERE workshop_id = ? AND step_index = ?",
        [workshop_id, step_index],
    )
    return {row["participant_id"]: row["answer"] for row in rows}


def touch_participant(db: Connection, participant_id: int, now: float, every: float) -> None:
    """Record that a participant is still here, at most once per `every` seconds."""
    db.execute(
        "UPDATE workshop_participants SET last_seen = ? WHERE id = ? AND last_seen < ?",
        [now, participant_id, now - every],
    )


def participant_count(db: Connection, workshop_id: int) -> int:
    """How many participants have joined a workshop."""
    return int(
        db.execute(
            "SELECT COUNT(*) FROM workshop_participants WHERE workshop_id = ?", [workshop_id]
        ).fetchone()[0]
    )


def participant_id_by_number(db: Connection, workshop_id: int, number: int) -> int | None:
    """The id of a workshop's participant number `number`, or None."""
    row = _one(
        db,
        "SELECT id FROM workshop_participants WHERE workshop_id = ? AND number = ?",
        [workshop_id, number],
    )
    return int(row["id"]) if row else None


# --- join throttling -------------------------------------------------------------------


def recent_failed_joins(db: Connection, client_key: str, since: float) -> list[float]:
    """When this client typed a wrong code since `since`, oldest first."""
    rows = _rows(
        db,
        "SELECT attempted_at FROM workshop_join_attempts "
        "WHERE client_key = ? AND attempted_at >= ? ORDER BY attempted_at",
        [client_key, since],
    )
    return [row["attempted_at"] for row in rows]


def record_failed_join(
    db: Connection, client_key: str, now: float, forget_before: float, limit: int | None = None
) -> bool:
    """Remember a wrong code unless the client has `limit` since `forget_before`; say which."""
    with write_transaction(db):
        db.execute("DELETE FROM workshop_join_attempts WHERE attempted_at < ?", [forget_before])
        # Counted and recorded under one write lock, so a burst cannot slip past the limit.
        cursor = db.execute(
            "INSERT INTO workshop_join_attempts (client_key, attempted_at) "
            "SELECT :key, :now WHERE CAST(:limit AS INTEGER) IS NULL OR (SELECT COUNT(*) "
            "FROM workshop_join_attempts WHERE client_key = :key AND attempted_at >= :since) "
            "< :limit",
            {"key": client_key, "now": now, "since": forget_before, "limit": limit},
        )
    return cursor.rowcount == 1


def reserve_join_slot(
    db: Connection, client_key: str, now: float, spacing: float, max_ahead: float
) -> float | None:
    """Book this client's next join lookup: its time, or None if that is over `max_ahead` away.

    The slot is max(the client's next free time, now); the next free time becomes slot +
    spacing. One write transaction, so processes sharing the database share the spacing.
    Rows whose time passed a minute ago are forgotten on the way.
    """
    with write_transaction(db):
        db.execute("DELETE FROM workshop_join_pacing WHERE next_at < ?", [now - 60])
        row = _one(
            db, "SELECT next_at FROM workshop_join_pacing WHERE client_key = ?", [client_key]
        )
        slot = max(float(row["next_at"]), now) if row else now
        if slot - now > max_ahead:
            return None
        db.execute(
            "INSERT INTO workshop_join_pacing (client_key, next_at) VALUES (?, ?) "
            "ON CONFLICT (client_key) DO UPDATE SET next_at = excluded.next_at",
            [client_key, slot + spacing],
        )
    return slot


# --- responses -------------------------------------------------------------------------


def upsert_response(
    db: Connection,
    workshop_id: int,
    step_index: int,
    participant_id: int,
    answer: str,
    now: float,
    timer_grace: float,
) -> bool:
    """Store or change an answer if its step is current and open; return whether it was stored."""
    # One statement, so it is atomic with the room's state: no lock can slip in between the
    # check and the write. The WHERE clause also keeps SQLite's upsert parser unambiguous.
    cursor = db.execute(
        "INSERT INTO workshop_responses (workshop_id, step_index, participant_id, answer, "
        "first_answered_at, last_answered_at) "
        "SELECT id, :step_index, :participant_id, :answer, :now, :now FROM workshops "
        "WHERE id = :workshop_id AND current_step = :step_index AND answering_open = 1 "
        "AND ended_at IS NULL AND (timer_ends_at IS NULL OR timer_ends_at + :grace > :now) "
        "ON CONFLICT (workshop_id, step_index, participant_id) DO UPDATE SET "
        "answer = excluded.answer, last_answered_at = excluded.last_answered_at",
        {
            "workshop_id": workshop_id,
            "step_index": step_index,
            "participant_id": participant_id,
            "answer": answer,
            "now": now,
            "grace": timer_grace,
        },
    )
    return cursor.rowcount == 1


def response(
    db: Connection, workshop_id: int, step_index: int, participant_id: int
) -> dict[str, Any] | None:
    """One participant's response to one step, or None."""
    return _one(
        db,
        "SELECT * FROM workshop_responses "
        "WHERE workshop_id = ? AND step_index = ? AND participant_id = ?",
        [workshop_id, step_index, participant_id],
    )


def responses(
    db: Connection, workshop_id: int, step_index: int | None = None
) -> list[dict[str, Any]]:
    """Responses with their participant's number and nickname, by step then participant."""
    sql = (
        "SELECT r.step_index, r.answer, r.hidden, r.first_answered_at, r.last_answered_at, "
        "p.id AS participant_id, p.number AS participant_number, p.nickname "
        "FROM workshop_responses r JOIN workshop_participants p ON p.id = r.participant_id "
        "WHERE r.workshop_id = ?"
    )
    params: list[Any] = [workshop_id]
    if step_index is not None:
        sql += " AND r.step_index = ?"
        params.append(step_index)
    return _rows(db, sql + " ORDER BY r.step_index, p.number", params)


def set_response_hidden(
    db: Connection, workshop_id: int, step_index: int, participant_id: int, hidden: bool
) -> bool:
    """Hide or show one response and raise the room's version; return whether it exists."""
    with write_transaction(db):
        cursor = db.execute(
            "UPDATE workshop_responses SET hidden = ? "
            "WHERE workshop_id = ? AND step_index = ? AND participant_id = ?",
            [int(hidden), workshop_id, step_index, participant_id],
        )
        if cursor.rowcount != 1:
            return False
        db.execute("UPDATE workshops SET version = version + 1 WHERE id = ?", [workshop_id])
        _changed(db, workshop_id)
    return True
