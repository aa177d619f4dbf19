"""Safe YAML loading that keeps line and column positions and bounds what a file may cost.

`yaml.safe_load` semantics (plain mappings, lists and scalars; no Python tags), with
PyYAML's C parser when it is installed. On top of it:

- files over `MAX_BYTES`, bytes that are not UTF-8 and a top level that is not a mapping
  are refused with a `path:line:col` message;
- aliases are counted and the expanded size is bounded, so an "alias bomb" is refused
  instead of exhausting memory;
- duplicate keys are errors (PyYAML silently keeps the last one);
- every key and value keeps its position, so a schema error found later can point at
  the line an author must edit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from carelab.errors import ContentError

MAX_BYTES = 1_000_000
MAX_ALIASES = 200
MAX_NODES = 100_000
MAX_DEPTH = 50

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a file."""

    line: int
    col: int


@dataclass
class YamlDocument:
    """A parsed YAML mapping with the position of every key and value in it."""

    path: str
    data: dict[str, Any]
    key_positions: dict[PathKey, Position] = field(default_factory=dict)
    value_positions: dict[PathKey, Position] = field(default_factory=dict)

    def position(self, path: PathKey, value: bool = False) -> Position:
        """Return where `path` is written (its key, or with `value` its value), else its parent."""
        first, second = (
            (self.value_positions, self.key_positions)
            if value
            else (self.key_positions, self.value_positions)
        )
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            found = first.get(prefix) or second.get(prefix)
            if found:
                return found
        return Position(1, 1)

    def error(self, path: PathKey, message: str, value: bool = False) -> ContentError:
        """Build a ContentError located at `path` (at its value when `value` is true)."""
        pos = self.position(path, value)
        return ContentError(self.path, pos.line, pos.col, message)


