"""The SQL behind self-paced learning: attempts, answers, step progress, reflections, certificates.

An attempt is at a module or, with kind 'case', at a case's quiz on the case page (then
module_id holds the case id and module_version the case's version). Rows leave this module
as carelab.learning.records' dataclasses; only "Download my data" gets them as they are.

Every answer and reflection is one idempotent statement, so a double click or a resend
stores it once, and each is committed before the page says "saved".
"""

from __future__ import annotations

from typing import Any

from carelab.learning.records import (
    Attempt,
    CaseAttemptRow,
    Certificate,
    RatedAnswer,
    Reflection,
    SavedAnswer,
)
from carelab.store import evaluations, pre_tests
from carelab.store.connection import Connection
from carelab.store.db import write_transaction


def _rows(db: Connection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    return list(db.query(sql, params))


def _one(db: Connection, sql: str, params: list[Any]) -> dict[str, Any] | None:
    rows = _rows(db, sql, params)
    return rows[0] if rows else None


def _attempt(row: dict[str, Any] | None) -> Attempt | None:
    return None if row is None else Attempt.from_row(row)


def latest_attempt(
    db: Connection, user_id: int, module_id: str, kind: str = "module"
) -> Attempt | None:
    """The user's most recent attempt at a module (or, with kind 'case', a case), or None."""
    return _attempt(
        _one(
            db,
            "SELECT * FROM attempts WHERE user_id = ? AND module_id = ? AND kind = ? "
            "ORDER BY number DESC LIMIT 1",
            [user_id, module_id, kind],
        )
    )


def attempt(db: Connection, attempt_id: int) -> Attempt | None:
    """One attempt by id."""
    return _attempt(_one(db, "SELECT * FROM attempts WHERE id = ?", [attempt_id]))


def create_attempt(
    db: Connection,
    user_id: int,
    module_id: str,
    version: str,
    seed: int,
    now: float,
    kind: str = "module",
) -> Attempt:
    """Start the next numbered attempt (read then write, so BEGIN IMMEDIATE)."""
    with write_transaction(db):
        # Counted across kinds: UNIQUE (user_id, module_id, number) spans a module and a
        # case that share an id (see migration 0005_case_progress).
        number = db.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM attempts WHERE user_id = ? AND module_id = ?",
            [user_id, module_id],
        ).fetchone()[0]
        new_id = db.execute(
            "INSERT INTO attempts (user_id, module_id, module_version, number, seed, started_at, "
            "kind) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [user_id, module_id, version, number, seed, now, kind],
        ).fetchall()[0][0]
    found = attempt(db, int(new_id))
    assert found is not None
    return found


def _attempt_rows(db: Connection, user_id: int, kind: str | None) -> list[dict[str, Any]]:
    return _rows(
        db,
        "SELECT * FROM attempts WHERE user_id = ? AND (CAST(? AS TEXT) IS NULL OR kind = ?) "
        "ORDER BY started_at DESC, id DESC",
        [user_id, kind, kind],
    )


def attempts_of(db: Connection, user_id: int, kind: str | None = "module") -> list[Attempt]:
    """A user's attempts at modules (or of `kind`; None: every kind), newest first."""
    return [Attempt.from_row(row) for row in _attempt_rows(db, user_id, kind)]


def answered_case_attempts(db: Connection, user_id: int) -> list[CaseAttemptRow]:
    """A user's case attempts with at least one answer, with how many, newest first."""
    rows = _rows(
        db,
        "SELECT a.*, COUNT(*) AS answered FROM attempts a "
        "JOIN answers s ON s.attempt_id = a.id WHERE a.user_id = ? AND a.kind = 'case' "
        "GROUP BY a.id ORDER BY a.started_at DESC, a.id DESC",
        [user_id],
    )
    return [CaseAttemptRow(Attempt.from_row(row), row["answered"]) for row in rows]


