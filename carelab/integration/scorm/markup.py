"""Author Markdown as a small JSON tree that the SCORM player builds with DOM calls.

The package carries no HTML from authors: each paragraph, list, quote, table and emphasis
becomes a node, and the player creates the elements and sets their text with textContent.
Raw HTML in the Markdown is therefore shown as the text it is, never rendered. Links
survive only to web and email addresses (the catalog has already turned images into
links, see carelab.content.text.safe_links); a link to a page of the site would be broken
inside an LMS, so it is shown as its text.

Blocks: {"p": inline}, {"h": level, "c": inline}, {"ul": [item]}, {"ol": [item], "start": n}
(an item is a list of blocks), {"quote": blocks}, {"pre": text},
{"table": {"head": [inline], "rows": [[inline]]}}.
Inline: a list of text strings and {"b": inline}, {"i": inline}, {"code": text},
{"a": href, "c": inline}.
"""

from __future__ import annotations

import html
import re
from typing import Any

Inline = list[Any]
Block = dict[str, Any]

_BULLET = re.compile(r"^( {0,3})([-*+])\s+(.*)$")
_ORDERED = re.compile(r"^( {0,3})(\d{1,9})[.)]\s+(.*)$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_QUOTE = re.compile(r"^ {0,3}> ?(.*)$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$")
_LINK = re.compile(r"\[((?:[^\[\]\\]|\\.)*)\]\(\s*<?([^\s()<>]*(?:\([^\s()<>]*\))?[^\s()<>]*)>?"
                   r"(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")  # fmt: skip
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^\s<>]+)>")
_SAFE_HREF = re.compile(r"^(https?://|mailto:)\S+$", re.IGNORECASE)
_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def blocks(markdown: str | None) -> list[Block]:
    """The Markdown as a list of block nodes (empty for None)."""
    if not markdown:
        return []
    return _blocks(markdown.replace("\r\n", "\n").replace("\t", "    ").split("\n"))


def inline(text: str) -> Inline:
    """One line or paragraph of Markdown as inline nodes."""
    out: Inline = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            _add_text(out, html.unescape("".join(buffer)))
            buffer.clear()

    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in _PUNCTUATION:
            buffer.append(text[i + 1].replace("&", "&amp;"))
            i += 2
            continue
        node, end = _span(text, i)
        if node is None:
            buffer.append(char)
            i += 1
            continue
        flush()
        if isinstance(node, list):
            out.extend(node)
        else:
            out.append(node)
        i = end
    flush()
    return out


def _add_text(out: Inline, text: str) -> None:
    if out and isinstance(out[-1], str):
        out[-1] += text
    elif text:
        out.append(text)


def _span(text: str, i: int) -> tuple[Any, int]:
    """The inline node starting at text[i] and where it ends, or (None, i)."""
    char = text[i]
    if char == "`":
        run = len(text[i:]) - len(text[i:].lstrip("`"))
        close = text.find("`" * run, i + run)
        if close > i:
            return {"code": text[i + run : close].strip()}, close + run
    elif char == "[":
        match = _LINK.match(text, i)
        if match:
            label = inline(match.group(1))
            href = html.unescape(match.group(2))
            if _SAFE_HREF.match(href):
                return {"a": href, "c": label}, match.end()
            return label, match.end()
    elif char == "<":
        match = _AUTOLINK.match(text, i)
        if match:
            return {"a": match.group(1), "c": [match.group(1)]}, match.end()
    elif text.startswith(("**", "__"), i):
        close = _closing(text, i + 2, text[i : i + 2])
        if close > 0:
            return {"b": inline(text[i + 2 : close])}, close + 2
    elif char in "*_":
        if char == "_" and i > 0 and text[i - 1].isalnum():
            return None, i
        close = _closing(text, i + 1, char)
        if close > 0:
            return {"i": inline(text[i + 1 : close])}, close + 1
    return None, i


