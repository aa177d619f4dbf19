"""Turn imported text (HTML, Moodle's format, Markdown, plain) into Markdown with no HTML in it.

Used by the GIFT importer: question banks from Moodle often hold HTML, which CareLab never
renders. Tags go, entities become text, emphasis and web links survive as Markdown, and
scripts, styles and embedded objects are dropped with their content.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import ClassVar

_TAG_START = re.compile(r"<(?=[A-Za-z/!?])(?!(?:https?|mailto):[^\s<>]*>)")
_HIDDEN_ELEMENT = re.compile(
    r"<(script|style|iframe|object|template)\b.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL
)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_HTML_TAG = re.compile(r"<(?!(?:https?|mailto):)/?[A-Za-z][^<>]*>|<[!?][^<>]*>")


def to_safe_markdown(text: str, text_format: str) -> str:
    """Return text in `text_format` as Markdown that holds no HTML tag."""
    if text_format == "markdown":
        text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
        text = _HTML_TAG.sub("", _HTML_COMMENT.sub("", _HIDDEN_ELEMENT.sub("", text)))
    elif text_format != "plain":
        # Moodle's own format is HTML in which a line break counts.
        text = _HtmlText.convert(text, keep_newlines=text_format == "moodle")
    return _TAG_START.sub("&lt;", text).strip()


class _HtmlText(HTMLParser):
    """Collects the text of an HTML fragment as Markdown: tags go, entities become text."""

    BLOCKS: ClassVar = frozenset(
        {"p", "div", "section", "article", "header", "footer", "blockquote", "pre", "table"}
        | {"tr", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
    )
    # Elements whose content is not text to read: scripts, styles, embedded objects.
    HIDDEN: ClassVar = frozenset(
        {"script", "style", "template", "head", "title", "iframe", "object", "noscript", "svg"}
    )
    MARKS: ClassVar = {"b": "**", "strong": "**", "i": "_", "em": "_", "code": "`"}

    def __init__(self, keep_newlines: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.spaces = re.compile(r"[^\S\n]+" if keep_newlines else r"\s+")
        self.parts: list[str] = []
        self.hidden = 0
        self.links: list[tuple[int, str]] = []

    @classmethod
    def convert(cls, html: str, keep_newlines: bool) -> str:
        """Return the text of `html`, with blank lines between blocks."""
        parser = cls(keep_newlines)
        parser.feed(html)
        parser.close()
        lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Turn a start tag into the Markdown that stands for it, if any."""
        if tag in self.HIDDEN:
            self.hidden += 1
        elif self.hidden:
            return
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag in {"td", "th"}:
            self.parts.append(" ")
        elif tag in self.MARKS:
            self.parts.append(self.MARKS[tag])
        elif tag == "img":
            self.parts.append(dict(attrs).get("alt") or "")
        elif tag == "a":
            self.links.append((len(self.parts), dict(attrs).get("href") or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Treat `<br/>` as `<br>`; a self-closed hidden element hides nothing."""
        if tag not in self.HIDDEN:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        """Close a block, an emphasis or a link (kept when it goes to a web address)."""
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif self.hidden:
            return
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag in self.MARKS:
            self.parts.append(self.MARKS[tag])
        elif tag == "a" and self.links:
            start, href = self.links.pop()
            label = " ".join("".join(self.parts[start:]).split())
            if label and label != href and re.fullmatch(r"https?://[^\s()<>]+", href):
                self.parts[start:] = [f"[{label}]({href})"]

    def handle_data(self, data: str) -> None:
        """Keep visible text, with runs of spaces made one."""
        if not self.hidden:
            self.parts.append(self.spaces.sub(" ", data))
