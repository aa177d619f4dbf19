"""XmR charts: NHSRplotthedots / nhspy-plotthedots numbers, the four rules, and edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carelab.indicators.spc import COLUMNS, RULES, InvalidSeries, xmr

# R: set.seed(123); rnorm(20) -- the input of NHSRplotthedots' ptd_spc_standard snapshot.
RNORM_20 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
    1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
    1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
    1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def marked(chart, rule):
    return [i for i, rules in enumerate(chart["rules"]) if rule in rules]


def test_columns_and_rule_names():
    chart = xmr([1, 2, 3])
    assert tuple(chart.columns) == COLUMNS
    assert set(RULES) == {"outside_limits", "shift", "trend", "two_of_three"}
    assert all(text.endswith(").") for text in RULES.values())


# Validation case 5: NHSRplotthedots tests/testthat/_snaps/ptd_spc_standard.md, re-run in R.
@pytest.mark.parametrize(
    ("change", "screen", "mean", "lower", "upper"),
    [
        (None, True, 0.1416238, -3.01138, 3.294627),
        (10.0, True, 0.6694159, -2.383666, 3.722497),
        (10.0, False, 0.6694159, -4.596625, 5.935457),
    ],
)
def test_validation_case_5_nhsrplotthedots_snapshot(change, screen, mean, lower, upper):
    values = list(RNORM_20)
    if change is not None:
        values[14] = change  # R's y[15]
    chart = xmr(values, screen=screen)
    assert chart["mean"].iloc[0] == pytest.approx(mean, abs=1e-7)
    assert chart["lower"].iloc[0] == pytest.approx(lower, abs=1e-5 if lower > -3.1 else 1e-6)
    assert chart["upper"].iloc[0] == pytest.approx(upper, abs=1e-6)


def test_validation_case_5_the_changed_point_is_outside_the_limits():
    values = list(RNORM_20)
    values[14] = 10.0
    assert marked(xmr(values), "outside_limits") == [14]
    assert all(rules == () for rules in xmr(RNORM_20)["rules"])


# Validation case 6: nhspy-plotthedots tests/unittests/test_limits_calculations.py.
def test_validation_case_6_pi_digits():
    row = xmr([3, 1, 4, 1, 5, 9, 2]).iloc[0]
    assert row["mean"] == pytest.approx(3.5714286, abs=1e-7)
    assert row["lower"] == pytest.approx(-6.6252381, abs=1e-7)
    assert row["upper"] == pytest.approx(13.7680952, abs=1e-7)
    assert row["near_lower"] == pytest.approx(-3.2263492, abs=1e-7)
    assert row["near_upper"] == pytest.approx(10.3692063, abs=1e-7)


def test_validation_case_6_one_to_ten():
    chart = xmr(range(1, 11))
    assert chart["mean"].iloc[0] == pytest.approx(5.5)
    assert chart["lower"].iloc[0] == pytest.approx(2.84)
    assert chart["upper"].iloc[0] == pytest.approx(8.16)
    # Ten rising points: every point is part of the trend; 1, 2, 9 and 10 are also outside.
    assert marked(chart, "trend") == list(range(10))
    assert marked(chart, "outside_limits") == [0, 1, 8, 9]


def test_screening_drops_large_moving_ranges_before_the_limits():
    values = [0, 1, 0, 1, 0, 1, 0, 20, 0, 1]
    mr = np.abs(np.diff(values))
    kept = mr[mr < 3.267 * mr.mean()]
    assert xmr(values)["upper"].iloc[0] == pytest.approx(np.mean(values) + 2.66 * kept.mean())
    assert xmr(values, screen=False)["upper"].iloc[0] == pytest.approx(
        np.mean(values) + 2.66 * mr.mean()
    )


def test_shift_marks_every_point_of_a_run_of_seven_on_one_side():
    values = [-1, 1, -1, 1, 2, 3, 2, 3, 2, 3, 2, -1, 1, -1]
    chart = xmr(values)
    assert marked(chart, "shift") == list(range(4, 11))
    assert {r for rules in chart["rules"] for r in rules} == {"shift"}


def test_six_on_one_side_is_not_a_shift():
    assert marked(xmr([-1, 1, -1, 1, 2, 3, 2, 3, 2, 3, -1, 1, -1]), "shift") == []


def test_a_point_on_the_mean_breaks_a_run():
    # Mean exactly 0: the 0 splits eight points above it into runs of 3 and 4.
    chart = xmr([-3, 1, 1, 1, 0, 1, 1, 1, 1, -4])
    assert chart["mean"].iloc[0] == 0
    assert marked(chart, "shift") == []
    assert marked(xmr([-3, 1, 1, 1, 1, 1, 1, 1, 1, -5]), "shift") == list(range(1, 9))


def test_trend_marks_seven_rising_points_and_equal_values_break_it():
    chart = xmr([0, 5, 0, 1, 2, 3, 4, 5, 6, 0, 5, 0])
    assert marked(chart, "trend") == list(range(2, 9))
    assert {r for rules in chart["rules"] for r in rules} == {"trend"}
    assert marked(xmr([0, 5, 0, 1, 2, 3, 3, 4, 5, 6, 0, 5, 0]), "trend") == []


def test_falling_trend_is_marked_too():
    chart = xmr([0, -5, 0, -1, -2, -3, -4, -5, -6, 0, -5, 0])
    assert marked(chart, "trend") == list(range(2, 9))


ALTERNATING = [1, -1] * 5


def test_two_of_three_marks_the_two_points_beyond_the_near_limit():
    chart = xmr([*ALTERNATING, 6, 1.5, 6, -1, 1, -1, 1, -1, 1, -1])
    row = chart.iloc[10]
    assert row["near_upper"] < 6 < row["upper"]
    assert marked(chart, "two_of_three") == [10, 12]
    assert {r for rules in chart["rules"] for r in rules} == {"two_of_three"}


def test_two_of_three_needs_all_three_points_on_the_same_side_of_the_mean():
    chart = xmr([*ALTERNATING, 6, -1, 6, -1, 1, -1, 1, -1, 1, -1])
    assert chart["near_upper"].iloc[0] < 6 < chart["upper"].iloc[0]
    assert marked(chart, "two_of_three") == []


def test_a_point_outside_the_limits_does_not_count_towards_two_of_three():
    # As in NHSRplotthedots: "close to limits" excludes points beyond the process limits.
    chart = xmr([*ALTERNATING, *ALTERNATING, 6, 1.5, 30, -1, 1, -1, 1, -1, 1, -1])
    row = chart.iloc[0]
    assert row["near_upper"] < 6 < row["upper"] < 30
    assert marked(chart, "two_of_three") == []
    assert marked(chart, "outside_limits") == [22]


@pytest.mark.parametrize("values", [[5.0], [5.0, 7.0], [0.1] * 6, [3, 3]])
def test_short_and_flat_series_have_defined_limits(values):
    chart = xmr(values)
    limits = chart[["mean", "lower", "upper", "near_lower", "near_upper"]].to_numpy()
    assert np.all(np.isfinite(limits))
    assert chart["lower"].iloc[0] <= chart["mean"].iloc[0] <= chart["upper"].iloc[0]


def test_flat_series_fires_no_rule_even_with_seven_points():
    chart = xmr([0.1] * 9)
    assert chart["mean"].iloc[0] == 0.1
    assert all(rules == () for rules in chart["rules"])


def test_periods_are_kept_and_default_to_one_to_n():
    assert xmr([1, 2, 3])["period"].tolist() == [1, 2, 3]
    assert xmr([1, 2], periods=["2024-01", "2024-02"])["period"].tolist() == [
        "2024-01",
        "2024-02",
    ]


@pytest.mark.parametrize(
    ("values", "periods", "message"),
    [
        ([1.0, math.nan, 2.0], None, "The value for period 2 is missing or infinite."),
        ([1.0, math.inf], ["Jan", "Feb"], "The value for period Feb is missing or infinite."),
        ([], None, "An XmR chart needs at least one value."),
        ([1, 2], [1], "Got 2 values but 1 periods; give one of each."),
        (["a", "b"], None, "Every value in an XmR chart must be a number."),
    ],
)
def test_invalid_series_raise_a_named_error(values, periods, message):
    with pytest.raises(InvalidSeries) as error:
        xmr(values, periods=periods)
    assert str(error.value) == message


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=40), st.booleans())
def test_limits_are_ordered_and_rules_match_their_definitions(values, screen):
    chart = xmr(values, screen=screen)
    row = chart.iloc[0]
    assert row["lower"] <= row["near_lower"] <= row["mean"] <= row["near_upper"] <= row["upper"]
    y = chart["value"].to_numpy()
    outside = (y > row["upper"]) | (y < row["lower"])
    assert [("outside_limits" in r) for r in chart["rules"]] == outside.tolist()
    for rules in chart["rules"]:
        assert set(rules) <= set(RULES)
