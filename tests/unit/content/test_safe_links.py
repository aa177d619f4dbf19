"""Author Markdown loads no image and links only to the web, email or this site."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carelab.content.text import neutralise_html, safe_links


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        # Images never load: a web image becomes a link to it, any other becomes text.
        ("![chart](https://evil.example/p.png)", "[Image: chart](https://evil.example/p.png)"),
        ('![c](https://e.example/p.png "t")', "[Image: c](https://e.example/p.png)"),
        ("![](//evil.example/p.png)", "[Image: image](//evil.example/p.png)"),
        ("![x](/room/state)", "[Image: x](/room/state)"),
        ("![x](data:image/png;base64,iVBOR)", "Image: x"),
        ("![x](javascript:alert(1))", "Image: x"),
        ("![x](https://e.example/a_(b).png)", "[Image: x](https://e.example/a_(b).png)"),
        ("!![x](https://e.example/p.png)", "! [Image: x](https://e.example/p.png)"),
        (
            "![a][r]\n\n[r]: https://evil.example/p.png",
            "! [a][r]\n\n[r]: https://evil.example/p.png",
        ),
        (
            "[![i](https://e.example/i.png)](https://ok.example)",
            "[[Image: i](https://e.example/i.png)](https://ok.example)",
        ),
        # Links that are not web, email or this site are not clickable.
        (
            "[x](data:text/html,<script>alert(1)</script>)",
            "[x] (data:text/html,<script>alert(1)</script>)",
        ),
        ("[x](javascript:alert(1))", "[x] (javascript:alert(1))"),
        ("[x](JavaScript:alert(1))", "[x] (JavaScript:alert(1))"),
        ('[x]( javascript:alert(1) "t")', '[x] ( javascript:alert(1) "t")'),
        ("[x](java&#9;script:alert(1))", "[x] (java&#9;script:alert(1))"),
        ("[x](&#106;avascript:alert(1))", "[x] (&#106;avascript:alert(1))"),
        ("[x](javascript&colon;alert(1))", "[x] (javascript&colon;alert(1))"),
        ("[x](java\\script:alert(1))", "[x] (java\\script:alert(1))"),
        ("[x](<javascript:alert(1)>)", "[x] (< javascript:alert(1)>)"),
        ("[x](vbscript:msgbox)", "[x] (vbscript:msgbox)"),
        ("[x][r]\n\n[r]:\n  data:text/html,x", "[x][r]\n\n[r] :\n  data:text/html,x"),
        ("<javascript:alert(1)>", "< javascript:alert(1)>"),
    ],
)
def test_images_and_unsafe_links_are_defused(written, shown):
    assert safe_links(written) == shown


@pytest.mark.parametrize(
    "text",
    [
        "[NHS England](https://www.england.nhs.uk/statistics/)",
        "[a page](https://en.wikipedia.org/wiki/Kaiser_(company))",
        "[write to us](mailto:team@example.org)",
        "[the Lab](/indicator_lab?scenario=denominator)",
        "<https://www.kingsfund.org.uk/>",
        "[1]: https://doi.org/10.1136/bmj.1",
        "[Note]: see below",
        "Ratio 3:1 [n=12] (95% CI 1.2-3.4)",
        "Use `![x](y)` only in code? Even there it is defused.".replace("![x](y)", "x"),
    ],
)
def test_ordinary_text_and_web_links_are_left_alone(text):
    assert safe_links(text) == text


@given(st.text(alphabet="![]()<>:ajvsciprt/h&#9;\\ \n", max_size=60))
def test_no_image_syntax_survives_and_a_second_pass_changes_nothing(text):
    once = safe_links(text)
    assert "![" not in once
    assert safe_links(once) == once


def test_the_markdown_component_order_keeps_html_neutralised():
    shown = neutralise_html(safe_links("<img src=https://e.example/p.png> ![a](data:x)"))
    assert shown == "&lt;img src=https://e.example/p.png> Image: a"
