"""Text helpers for author Markdown."""

from __future__ import annotations

import html
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


# --- Images and links in author Markdown ---------------------------------------------------
#
# A Markdown image makes every reader's browser fetch it the moment the text is shown: from
# another host that is a tracking pixel (who read what, from where, when: signed-in readers
# are worth more to a tracker, not less), and from this site a request with the reader's
# cookie that the reader never chose to make. So CareLab loads no image from author
# Markdown, for any visitor: each becomes a link to the picture, opened only if the reader
# chooses to. Links work when they go to a
# web address (http, https), an email (mailto) or a page of this site (no scheme);
# `javascript:`, `data:` and every other scheme are shown as text, never made clickable.
# Streamlit renders Markdown in labels, captions and alerts too, so the catalog runs this
# over every string of every content file, and the Markdown component runs it again.

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
# Characters a browser drops from a URL or CommonMark drops from a destination, so that
# "java&#9;script:", "java\\script:" and " javascript:" all show their scheme.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f\\<]")
# An inline image: ![alt](destination "optional title").
_IMAGE = re.compile(
    r"!\[(?P<alt>(?:[^\[\]\\\n]|\\.){0,500})\]"
    r"\([ \t]*(?P<dest><[^<>\n]*>|(?:[^\s()<>]|\([^\s()<>]*\))*)"
    r"(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?[ \t]*\)"
)
# Where a destination starts: an inline link "](", a reference definition "]:", an autolink "<".
_DESTINATION = re.compile(r"\]\(|\]:|<(?=[A-Za-z][A-Za-z0-9+.\-]{0,31}:)")


def _is_safe_destination(destination: str) -> bool:
    """Whether a link target is a web address, an email or a page of this site."""
    cleaned = _URL_NOISE.sub("", html.unescape(destination[:100])).lower()
    scheme = _SCHEME.match(cleaned)
    return scheme is None or scheme.group(1) in SAFE_SCHEMES


def _image_as_link(match: re.Match[str]) -> str:
    alt = match.group("alt").strip() or "image"
    dest = match.group("dest")
    if dest.strip("<>") and _is_safe_destination(dest):
        return f"[Image: {alt}]({dest})"
    return f"Image: {alt}"


def _defuse_destination(match: re.Match[str]) -> str:
    opener = match.group()
    rest = match.string[match.end() : match.end() + 200].lstrip(" \t\r\n")
    # A destination ends at a space (a title may follow); tabs and line breaks inside
    # one come from entities, which _is_safe_destination decodes and drops.
    if _is_safe_destination(rest.split(" ", 1)[0].split("\n", 1)[0]):
        return opener
    # A space breaks the syntax whatever backslashes come before: "] (", "] :", "< ".
    return opener[0] + " " + opener[1:] if opener != "<" else "< "


def safe_links(markdown: str) -> str:
    """Return author Markdown with no image to load and no link outside web, email and site."""
    text = _IMAGE.sub(_image_as_link, markdown)
    # Any image syntax the pattern above did not take (reference-style, odd spacing) loses
    # its "!": what is left is at most a link, and links are checked next.
    text = text.replace("![", "! [")
    return _DESTINATION.sub(_defuse_destination, text)
