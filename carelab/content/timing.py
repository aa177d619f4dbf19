"""How long a step, module or case takes, estimated from its content.

One function per level (step, module, case) so that the module player's per-step time,
the catalogue's module time and `carelab validate --report` all say the same thing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from carelab.content import schema

# The constants behind every time estimate, in one place. Reading speed: 200 words a
# minute for careful reading of study text (adults read plain prose at about 240; the
# content review of 0.4 measured the modules at this speed, section 3.4). The rest are
# stated allowances, not measurements: a question takes a minute to read, answer and read
# the feedback on, two when it needs working (a number to compute, or an apply or analyse
# item with a vignette, chart or table to read); a Lab exploration five; a written
# reflection ten; a poll a minute unless it states its own time; a discussion its stated
# minutes.
WORDS_PER_MINUTE = 200
MINUTES_PER_QUESTION = 1.0
MINUTES_PER_WORKED_QUESTION = 2.0
MINUTES_PER_LAB_STEP = 5.0
MINUTES_PER_REFLECTION = 10.0
MINUTES_PER_POLL = 1.0
# A stated time more than this far from the content estimate is reported as a problem.
STATED_TIME_TOLERANCE = 0.2


@dataclass(frozen=True)
class TimeEstimate:
    """Minutes from content, by where they come from."""

    words: int = 0
    questions: int = 0
    question_minutes: float = 0.0
    lab_steps: int = 0
    reflections: int = 0
    group_minutes: float = 0.0

    @property
    def reading_minutes(self) -> float:
        """Minutes to read the words."""
        return self.words / WORDS_PER_MINUTE

    @property
    def total(self) -> float:
        """Every minute added up, not rounded."""
        return (
            self.reading_minutes
            + self.question_minutes
            + self.lab_steps * MINUTES_PER_LAB_STEP
            + self.reflections * MINUTES_PER_REFLECTION
            + self.group_minutes
        )

    @property
    def minutes(self) -> int:
        """The total in whole minutes, at least 1."""
        return whole_minutes(self.total)

    def __add__(self, other: TimeEstimate) -> TimeEstimate:
        return TimeEstimate(
            self.words + other.words,
            self.questions + other.questions,
            self.question_minutes + other.question_minutes,
            self.lab_steps + other.lab_steps,
            self.reflections + other.reflections,
            self.group_minutes + other.group_minutes,
        )


def whole_minutes(minutes: float) -> int:
    """Minutes rounded half up to a whole number, at least 1."""
    return max(1, math.floor(minutes + 0.5))


def word_count(*texts: str | None) -> int:
    """Words in the texts, counted as runs of characters between spaces."""
    return sum(len(t.split()) for t in texts if t)


def question_minutes(question: schema.QuestionBase) -> float:
    """The stated time for one question: more when it needs working out."""
    worked = question.level in {"apply", "analyse"} or isinstance(question, schema.Numeric)
    return MINUTES_PER_WORKED_QUESTION if worked else MINUTES_PER_QUESTION


def questions_estimate(questions: list[schema.QuestionBase]) -> TimeEstimate:
    """The time for a set of questions (their reading is in the allowance)."""
    return TimeEstimate(
        questions=len(questions), question_minutes=sum(question_minutes(q) for q in questions)
    )


def case_estimate(case: schema.Case) -> TimeEstimate:
    """The time to read a case as the learner sees it and answer its quiz."""
    words = word_count(
        case.summary,
        *(s.heading + " " + s.body for s in case.sections),
        *(f"{f.label} {f.value} {f.note or ''}" for f in case.key_figures),
        *(f"{e.date} {e.event}" for e in case.timeline),
        *case.what_to_notice,
        *case.discussion_questions,
    )
    return TimeEstimate(words=words) + questions_estimate(list(case.quiz))


def step_estimate(step: schema.Step, cases: Mapping[str, schema.Case]) -> TimeEstimate:
    """The time one module step takes, from its content (a case step includes the case)."""
    if isinstance(step, schema.TextStep):
        return TimeEstimate(words=word_count(step.body))
    if isinstance(step, schema.QuizStep):
        return TimeEstimate(words=word_count(step.intro)) + questions_estimate(list(step.questions))
    if isinstance(step, schema.ReflectionStep):
        return TimeEstimate(words=word_count(step.prompt, step.guidance), reflections=1)
    if isinstance(step, schema.LabStep):
        return TimeEstimate(words=word_count(step.prompt), lab_steps=1)
    if isinstance(step, schema.CaseStep):
        own = TimeEstimate(words=word_count(step.focus))
        return own + case_estimate(cases[step.case]) if step.case in cases else own
    if isinstance(step, schema.PollStep):
        minutes = step.minutes if step.minutes is not None else MINUTES_PER_POLL
        # Vote, discuss, re-vote: the poll twice and the discussion between.
        minutes = minutes * 2 + step.discussion_minutes if step.revote else minutes
        return TimeEstimate(words=word_count(step.prompt), group_minutes=float(minutes))
    if isinstance(step, schema.DiscussionStep):
        return TimeEstimate(words=word_count(step.prompt), group_minutes=float(step.minutes))
    raise TypeError(f"no time estimate for a step of kind '{step.kind}'")


def module_estimate(module: schema.Module, cases: Mapping[str, schema.Case]) -> TimeEstimate:
    """The time a whole module takes, every step included (optional ones too)."""
    total = TimeEstimate()
    for step in module.steps:
        total = total + step_estimate(step, cases)
    return total


def step_minutes(step: schema.Step, cases: Mapping[str, schema.Case]) -> int:
    """One step's estimated minutes, whole and at least 1, as shown beside it."""
    return step_estimate(step, cases).minutes


def module_minutes(module: schema.Module, cases: Mapping[str, schema.Case]) -> int:
    """A module's estimated minutes from its content, as the catalogue shows it."""
    return module_estimate(module, cases).minutes


def case_minutes(case: schema.Case) -> int:
    """A case's estimated minutes (reading and its quiz), as the catalogue shows it."""
    return case_estimate(case).minutes
