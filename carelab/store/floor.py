"""The SQL behind questions from the floor: questions, one upvote per phone, moderation.

Each write is one transaction under the write lock that also raises the workshop's
`floor_version`, the counter phones compare to know whether their list is stale. A vote
is an INSERT that the (question_id, participant_id) primary key turns into nothing the
second time, and the question's `votes` moves only when that INSERT (or the withdrawing
DELETE) touched a row, so a double tap or two tabs can never count twice. Only putting a
question on the presenter screen (or taking it off) also raises the workshop's `version`,
so the presenter screen and phones hear of it at once; votes do not, so a thousand phones
voting do not make the room re-read every phone's state.
"""

from __future__ import annotations

from typing import Any

from carelab.store.connection import Connection
from carelab.store.db import write_transaction
from carelab.store.notifications import WORKSHOP_CHANGED

VISIBLE = ("open", "answered")  # what every phone may see and vote on


def _rows(db: Connection, sql: str, params: list[Any] | dict[str, Any]) -> list[dict[str, Any]]:
    return list(db.query(sql, params))


def _bump(db: Connection, workshop_id: int) -> None:
    db.execute("UPDATE workshops SET floor_version = floor_version + 1 WHERE id = ?", [workshop_id])


def insert_question(
    db: Connection,
    workshop_id: int,
    participant_id: int,
    text: str,
    status: str,
    now: float,
    since: float,
    limit: int,
) -> int | None:
    """Add a question unless questions are off, the workshop ended, or the phone asked
    `limit` since `since`; return its id, or None (checked and written under one lock)."""
    with write_transaction(db):
        found = db.execute(
            "INSERT INTO workshop_floor_questions "
            "(workshop_id, participant_id, text, status, votes, asked_at, changed_at) "
            "SELECT id, :participant_id, :text, :status, 0, :now, :now FROM workshops "
            "WHERE id = :workshop_id AND floor_questions = 1 AND ended_at IS NULL "
            "AND (SELECT COUNT(*) FROM workshop_floor_questions WHERE workshop_id = "
            ":workshop_id AND participant_id = :participant_id AND asked_at > :since) < :limit "
            "RETURNING id",
            {
                "workshop_id": workshop_id,
                "participant_id": participant_id,
                "text": text,
                "status": status,
                "now": now,
                "since": since,
                "limit": limit,
            },
        ).fetchall()
        if not found:
            return None
        _bump(db, workshop_id)
    return int(found[0][0])


def recent_question_times(
    db: Connection, workshop_id: int, participant_id: int, since: float
) -> list[float]:
    """When this phone asked its questions after `since`, oldest first."""
    rows = _rows(
        db,
        "SELECT asked_at FROM workshop_floor_questions WHERE workshop_id = ? "
        "AND participant_id = ? AND asked_at > ? ORDER BY asked_at",
        [workshop_id, participant_id, since],
    )
    return [float(row["asked_at"]) for row in rows]


def question(db: Connection, workshop_id: int, question_id: int) -> dict[str, Any] | None:
    """One question of a workshop, or None."""
    rows = _rows(
        db,
        "SELECT * FROM workshop_floor_questions WHERE id = ? AND workshop_id = ?",
        [question_id, workshop_id],
    )
    return rows[0] if rows else None


