"""The content model: what a module or case YAML file may say, field by field.

Every model forbids unknown fields, so a misspelt key is an error rather than silently
ignored. Field descriptions are exported into the JSON Schema (`carelab schema`) so that
editors show them as hover help, and the authoring guide documents every field.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64),
    Field(description="Lower-case letters, digits and single hyphens, e.g. `kaiser-permanente`."),
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Markdown = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=50_000),
    Field(description="Markdown. Raw HTML is shown as text, never rendered."),
]
SourceRef = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64),
    Field(description="The `id` of an entry in this file's `sources` list."),
]
# A year written bare in YAML (2005) arrives as a number; a date as a date. Keep it as text.
DateText = Annotated[str, BeforeValidator(lambda v: str(v) if v is not None else v)]


class Strict(BaseModel):
    """Base for content models: unknown fields are errors and values are immutable."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, coerce_numbers_to_str=True
    )


# --- sources ---------------------------------------------------------------------------


class Source(Strict):
    """A reference that figures, sections and questions point to by its id."""

    id: Slug
    citation: ShortText = Field(description="Authors, title, journal or publisher, year.")
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=500)] | None = (
        Field(None, description="A link to the source, if it is public.")
    )
    note: ShortText | None = Field(
        None, description="What the source supports, or why it is contested."
    )


# --- questions -------------------------------------------------------------------------


class Option(Strict):
    """One answer option of a choice question."""

    text: ShortText
    correct: bool = Field(False, description="Whether choosing this option is right.")
    weight: float | None = Field(
        None,
        ge=-100,
        le=100,
        description="Credit in percent for choosing it (as in Moodle GIFT); default 100 "
        "for a correct option shared between the correct ones, 0 for a wrong one.",
    )
    feedback: LongText | None = Field(None, description="Shown when this option is chosen.")


LEVELS = ("recall", "understand", "apply", "analyse")
Level = Literal["recall", "understand", "apply", "analyse"]


REVOTE_MINUTES = 3
REVOTE_PROMPT = (
    "Discuss your answer with your neighbour: say why you chose it, and listen to why they "
    "chose theirs. Then vote again."
)


class Revote(Strict):
    """A live workshop's vote, discuss, re-vote (peer instruction): asked twice, a talk between."""

    revote: bool = Field(
        False,
        description="In a live workshop, ask it twice: a vote, a short discussion with a "
        "neighbour, then the same question again, and show how the votes shifted (peer "
        "instruction: Mazur, 'Peer Instruction: A User's Manual', 1997). The module player "
        "asks it once.",
    )
    revote_prompt: Markdown | None = Field(
        None,
        description=f"What the discussion between the two votes asks; by default '{REVOTE_PROMPT}'",
    )
    revote_minutes: int | None = Field(
        None,
        ge=1,
        le=60,
        description="Minutes for the discussion between the two votes (the re-vote takes "
        f"as long as the vote); {REVOTE_MINUTES} unless given.",
    )

    @model_validator(mode="after")
    def _prompt_needs_revote(self) -> Revote:
        for name in ("revote_prompt", "revote_minutes"):
            if getattr(self, name) is not None and not self.revote:
                raise ValueError(f"{name} belongs to a step or question with revote: true")
        return self

    @property
    def discussion_minutes(self) -> int:
        """How long the discussion between the votes takes (0 without a re-vote)."""
        return (self.revote_minutes or REVOTE_MINUTES) if self.revote else 0


class QuestionBase(Revote):
    """Fields every question has."""

    id: Slug
    prompt: Markdown
    explanation: Markdown = Field(description="Why the answer is right; shown after answering.")
    source: SourceRef | None = Field(None, description="The source behind the explanation.")
    level: Level | None = Field(
        None,
        description="What the question asks of the learner: `recall` a fact, `understand` "
        "an idea, `apply` it to a new situation, or `analyse` (read a chart, table or claim).",
    )
    objective: Slug | None = Field(
        None,
        description="The `id` of the learning objective (in this file's "
        "`learning_objectives`) that the question assesses.",
    )


class SingleChoice(QuestionBase):
    """Choose one option; exactly one is correct."""

    kind: Literal["single_choice"]
    options: list[Option] = Field(min_length=2, max_length=12)
    shuffle: bool = Field(True, description="Re-order the options on each new attempt.")

    @field_validator("options")
    @classmethod
    def _one_correct(cls, options: list[Option]) -> list[Option]:
        count = sum(o.correct for o in options)
        if count != 1:
            raise ValueError(f"exactly one option must be correct (found {count})")
        return options


