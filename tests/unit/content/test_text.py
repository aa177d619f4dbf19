"""Text safety: author Markdown keeps its formatting but not its HTML; user text stays plain."""

from __future__ import annotations

import pytest

from carelab.content.text import escape_markdown, neutralise_html


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
        ("**bold** and <b>tag</b>", "**bold** and &lt;b>tag&lt;/b>"),
        ("See <https://example.org/x>", "See <https://example.org/x>"),
        ("Code `a < b` stays", "Code `a < b` stays"),
        ("```\n<div>\n```\n<div>", "```\n<div>\n```\n&lt;div>"),
        ("> a quote", "> a quote"),
    ],
)
def test_neutralise_html_keeps_markdown_but_not_tags(markdown, expected):
    assert neutralise_html(markdown) == expected


def test_escape_markdown_shows_user_text_as_typed():
    assert escape_markdown("Dr *Ann* [x](javascript:y) ![i](http://t) <b>") == (
        r"Dr \*Ann\* \[x\]\(javascript:y\) \!\[i\]\(http://t\) &lt;b\>"
    )
    assert escape_markdown("Åsa Öberg") == "Åsa Öberg"
