"""Workshop steps: the frozen snapshot a room runs on, made from a case's plan or a module.

A workshop copies its steps when it is created, so editing a case or module later never
changes a room that is running or the record of one that ran. Quiz questions become one
step each, so the room can vote on them; options keep their authored order (everyone in
the room must see the same letters), and the right answer travels with the step but is
shown to phones only once the facilitator reveals it. A case's own quiz can follow its
plan, one step per question, when the facilitator asks for it.
"""

from __future__ import annotations

import fnmatch
import json
import math
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from pydantic import BaseModel

from carelab import answers
from carelab.answers import MAX_OPEN_ANSWER as MAX_OPEN_ANSWER
from carelab.answers import SCALE as SCALE
from carelab.answers import clean_text as clean_text
from carelab.content import schema
from carelab.workshop import revote
from carelab.workshop.errors import WorkshopError
from carelab.workshop.lab_vote import lab_vote

MODES = ("single", "multiple", "open", "scale", "numeric", "ranking")
# The room's answer rules live in carelab.answers, shared with the module player; the
# names imported from there stay importable from here for the room's callers.


@dataclass(frozen=True)
class WorkshopStep:
    """One step of a running workshop, as snapshotted at creation."""

    id: str
    kind: str  # text, poll, discussion, question, lab, case or reflection
    title: str
    prompt: str = ""
    mode: str | None = None  # one of MODES when the step takes answers
    options: tuple[str, ...] = ()
    scale_low: str | None = None
    scale_high: str | None = None
    unit: str | None = None
    minutes: int | None = None
    # The right answer, if any: {"options": [i, ...]}, {"value": x, "tolerance": t},
    # {"accepted": [...], "case_sensitive": bool} or {"order": [i, ...]} (a ranking, top first).
    answer: dict[str, Any] | None = None
    explanation: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # scenario, case, sources, ...
    # For the facilitator's eyes only (the Facilitate page): never in public().
    facilitator_notes: str = ""

    @property
    def answerable(self) -> bool:
        """Whether participants answer this step."""
        return self.mode is not None

    @property
    def asks_discussion(self) -> bool:
        """Whether this is the discussion between a vote and its re-vote (phones show it)."""
        return revote.DISCUSSION_OF in self.extra

    @property
    def has_answer(self) -> bool:
        """Whether this step has a right answer that can be revealed."""
        return self.answer is not None

    def to_json(self) -> str:
        """The snapshot as stored."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> WorkshopStep:
        """A snapshot back from storage."""
        data = json.loads(text)
        data["options"] = tuple(data.get("options", ()))
        return cls(**data)

    def public(self, reveal_answer: bool) -> dict[str, Any]:
        """What a phone may see: the question, and the right answer only once revealed."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            # Only questions reach phones in full: text and discussion bodies are often
            # notes for the facilitator, shown on the projector instead.
            "prompt": self.prompt if self.answerable or self.asks_discussion else None,
            "mode": self.mode,
            "options": list(self.options),
            "scale_low": self.scale_low,
            "scale_high": self.scale_high,
            "unit": self.unit,
            "has_answer": self.has_answer,
            "revote": revote.repeats(self) is not None,
            "answer": self.answer if reveal_answer else None,
            "explanation": self.explanation if reveal_answer else None,
        }


# --- from content ----------------------------------------------------------------------


# The id prefix and title of a case's quiz run as workshop steps. (A step's id only labels
# it in the CSV export; answers are kept by the step's position.)
CASE_QUIZ_ID = "case-quiz"
CASE_QUIZ_TITLE = "Case quiz"


def _question_step(prefix: str, title: str, number: int, total: int, question: Any) -> WorkshopStep:
    base = {
        "id": f"{prefix}.{question.id}",
        "kind": "question",
        "title": f"{title}: question {number} of {total}",
        "prompt": question.prompt,
        "explanation": question.explanation,
        "extra": revote.marker(question),
    }
    if isinstance(question, schema.SingleChoice | schema.MultipleChoice):
        mode = "single" if isinstance(question, schema.SingleChoice) else "multiple"
        right = [i for i, option in enumerate(question.options) if option.correct]
        options = tuple(option.text for option in question.options)
        return WorkshopStep(**base, mode=mode, options=options, answer={"options": right})
    if isinstance(question, schema.TrueFalse):
        right = [0 if question.answer else 1]
        return WorkshopStep(
            **base, mode="single", options=("True", "False"), answer={"options": right}
        )
    if isinstance(question, schema.Ranking):
        # The items are authored in the right order: the room sees them in one shuffled
        # order (the same on every phone), and the answer says where each one belongs.
        shown = list(range(len(question.items)))
        random.Random(question.id).shuffle(shown)  # noqa: S311 - not security
        shown = shown[::-1] if shown == sorted(shown) else shown
        options = tuple(question.items[i] for i in shown)
        order = sorted(range(len(shown)), key=lambda place: shown[place])
        return WorkshopStep(**base, mode="ranking", options=options, answer={"order": order})
    if isinstance(question, schema.Numeric):
        answer = {"value": question.answer, "tolerance": question.tolerance}
        return WorkshopStep(**base, mode="numeric", unit=question.unit, answer=answer)
    answer = {"accepted": list(question.accepted), "case_sensitive": question.case_sensitive}
    return WorkshopStep(**base, mode="open", answer=answer)