class MultipleChoice(QuestionBase):
    """Choose every option that applies; at least one is correct."""

    kind: Literal["multiple_choice"]
    options: list[Option] = Field(min_length=2, max_length=12)
    shuffle: bool = Field(True, description="Re-order the options on each new attempt.")

    @field_validator("options")
    @classmethod
    def _some_correct(cls, options: list[Option]) -> list[Option]:
        if not any(o.correct for o in options):
            raise ValueError("at least one option must be correct")
        return options


class TrueFalse(QuestionBase):
    """A statement that is either true or false."""

    kind: Literal["true_false"]
    answer: bool
    feedback_true: LongText | None = Field(None, description="Shown to someone who answers true.")
    feedback_false: LongText | None = Field(None, description="Shown to someone who answers false.")


class NumericWrongAnswer(Strict):
    """A likely wrong number and what to say to someone who gives it."""

    answer: float = Field(description="The wrong number, e.g. 3 where 3.5 is right.")
    tolerance: float = Field(0, ge=0, description="Distance from it that still counts as it.")
    feedback: LongText = Field(description="Why someone might give it, and what they missed.")


class TextWrongAnswer(Strict):
    """A likely wrong word or phrase and what to say to someone who gives it."""

    answer: ShortText = Field(description="The wrong answer; `*` matches any characters.")
    feedback: LongText = Field(description="Why someone might give it, and what they missed.")


class Numeric(QuestionBase):
    """A number, right when within `tolerance` of `answer`."""

    kind: Literal["numeric"]
    answer: float
    tolerance: float = Field(0, ge=0, description="Accepted distance from the answer.")
    unit: ShortText | None = Field(None, description="Shown beside the input, e.g. `%`.")
    wrong_answers: tuple[NumericWrongAnswer, ...] = Field(
        (),
        max_length=20,
        description="Likely wrong numbers, each with its own feedback; the first that "
        "matches is shown.",
    )

    @model_validator(mode="after")
    def _wrong_is_not_right(self) -> Numeric:
        for wrong in self.wrong_answers:
            if abs(wrong.answer - self.answer) <= self.tolerance + wrong.tolerance:
                raise ValueError(
                    f"wrong answer {wrong.answer:g} is within the tolerance of the right "
                    f"answer {self.answer:g}"
                )
        return self


class ShortAnswer(QuestionBase):
    """A word or phrase, right when it matches one of `accepted`."""

    kind: Literal["short_text"]
    accepted: list[ShortText] = Field(
        min_length=1, description="Answers marked right; `*` matches any characters."
    )
    case_sensitive: bool = False
    wrong_answers: tuple[TextWrongAnswer, ...] = Field(
        (),
        max_length=20,
        description="Likely wrong answers, each with its own feedback; checked only when "
        "no accepted answer matches, the first that matches is shown.",
    )


MIN_RANKED = 3
MAX_RANKED = 8


def ranked_items_problem(items: list[str], what: str = "items") -> str | None:
    """What is wrong with the items of a ranking (3 to 8, each once), or None."""
    if not MIN_RANKED <= len(items) <= MAX_RANKED:
        return f"a ranking orders {MIN_RANKED} to {MAX_RANKED} {what} (found {len(items)})"
    seen: set[str] = set()
    for item in items:
        folded = " ".join(item.split()).casefold()
        if folded in seen:
            return f"'{item}' is in the {what} twice; each must be different"
        seen.add(folded)
    return None


RankedItems = Annotated[
    list[ShortText],
    Field(json_schema_extra={"minItems": MIN_RANKED, "maxItems": MAX_RANKED}),
]


class Ranking(QuestionBase):
    """Put 3 to 8 items in order; `items` are written in the right order, first at the top."""

    kind: Literal["ranking"]
    items: RankedItems = Field(
        description="3 to 8 different items, written in the right order (the first is "
        "ranked top). Learners see them shuffled and put them in order. Full marks for the "
        "right order; otherwise partial credit by how far the items are from their places "
        "(normalised Spearman footrule; see docs/authoring.md).",
    )

    @field_validator("items")
    @classmethod
    def _three_to_eight(cls, items: list[str]) -> list[str]:
        problem = ranked_items_problem(items)
        if problem:
            raise ValueError(problem)
        return items


Question = Annotated[
    SingleChoice | MultipleChoice | TrueFalse | Numeric | ShortAnswer | Ranking,
    Field(discriminator="kind"),
]


