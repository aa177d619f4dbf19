"""The SQL behind the reports for authors and course leads (carelab.learning.reports).

Read only. The module report counts each learner's FIRST completed attempt (the lowest-
numbered module attempt with a completion time); the item analysis chooses each learner's
first finished attempt from every attempt's answers (carelab.learning.reports). Rows leave
without the user's id, name or email: the reports are anonymous, so the store never hands
them what they must not show. An attempt's id is kept only to join an attempt with its
answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from carelab.store.connection import Connection

# A learner's first completed attempt at the module (kind 'module' only: a case's own quiz
# is not a module attempt, even when its id matches).
_FIRST_COMPLETED = (
    "SELECT a.id, a.score, a.active_seconds, p.score AS pre_score FROM attempts a "
    "LEFT JOIN pre_test_results p ON p.attempt_id = a.id AND p.outcome = 'taken' "
    "WHERE a.module_id = ? AND a.kind = 'module' AND a.completed_at IS NOT NULL "
    "AND a.number = (SELECT MIN(b.number) FROM attempts b WHERE b.user_id = a.user_id "
    "AND b.module_id = a.module_id AND b.kind = 'module' AND b.completed_at IS NOT NULL)"
)


@dataclass(frozen=True)
class CompletedAttempt:
    """A learner's first completed attempt at a module: its score and time on task."""

    attempt_id: int
    score: float | None
    active_seconds: float
    pre_score: float | None = None  # the attempt's pre-test score, when it took one


@dataclass(frozen=True)
class FirstAnswer:
    """The scored (first) answer to one question in a first completed attempt."""

    attempt_id: int
    question_id: str
    first_response: str
    score: float
    confidence: str | None = None


def first_completed_attempts(db: Connection, module_id: str) -> list[CompletedAttempt]:
    """Each learner's first completed attempt at the module, in attempt id order."""
    rows = db.query(_FIRST_COMPLETED + " ORDER BY a.id", [module_id])
    return [
        CompletedAttempt(
            int(r["id"]), r["score"], float(r["active_seconds"] or 0.0), r["pre_score"]
        )
        for r in rows
    ]


@dataclass(frozen=True)
class AttemptAnswer:
    """A first answer in any module attempt, with its attempt's number and an anonymous learner.

    `learner` is a rank (1, 2, ...) over the module's learners, not their id: enough to pick
    each learner's first finished attempt, nothing to find them by.
    """

    learner: int
    attempt_id: int
    attempt_number: int
    answer: FirstAnswer


def module_attempt_answers(db: Connection, module_id: str) -> list[AttemptAnswer]:
    """The first answers of every module attempt, whether or not it was completed."""
    rows = db.query(
        "SELECT DENSE_RANK() OVER (ORDER BY a.user_id) AS learner, a.id AS attempt_id, "
        "a.number, s.question_id, s.first_response, s.score, s.first_confidence "
        "FROM answers s JOIN attempts a ON a.id = s.attempt_id "
        "WHERE a.module_id = ? AND a.kind = 'module' ORDER BY a.id, s.question_id",
        [module_id],
    )
    return [
        AttemptAnswer(
            int(r["learner"]),
            int(r["attempt_id"]),
            int(r["number"]),
            FirstAnswer(
                int(r["attempt_id"]),
                r["question_id"],
                r["first_response"],
                float(r["score"]),
                r["first_confidence"],
            ),
        )
        for r in rows
    ]


def learners_started(db: Connection, module_id: str) -> int:
    """How many learners have started at least one attempt at the module."""
    rows = list(
        db.query(
            "SELECT COUNT(DISTINCT user_id) AS n FROM attempts "
            "WHERE module_id = ? AND kind = 'module'",
            [module_id],
        )
    )
    return int(rows[0]["n"]) if rows else 0