def set_current_step(db: Connection, attempt_id: int, step_id: str) -> None:
    """Remember where the learner is, so they land there next time."""
    db.execute("UPDATE attempts SET current_step = ? WHERE id = ?", [step_id, attempt_id])


def save_answer(
    db: Connection,
    attempt_id: int,
    step_id: str,
    question_id: str,
    response: str,
    score: float,
    correct: bool,
    now: float,
    confidence: str | None = None,
) -> SavedAnswer:
    """Store an answer: the first one is scored; later ones count as tries if they differ.

    `confidence` ('low', 'medium', 'high' or None) is kept with the first answer only, in
    the same statement, like its score.
    """
    db.execute(
        "INSERT INTO answers (attempt_id, step_id, question_id, first_response, score, "
        "last_response, last_correct, tries, answered_at, first_confidence) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) "
        "ON CONFLICT (attempt_id, question_id) DO UPDATE SET "
        "tries = answers.tries + CASE WHEN answers.last_response != excluded.last_response "
        "THEN 1 ELSE 0 END, "
        "last_response = excluded.last_response, last_correct = excluded.last_correct, "
        "answered_at = excluded.answered_at",
        [attempt_id, step_id, question_id, response, score, response, int(correct), now,
         confidence],
    )  # fmt: skip
    row = _one(
        db,
        "SELECT * FROM answers WHERE attempt_id = ? AND question_id = ?",
        [attempt_id, question_id],
    )
    assert row is not None
    return SavedAnswer.from_row(row)


def answers_of(db: Connection, attempt_id: int) -> dict[str, SavedAnswer]:
    """An attempt's answers by question id."""
    rows = _rows(db, "SELECT * FROM answers WHERE attempt_id = ?", [attempt_id])
    return {row["question_id"]: SavedAnswer.from_row(row) for row in rows}


def rated_answers(db: Connection, user_id: int) -> list[RatedAnswer]:
    """Every first answer a user gave with a confidence, in module attempts, oldest first."""
    rows = _rows(
        db,
        "SELECT s.attempt_id, s.question_id, s.first_confidence, s.score, s.answered_at "
        "FROM answers s JOIN attempts a ON a.id = s.attempt_id "
        "WHERE a.user_id = ? AND a.kind = 'module' AND s.first_confidence IS NOT NULL "
        "ORDER BY a.id, s.question_id",
        [user_id],
    )
    return [RatedAnswer.from_row(row) for row in rows]


def mark_step_done(db: Connection, attempt_id: int, step_id: str, now: float) -> None:
    """Record a finished step (once)."""
    db.execute(
        "INSERT INTO step_progress (attempt_id, step_id, done_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        [attempt_id, step_id, now],
    )


def done_steps(db: Connection, attempt_id: int) -> set[str]:
    """The ids of the steps finished in an attempt."""
    rows = _rows(db, "SELECT step_id FROM step_progress WHERE attempt_id = ?", [attempt_id])
    return {row["step_id"] for row in rows}


def save_reflection(db: Connection, attempt_id: int, step_id: str, fields: dict[str, Any]) -> None:
    """Store (or replace) a reflection: step_title, prompt, what, so_what, now_what, saved_at."""
    db.execute(
        "INSERT INTO reflections (attempt_id, step_id, step_title, prompt, what, so_what, "
        "now_what, saved_at) VALUES (:attempt_id, :step_id, :step_title, :prompt, :what, "
        ":so_what, :now_what, :saved_at) ON CONFLICT (attempt_id, step_id) DO UPDATE SET "
        "step_title = excluded.step_title, prompt = excluded.prompt, what = excluded.what, "
        "so_what = excluded.so_what, now_what = excluded.now_what, saved_at = excluded.saved_at",
        {"attempt_id": attempt_id, "step_id": step_id, **fields},
    )


_REFLECTIONS = (
    "SELECT r.*, a.module_id, a.module_version, a.number AS attempt_number "
    "FROM reflections r JOIN attempts a ON a.id = r.attempt_id "
)