# --- steps -----------------------------------------------------------------------------


class StepBase(Strict):
    """Fields every step has."""

    id: Slug = Field(description="Unique within the module or plan; progress is saved by it.")
    title: ShortText
    required: bool = Field(True, description="Whether completing the module needs this step.")
    facilitator_notes: Markdown | None = Field(
        None,
        description="For the facilitator of a live workshop only: shown on the Facilitate "
        "page at this step, never on the projector, the phones or in the module player. "
        "What good answers sound like, common misconceptions, timing, a room that has not "
        "read the case.",
    )


class TextStep(StepBase):
    """Reading: a Markdown body with its sources."""

    kind: Literal["text"]
    body: Markdown
    sources: list[SourceRef] = Field(default_factory=list)


class QuizStep(StepBase):
    """A set of questions with immediate feedback."""

    kind: Literal["quiz"]
    intro: Markdown | None = None
    questions: list[Question] = Field(min_length=1, max_length=50)


class ReflectionStep(StepBase):
    """A written reflection for the learner's log."""

    kind: Literal["reflection"]
    prompt: Markdown
    guidance: Markdown | None = Field(None, description="Hints on what a good reflection covers.")


class CaseStep(StepBase):
    """Read a case study from `cases/`."""

    kind: Literal["case"]
    case: Slug = Field(description="The `id` of a case.")
    focus: Markdown | None = Field(None, description="What to look for while reading it.")


class LabStep(StepBase):
    """Open an Indicator Lab scenario."""

    kind: Literal["lab"]
    scenario: Slug = Field(description="The `id` of an Indicator Lab scenario.")
    prompt: Markdown | None = Field(None, description="What to try in the Lab.")


class PollStep(StepBase, Revote):
    """An unscored question for a group; answers are aggregated and revealed together."""

    kind: Literal["poll"]
    prompt: Markdown
    mode: Literal["single", "multiple", "open", "scale", "numeric", "ranking"] = Field(
        "single",
        description="One option, several options, free text (word cloud), a 1-5 scale, "
        "a number, or a ranking (each participant puts the 3 to 8 options in order; the "
        "results show each option's mean rank; no order is right).",
    )
    options: list[ShortText] = Field(
        default_factory=list,
        max_length=12,
        description="The choices of a single or multiple poll (2 to 12), or the items of a "
        "ranking poll (3 to 8, each different).",
    )
    scale_low: ShortText | None = Field(None, description="Label for 1 on a scale poll.")
    scale_high: ShortText | None = Field(None, description="Label for 5 on a scale poll.")
    unit: ShortText | None = Field(None, description="Shown beside a numeric poll's input.")
    minutes: int | None = Field(None, ge=1, le=120)

    @model_validator(mode="after")
    def _options_match_mode(self) -> PollStep:
        if self.mode in {"single", "multiple"} and len(self.options) < 2:
            raise ValueError(f"a {self.mode} poll needs at least 2 options")
        if self.mode == "ranking":
            problem = ranked_items_problem(list(self.options), "options")
            if problem:
                raise ValueError(problem)
        elif self.mode not in {"single", "multiple"} and self.options:
            raise ValueError(
                f"a{'n' if self.mode == 'open' else ''} {self.mode} poll takes no options"
            )
        if self.mode != "scale" and (self.scale_low or self.scale_high):
            raise ValueError("scale_low and scale_high belong to a scale poll")
        if self.mode != "numeric" and self.unit:
            raise ValueError("unit belongs to a numeric poll")
        return self


class DiscussionStep(StepBase):
    """A timed discussion prompt."""

    kind: Literal["discussion"]
    prompt: Markdown
    minutes: int = Field(ge=1, le=240)


Step = Annotated[
    TextStep | QuizStep | ReflectionStep | CaseStep | LabStep | PollStep | DiscussionStep,
    Field(discriminator="kind"),
]


# --- modules and cases -----------------------------------------------------------------


def _version_text(value: object) -> object:
    # YAML reads 1.10 as the number 1.1, so a version must be quoted unless it is a whole number.
    if isinstance(value, float):
        raise ValueError('write the version in quotes, e.g. version: "1.0"')
    return str(value) if isinstance(value, int) else value


Version = Annotated[
    str,
    BeforeValidator(_version_text),
    StringConstraints(pattern=r"^\d+(\.\d+){0,2}$"),
    Field(description='Quoted, e.g. "1.2". Raise it when questions change; attempts record it.'),
]


