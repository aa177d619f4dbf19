"""Import Moodle GIFT question banks as CareLab questions and reflection steps.

GIFT is Moodle's plain-text question format: questions are separated by blank lines, `//`
starts a comment line, `::Title::` names a question and an answer block `{...}` holds
`=right` and `~wrong` answers, `%50%` weights, `#feedback` and `####general feedback`.
Questions are told apart as Moodle's own importer does, with the same escapes
(`\\~ \\= \\# \\{ \\} \\: \\n \\\\`):

- multiple choice becomes single_choice or multiple_choice; true/false, numeric and short
  answer (short_text) map directly; an essay `{}` becomes a reflection step;
- matching (`->`), missing-word questions (text after the answer block) and descriptions
  (no answer block) are reported with their line and skipped, and every other question
  still imports.

Text may start with [moodle] (the default), [html], [markdown] or [plain]. HTML becomes
plain Markdown text, and a `<` that could open a tag is written `&lt;`, so no raw HTML
reaches CareLab. Writing GIFT and YAML lives in writer.py. This file is longer than
most because the format's rules and the HTML-to-text conversion they need form one reader.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from carelab.content import schema
from carelab.content.html_text import to_safe_markdown
from carelab.errors import CareLabError

FALLBACK_EXPLANATION = "No explanation was given in the imported Moodle question."
MAX_BYTES = 10_000_000  # a question bank is text; this only stops a mistaken path to a huge file
QUIZ_SIZE = 50  # the most questions one quiz step may hold (schema.QuizStep)

_QUESTION: TypeAdapter[Any] = TypeAdapter(schema.Question)

# Escaped characters are swapped for private-use stand-ins before the structure is read,
# so `\=` or `\#` never splits an answer, and swapped back inside each piece of text.
_ESCAPED = {":": ":", "#": "#", "=": "=", "{": "{", "}": "}", "~": "~", "n": "\n", "\\": "\\"}
_STAND_IN = {char: chr(0xE000 + i) for i, char in enumerate(_ESCAPED)}
_RESTORE = str.maketrans({chr(0xE000 + i): value for i, value in enumerate(_ESCAPED.values())})
_ESCAPE = re.compile(r"\\(.)")
_FORMAT = re.compile(r"\[(moodle|html|plain|markdown)\]")
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
# A "<" that could open a tag (but not a Markdown autolink), written as an entity instead.


@dataclass(frozen=True)
class GiftProblem:
    """Something the author should know about one question, at the line where it starts."""

    path: str
    line: int
    message: str
    skipped: bool = False

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class GiftImport:
    """What a GIFT file gave: CareLab question dicts, reflection steps and every problem."""

    path: str
    questions: list[dict[str, Any]] = field(default_factory=list)
    reflections: list[dict[str, Any]] = field(default_factory=list)
    problems: list[GiftProblem] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> list[GiftProblem]:
        """Return the problems of the questions that were not imported."""
        return [p for p in self.problems if p.skipped]

    def summary(self) -> str:
        """Return e.g. '3 questions and 1 reflection imported, 2 skipped'."""
        return (
            f"{_count(len(self.questions), 'question')} and "
            f"{_count(len(self.reflections), 'reflection')} imported, "
            f"{len(self.skipped)} skipped"
        )

    def steps(self) -> list[dict[str, Any]]:
        """Return quiz steps of up to 50 questions each, then the reflection steps."""
        taken = {r["id"] for r in self.reflections}
        name = Path(self.path).name
        base = slug(name.split(".")[0]) or "imported"
        chunks = [
            self.questions[i : i + QUIZ_SIZE] for i in range(0, len(self.questions), QUIZ_SIZE)
        ]
        quizzes = []
        for number, chunk in enumerate(chunks, start=1):
            part = f" (part {number})" if len(chunks) > 1 else ""
            step_id = _unique(f"{base}-quiz" + (f"-{number}" if part else ""), taken)
            taken.add(step_id)
            title = _shorten(f"Questions imported from {name}", 280) + part
            quizzes.append({"id": step_id, "kind": "quiz", "title": title, "questions": chunk})
        return quizzes + self.reflections


class _Skip(Exception):
    """A question that cannot be imported; the message says why."""


@dataclass
class _Parsed:
    """One question's CareLab fields (without its id) and notes for the author."""

    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    no_explanation: bool = False


