"""Bring your own data: checking, shaping and writing a quality lead's CSV (reading is in
test_reading.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from carelab.indicators import upload
from carelab.indicators.upload import ColumnMapping, UploadError
from tests.conftest import AE_CSV

PROPORTION = ColumnMapping("proportion", "provider", "numerator", "denominator")
RATIO = ColumnMapping("ratio", "provider", "observed", "expected")
MARCH_2019 = "2019-03-01"


def read(text: str | bytes, name: str = "in.csv") -> pd.DataFrame:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return upload.read_csv_bytes(data, name)


def problems_cleaning(text: str, mapping: ColumnMapping = PROPORTION) -> list[str]:
    with pytest.raises(UploadError) as caught:
        upload.clean(read(text), mapping)
    return caught.value.problems


# --- Mapping -------------------------------------------------------------------------------


def test_guess_mapping_recognises_the_ae_columns():
    columns = ["period", "org_code", "type", "attendances", "breaches", "admissions"]
    assert upload.guess_mapping(columns, "proportion") == ColumnMapping(
        "proportion", "org_code", "breaches", "attendances", "period", "type"
    )


def test_guess_mapping_for_ratios_ignores_case_and_spaces():
    columns = ["Trust", "Month", "Observed", "Expected", "Site Type"]
    assert upload.guess_mapping(columns, "ratio") == ColumnMapping(
        "ratio", "Trust", "Observed", "Expected", "Month", None
    )


def test_guess_mapping_leaves_what_it_cannot_find_empty():
    assert upload.guess_mapping(["a", "b"], "proportion") == ColumnMapping(
        "proportion", "", "", "", None, None
    )


# --- Validation ----------------------------------------------------------------------------


def test_clean_returns_typed_columns():
    table = upload.clean(read("provider,numerator,denominator\nA,3,10\nB,0,4\n"), PROPORTION)
    assert table.to_dict("list") == {
        "provider": ["A", "B"],
        "numerator": [3, 0],
        "denominator": [10, 4],
    }
    assert (table["numerator"].dtype, table["denominator"].dtype) == (np.int64, np.int64)


def test_clean_accepts_fractional_expected_counts_and_more_observed_than_expected():
    table = upload.clean(read("provider,observed,expected\nA,12,9.75\n"), RATIO)
    assert table.to_dict("records") == [{"provider": "A", "numerator": 12, "denominator": 9.75}]
    assert table["denominator"].dtype == np.float64


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("A,,10", "row 3, column 'numerator' is blank"),
        ("A,abc,10", "row 3, column 'numerator': 'abc' is not a number"),
        ("A,nan,10", "row 3, column 'numerator': 'nan' is not a number"),
        ("A,-3,10", "row 3, column 'numerator': -3 is negative"),
        ("A,2.5,10", "row 3, column 'numerator': 2.5 is not a whole number"),
        ("A,1,", "row 3, column 'denominator' is blank"),
        ("A,1,ten", "row 3, column 'denominator': 'ten' is not a number"),
        ("A,1,-10", "row 3, column 'denominator': -10 is negative"),
        ("A,0,0", "row 3, column 'denominator' is 0; it must be above 0"),
        ("A,12,10", "row 3, column 'numerator': 12 is more than the 10 in column 'denominator'"),
        (",1,10", "row 3, column 'provider' is blank"),
        ("Z,1,10", "row 3, column 'provider': 'Z' already appears on row 2"),
    ],
)
def test_clean_names_the_row_and_column_of_each_bad_cell(row, expected):
    assert problems_cleaning(f"provider,numerator,denominator\nZ,1,10\n{row}\n") == [expected]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("A,1.5,2", "row 2, column 'observed': 1.5 is not a whole number"),
        ("A,1,0", "row 2, column 'expected' is 0; it must be above 0"),
        ("A,1,0.0", "row 2, column 'expected' is 0; it must be above 0"),
        ("A,1,-0.5", "row 2, column 'expected': -0.5 is negative"),
    ],
)
def test_clean_checks_observed_and_expected_for_ratios(row, expected):
    assert problems_cleaning(f"provider,observed,expected\n{row}\n", RATIO) == [expected]


def test_clean_collects_every_problem_in_reading_order():
    text = (
        "provider,numerator,denominator,period\n"
        "A,5,100,2019-03\n"
        "B,x,0,2019-03\n"
        "A,1,10,2019-03\n"
        "A,1,10,2019-04\n"
        ",-1,10,\n"
    )
    mapping = ColumnMapping("proportion", "provider", "numerator", "denominator", "period")
    assert problems_cleaning(text, mapping) == [
        "row 3, column 'numerator': 'x' is not a number",
        "row 3, column 'denominator' is 0; it must be above 0",
        "row 4, column 'provider': 'A' already appears on row 2 with period '2019-03'",
        "row 6, column 'provider' is blank",
        "row 6, column 'numerator': -1 is negative",
        "row 6, column 'period' is blank",
    ]


def test_clean_allows_one_row_per_provider_in_each_period_and_group():
    text = (
        "org_code,breaches,attendances,month,type\n"
        "RXL,1,10,2019-03,1\n"
        "RXL,1,10,2019-03,other\n"
        "RXL,1,10,2019-04,1\n"
        "RXL,2,10,2019-03,1\n"
    )
    mapping = ColumnMapping("proportion", "org_code", "breaches", "attendances", "month", "type")
    assert problems_cleaning(text, mapping) == [
        "row 5, column 'org_code': 'RXL' already appears on row 2 with month '2019-03' and type '1'"
    ]


def test_clean_names_missing_columns_and_the_columns_the_file_has():
    text = "period,org_code,attendances\n2019-03-01,RXL,10\n"
    mapping = ColumnMapping("proportion", "org_code", "breaches", "attendances")
    assert problems_cleaning(text, mapping) == [
        "missing column 'breaches'; the file has 'period', 'org_code', 'attendances'"
    ]
    assert problems_cleaning("provider,n,d\nA,1,2\n") == [
        "missing columns 'numerator' and 'denominator'; the file has 'provider', 'n', 'd'"
    ]


def test_clean_asks_for_a_column_for_every_role_and_only_one_role_per_column():
    mapping = ColumnMapping("ratio", "", "n", "n")
    assert problems_cleaning("provider,n\nA,1\n", mapping) == [
        "no column chosen for the provider",
        "column 'n' is chosen for both the observed and the expected",
    ]


def test_clean_refuses_a_header_with_no_rows():
    assert problems_cleaning("provider,numerator,denominator\n\n\n") == [
        "the file has a header but no data rows"
    ]


def test_clean_caps_the_list_of_problems():
    rows = "".join(f"P{i},x,10\n" for i in range(25))
    problems = problems_cleaning("provider,numerator,denominator\n" + rows)
    assert len(problems) == 21
    assert problems[0] == "row 2, column 'numerator': 'x' is not a number"
    assert problems[-1] == "and 5 more"


def test_clean_numbers_rows_from_2_for_a_frame_it_did_not_read():
    frame = pd.DataFrame({"provider": ["A", "B"], "numerator": [1, np.nan], "denominator": [2, 3]})
    with pytest.raises(UploadError) as caught:
        upload.clean(frame, PROPORTION)
    assert caught.value.problems == ["row 3, column 'numerator' is blank"]


def test_clean_values_accepts_any_real_number_and_sorts_by_period():
    table = upload.clean_values(read("period,value\n2019-02,-1.5\n2019-01,2\n"))
    assert table.to_dict("list") == {"period": ["2019-01", "2019-02"], "value": [2.0, -1.5]}


def test_clean_values_reports_every_problem():
    text = "period,value\n2019-01,1\n,2\n2019-01,x\n2019-03,\n"
    with pytest.raises(UploadError) as caught:
        upload.clean_values(read(text))
    assert caught.value.problems == [
        "row 3, column 'period' is blank",
        "row 4, column 'period': '2019-01' already appears on row 2",
        "row 4, column 'value': 'x' is not a number",
        "row 5, column 'value' is blank",
    ]


# --- Shaping -------------------------------------------------------------------------------

SMALL = (
    "provider,numerator,denominator,period,group\n"
    "A,1,10,2019-02,x\n"
    "A,2,10,2019-01,x\n"
    "B,3,10,2019-01,y\n"
    "A,4,20,2019-01,y\n"
)


@pytest.fixture
def small() -> pd.DataFrame:
    mapping = ColumnMapping("proportion", "provider", "numerator", "denominator", "period", "group")
    return upload.clean(read(SMALL), mapping)


def test_groups_and_periods_list_the_labels(small):
    assert upload.groups(small) == ["x", "y"]
    assert upload.periods(small) == ["2019-01", "2019-02"]
    plain = upload.clean(read("provider,numerator,denominator\nA,1,2\n"), PROPORTION)
    assert (upload.groups(plain), upload.periods(plain)) == ([], [])


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, [["A", 7, 40], ["B", 3, 10]]),
        ({"groups": ["x"]}, [["A", 3, 20]]),
        ({"periods": ["2019-01"]}, [["A", 6, 30], ["B", 3, 10]]),
        ({"groups": ["y"], "periods": ["2019-01"]}, [["A", 4, 20], ["B", 3, 10]]),
        ({"groups": []}, []),
    ],
)
def test_aggregate_sums_per_provider_over_the_chosen_groups_and_periods(small, kwargs, expected):
    table = upload.aggregate(small, **kwargs)
    assert list(table.columns) == ["provider", "numerator", "denominator"]
    assert table.to_numpy().tolist() == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"provider": "A"}, [("2019-01", 6 / 30), ("2019-02", 1 / 10)]),
        ({}, [("2019-01", 9 / 40), ("2019-02", 1 / 10)]),
        ({"groups": ["y"]}, [("2019-01", 7 / 30)]),
    ],
)
def test_period_series_is_in_time_order(small, kwargs, expected):
    series = upload.period_series(small, **kwargs)
    assert list(series.columns) == ["period", "value"]
    assert list(series.itertuples(index=False, name=None)) == expected


def test_period_series_needs_a_period_column():
    plain = upload.clean(read("provider,numerator,denominator\nA,1,2\n"), PROPORTION)
    with pytest.raises(UploadError) as caught:
        upload.period_series(plain)
    assert caught.value.problems == [
        "the data have no period column; choose one to see a run chart"
    ]


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["2019-03-01", "2018-12-01", "2019-01-01"], ["2018-12-01", "2019-01-01", "2019-03-01"]),
        (["Mar 2019", "Jan 2019", "Feb 2018"], ["Feb 2018", "Jan 2019", "Mar 2019"]),
        (["01/03/2019", "02/01/2019"], ["02/01/2019", "01/03/2019"]),
        (["10", "9", "1"], ["1", "9", "10"]),
        (["week b", "week a"], ["week a", "week b"]),
    ],
)
def test_sort_periods_reads_numbers_and_dates_before_falling_back_to_text(labels, expected):
    assert upload.sort_periods(labels) == expected


# --- Writing -------------------------------------------------------------------------------


def test_to_csv_bytes_defuses_formulas_in_text_but_leaves_numbers_alone():
    table = pd.DataFrame(
        {
            "provider": ['=HYPERLINK("x")', "+1", "-x", "@SUM(A1)", "\tx", "\rx", "a=b", "ok"],
            "value": [-0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, np.nan],
            "note": ["-2", "", None, "a\nb", "x", "y", "z", "w"],
        }
    )
    assert upload.to_csv_bytes(table) == (
        b"provider,value,note\n"
        b'"\'=HYPERLINK(""x"")",-0.5,\'-2\n'
        b"'+1,1.0,\n"
        b"'-x,2.0,\n"
        b'\'@SUM(A1),3.0,"a\nb"\n'
        b"'\tx,4.0,x\n"
        b'"\'\rx",5.0,y\n'
        b"a=b,6.0,z\n"
        b"ok,,w\n"
    )


def test_to_csv_bytes_defuses_column_names_too():
    assert upload.to_csv_bytes(pd.DataFrame({"=cmd": [1]})) == b"'=cmd\n1\n"


# --- Real data: the denominator changes the ranking (research note, scenario 5.1) ----------


@pytest.fixture(scope="module")
def ae() -> pd.DataFrame:
    data = AE_CSV.read_bytes()
    frame = upload.read_csv_bytes(data, "ae_attendances.csv")
    return upload.clean(frame, upload.guess_mapping(frame.columns, "proportion"))


def breach_free(table: pd.DataFrame) -> pd.Series:
    return 1 - table["numerator"] / table["denominator"]


def pooled_breach_free(table: pd.DataFrame) -> float:
    return 1 - table["numerator"].sum() / table["denominator"].sum()


def test_the_ae_file_reads_and_cleans_without_a_problem(ae):
    assert len(ae) == 12_765
    assert upload.groups(ae) == ["1", "2", "other"]
    periods = upload.periods(ae)
    assert (len(periods), periods[0], periods[-1]) == (36, "2016-04-01", MARCH_2019)


def test_type_1_only_versus_all_types_in_march_2019(ae):
    type_1 = upload.aggregate(ae, groups=["1"], periods=[MARCH_2019]).set_index("provider")
    every_type = upload.aggregate(ae, periods=[MARCH_2019]).set_index("provider")
    trusts = type_1.index[type_1["denominator"] >= 1000]
    assert len(trusts) == 134
    # England: every provider's attendances, as the national statistic counts them.
    assert round(pooled_breach_free(type_1), 3) == 0.795
    assert round(pooled_breach_free(every_type), 3) == 0.866
    # The same 134 trusts counted over all types: minor units outside them are left out.
    assert round(pooled_breach_free(every_type.loc[trusts]), 3) == 0.845

    only_1, all_types = breach_free(type_1.loc[trusts]), breach_free(every_type.loc[trusts])
    assert round(spearmanr(only_1, all_types).statistic, 2) == 0.85
    rank_1 = only_1.rank(ascending=False, method="min")
    rank_all = all_types.rank(ascending=False, method="min")
    assert ((rank_1 - rank_all).abs() >= 20).sum() == 43
    assert (round(only_1["RXL"], 3), rank_1["RXL"]) == (0.689, 116)
    assert (round(all_types["RXL"], 3), rank_all["RXL"]) == (0.890, 36)


def test_period_series_for_one_trust_on_the_real_data(ae):
    series = upload.period_series(ae, provider="RQM", groups=["1"])
    assert len(series) == 36
    assert series["period"].iloc[0] == "2016-04-01"
    assert series["value"].iloc[0] == 1199 / 15154  # 2016-04-01,RQM,1,15154,1199 in the file
