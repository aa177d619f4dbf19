"""What self-paced learning keeps, as the store returns it: attempts, answers, reflections,
certificates. Plain frozen data: no SQL, no Streamlit.

An attempt is at a module or, with kind 'case', at a case's quiz on the case page (then
module_id holds the case id and module_version the case's version).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Attempt:
    """One numbered attempt at a module (or a case's quiz) by one learner."""

    id: int
    user_id: int
    module_id: str
    module_version: str
    number: int
    seed: int
    started_at: float
    kind: str = "module"
    current_step: str | None = None
    completed_at: float | None = None
    score: float | None = None  # fixed at completion
    active_seconds: float = 0.0
    last_action_at: float | None = None

    @property
    def complete(self) -> bool:
        """Whether the attempt has been completed."""
        return self.completed_at is not None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Attempt:
        """An attempt from its stored row."""
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            module_id=row["module_id"],
            module_version=row["module_version"],
            number=row["number"],
            seed=row["seed"],
            started_at=row["started_at"],
            kind=row.get("kind") or "module",
            current_step=row.get("current_step"),
            completed_at=row.get("completed_at"),
            score=row.get("score"),
            active_seconds=row.get("active_seconds") or 0.0,
            last_action_at=row.get("last_action_at"),
        )


@dataclass(frozen=True)
class SavedAnswer:
    """An answer to one question of an attempt: the first response scored, the last kept."""

    attempt_id: int
    step_id: str
    question_id: str
    first_response: str  # as carelab.learning.grading.encode stores it
    score: float  # of the first response
    last_response: str
    last_correct: bool
    tries: int
    answered_at: float
    # How sure the learner said they were of the first answer ('low', 'medium', 'high'),
    # in a module with confidence on; None where it was not asked.
    first_confidence: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SavedAnswer:
        """An answer from its stored row."""
        return cls(
            attempt_id=row["attempt_id"],
            step_id=row["step_id"],
            question_id=row["question_id"],
            first_response=row["first_response"],
            score=row["score"],
            last_response=row["last_response"],
            last_correct=bool(row["last_correct"]),
            tries=row["tries"],
            answered_at=row["answered_at"],
            first_confidence=row.get("first_confidence"),
        )


@dataclass(frozen=True)
class RatedAnswer:
    """A first answer given with a confidence: for calibration and certainty-based marks."""

    attempt_id: int
    question_id: str
    confidence: str  # 'low', 'medium' or 'high'
    score: float  # of the first answer
    answered_at: float

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RatedAnswer:
        """A rated answer from its stored row."""
        return cls(
            attempt_id=row["attempt_id"],
            question_id=row["question_id"],
            confidence=row["first_confidence"],
            score=row["score"],
            answered_at=row["answered_at"],
        )


@dataclass(frozen=True)
class Reflection:
    """A What? / So what? / Now what? reflection saved on one step of an attempt."""

    attempt_id: int
    step_id: str
    step_title: str
    prompt: str
    what: str
    so_what: str
    now_what: str
    saved_at: float
    module_id: str
    module_version: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Reflection:
        """A reflection from its stored row joined with its attempt's module."""
        return cls(
            attempt_id=row["attempt_id"],
            step_id=row["step_id"],
            step_title=row["step_title"],
            prompt=row["prompt"] or "",
            what=row["what"] or "",
            so_what=row["so_what"] or "",
            now_what=row["now_what"] or "",
            saved_at=row["saved_at"],
            module_id=row["module_id"],
            module_version=row["module_version"],
        )


@dataclass(frozen=True)
class Certificate:
    """An issued certificate as stored; learner_name None means the account was deleted."""

    code: str
    attempt_id: int | None
    user_id: int | None
    learner_name: str | None
    module_id: str
    module_title: str
    module_version: str
    objectives: tuple[str, ...]
    estimated_minutes: int
    attested_minutes: int
    score: float | None
    completed_at: float
    # 'measured': time on task in the player; 'claimed': the learner's own figure.
    time_basis: str = "measured"
    # The assessment it was issued under: scored questions and pass mark (None before 0.5).
    assessment_questions: int | None = None
    pass_mark: float | None = None
    # The pre-test score of the attempt it was issued for (None: no pre-test, or skipped).
    pre_test_score: float | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Certificate:
        """A certificate from its stored row (objectives are stored as a JSON list)."""
        return cls(
            code=row["code"],
            attempt_id=row.get("attempt_id"),
            user_id=row.get("user_id"),
            learner_name=row["learner_name"],
            module_id=row["module_id"],
            module_title=row["module_title"],
            module_version=row["module_version"],
            objectives=tuple(json.loads(row["objectives"])),
            estimated_minutes=row["estimated_minutes"],
            attested_minutes=row["attested_minutes"],
            score=row["score"],
            completed_at=row["completed_at"],
            time_basis=row.get("time_basis") or "measured",
            assessment_questions=row.get("assessment_questions"),
            pass_mark=row.get("pass_mark"),
            pre_test_score=row.get("pre_test_score"),
        )


@dataclass(frozen=True)
class CaseAttemptRow:
    """A case attempt with how many of its questions have an answer (for My learning)."""

    attempt: Attempt
    answered: int