def read_gift(path: Path) -> str:
    """Read a GIFT file as UTF-8 text, or raise CareLabError saying why it cannot be read."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CareLabError(f"{path} is over {MAX_BYTES:,} bytes; split it into smaller files")
        raw = path.read_bytes()
    except OSError as exc:
        raise CareLabError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CareLabError(
            f"{path} is not UTF-8 text (line {line}); save it as UTF-8 and try again"
        ) from None


def parse_gift(text: str, path: str) -> GiftImport:
    """Convert GIFT text to CareLab questions and reflections, listing every problem."""
    result = GiftImport(path=path)
    taken: set[str] = set()
    number = 0
    for line, block in _blocks(text.removeprefix("\ufeff")):
        block = _ESCAPE.sub(lambda m: _STAND_IN.get(m.group(1), m.group(0)), block)
        if block.startswith("$CATEGORY:"):
            category = _restore(block.removeprefix("$CATEGORY:"))
            result.categories.append(" ".join(category.split()))
            continue
        number += 1
        _add(result, block, line, number, taken)
    return result


def slug(title: str) -> str:
    """Return a title as an id: lower-case ASCII letters, digits and single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    # 60, not 64: room for the "-2" that keeps a repeated title unique.
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].rstrip("-")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _unique(base: str, taken: set[str]) -> str:
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    return candidate


def _shorten(text: str, limit: int) -> str:
    first = " ".join(text.split())
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def _blocks(text: str) -> list[tuple[int, str]]:
    """Return (line of its first line, text) for each question: lines between blank lines.

    As in Moodle, every line is trimmed and `//` comment lines are dropped.
    """
    blocks: list[tuple[int, str]] = []
    lines: list[str] = []
    first = 0
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        line = raw.strip()
        if not line and lines:
            blocks.append((first, "\n".join(lines)))
            lines = []
        elif line and not line.startswith("//"):
            first = first if lines else number
            lines.append(line)
    if lines:
        blocks.append((first, "\n".join(lines)))
    return blocks


def _add(result: GiftImport, block: str, line: int, number: int, taken: set[str]) -> None:
    """Parse one question block and add it to `result`, or record why it was skipped."""
    title = ""
    try:
        title, body = _split_title(block)
        parsed = _parse_body(body)
    except _Skip as exc:
        label = f"'{title}'" if title else f"question {number}"
        result.problems.append(GiftProblem(result.path, line, f"skipped {label}: {exc}", True))
        return
    item_id = _unique(slug(title) or f"q{number}", taken)
    reflection = parsed.data["kind"] == "reflection"
    if reflection:
        heading = _shorten(title or parsed.data["prompt"], 80)
        data = {"id": item_id, "kind": "reflection", "title": heading}
        data |= {k: v for k, v in parsed.data.items() if k != "kind"}
    else:
        data = {"id": item_id, **parsed.data}
    problem = _invalid(data, reflection)
    if problem:
        label = f"'{title}'" if title else f"question {number}"
        message = f"skipped {label}: CareLab cannot accept it: {problem}"
        result.problems.append(GiftProblem(result.path, line, message, True))
        return
    taken.add(item_id)
    (result.reflections if reflection else result.questions).append(data)
    for note in parsed.notes:
        result.problems.append(GiftProblem(result.path, line, f"'{item_id}': {note}"))
    if parsed.no_explanation:
        message = f"'{item_id}' needs an explanation: Moodle's question had no general feedback"
        result.problems.append(GiftProblem(result.path, line, message + " (####)"))


def _invalid(data: dict[str, Any], reflection: bool) -> str:
    """Return what the schema says is wrong with a converted question, or ''."""
    try:
        if reflection:
            schema.ReflectionStep.model_validate(data)
        else:
            _QUESTION.validate_python(data)
    except ValidationError as exc:
        said = []
        for error in exc.errors()[:3]:
            # pydantic puts the union member (the kind) first; the author knows the field.
            loc = [p for p in error["loc"] if p != data.get("kind")]
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
            said.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
        return "; ".join(said)
    return ""


def _split_title(block: str) -> tuple[str, str]:
    if not block.startswith("::"):
        return "", block
    end = block.find("::", 2)
    if end < 0:
        raise _Skip("its title is not closed; write ::Title:: before the question text")
    # Moodle strips tags from names; the title may become a reflection step's title.
    return to_safe_markdown(_restore(block[2:end]), "html"), block[end + 2 :].strip()


