"""Text helpers for author Markdown."""

from __future__ import annotations

import re

_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)
# "<" that does not open an autolink such as <https://example.org>.
_TAG_OPEN = re.compile(r"<(?!https?://[^\s<>]+>)")


def neutralise_html(markdown: str) -> str:
    """Return Markdown whose raw HTML shows as text: `<` becomes `&lt;` outside code."""
    parts = _CODE.split(markdown)
    return "".join(
        part if index % 2 else _TAG_OPEN.sub("&lt;", part) for index, part in enumerate(parts)
    )


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def escape_markdown(text: str) -> str:
    """Return user text that Markdown shows exactly as typed: no links, images, emphasis or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("<", "&lt;")
