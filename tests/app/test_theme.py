"""CareLab's colours meet WCAG 2.1 AA on both backgrounds, computed as the standard defines.

The browser tests (tests/e2e/test_contrast_focus_and_addresses.py and the axe check) see
the colours on the page; this test keeps the numbers in theme.py and the theme file honest.
"""

from __future__ import annotations

import tomllib

import pytest

from carelab.ui.components import theme
from tests.conftest import REPO

CONFIG = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())["theme"]


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a #rrggbb colour."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio between two colours."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_formula_matches_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("background", theme.BACKGROUNDS)
@pytest.mark.parametrize(
    ("name", "colour", "needed"),
    [
        ("body text", CONFIG["textColor"], 4.5),
        ("secondary text", theme.SECONDARY_TEXT, 4.5),
        ("links", theme.LINK, 4.5),
        ("links (theme file)", CONFIG["linkColor"], 4.5),
        ("primary buttons", CONFIG["primaryColor"], 4.5),
        ("focus ring", theme.FOCUS_RING, 3.0),
    ],
)
def test_each_colour_is_readable_on_each_background(name, colour, needed, background):
    assert contrast(colour, background) >= needed, f"{name} {colour} on {background}"


def test_inline_code_is_readable_on_its_own_background():
    assert contrast(CONFIG["codeTextColor"], CONFIG["codeBackgroundColor"]) >= 4.5


def test_the_theme_file_and_the_css_use_the_same_colours():
    assert CONFIG["linkColor"] == theme.LINK
    assert {CONFIG["backgroundColor"], CONFIG["secondaryBackgroundColor"]} == set(theme.BACKGROUNDS)
    for colour in (theme.SECONDARY_TEXT, theme.LINK, theme.FOCUS_RING):
        assert colour in theme.CSS


def blend(colour: str, background: str, alpha: float) -> str:
    """The colour seen when `colour` is drawn at `alpha` opacity over `background`."""
    fg = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    bg = [int(background.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(
        f"{round(alpha * f + (1 - alpha) * b):02x}" for f, b in zip(fg, bg, strict=True)
    )


@pytest.mark.parametrize("background", theme.BACKGROUNDS)
def test_what_streamlit_fades_itself_is_still_readable(background):
    # Streamlit draws some text at 60% of the text colour: placeholders, and the pinned
    # first column of a data table (on a canvas, where axe cannot measure it).
    faded = blend(CONFIG["textColor"], background, 0.6)
    assert contrast(faded, background) >= 4.5, f"{faded} on {background}"