def questions(
    db: Connection, workshop_id: int, statuses: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """A workshop's questions with the asker's number and nickname, most votes first."""
    sql = (
        "SELECT q.id, q.text, q.status, q.votes, q.asked_at, q.changed_at, q.participant_id, "
        "p.number AS participant_number, p.nickname FROM workshop_floor_questions q "
        "LEFT JOIN workshop_participants p ON p.id = q.participant_id WHERE q.workshop_id = ?"
    )
    params: list[Any] = [workshop_id]
    if statuses:
        sql += f" AND q.status IN ({', '.join('?' for _ in statuses)})"
        params += list(statuses)
    return _rows(db, sql + " ORDER BY q.votes DESC, q.asked_at, q.id", params)


def own_pending(db: Connection, workshop_id: int, participant_id: int) -> list[dict[str, Any]]:
    """This phone's questions still waiting for the facilitator, oldest first."""
    return _rows(
        db,
        "SELECT id, text, status, votes, asked_at FROM workshop_floor_questions "
        "WHERE workshop_id = ? AND participant_id = ? AND status = 'pending' "
        "ORDER BY asked_at, id",
        [workshop_id, participant_id],
    )


def asked_by(db: Connection, workshop_id: int, participant_id: int) -> set[int]:
    """The ids of the questions this phone asked."""
    rows = db.execute(
        "SELECT id FROM workshop_floor_questions WHERE workshop_id = ? AND participant_id = ?",
        [workshop_id, participant_id],
    ).fetchall()
    return {int(row[0]) for row in rows}


def voted_by(db: Connection, workshop_id: int, participant_id: int) -> set[int]:
    """The ids of this workshop's questions this phone has upvoted."""
    rows = db.execute(
        "SELECT v.question_id FROM workshop_floor_votes v JOIN workshop_floor_questions q "
        "ON q.id = v.question_id WHERE q.workshop_id = ? AND v.participant_id = ?",
        [workshop_id, participant_id],
    ).fetchall()
    return {int(row[0]) for row in rows}


def add_vote(
    db: Connection, workshop_id: int, question_id: int, participant_id: int, now: float
) -> bool:
    """Upvote a visible question once; return whether this call counted a new vote."""
    with write_transaction(db):
        cursor = db.execute(
            "INSERT INTO workshop_floor_votes (question_id, participant_id, voted_at) "
            "SELECT id, :participant_id, :now FROM workshop_floor_questions "
            "WHERE id = :question_id AND workshop_id = :workshop_id "
            "AND status IN ('open', 'answered') "
            "ON CONFLICT (question_id, participant_id) DO NOTHING",
            {
                "question_id": question_id,
                "participant_id": participant_id,
                "workshop_id": workshop_id,
                "now": now,
            },
        )
        if cursor.rowcount != 1:
            return False
        db.execute(
            "UPDATE workshop_floor_questions SET votes = votes + 1 WHERE id = ?", [question_id]
        )
        _bump(db, workshop_id)
    return True


def remove_vote(db: Connection, workshop_id: int, question_id: int, participant_id: int) -> bool:
    """Withdraw this phone's upvote; return whether there was one to withdraw."""
    with write_transaction(db):
        cursor = db.execute(
            "DELETE FROM workshop_floor_votes WHERE question_id = ? AND participant_id = ? "
            "AND question_id IN (SELECT id FROM workshop_floor_questions WHERE workshop_id = ?)",
            [question_id, participant_id, workshop_id],
        )
        if cursor.rowcount != 1:
            return False
        db.execute(
            "UPDATE workshop_floor_questions SET votes = votes - 1 WHERE id = ?", [question_id]
        )
        _bump(db, workshop_id)
    return True


def set_status(db: Connection, workshop_id: int, question_id: int, status: str, now: float) -> bool:
    """Move a question to `status`; a hidden or pending question leaves the presenter screen."""
    with write_transaction(db):
        cursor = db.execute(
            "UPDATE workshop_floor_questions SET status = ?, changed_at = ? "
            "WHERE id = ? AND workshop_id = ?",
            [status, now, question_id, workshop_id],
        )
        if cursor.rowcount != 1:
            return False
        _bump(db, workshop_id)
        if status not in VISIBLE:
            off = db.execute(
                "UPDATE workshops SET floor_spotlight_id = NULL, version = version + 1 "
                "WHERE id = ? AND floor_spotlight_id = ?",
                [workshop_id, question_id],
            )
            if off.rowcount:
                db.notify(WORKSHOP_CHANGED, str(workshop_id))
    return True


def set_spotlight(db: Connection, workshop_id: int, question_id: int | None, now: float) -> bool:
    """Put a question that is not hidden on the presenter screen (None: take it off).

    A pending question put on screen is approved with it, since the room then sees it.
    Returns False when the question is not this workshop's or is hidden.
    """
    with write_transaction(db):
        if question_id is not None:
            cursor = db.execute(
                "UPDATE workshop_floor_questions SET status = CASE WHEN status = 'pending' "
                "THEN 'open' ELSE status END, changed_at = ? "
                "WHERE id = ? AND workshop_id = ? AND status <> 'hidden'",
                [now, question_id, workshop_id],
            )
            if cursor.rowcount != 1:
                return False
        db.execute(
            "UPDATE workshops SET floor_spotlight_id = ?, floor_version = floor_version + 1, "
            "version = version + 1 WHERE id = ?",
            [question_id, workshop_id],
        )
        db.notify(WORKSHOP_CHANGED, str(workshop_id))
    return True


def floor_version(db: Connection, workshop_id: int) -> int | None:
    """The workshop's questions counter: one indexed read."""
    row = db.execute("SELECT floor_version FROM workshops WHERE id = ?", [workshop_id]).fetchone()
    return int(row[0]) if row else None


def count_by_status(db: Connection, workshop_id: int) -> dict[str, int]:
    """How many questions a workshop has in each status."""
    rows = db.execute(
        "SELECT status, COUNT(*) FROM workshop_floor_questions WHERE workshop_id = ? "
        "GROUP BY status",
        [workshop_id],
    ).fetchall()
    return {str(row[0]): int(row[1]) for row in rows}
