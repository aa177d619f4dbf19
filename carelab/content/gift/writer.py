"""Write CareLab questions as Moodle GIFT, and a GIFT import as YAML steps for a module.

GIFT has no place for some CareLab fields; `GIFT_CANNOT_CARRY` lists them and `to_gift`
leaves them out:

- `source`: GIFT has no references;
- `shuffle`: Moodle sets shuffling per quiz, not in the question file;
- `case_sensitive`: GIFT short answers have no case setting (Moodle's default is to ignore
  case, as CareLab's is);
- `unit`: GIFT numeric questions have no unit;
- `level` and `objective`: GIFT has no question metadata;
- `wrong_answers`: feedback for likely wrong numbers or phrases is not written out yet
  (GIFT's `=%0%3:0#...` answers could carry it).

GIFT has no ranking (ordering) question either: `to_gift` leaves `ranking` questions out
and `left_out` names them, so the command can say which.

Every other field survives export and import unchanged (see tests/unit/content/test_gift_export.py),
with three edge cases: a single_choice option given a weight other than 0 or 100 comes back
as multiple_choice (GIFT's single-answer form has no such weights), weights keep five
decimals (as Moodle's do), and an HTML tag written inside Markdown text is dropped on import.
Text is written with the `[markdown]` format tag, because CareLab text is Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter

from carelab.content import schema
from carelab.content.gift.reader import GiftImport

GIFT_CANNOT_CARRY = (
    "source",
    "shuffle",
    "case_sensitive",
    "unit",
    "level",
    "objective",
    "wrong_answers",
)

# Question kinds GIFT cannot express: Moodle's ordering question is a plugin, not GIFT.
NO_GIFT_KIND = frozenset({"ranking"})
_QUESTION: TypeAdapter[Any] = TypeAdapter(schema.Question)
# Moodle's own export escapes these, and writes a line break as \n so that a question stays
# free of the blank lines that separate questions.
_SPECIAL = str.maketrans(
    {
        "\\": "\\\\",
        "~": "\\~",
        "=": "\\=",
        "#": "\\#",
        "{": "\\{",
        "}": "\\}",
        ":": "\\:",
        "\n": "\\n",
        "\r": "",
    }
)
_FORMAT_TAG = re.compile(r"\[(moodle|html|plain|markdown)\]")


def to_gift(questions: Iterable[Any], category: str | None = None) -> str:
    """Return CareLab questions (models or dicts) as GIFT text that Moodle can import."""
    parts = [f"$CATEGORY: {' '.join(category.split())}\n"] if category else []
    parts += [_question(q) for q in _models(questions) if q.kind not in NO_GIFT_KIND]
    return "\n".join(parts)


def left_out(questions: Iterable[Any]) -> list[str]:
    """The ids of questions GIFT has no form for (rankings), which to_gift leaves out."""
    return [q.id for q in _models(questions) if q.kind in NO_GIFT_KIND]


def lost_fields(questions: Iterable[Any]) -> list[str]:
    """Return the fields in GIFT_CANNOT_CARRY that any of the questions sets."""
    models = _models(questions)
    lost = []
    for name in GIFT_CANNOT_CARRY:
        for model in models:
            fields = type(model).model_fields
            if name in fields and getattr(model, name) != fields[name].default:
                lost.append(name)
                break
    return lost


def import_yaml(result: GiftImport) -> str:
    """Return an import as a commented YAML `steps:` list to paste into a module."""
    source = " ".join(result.path.split())
    header = [
        f"# Imported from {source} by carelab import-gift: {result.summary()}.",
        "# Paste these steps into a module's steps: list, then run carelab validate.",
    ]
    if result.categories:
        header.append("# Moodle categories: " + ", ".join(result.categories))
    body = yaml.dump(
        {"steps": result.steps()},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return "\n".join(header) + "\n" + body


class _Dumper(yaml.SafeDumper):
    """Safe YAML in the repository's style: list items indented, multi-line text as `|`."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Indent list items under their key, as the shipped modules do."""
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None
    )


_Dumper.add_representer(str, _represent_text)


def _models(questions: Iterable[Any]) -> list[Any]:
    return [q if isinstance(q, BaseModel) else _QUESTION.validate_python(q) for q in questions]


def _escape(text: str) -> str:
    """Escape GIFT's special characters; keep a leading `[html]` from reading as a format."""
    escaped = text.translate(_SPECIAL)
    return f"[markdown]{escaped}" if _FORMAT_TAG.match(escaped) else escaped


def _number(value: float) -> str:
    """Write 1822.0 as 1822 and other numbers exactly (shortest repr)."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _feedback(text: str | None) -> str:
    return f"#{_escape(text)}" if text else ""


def _question(question: Any) -> str:
    """Write one question: `::id::[markdown]prompt{answers ####explanation}`."""
    # The prompt's own [markdown] tag already keeps a leading "[html]" in it literal.
    head = f"::{question.id}::[markdown]{question.prompt.translate(_SPECIAL)}"
    explanation = f"####{_escape(question.explanation)}"
    if question.kind in {"single_choice", "multiple_choice"}:
        lines = [_choice(question, option, weight) for option, weight in _weights(question)]
    elif question.kind == "true_false":
        right, wrong = (
            (question.feedback_true, question.feedback_false)
            if question.answer
            else (question.feedback_false, question.feedback_true)
        )
        # Moodle reads TRUE#feedback-if-wrong#feedback-if-right.
        answer = "TRUE" if question.answer else "FALSE"
        answer += _feedback(wrong) or ("#" if right else "")
        return f"{head}{{{answer}{_feedback(right)}{explanation}}}\n"
    elif question.kind == "numeric":
        tolerance = f":{_number(question.tolerance)}" if question.tolerance else ""
        return f"{head}{{#{_number(question.answer)}{tolerance}{explanation}}}\n"
    else:
        # `%100%` keeps an answer that starts with % from reading as a weight.
        lines = [f"={'%100%' if a.startswith('%') else ''}{_escape(a)}" for a in question.accepted]
    body = "".join(f"\t{line}\n" for line in [*lines, explanation])
    return f"{head}{{\n{body}}}\n"


def _weights(question: Any) -> list[tuple[Any, float]]:
    """Pair each option with its credit in percent, filling in CareLab's defaults."""
    right = sum(o.correct for o in question.options) or 1
    share = 100 if question.kind == "single_choice" else 100 / right
    return [
        (o, o.weight if o.weight is not None else (share if o.correct else 0.0))
        for o in question.options
    ]


def _choice(question: Any, option: Any, weight: float) -> str:
    """Write one option: `=right`, `~wrong` or `~%50%partial`, then `#feedback`."""
    text = _escape(option.text)
    if question.kind == "single_choice" and weight == 100 and option.correct:
        mark = "="  # Moodle's `=` takes no weight, so text starting with % is safe here
    elif weight == 0 and not text.startswith("%"):
        mark = "~"
    else:
        # Five decimals, as in Moodle's own grades (33.33333 for a third).
        mark = f"~%{_number(round(weight, 5))}%"
    return f"{mark}{text}{_feedback(option.feedback)}"
