"""Author Markdown as the node tree the SCORM player builds with DOM calls (never HTML)."""

from __future__ import annotations

from carelab.integration.scorm.markup import blocks, inline


def test_emphasis_code_and_safe_links() -> None:
    """Bold, italics, code and web links become nodes; other links only their text."""
    assert inline("**b** and *i* and `x<y`") == [
        {"b": ["b"]},
        " and ",
        {"i": ["i"]},
        " and ",
        {"code": "x<y"},
    ]
    assert inline("[site](https://example.org/a_(b))") == [
        {"a": "https://example.org/a_(b)", "c": ["site"]}
    ]
    assert inline("[click](javascript:alert(1))") == ["click"]
    assert inline("[page](/catalogue)") == ["page"]
    assert inline("snake_case_name") == ["snake_case_name"]


def test_html_is_text() -> None:
    """Raw HTML and entities are text for textContent, never markup."""
    assert blocks("<b>x</b> &amp; <img src=x onerror=alert(1)>") == [
        {"p": ["<b>x</b> & <img src=x onerror=alert(1)>"]}
    ]


def test_lists_quotes_and_tables() -> None:
    """Lists with continued lines, numbered lists, quotes and pipe tables, as authors write them."""
    text = "- one\n  more\n- two\n\n3. c\n4. d\n\n> **S:** said\n\n| A | B |\n|---|---|\n| 1 | 2 |"
    assert blocks(text) == [
        {"ul": [[{"p": ["one more"]}], [{"p": ["two"]}]]},
        {"ol": [[{"p": ["c"]}], [{"p": ["d"]}]], "start": 3},
        {"quote": [{"p": [{"b": ["S:"]}, " said"]}]},
        {"table": {"head": [["A"], ["B"]], "rows": [[["1"], ["2"]]]}},
    ]