def _closing(text: str, start: int, marker: str) -> int:
    """Where an emphasis opened just before `start` closes, or -1."""
    if start >= len(text) or text[start].isspace():
        return -1
    at = start
    while True:
        at = text.find(marker, at + 1)
        if at < 0:
            return -1
        after = text[at + len(marker) : at + len(marker) + 1]
        if text[at - 1].isspace() or text[at - 1] == "\\":
            continue
        if marker == "_" and after.isalnum():
            continue
        if len(marker) == 1 and text[at + 1 : at + 2] == marker:
            at += 1  # part of a strong marker, not this emphasis
            continue
        return at


def _blocks(lines: list[str]) -> list[Block]:
    out: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif _FENCE.match(line):
            fence = _FENCE.match(line).group(1)  # type: ignore[union-attr]
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == fence), None)
            end = len(lines) if end is None else end
            out.append({"pre": "\n".join(lines[i + 1 : end])})
            i = end + 1
        elif match := _HEADING.match(line):
            out.append({"h": len(match.group(1)), "c": inline(match.group(2))})
            i += 1
        elif _QUOTE.match(line):
            end = i
            while end < len(lines) and lines[end].strip() and _QUOTE.match(lines[end]):
                end += 1
            quoted = [_QUOTE.match(x).group(1) for x in lines[i:end]]  # type: ignore[union-attr]
            out.append({"quote": _blocks(quoted)})
            i = end
        elif _BULLET.match(line) or _ORDERED.match(line):
            block, i = _list(lines, i)
            out.append(block)
        elif "|" in line and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1]):
            block, i = _table(lines, i)
            out.append(block)
        else:
            end = i + 1
            while end < len(lines) and lines[end].strip() and not _starts_block(lines[end]):
                end += 1
            out.append({"p": inline(" ".join(x.strip() for x in lines[i:end]))})
            i = end
    return out


def _starts_block(line: str) -> bool:
    return bool(
        _HEADING.match(line)
        or _QUOTE.match(line)
        or _FENCE.match(line)
        or _BULLET.match(line)
        or (_ORDERED.match(line) and _ORDERED.match(line).group(2) == "1")  # type: ignore[union-attr]
    )


def _list(lines: list[str], i: int) -> tuple[Block, int]:
    ordered = _ORDERED.match(lines[i]) is not None
    pattern = _ORDERED if ordered else _BULLET
    first = pattern.match(lines[i])
    assert first is not None
    start = int(first.group(2)) if ordered else 1
    items: list[list[Block]] = []
    while i < len(lines):
        match = pattern.match(lines[i])
        if not match:
            break
        indent = len(match.group(0)) - len(match.group(3))
        body = [match.group(3)]
        i += 1
        while i < len(lines):
            line = lines[i]
            if line.strip() and len(line) - len(line.lstrip()) < min(indent, 2):
                break
            if not line.strip():
                nxt = lines[i + 1] if i + 1 < len(lines) else ""
                if not nxt.strip() or len(nxt) - len(nxt.lstrip()) < min(indent, 2):
                    break
            body.append(line[indent:] if line[:indent].isspace() else line.lstrip())
            i += 1
        items.append(_blocks(body))
        while i < len(lines) and not lines[i].strip() and i + 1 < len(lines):
            if not pattern.match(lines[i + 1]):
                break
            i += 1
    block: Block = {"ol": items, "start": start} if ordered else {"ul": items}
    return block, i


def _cells(line: str) -> list[Inline]:
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|") if line.strip() != "|" else "")
    return [inline(cell.strip()) for cell in cells]


def _table(lines: list[str], i: int) -> tuple[Block, int]:
    head = _cells(lines[i])
    rows = []
    i += 2
    while i < len(lines) and lines[i].strip() and "|" in lines[i]:
        row = _cells(lines[i])
        rows.append((row + [[]] * len(head))[: len(head)])
        i += 1
    return {"table": {"head": head, "rows": rows}}, i