def reflections_of(db: Connection, attempt_id: int) -> dict[str, Reflection]:
    """An attempt's reflections by step id."""
    rows = _rows(db, _REFLECTIONS + "WHERE r.attempt_id = ?", [attempt_id])
    return {row["step_id"]: Reflection.from_row(row) for row in rows}


def _reflection_rows(db: Connection, user_id: int) -> list[dict[str, Any]]:
    return _rows(db, _REFLECTIONS + "WHERE a.user_id = ? ORDER BY r.saved_at", [user_id])


def user_reflections(db: Connection, user_id: int) -> list[Reflection]:
    """Every reflection a user wrote, with its module and version, oldest first."""
    return [Reflection.from_row(row) for row in _reflection_rows(db, user_id)]


def complete_attempt(db: Connection, attempt_id: int, score: float, now: float) -> None:
    """Mark an attempt complete with its quiz score (only the first completion counts)."""
    db.execute(
        "UPDATE attempts SET completed_at = ?, score = ? WHERE id = ? AND completed_at IS NULL",
        [now, score, attempt_id],
    )


def insert_certificate(db: Connection, row: dict[str, Any]) -> None:
    """Record an issued certificate."""
    db.execute(
        "INSERT INTO certificates (code, attempt_id, user_id, learner_name, module_id, "
        "module_title, module_version, objectives, estimated_minutes, attested_minutes, score, "
        "completed_at, assessment_questions, pass_mark, pre_test_score) VALUES (:code, "
        ":attempt_id, :user_id, :learner_name, :module_id, :module_title, :module_version, "
        ":objectives, :estimated_minutes, :attested_minutes, :score, :completed_at, "
        ":assessment_questions, :pass_mark, :pre_test_score)",
        {"assessment_questions": None, "pass_mark": None, "pre_test_score": None, **row},
    )


def _certificate(row: dict[str, Any] | None) -> Certificate | None:
    return None if row is None else Certificate.from_row(row)


def certificate(db: Connection, code: str) -> Certificate | None:
    """A certificate by its verification code."""
    return _certificate(_one(db, "SELECT * FROM certificates WHERE code = ?", [code]))


def certificate_for_attempt(db: Connection, attempt_id: int) -> Certificate | None:
    """The certificate issued for an attempt, if any."""
    return _certificate(_one(db, "SELECT * FROM certificates WHERE attempt_id = ?", [attempt_id]))


def _certificate_rows(db: Connection, user_id: int) -> list[dict[str, Any]]:
    return _rows(
        db, "SELECT * FROM certificates WHERE user_id = ? ORDER BY completed_at DESC", [user_id]
    )


def certificates_of(db: Connection, user_id: int) -> list[Certificate]:
    """A user's certificates, newest first."""
    return [Certificate.from_row(row) for row in _certificate_rows(db, user_id)]


def user_data(db: Connection, user_id: int) -> dict[str, Any]:
    """Everything stored about a user, for "Download my data" (no password hash)."""
    attempts = _attempt_rows(db, user_id, kind=None)
    ids = [a["id"] for a in attempts] or [-1]
    marks = ",".join("?" * len(ids))
    return {
        "account": _one(
            db, "SELECT id, email, display_name, created_at FROM users WHERE id = ?", [user_id]
        ),
        "roles": [
            r["role"] for r in _rows(db, "SELECT role FROM user_roles WHERE user_id = ?", [user_id])
        ],
        "attempts": attempts,
        "answers": _rows(db, f"SELECT * FROM answers WHERE attempt_id IN ({marks})", ids),  # noqa: S608 - only "?" marks
        "steps_done": _rows(db, f"SELECT * FROM step_progress WHERE attempt_id IN ({marks})", ids),  # noqa: S608
        "reflections": _reflection_rows(db, user_id),
        "certificates": _certificate_rows(db, user_id),
        **pre_tests.user_rows(db, user_id),
        **evaluations.user_rows(db, user_id),
    }
