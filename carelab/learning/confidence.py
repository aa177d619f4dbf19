"""Certainty-based marking (Gardner-Medwin): how sure a learner was of each first answer.

A module with `confidence: true` asks "How sure are you?" (low, medium, high) with each
question's first answer. Marks follow Gardner-Medwin's scheme as used in UCL's LAPT and in
Moodle: right answers earn 1, 2 or 3 and wrong ones 0, -2 or -6 at low, medium and high
certainty. Expected marks are p, 4p - 2 and 9p - 6 for a chance p of being right, so low
is the best choice below p = 2/3, medium from 2/3 to 4/5 and high above 4/5.

"Right" here means the first answer earned full marks (score 1); a partly right answer
counts as wrong, because the scheme marks right or wrong. The module's pass mark stays on
the share of quiz points; the certainty-based mark is shown beside it. Pure: no SQL.

Sources: Gardner-Medwin AR. Confidence assessment in the teaching of basic science.
ALT-J 1995;3(1):80-85. Gardner-Medwin AR. Confidence-Based Marking: encouraging rigour
through assessment. Physiological Society teaching workshop, Bristol, 2005.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Level = Literal["low", "medium", "high"]
LEVELS: tuple[Level, ...] = ("low", "medium", "high")
LABELS: dict[str, str] = {"low": "Low", "medium": "Medium", "high": "High"}
# (mark if right, mark if wrong) at each level.
MARKS: dict[str, tuple[int, int]] = {"low": (1, 0), "medium": (2, -2), "high": (3, -6)}
LOWEST, HIGHEST = -6, 3
# The chance of being right above which each level earns more on average than the one below.
THRESHOLDS: dict[str, float] = {"medium": 2 / 3, "high": 4 / 5}
# What each level is best for, in words (the thresholds above, rounded as the sources do).
BEST_WHEN: dict[str, str] = {
    "low": "below about 67% sure",
    "medium": "about 67% to 80% sure",
    "high": "above about 80% sure",
}
RIGHT = 1 - 1e-9

CITATION = (
    "Gardner-Medwin A. Certainty-Based Marking: rewarding good judgment of what is or is not "
    "reliable. Innovation 2008: The Real and the Ideal, Breckenridge CO, 2008"
)
# Shown after "You were sure and wrong." with CITATION.
SURE_AND_WRONG = (
    "Gardner-Medwin, whose marking scheme this is, warns that confident misconceptions lead "
    "to complacency, confusion and danger. For a clinician, being sure means not stopping to "
    "check: a wrong belief held with certainty is acted on, while doubt you notice sends you "
    "to look it up."
)


class InvalidConfidence(ValueError):
    """A confidence that is not one of the three levels."""


def check_level(value: str | None) -> Level | None:
    """The level as stored, or None; raise InvalidConfidence for anything else."""
    if value is None:
        return None
    if value not in LEVELS:
        raise InvalidConfidence(f"Confidence must be one of {', '.join(LEVELS)}.")
    return value  # type: ignore[return-value]


def is_right(score: float) -> bool:
    """Whether a first answer's score counts as right for certainty-based marking."""
    return score >= RIGHT


def mark(level: str, right: bool) -> int:
    """The certainty-based mark for one answer at a level, right or wrong."""
    gain, loss = MARKS[check_level(level) or ""]
    return gain if right else loss


def expected_mark(level: str, chance_right: float) -> float:
    """The average mark at a level for a learner who is right with this chance."""
    gain, loss = MARKS[check_level(level) or ""]
    return chance_right * gain + (1 - chance_right) * loss


def best_level(chance_right: float) -> Level:
    """The level that earns most on average at this chance of being right (ties: lower)."""
    return max(LEVELS, key=lambda level: (round(expected_mark(level, chance_right), 12),
                                          -LEVELS.index(level)))  # fmt: skip


def sure_and_wrong(level: str | None, right: bool) -> bool:
    """Whether an answer was given with high confidence and was wrong."""
    return level == "high" and not right


@dataclass(frozen=True)
class Rated:
    """One first answer given with a confidence: the level and whether it was right."""

    level: Level
    right: bool


@dataclass(frozen=True)
class MarkTotal:
    """Certainty-based marks added up over the questions answered with a confidence."""

    total: int
    questions: int

    @property
    def average(self) -> float | None:
        """The mean mark per question (-6 to 3), or None with no questions."""
        return self.total / self.questions if self.questions else None


NO_MARKS = MarkTotal(0, 0)


def total(rated: Iterable[Rated]) -> MarkTotal:
    """The total and count of certainty-based marks over some rated answers."""
    marks = [mark(r.level, r.right) for r in rated]
    return MarkTotal(sum(marks), len(marks))


@dataclass(frozen=True)
class LevelCalibration:
    """At one confidence level: how many first answers, and how many of them were right."""

    level: Level
    answers: int
    right: int

    @property
    def share_right(self) -> float | None:
        """The share right, or None with no answers at this level."""
        return self.right / self.answers if self.answers else None


def calibration(rated: Iterable[Rated]) -> tuple[LevelCalibration, ...]:
    """Per level (low, medium, high), the number of first answers and how many were right."""
    counts = {level: [0, 0] for level in LEVELS}
    for r in rated:
        counts[r.level][0] += 1
        counts[r.level][1] += int(r.right)
    return tuple(LevelCalibration(level, *counts[level]) for level in LEVELS)


def calibration_note(level: LevelCalibration) -> str:
    """A sentence comparing a level's share right with the range it suits best."""
    share = level.share_right
    if share is None:
        return "No answers yet."
    if level.level == "high" and share <= THRESHOLDS["high"]:
        return "Right less often than 80%: low or medium would have scored more."
    if level.level == "medium" and share < THRESHOLDS["medium"]:
        return "Right less often than 67%: low would have scored more."
    if level.level == "medium" and share > THRESHOLDS["high"]:
        return "Right more often than 80%: you could have said high."
    if level.level == "low" and share > THRESHOLDS["high"]:
        return "Right more often than 80%: you knew more than you thought (high pays)."
    if level.level == "low" and share >= THRESHOLDS["medium"]:
        return "Right more often than 67%: medium would have scored more."
    return "Well matched: this level suited how often you were right."
