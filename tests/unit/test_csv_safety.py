"""The one CSV formula guard: every position a spreadsheet may split a cell on, and numbers."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from carelab.csv_safety import safe_cell, safe_row


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\0"])
def test_a_formula_start_at_the_start_of_the_cell_gets_a_quote(start):
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("separator", [";", ",", "\t", "\n", "\r"])
@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_formula_start_after_any_separator_gets_a_quote(separator, start):
    assert safe_cell(f"ok{separator}{start}cmd") == f"ok{separator}'{start}cmd"


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("ok;=HYPERLINK(1)", "ok;'=HYPERLINK(1)"),
        ("=a;=b,=c", "'=a;'=b,'=c"),
        ("\t=x", "'\t'=x"),  # a tab is both a formula start and a place to split
        ("a\r\n@b", "a\r\n'@b"),
        ("a;;=b", "a;;'=b"),
    ],
)
def test_every_piece_of_a_cell_is_neutralised(typed, written):
    assert safe_cell(typed) == written


@pytest.mark.parametrize(
    "text",
    ["", "plain", "a = b", "a - b", "x; y", "e-mail", "café, thé", "1+1", "t=0", "Ward 5 -"],
)
def test_ordinary_text_is_left_alone(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize(
    "number",
    [-3.2, -2, 0, 7, 1e-9, Decimal("-1.5"), np.float64(-0.25), np.int64(-4), True],
)
def test_numbers_stay_numbers_even_when_negative(number):
    # A number cannot hold a formula; writing it as text would break sums and charts.
    assert safe_cell(number) is number


@pytest.mark.parametrize("text", ["-3.2", "-2", "+44 20 7946 0000"])
def test_text_that_looks_like_a_number_is_still_text(text):
    # The type decides: a nickname "-2" is text, and "-2+3" would be a formula.
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("missing", [None, float("nan"), np.float64("nan")])
def test_missing_values_are_empty_cells(missing):
    assert safe_cell(missing) == ""


def test_a_row_is_neutralised_cell_by_cell():
    assert safe_row(["=x", -1.5, None, "ok"]) == ["'=x", -1.5, "", "ok"]
