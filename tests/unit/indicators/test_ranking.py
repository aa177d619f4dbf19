"""Rank intervals after Marshall & Spiegelhalter (BMJ 1998): reproducible, vectorised, sane."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carelab.indicators.funnel import InvalidCounts, InvalidOption
from carelab.indicators.ranking import COLUMNS, rank_intervals


def test_columns_and_input_order():
    table = rank_intervals(["A", "B", "C"], [10, 20, 30], [100, 100, 100])
    assert tuple(table.columns) == COLUMNS
    assert table["provider"].tolist() == ["A", "B", "C"]
    assert table["value"].tolist() == pytest.approx([0.1, 0.2, 0.3])


def test_rank_one_is_best_in_either_direction():
    num, den = [10, 20, 30], [100, 100, 100]
    assert rank_intervals("ABC", num, den)["rank"].tolist() == [1, 2, 3]
    assert rank_intervals("ABC", num, den, higher_is_worse=False)["rank"].tolist() == [3, 2, 1]


def test_tied_values_share_the_average_rank():
    table = rank_intervals("ABCD", [5, 5, 1, 9], [50, 50, 50, 50])
    assert table["rank"].tolist() == [2.5, 2.5, 1, 4]


def test_precise_and_distinct_providers_get_tight_intervals():
    table = rank_intervals("ABC", [1000, 5000, 9000], [100_000] * 3)
    assert table["rank_lower"].tolist() == [1, 2, 3]
    assert table["rank_upper"].tolist() == [1, 2, 3]


def test_small_providers_get_wide_intervals():
    # Marshall & Spiegelhalter's point: with few cases a rank says little.
    rng = np.random.default_rng(1)
    den = rng.integers(10, 40, 30)
    num = rng.binomial(den, 0.2)
    table = rank_intervals(range(30), num, den)
    assert (table["rank_upper"] - table["rank_lower"]).median() > 10
    assert np.all(table["rank_lower"] <= table["rank_upper"])
    assert table["rank_lower"].min() >= 1 and table["rank_upper"].max() <= 30


def test_ratios_rank_observed_over_expected():
    table = rank_intervals("ABC", [50, 100, 150], [100, 100, 100], kind="ratio")
    assert table["value"].tolist() == pytest.approx([0.5, 1.0, 1.5])
    assert table["rank"].tolist() == [1, 2, 3]
    assert table["rank_upper"].tolist() == [1, 2, 3]


def test_wider_level_gives_wider_intervals():
    rng = np.random.default_rng(2)
    den = rng.integers(20, 200, 40)
    num = rng.binomial(den, 0.3)
    narrow = rank_intervals(range(40), num, den, level=0.5)
    wide = rank_intervals(range(40), num, den, level=0.99)
    assert np.all(wide["rank_lower"] <= narrow["rank_lower"])
    assert np.all(wide["rank_upper"] >= narrow["rank_upper"])


@pytest.mark.parametrize(
    ("num", "den"),
    [([3], [10]), ([0, 0, 0], [10, 20, 30]), ([10, 20, 30], [10, 20, 30]), ([0, 1], [1, 1])],
    ids=["one provider", "all zero", "all events", "n = 1"],
)
def test_edge_cases_give_defined_ranks(num, den):
    table = rank_intervals(range(len(num)), num, den)
    values = table[["rank", "rank_lower", "rank_upper"]].to_numpy()
    assert np.all(np.isfinite(values))
    assert np.all((values >= 1) & (values <= len(num)))


def test_one_thousand_simulations_of_two_hundred_providers():
    # Speed is measured in bench/indicator_lab.py (rank_sims_ms), not asserted here.
    rng = np.random.default_rng(3)
    den = rng.integers(50, 2000, 200)
    num = rng.binomial(den, 0.1)
    table = rank_intervals(range(200), num, den, sims=1000)
    assert len(table) == 200
    assert (table["rank_lower"] <= table["rank"]).all() and (
        table["rank"] <= table["rank_upper"]
    ).all()


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 500), st.floats(0, 1)).map(lambda t: (round(t[0] * t[1]), t[0])),
        min_size=1,
        max_size=25,
    ),
    st.integers(0, 2**32 - 1),
)
def test_the_same_seed_gives_the_same_intervals(pairs, seed):
    num, den = zip(*pairs, strict=True)
    first = rank_intervals(range(len(num)), num, den, sims=200, seed=seed)
    second = rank_intervals(range(len(num)), num, den, sims=200, seed=seed)
    assert first.equals(second)
    assert np.all(first["rank_lower"] <= first["rank_upper"])


def test_different_seeds_can_differ():
    rng = np.random.default_rng(5)
    den = rng.integers(10, 50, 20)
    num = rng.binomial(den, 0.3)
    runs = {tuple(rank_intervals(range(20), num, den, seed=s)["rank_upper"]) for s in range(3)}
    assert len(runs) > 1


def test_invalid_counts_name_the_provider():
    with pytest.raises(InvalidCounts) as error:
        rank_intervals(["A", "B"], [3, 11], [10, 10])
    assert str(error.value) == (
        "Provider 'B' has 11 events out of 10; a numerator cannot exceed its denominator."
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sims": 0}, "sims must be a whole number of at least 1, not 0."),
        ({"sims": 2.5}, "sims must be a whole number of at least 1, not 2.5."),
        ({"level": 1.0}, "level must lie strictly between 0 and 1, not 1.0."),
        ({"kind": "score"}, "kind must be one of 'proportion', 'ratio', not 'score'."),
    ],
)
def test_invalid_options_raise_a_named_error(kwargs, message):
    with pytest.raises(InvalidOption) as error:
        rank_intervals(["A"], [1], [10], **kwargs)
    assert str(error.value) == message