def _parse_body(body: str) -> _Parsed:
    """Split question text from the answer block and hand the answers to the right reader."""
    start, end = body.find("{"), body.find("}")
    if start < 0 and end < 0:
        raise _Skip("it has no answer block { }, so it is a description, which CareLab skips")
    if start < 0 or end < start or "{" in body[start + 1 : end]:
        raise _Skip("its braces { } do not pair up; write a literal brace as \\{ or \\}")
    if body[end + 1 :].strip():
        raise _Skip(
            "text after the answer block makes it a missing-word question, which CareLab "
            "does not support; end the question with its answer block to import it"
        )
    text_format, prompt = _format_of(body[:start].strip(), "moodle")
    answers = body[start + 1 : end].strip()
    cut = answers.rfind("####")
    general = answers[cut + 4 :] if cut >= 0 else ""
    answers = answers[:cut].strip() if cut >= 0 else answers
    common = {"prompt": to_safe_markdown(_restore(prompt).strip(), text_format)}
    explanation = _text(general, text_format)
    if not answers:
        guidance = {"guidance": explanation} if explanation else {}
        return _Parsed({"kind": "reflection", **common, **guidance})
    if answers.startswith("#"):
        parsed = _numeric(answers[1:], text_format)
    elif "~" in answers:
        parsed = _choices(answers, text_format)
    elif "=" in answers and "->" in answers:
        raise _Skip("matching questions (->) are not supported")
    elif answers.split("#", 1)[0].strip() in _TRUE_FALSE:
        parsed = _true_false(answers, text_format)
    else:
        parsed = _short_answer(answers, text_format)
    parsed.data = {"kind": parsed.data.pop("kind"), **common, **parsed.data}
    parsed.data["explanation"] = explanation or FALLBACK_EXPLANATION
    parsed.no_explanation = not explanation
    return parsed


def _choices(answers: str, text_format: str) -> _Parsed:
    """Read `=right ~wrong ~%50%partial` answers as single_choice or multiple_choice."""
    options: list[dict[str, Any]] = []
    weights: list[float] = []
    for piece in (p.strip() for p in re.split(r"(?=[~=])", answers)):
        if not piece:
            continue
        # As in Moodle: `=` is full credit and takes no weight; text before the first marker
        # is a wrong answer.
        if piece.startswith("="):
            weight, rest = 100.0, piece[1:]
        else:
            weight, rest = _weight(piece.removeprefix("~").strip(), 0.0)
        text, feedback = _answer(rest, text_format)
        options.append({"text": text, **({"feedback": feedback} if feedback else {})})
        weights.append(weight)
    if len(options) < 2:
        raise _Skip("a multiple-choice question needs at least 2 answers")
    if "=" in answers and weights.count(100) == 1 and set(weights) <= {0, 100}:
        for option, weight in zip(options, weights, strict=True):
            _mark(option, weight > 0, None)
        return _Parsed({"kind": "single_choice", "options": options})
    explicit = not _default_weights(weights)
    for option, weight in zip(options, weights, strict=True):
        _mark(option, weight > 0, weight if explicit else None)
    notes = []
    if "=" in answers:
        notes.append(
            "it gives partial or negative credit, so it became multiple_choice and learners "
            "may choose more than one option"
        )
    return _Parsed({"kind": "multiple_choice", "options": options}, notes)


def _mark(option: dict[str, Any], correct: bool, weight: float | None) -> None:
    """Put `correct` and `weight` after `text`, in the order authors write them."""
    feedback = option.pop("feedback", None)
    if correct:
        option["correct"] = True
    if weight is not None:
        option["weight"] = weight
    if feedback:
        option["feedback"] = feedback


def _default_weights(weights: list[float]) -> bool:
    """Whether the weights are CareLab's default: 100 shared by the right options, 0 else.

    Then the question needs no weights at all, which keeps the YAML short.
    """
    right = [w for w in weights if w > 0]
    if not right:
        return False
    share = 100 / len(right)
    return all(abs(w - (share if w > 0 else 0)) < 0.01 for w in weights)


def _true_false(answers: str, text_format: str) -> _Parsed:
    """Read `{T}`, `{FALSE#feedback if wrong#feedback if right}`."""
    parts = answers.split("#", 2)
    answer = _TRUE_FALSE[parts[0].strip()]
    wrong = _text(parts[1], text_format) if len(parts) > 1 else ""
    right = _text(parts[2], text_format) if len(parts) > 2 else ""
    feedback_true, feedback_false = (right, wrong) if answer else (wrong, right)
    data: dict[str, Any] = {"kind": "true_false", "answer": answer}
    if feedback_true:
        data["feedback_true"] = feedback_true
    if feedback_false:
        data["feedback_false"] = feedback_false
    return _Parsed(data)


