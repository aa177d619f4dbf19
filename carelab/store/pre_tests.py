"""The SQL behind a module's pre-test (carelab.learning.pre_test): answers and the result."""

from __future__ import annotations

from typing import Any

from carelab.store.connection import Connection


def save_answer(
    db: Connection, attempt_id: int, question_id: str, response: str, score: float, now: float
) -> bool:
    """Keep a first pre-test answer (a later one to the same question is ignored); whether kept."""
    cursor = db.execute(
        "INSERT INTO pre_test_answers (attempt_id, question_id, response, score, answered_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (attempt_id, question_id) DO NOTHING",
        [attempt_id, question_id, response, score, now],
    )
    return cursor.rowcount == 1


def answers_of(db: Connection, attempt_id: int) -> list[dict[str, Any]]:
    """An attempt's pre-test answers: question_id, response, score, answered_at."""
    return list(
        db.query(
            "SELECT question_id, response, score, answered_at FROM pre_test_answers "
            "WHERE attempt_id = ? ORDER BY answered_at, question_id",
            [attempt_id],
        )
    )


def finish(
    db: Connection, attempt_id: int, outcome: str, score: float | None, questions: int, now: float
) -> bool:
    """Record how the pre-test ended ('taken' or 'skipped'), once; whether this call did."""
    cursor = db.execute(
        "INSERT INTO pre_test_results (attempt_id, outcome, score, questions, finished_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (attempt_id) DO NOTHING",
        [attempt_id, outcome, score, questions, now],
    )
    return cursor.rowcount == 1


def result_of(db: Connection, attempt_id: int) -> dict[str, Any] | None:
    """How an attempt's pre-test ended: outcome, score, questions, finished_at; or None."""
    rows = list(
        db.query(
            "SELECT outcome, score, questions, finished_at FROM pre_test_results "
            "WHERE attempt_id = ?",
            [attempt_id],
        )
    )
    return rows[0] if rows else None


def scores_of(db: Connection, user_id: int) -> dict[int, float]:
    """A user's pre-test scores by module attempt id (taken pre-tests only)."""
    rows = db.query(
        "SELECT r.attempt_id, r.score FROM pre_test_results r "
        "JOIN attempts a ON a.id = r.attempt_id "
        "WHERE a.user_id = ? AND r.outcome = 'taken' AND r.score IS NOT NULL",
        [user_id],
    )
    return {row["attempt_id"]: row["score"] for row in rows}


def user_rows(db: Connection, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Everything stored about a user's pre-tests, for "Download my data"."""
    join = "JOIN attempts a ON a.id = t.attempt_id WHERE a.user_id = ? ORDER BY t.attempt_id"
    return {
        "pre_test_answers": list(db.query(f"SELECT t.* FROM pre_test_answers t {join}", [user_id])),  # noqa: S608
        "pre_test_results": list(db.query(f"SELECT t.* FROM pre_test_results t {join}", [user_id])),  # noqa: S608
    }