class LearningObjective(Strict):
    """A learning objective with an id, so that questions can name the one they assess."""

    id: Slug = Field(description="Unique within the file; a question's `objective` names it.")
    text: ShortText = Field(description="What the learner will be able to do.")


class ObjectiveText(str):
    """An objective as loaded: its text (so it reads, prints and saves as text) and its id."""

    __slots__ = ("id",)

    def __new__(cls, text: str, objective_id: str | None = None) -> ObjectiveText:
        """Text with the objective's id, or None when the author gave it none."""
        made = super().__new__(cls, text)
        made.id = objective_id
        return made


def _as_texts(objectives: list[str | LearningObjective]) -> list[ObjectiveText]:
    # Everything that shows or stores objectives (outline, certificate) reads them as text;
    # only the report and the validator need the id.
    return [
        ObjectiveText(o.text, o.id) if isinstance(o, LearningObjective) else ObjectiveText(o)
        for o in objectives
    ]


Objectives = Annotated[
    list[ShortText | LearningObjective],
    Field(
        max_length=12,
        description="What the learner will be able to do: each a text, or an `id` and a "
        "`text` so that questions can name it in their `objective`.",
    ),
    AfterValidator(_as_texts),
]


class PreTest(Strict):
    """A short test before the module: what the learner already knows, never graded.

    Its questions are parallel to the module's scored ones (same objective, a different
    stem), so that the gain from pre-test to post-test measures learning, not memory.
    """

    intro: Markdown | None = Field(
        None, description="Shown above the questions, e.g. why the pre-test is there."
    )
    questions: list[Question] = Field(
        min_length=1,
        max_length=20,
        description="Parallel items: each assesses an objective that a scored question "
        "assesses, with a different stem; never the same id or prompt as a scored question. "
        "Feedback is shown only after the whole pre-test.",
    )


class Module(Strict):
    """A self-paced training module: ordered steps with objectives and a pass mark."""

    id: Slug
    title: ShortText
    summary: Markdown
    learning_objectives: Objectives = Field(min_length=1)
    estimated_minutes: int = Field(ge=1, le=600)
    version: Version
    tags: list[Slug] = Field(default_factory=list)
    pass_mark: float = Field(
        0.8, ge=0, le=1, description="Share of quiz points needed to complete (0 to 1)."
    )
    confidence: bool = Field(
        False,
        description='Ask "How sure are you?" (low, medium, high) with each question\'s '
        "first answer and show Gardner-Medwin's certainty-based mark (right 1/2/3, wrong "
        "0/-2/-6) beside the score. The pass mark still uses the share of quiz points.",
    )
    pre_test: PreTest | None = Field(
        None,
        description="A short pre-test taken before the module (the learner may skip it): "
        "its score is not graded, and with the module score it shows the learner's gain "
        "('Pre-test 45%, post-test 85%') on My learning and the certificate.",
    )
    steps: list[Step] = Field(min_length=1, max_length=100)
    sources: list[Source] = Field(default_factory=list)


class Section(Strict):
    """A titled part of a case's narrative."""

    heading: ShortText
    body: Markdown
    sources: list[SourceRef] = Field(default_factory=list)


class KeyFigure(Strict):
    """A number that matters in the case, with where it comes from."""

    label: ShortText
    value: ShortText
    source: SourceRef | None = None
    note: ShortText | None = Field(None, description="A caveat: contested, self-reported, ...")


class TimelineEvent(Strict):
    """A dated event in the case."""

    date: DateText = Field(description="A year, year-month or date, e.g. `2005`.")
    event: LongText
    source: SourceRef | None = None


class Case(Strict):
    """A case study: narrative sections, key figures, questions and an optional workshop plan."""

    id: Slug
    title: ShortText
    setting: ShortText = Field(description="Where and when, e.g. `Seattle, USA, 2001-2015`.")
    summary: Markdown
    learning_objectives: Objectives = Field(default_factory=list)
    version: Version = "1"
    tags: list[Slug] = Field(default_factory=list)
    timeline: list[TimelineEvent] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)
    key_figures: list[KeyFigure] = Field(default_factory=list)
    what_to_notice: list[LongText] = Field(default_factory=list)
    discussion_questions: list[LongText] = Field(default_factory=list)
    quiz: list[Question] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    workshop_plan: list[Step] | None = Field(
        None, description="An ordered list of steps for a facilitated session."
    )


CONTENT_KINDS: dict[str, type[Strict]] = {"modules": Module, "cases": Case}
