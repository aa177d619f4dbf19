"""Check a loaded YAML document against the content model, reporting every problem with its line."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

from carelab.content import schema
from carelab.content.loader import PathKey, YamlDocument
from carelab.errors import ContentError


def _all_field_names() -> set[str]:
    names: set[str] = set()
    pending: list[type[BaseModel]] = [schema.Module, schema.Case]
    seen: set[type[BaseModel]] = set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        names.update(model.model_fields)
        pending.extend(
            m
            for m in vars(schema).values()
            if isinstance(m, type) and issubclass(m, BaseModel) and m not in seen
        )
    return names


FIELD_NAMES = frozenset(_all_field_names())


def _data_path(data: Any, loc: tuple[str | int, ...], missing: bool) -> PathKey:
    """Map pydantic's `loc` onto the document, skipping the union tags pydantic inserts.

    With `missing`, the last element names a field that is absent and is kept.
    """
    path: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            path.append(part)
            current = current[part]
        elif last and missing:
            return (*path, part)
        # Otherwise `part` names a union member (e.g. 'quiz'), not a key: skip it.
    return tuple(path)


def _dotted(path: PathKey) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _message(error: Any, path: PathKey) -> tuple[PathKey, PathKey, str]:
    """Return where to point, which field to name, and what to say for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return path[:-1], path[:-1], f"missing required field '{path[-1]}'"
    if kind == "extra_forbidden":
        name = str(path[-1])
        close = difflib.get_close_matches(name, FIELD_NAMES, n=1, cutoff=0.75)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return path, path[:-1], f"unknown field '{name}'{hint}"
    if kind == "union_tag_invalid":
        expected = str(ctx.get("expected_tags", "")).replace("'", "")
        message = f"unknown kind '{ctx.get('tag')}'; expected one of: {expected}"
        return (*path, "kind"), (*path, "kind"), message
    if kind == "union_tag_not_found":
        return path, path, "missing required field 'kind'"
    message = error["msg"].removeprefix("Value error, ")
    if kind == "string_type" and isinstance(error.get("input"), bool):
        message += "; put it in quotes (YAML reads yes, no, on and off as true or false)"
    if kind == "string_pattern_mismatch" and path and path[-1] in {"id", "case", "scenario"}:
        message = "must be lower-case letters, digits and single hyphens, e.g. 'kaiser-permanente'"
    return path, path, message


def schema_errors(doc: YamlDocument, exc: ValidationError) -> list[ContentError]:
    """Turn a pydantic ValidationError into located, readable ContentErrors."""
    errors: list[ContentError] = []
    for error in exc.errors():
        path = _data_path(doc.data, tuple(error["loc"]), missing=error["type"] == "missing")
        where, named, message = _message(error, path)
        label = _dotted(named)
        at_value = error["type"] not in {"missing", "extra_forbidden", "union_tag_invalid"}
        text = f"{label}: {message}" if label else message
        errors.append(doc.error(where, text, value=at_value))
    return sorted(errors, key=lambda e: (e.line, e.col))


def _reference_problems(item: schema.Module | schema.Case) -> Iterator[tuple[PathKey, str]]:
    """Yield duplicate ids and source references that do not resolve inside one item."""
    source_ids = [s.id for s in item.sources]
    yield from _duplicates([("sources", i, "id") for i in range(len(source_ids))], source_ids)
    known = set(source_ids)

    def check(ref: str | None, path: PathKey) -> Iterator[tuple[PathKey, str]]:
        if ref is not None and ref not in known:
            yield path, f"source '{ref}' is not in this file's sources list"

    objective_ids = [o.id for o in item.learning_objectives]
    named = [(("learning_objectives", i, "id"), o) for i, o in enumerate(objective_ids) if o]
    yield from _duplicates([p for p, _ in named], [o for _, o in named])

    def check_objective(
        question: schema.QuestionBase, path: PathKey
    ) -> Iterator[tuple[PathKey, str]]:
        if question.objective is not None and question.objective not in objective_ids:
            yield (
                (*path, "objective"),
                (
                    f"objective '{question.objective}' is not the id of one of this file's "
                    "learning_objectives"
                ),
            )

    steps = item.steps if isinstance(item, schema.Module) else (item.workshop_plan or [])
    step_key = "steps" if isinstance(item, schema.Module) else "workshop_plan"
    yield from _duplicates([(step_key, i, "id") for i in range(len(steps))], [s.id for s in steps])
    question_paths: list[PathKey] = []
    question_ids: list[str] = []
    for i, step in enumerate(steps):
        for j, ref in enumerate(getattr(step, "sources", [])):
            yield from check(ref, (step_key, i, "sources", j))
        for j, question in enumerate(getattr(step, "questions", [])):
            question_paths.append((step_key, i, "questions", j, "id"))
            question_ids.append(question.id)
            yield from check(question.source, (step_key, i, "questions", j, "source"))
            yield from check_objective(question, (step_key, i, "questions", j))
    if isinstance(item, schema.Module) and item.pre_test is not None:
        for j, question in enumerate(item.pre_test.questions):
            path = ("pre_test", "questions", j)
            question_paths.append((*path, "id"))
            question_ids.append(question.id)
            yield from check(question.source, (*path, "source"))
            yield from check_objective(question, path)
        yield from _same_prompts(item)
    if isinstance(item, schema.Case):
        for i, section in enumerate(item.sections):
            for j, ref in enumerate(section.sources):
                yield from check(ref, ("sections", i, "sources", j))
        for key in ("key_figures", "timeline", "quiz"):
            for i, entry in enumerate(getattr(item, key)):
                yield from check(entry.source, (key, i, "source"))
        for j, question in enumerate(item.quiz):
            question_paths.append(("quiz", j, "id"))
            question_ids.append(question.id)
            yield from check_objective(question, ("quiz", j))
    yield from _duplicates(question_paths, question_ids)


def _prompt_key(prompt: str) -> str:
    return " ".join(prompt.split()).casefold()


def _same_prompts(module: schema.Module) -> Iterator[tuple[PathKey, str]]:
    """A pre-test question that asks a scored question's prompt word for word."""
    scored: dict[str, PathKey] = {}
    for i, step in enumerate(module.steps):
        for j, question in enumerate(getattr(step, "questions", [])):
            scored.setdefault(_prompt_key(question.prompt), ("steps", i, "questions", j))
    assert module.pre_test is not None
    for j, question in enumerate(module.pre_test.questions):
        same = scored.get(_prompt_key(question.prompt))
        if same is not None:
            yield (
                ("pre_test", "questions", j, "prompt"),
                f"the pre-test question '{question.id}' has the same prompt as the scored "
                f"question at {_dotted(same)}: a pre-test item must be parallel (same "
                "objective, a different stem), not the same item",
            )


def _duplicates(paths: list[PathKey], ids: list[str]) -> Iterator[tuple[PathKey, str]]:
    seen: dict[str, PathKey] = {}
    for path, value in zip(paths, ids, strict=True):
        if value in seen:
            yield path, f"duplicate id '{value}' (also used at {_dotted(seen[value])})"
        else:
            seen[value] = path


def validate_document(
    doc: YamlDocument, model: type[schema.Module] | type[schema.Case]
) -> tuple[schema.Module | schema.Case | None, list[ContentError]]:
    """Validate a document as a module or case; return the item (if valid) and every problem."""
    try:
        item = model.model_validate(doc.data)
    except ValidationError as exc:
        return None, schema_errors(doc, exc)
    problems = [doc.error(path, message, value=True) for path, message in _reference_problems(item)]
    return (None if problems else item), problems