class YamlLoadFailed(Exception):
    """A file could not be loaded; `errors` says every reason found, each with its place."""

    def __init__(self, errors: Sequence[ContentError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _pos(node: Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _measure(root: Node, path: str) -> None:
    """Refuse a node graph with too many aliases, recursion, deep nesting or a huge expansion.

    Counts alias uses and the expanded size without expanding anything: each node's
    expanded size is computed once and reused wherever an alias points at it.
    """
    sizes: dict[int, int] = {}
    aliases = 0

    def fail(node: Node, message: str) -> YamlLoadFailed:
        pos = _pos(node)
        return YamlLoadFailed([ContentError(path, pos.line, pos.col, message)])

    def size(node: Node, depth: int, ancestors: frozenset[int]) -> int:
        nonlocal aliases
        node_id = id(node)
        if node_id in ancestors:
            raise fail(node, "an alias refers to a value that contains it (recursive alias)")
        if node_id in sizes:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise fail(node, f"more than {MAX_ALIASES} aliases (*name) in one file")
            return sizes[node_id]
        if depth > MAX_DEPTH:
            raise fail(node, f"nesting deeper than {MAX_DEPTH} levels")
        total = 1
        if isinstance(node, SequenceNode | MappingNode):
            inner = ancestors | {node_id}
            children = (
                node.value
                if isinstance(node, SequenceNode)
                else [n for pair in node.value for n in pair]
            )
            total += sum(size(child, depth + 1, inner) for child in children)
        sizes[node_id] = total
        return total

    if size(root, 0, frozenset()) > MAX_NODES:
        raise fail(root, f"the aliases in this file expand to more than {MAX_NODES:,} values")


class _Builder:
    """Turns a measured node graph into plain Python values, recording positions."""

    def __init__(self, loader: Any, doc: YamlDocument) -> None:
        self.loader = loader
        self.doc = doc
        self.errors: list[ContentError] = []

    def fail(self, node: Node, message: str) -> None:
        """Record an error at `node` and keep going."""
        pos = _pos(node)
        self.errors.append(ContentError(self.doc.path, pos.line, pos.col, message))

    def build(self, node: Node, path: PathKey, depth: int) -> Any:
        """Build the value of `node` (its size was bounded by _measure)."""
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            return self.sequence(node, path, depth)
        return self.mapping(node, path, depth)

    def scalar(self, node: ScalarNode) -> Any:
        """Build a scalar with the safe constructor (no Python-specific tags)."""
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self.fail(node, f"{exc.problem}: CareLab reads plain YAML values only")
            return None

    def sequence(self, node: SequenceNode, path: PathKey, depth: int) -> list[Any]:
        """Build a list, recording the position of each item."""
        if node.tag != _SEQ_TAG:
            self.fail(node, f"tag {_short_tag(node.tag)} is not allowed: write a plain list")
        items = []
        for index, child in enumerate(node.value):
            child_path = (*path, index)
            self.doc.value_positions.setdefault(child_path, _pos(child))
            items.append(self.build(child, child_path, depth + 1))
        return items

    def mapping(self, node: MappingNode, path: PathKey, depth: int) -> dict[Any, Any]:
        """Build a dict, refusing duplicate and non-scalar keys and applying `<<` merges."""
        if node.tag != _MAP_TAG:
            self.fail(node, f"tag {_short_tag(node.tag)} is not allowed: write a plain mapping")
        result: dict[Any, Any] = {}
        first_seen: dict[Any, Position] = {}
        merged: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.update(self.merge_source(value_node, path, depth))
                continue
            if not isinstance(key_node, ScalarNode):
                self.fail(key_node, "a key must be a plain word, not a list or mapping")
                continue
            key = self.scalar(key_node)
            if not isinstance(key, str | int | float | bool) or key is None:
                self.fail(key_node, f"key {key!r} must be text")
                continue
            if key in first_seen:
                first = first_seen[key]
                self.fail(key_node, f"duplicate key '{key}' (first written at line {first.line})")
                continue
            first_seen[key] = _pos(key_node)
            child_path = (*path, key)
            self.doc.key_positions[child_path] = _pos(key_node)
            self.doc.value_positions[child_path] = _pos(value_node)
            result[key] = self.build(value_node, child_path, depth + 1)
        return {**{k: v for k, v in merged.items() if k not in result}, **result}

    def merge_source(self, node: Node, path: PathKey, depth: int) -> dict[Any, Any]:
        """Return the mapping(s) a `<<:` merge key brings in."""
        value = self.build(node, path, depth + 1)
        sources = value if isinstance(value, list) else [value]
        merged: dict[Any, Any] = {}
        for source in reversed(sources):
            if not isinstance(source, dict):
                self.fail(node, "a merge (<<) must name a mapping or a list of mappings")
                continue
            merged.update(source)
        return merged


def _decode(raw: bytes, path: str) -> str:
    if len(raw) > MAX_BYTES:
        raise YamlLoadFailed(
            [
                ContentError(
                    path, 1, 1, f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,} bytes"
                )
            ]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        message = f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        raise YamlLoadFailed([ContentError(path, line, col, message)]) from None


def _syntax_error(exc: yaml.YAMLError, path: str) -> ContentError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"{problem} ({context})" if context else problem
    for clue, hint in _HINTS.items():
        if clue in message:
            message += f"; {hint}"
    if mark is None:
        return ContentError(path, 1, 1, f"YAML syntax error: {message}")
    return ContentError(path, mark.line + 1, mark.column + 1, f"YAML syntax error: {message}")


_HINTS = {
    "mapping values are not allowed": "check the indentation of this line and the one above, "
    "or put text that contains ': ' in quotes",
    "cannot start any token": "indent with spaces, not tabs; quote text that starts with @ or `",
}


def _compose(text: str, path: str) -> Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError as exc:
        raise YamlLoadFailed([_syntax_error(exc, path)]) from None
    finally:
        loader.dispose()


def load_yaml_text(text: str | bytes, path: str) -> YamlDocument:
    """Parse YAML text into a positioned mapping, or raise YamlLoadFailed with every problem."""
    if isinstance(text, bytes):
        text = _decode(text, path)
    elif len(text.encode("utf-8")) > MAX_BYTES:
        raise YamlLoadFailed([ContentError(path, 1, 1, f"file is over {MAX_BYTES:,} bytes")])
    root = _compose(text, path)
    if root is None:
        raise YamlLoadFailed([ContentError(path, 1, 1, "file is empty")])
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a single value"
        pos = _pos(root)
        message = f"the top level must be a mapping of fields (key: value), not {kind}"
        raise YamlLoadFailed([ContentError(path, pos.line, pos.col, message)])
    _measure(root, path)
    doc = YamlDocument(path=path, data={})
    builder = _Builder(_Loader(""), doc)
    doc.data = builder.build(root, (), 0)
    if builder.errors:
        raise YamlLoadFailed(sorted(builder.errors, key=lambda e: (e.line, e.col)))
    return doc


def load_yaml_file(path: Path, display_path: str | None = None) -> YamlDocument:
    """Read and parse one YAML file, checking its size before reading it whole."""
    shown = display_path or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            message = f"file is {size:,} bytes; the limit is {MAX_BYTES:,} bytes"
            raise YamlLoadFailed([ContentError(shown, 1, 1, message)])
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlLoadFailed(
            [ContentError(shown, 1, 1, f"cannot read file: {exc.strerror}")]
        ) from None
    return load_yaml_text(raw, shown)


def format_errors(errors: Iterable[ContentError]) -> str:
    """Return errors one per line, in file order."""
    return "\n".join(str(e) for e in errors)