def _lab_step(step: schema.LabStep) -> WorkshopStep:
    """A Lab step as a vote: which of five simulated hospitals is worst (see lab_vote)."""
    vote = lab_vote(step.scenario)
    return WorkshopStep(
        id=step.id,
        kind="lab",
        title=step.title,
        prompt=vote.prompt,
        mode="single",
        options=vote.options,
        answer={"options": [vote.right]},
        explanation=vote.explanation,
        extra={
            "scenario": vote.scenario,
            "indicator": vote.indicator,
            "notes": step.prompt or "",
            "candidates": list(vote.candidates),
        },
    )


def _content_steps(step: Any) -> list[WorkshopStep]:
    common = {"id": step.id, "kind": step.kind, "title": step.title}
    if isinstance(step, schema.PollStep):
        return [
            WorkshopStep(
                **common,
                prompt=step.prompt,
                mode=step.mode,
                options=tuple(step.options),
                scale_low=step.scale_low,
                scale_high=step.scale_high,
                unit=step.unit,
                minutes=step.minutes,
                extra=revote.marker(step),
            )
        ]
    if isinstance(step, schema.QuizStep):
        intro = (
            [WorkshopStep(**{**common, "kind": "text"}, prompt=step.intro)] if step.intro else []
        )
        total = len(step.questions)
        return intro + [
            _question_step(step.id, step.title, n, total, q)
            for n, q in enumerate(step.questions, 1)
        ]
    if isinstance(step, schema.DiscussionStep):
        return [WorkshopStep(**common, prompt=step.prompt, minutes=step.minutes)]
    if isinstance(step, schema.TextStep):
        return [WorkshopStep(**common, prompt=step.body, extra={"sources": list(step.sources)})]
    if isinstance(step, schema.LabStep):
        return [_lab_step(step)]
    if isinstance(step, schema.CaseStep):
        return [WorkshopStep(**common, prompt=step.focus or "", extra={"case": step.case})]
    if isinstance(step, schema.ReflectionStep):
        return [WorkshopStep(**common, prompt=step.prompt)]
    raise WorkshopError(f"A step of kind '{step.kind}' cannot run in a workshop.")


def workshop_steps(steps: Sequence[WorkshopStep | BaseModel]) -> list[WorkshopStep]:
    """Content steps turned into workshop steps (a quiz becomes one step per question)."""
    converted: list[WorkshopStep] = []
    for step in steps:
        if isinstance(step, WorkshopStep):
            converted.append(step)
            continue
        made = _content_steps(step)
        notes = getattr(step, "facilitator_notes", None)
        if notes:  # on the step's first workshop step (a quiz's intro or first question)
            made[0] = replace(made[0], facilitator_notes=notes)
        converted.extend(made)
    return revote.ask_twice(converted)


def steps_from_case(case: schema.Case, with_quiz: bool = False) -> list[WorkshopStep]:
    """The workshop steps of a case's workshop plan, then (`with_quiz`) its quiz questions."""
    if not case.workshop_plan:
        raise WorkshopError(f"The case '{case.title}' has no workshop plan to run.")
    steps = workshop_steps(case.workshop_plan)
    if with_quiz:
        total = len(case.quiz)
        steps += [
            _question_step(CASE_QUIZ_ID, CASE_QUIZ_TITLE, n, total, q)
            for n, q in enumerate(case.quiz, 1)
        ]
    return revote.ask_twice(steps)


def steps_from_module(module: schema.Module) -> list[WorkshopStep]:
    """A module's steps as workshop steps; each quiz question becomes a step to vote on."""
    return workshop_steps(module.steps)


# --- answers ---------------------------------------------------------------------------


def validate_answer(step: WorkshopStep, value: Any) -> Any:
    """The answer in its stored form, or InvalidAnswer with what to fix."""
    return answers.by_mode(step.mode, len(step.options), value)


def is_correct(step: WorkshopStep, value: Any) -> bool | None:
    """Whether a stored answer is right, or None when the step has no right answer."""
    if step.answer is None:
        return None
    if "order" in step.answer:
        return list(value) == list(step.answer["order"])
    if "options" in step.answer:
        chosen = value if isinstance(value, list) else [value]
        return sorted(chosen) == sorted(step.answer["options"])
    if "value" in step.answer:
        return abs(float(value) - step.answer["value"]) <= step.answer["tolerance"] + 1e-9
    sensitive = step.answer["case_sensitive"]

    def norm(text: str) -> str:
        text = " ".join(str(text).split())
        return text if sensitive else text.casefold()

    return any(fnmatch.fnmatchcase(norm(value), norm(p)) for p in step.answer["accepted"])


def ranked_label(options: Sequence[str], order: Sequence[int]) -> str:
    """An order as a person reads it: '1. first; 2. second; ...'."""
    return "; ".join(f"{place}. {options[i]}" for place, i in enumerate(order, 1))


def answer_label(step: WorkshopStep, value: Any) -> str | int | float:
    """A stored answer as a person reads it: option texts, a number, or the text."""
    if step.mode == "single":
        return step.options[value]
    if step.mode == "multiple":
        return "; ".join(step.options[i] for i in value)
    if step.mode == "ranking":
        return ranked_label(step.options, value)
    if step.mode == "scale":
        return int(value)
    if step.mode == "numeric":
        number = float(value)
        return int(number) if number.is_integer() and math.isfinite(number) else number
    return value if isinstance(value, str) else str(value)