def _numeric(answers: str, text_format: str) -> _Parsed:
    """Read `{#3:2}`, `{#1..5}` and `{#=1822:0 =%50%1822:2 ~#wrong}`: keep the 100% answer."""
    answers, tilde, wrong = answers.partition("~")
    found: list[tuple[float, float, float, str]] = []
    for piece in (p.strip() for p in answers.split("=")):
        if piece:
            weight, rest = _weight(piece, 100.0)
            value, feedback = _answer(rest, text_format)
            found.append((weight, *_number(value), feedback))
    full = [f for f in found if f[0] == 100]
    if not full:
        raise _Skip("a numeric question needs an answer with full credit")
    chosen = full[0]
    _, answer, tolerance, _ = chosen
    data: dict[str, Any] = {"kind": "numeric", "answer": answer}
    if tolerance:
        data["tolerance"] = tolerance
    notes = []
    others = [f"{f[1]:g} ± {f[2]:g} ({f[0]:g}%)" for f in found if f is not chosen]
    if others:
        notes.append(
            f"only the first full-credit answer ({answer:g}) was kept; "
            f"CareLab numeric questions have one answer, so these were left out: "
            + ", ".join(others)
        )
    if any(f[3] for f in found) or (tilde and wrong.partition("#")[2].strip()):
        notes.append("its answer feedback was left out; CareLab shows the explanation instead")
    return _Parsed(data, notes)


def _number(text: str) -> tuple[float, float]:
    """Return (answer, tolerance) for `3`, `3:2` or the range `1..5`."""
    low, dots, high = text.partition("..")
    if dots:
        low_value, high_value = _float(low), _float(high)
        if high_value < low_value:
            raise _Skip(f"the range {text} runs from high to low")
        # Rounded so that 3.141..3.142 gives 3.1415 ± 0.0005, not binary noise.
        middle = float(f"{(low_value + high_value) / 2:.12g}")
        return middle, float(f"{(high_value - low_value) / 2:.12g}")
    answer, colon, tolerance = text.partition(":")
    return _float(answer), _float(tolerance) if colon else 0.0


def _float(text: str) -> float:
    if not _NUMBER.fullmatch(text.strip()):
        raise _Skip(f"'{text.strip()}' is not a number")
    return float(text)


def _short_answer(answers: str, text_format: str) -> _Parsed:
    """Read `{=a =b}`: full-credit answers become `accepted` (`*` wildcards kept)."""
    accepted, left_out, feedback = [], [], False
    for piece in (p.strip() for p in answers.split("=")):
        if piece:
            weight, rest = _weight(piece, 100.0)
            text, said = _answer(rest, text_format)
            feedback = feedback or bool(said)
            if weight == 100:
                accepted.append(text)
            else:
                left_out.append(f"{text} ({weight:g}%)")
    if not accepted:
        raise _Skip("a short-answer question needs an answer with full credit")
    notes = []
    if left_out:
        notes.append(
            "answers without full credit were left out, as CareLab short answers are right "
            "or wrong: " + ", ".join(left_out)
        )
    if feedback:
        notes.append("its answer feedback was left out; CareLab shows the explanation instead")
    return _Parsed({"kind": "short_text", "accepted": accepted}, notes)


def _weight(piece: str, default: float) -> tuple[float, str]:
    """Split a leading `%50%` weight off an answer."""
    match = _WEIGHT.match(piece)
    if not match:
        return default, piece
    return float(match.group(1)), piece[match.end() :]


def _answer(piece: str, text_format: str) -> tuple[str, str]:
    """Split `answer#feedback` into converted text and feedback."""
    text, _, feedback = piece.partition("#")
    return _text(text, text_format), _text(feedback, text_format)


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


def _format_of(text: str, default: str) -> tuple[str, str]:
    match = _FORMAT.match(text)
    return (match.group(1), text[match.end() :]) if match else (default, text)


def _text(raw: str, default_format: str) -> str:
    """Convert one piece of GIFT text (it may name its own format) to safe Markdown."""
    text_format, body = _format_of(raw.strip(), default_format)
    return to_safe_markdown(_restore(body).strip(), text_format)
