"""Charts in words and tables: the sentences and rows that stand in for each Lab chart."""

from __future__ import annotations

import pandas as pd
import pytest

from carelab.indicators import describe


def funnel_table(verdicts: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "provider": list(verdicts),
            "value": [0.123456789, 0.2, 0.05, 0.31, 0.1][: len(verdicts)],
            "n": [120.4, 80.0, 300.6, 45.0, 99.5][: len(verdicts)],
            "verdict": list(verdicts.values()),
        }
    )


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], ""),
        (["A"], "A"),
        (["A", "B"], "A and B"),
        (["A", "B", "C"], "A, B and C"),
        ([f"H{i}" for i in range(9)], "H0, H1, H2, H3, H4, H5 and 3 more"),
    ],
)
def test_names_reads_as_a_sentence(items, expected):
    assert describe.names(items) == expected


def test_funnel_description_counts_each_verdict_and_names_who_is_outside():
    table = funnel_table(
        {"Leeds": "worse (99.8%)", "York": "worse (95%)", "Hull": "as expected",
         "Bath": "better (99.8%)", "Ely": "worse (99.8%)"}
    )  # fmt: skip
    assert describe.funnel_description(table) == (
        "5 hospitals: 2 worse (99.8%), 1 worse (95%), 1 as expected, 1 better (99.8%). "
        "Worse, outside the 99.8% limits: Ely and Leeds. Worse, outside 95% only: York. "
        "Better, outside the 99.8% limits: Bath."
    )


def test_funnel_description_when_nobody_is_outside():
    table = funnel_table({"A": "as expected", "B": "as expected"})
    assert describe.funnel_description(table, "providers") == (
        "2 providers: 2 as expected. Every one is inside the 95% limits."
    )


def test_funnel_rows_are_rounded_and_worst_first_for_a_proportion():
    table = funnel_table({"Hull": "as expected", "Leeds": "worse (99.8%)", "Bath": "better (95%)"})
    rows = describe.funnel_rows(table, "proportion", "Patients (n)")
    assert rows.to_dict("list") == {
        "Hospital": ["Leeds", "Hull", "Bath"],
        "Value (%)": [20.0, 12.3, 5.0],
        "Patients (n)": [80, 120, 301],
        "Verdict": ["worse (99.8%)", "as expected", "better (95%)"],
    }


def test_funnel_rows_for_a_ratio_keep_two_decimals():
    table = funnel_table({"A": "as expected"}).assign(value=1.23456, n=4.256)
    rows = describe.funnel_rows(table, "ratio", "Expected (E)", noun="Provider")
    assert rows.to_dict("list") == {
        "Provider": ["A"], "Observed / expected": [1.23], "Expected (E)": [4.26],
        "Verdict": ["as expected"],
    }  # fmt: skip


RANKS = pd.DataFrame(
    {
        "provider": [f"H{i:02d}" for i in range(1, 9)],
        "rank": [1.0, 2.0, 3.5, 3.5, 5.0, 6.0, 7.0, 8.0],
        "rank_lower": [1.0, 1.0, 2.0, 2.0, 3.0, 5.0, 6.0, 7.0],
        "rank_upper": [2.0, 4.0, 6.0, 6.0, 7.0, 8.0, 8.0, 8.0],
    }
).sample(frac=1, random_state=1)


@pytest.mark.parametrize(
    ("view", "expected"),
    [("top", ["H01", "H02", "H03"]), ("bottom", ["H06", "H07", "H08"])],
)
def test_rank_view_is_the_best_or_the_worst(view, expected):
    assert describe.rank_view(RANKS, view, 3)["provider"].tolist() == expected


def test_rank_description_and_rows():
    shown = describe.rank_view(RANKS, "top", 3)
    assert describe.rank_description(RANKS, shown) == (
        "Median width of a 95% rank interval: 3 places out of 8. 2 hospitals can be placed "
        "confidently in the top or bottom quarter. The chart shows 3 of 8, from H01 (rank 1, "
        "interval 1 to 2) to H03 (rank 4, interval 2 to 6)."
    )
    assert describe.rank_rows(shown).to_dict("list") == {
        "Hospital": ["H01", "H02", "H03"],
        "Rank": [1.0, 2.0, 3.5],
        "95% interval from": [1, 1, 2],
        "95% interval to": [2, 4, 6],
    }


def test_moves_description_names_the_three_biggest():
    moves = pd.DataFrame(
        {"provider": ["A", "B", "C", "D"], "rank_a": [1.0, 40.0, 9.0, 5.0],
         "rank_b": [50.0, 2.0, 30.0, 6.0]}
    )  # fmt: skip
    assert describe.moves_description(moves, 3) == (
        "The 3 hospitals whose rank moves most between A and B (rank 1 is best). "
        "The largest moves: A from 1 to 50, B from 40 to 2 and C from 9 to 30."
    )


def test_run_description_and_rows_say_which_periods_signal_and_why():
    spc = pd.DataFrame(
        {
            "period": ["2024-01", "2024-02", "2024-03"],
            "value": [1.23456, 2.0, 9.87654],
            "mean": 3.5,
            "lower": -1.0,
            "upper": 8.04444,
            "rules": [(), (), ("outside the limits",)],
        }
    )
    assert describe.run_description(spc) == (
        "3 periods; mean 3.5, limits -1 to 8.044. 1 period shows a signal: "
        "2024-03 (outside the limits)."
    )
    assert describe.run_rows(spc, 2).to_dict("list") == {
        "Period": ["2024-01", "2024-02", "2024-03"],
        "Value": [1.23, 2.0, 9.88],
        "Mean": [3.5, 3.5, 3.5],
        "Lower limit": [-1.0, -1.0, -1.0],
        "Upper limit": [8.04, 8.04, 8.04],
        "Signal": ["none", "none", "outside the limits"],
    }
