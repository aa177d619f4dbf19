"""The analyst commands: carelab funnel and carelab spc, from CSV in to CSV out."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from carelab.cli import main
from carelab.indicators import upload
from tests.conftest import AE_CSV

HEADER = "provider,value,n,target,lower95,upper95,lower998,upper998,flag\n"
FLAGS = {"above998", "above95", "within", "below95", "below998"}


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, text: str | bytes, name: str = "in.csv") -> str:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return str(path)


@pytest.fixture(scope="module")
def ae() -> pd.DataFrame:
    data = AE_CSV.read_bytes()
    frame = upload.read_csv_bytes(data, "ae_attendances.csv")
    return upload.clean(frame, upload.guess_mapping(frame.columns, "proportion"))


# --- carelab funnel ------------------------------------------------------------------------

THREE = "provider,numerator,denominator\nA,10,100\nB,25,100\nC,2,100\n"


@pytest.mark.parametrize(
    ("method", "limits"),
    [
        # Research note validation cases 1 (normal) and 2 (interpolated exact binomial).
        ("normal", "0.041201,0.158799,0.007293,0.192707"),
        ("exact", "0.040381,0.157719,0.014179,0.198357"),
    ],
)
def test_funnel_prints_one_row_per_provider(capsys, tmp_path, method, limits):
    path = write(tmp_path, THREE)
    args = ("funnel", path, "--kind", "proportion", "--method", method, "--target", "0.1")
    code, out, err = run(capsys, *args)
    assert (code, err) == (0, "")
    assert out == (
        HEADER
        + f"A,0.1,100,0.1,{limits},within\n"
        + f"B,0.25,100,0.1,{limits},above998\n"
        + f"C,0.02,100,0.1,{limits},below95\n"
    )


def test_funnel_defaults_to_the_pooled_proportion(capsys, tmp_path):
    path = write(tmp_path, "provider,numerator,denominator\nA,10,100\nB,30,100\n")
    code, out, _ = run(capsys, "funnel", path, "--kind", "proportion", "--method", "normal")
    assert code == 0
    limits = "0.121601,0.278399,0.076391,0.323609"  # 0.2 +/- z * 0.04
    assert out == HEADER + f"A,0.1,100,0.2,{limits},below95\nB,0.3,100,0.2,{limits},above95\n"


def test_funnel_for_ratios_uses_exact_poisson_limits_around_1(capsys, tmp_path):
    path = write(tmp_path, "provider,observed,expected\nA,15,15\nB,40,20\nC,10,30\n")
    code, out, _ = run(capsys, "funnel", path, "--kind", "ratio")
    assert code == 0
    # Research note validation case 3 (FunnelPlotR's test-poisson_limits.R).
    assert out == (
        HEADER
        + "A,1.0,15.0,1.0,0.559692,1.649348,0.386265,2.082907,within\n"
        + "B,2.0,20.0,1.0,0.610826,1.544419,0.447911,1.902094,above998\n"
        + "C,0.333333,30.0,1.0,0.674696,1.427562,0.528972,1.702771,below998\n"
    )


def test_funnel_writes_to_a_file_with_out(capsys, tmp_path):
    path, out_path = write(tmp_path, THREE), tmp_path / "out.csv"
    args = ("funnel", path, "--kind", "proportion", "--target", "0.1", "--out", str(out_path))
    code, out, _ = run(capsys, *args)
    assert (code, out) == (0, f"wrote {out_path}: 3 providers\n")
    assert out_path.read_text(encoding="utf-8").startswith(HEADER + "A,0.1,100,0.1,")


def test_funnel_defuses_provider_names_a_spreadsheet_would_run(capsys, tmp_path):
    path = write(tmp_path, 'provider,numerator,denominator\n"=HYPERLINK(""x"")",1,10\n@A,2,10\n')
    code, out, _ = run(capsys, "funnel", path, "--kind", "proportion")
    assert code == 0
    rows = out.splitlines()[1:]
    assert [row.rsplit(",", 8)[0] for row in rows] == ['"\'=HYPERLINK(""x"")"', "'@A"]


def test_funnel_on_real_type_1_breaches_for_march_2019(capsys, tmp_path, ae):
    counts = upload.aggregate(ae, groups=["1"], periods=["2019-03-01"])
    path = write(tmp_path, upload.to_csv_bytes(counts))
    code, out, _ = run(capsys, "funnel", path, "--kind", "proportion")
    assert code == 0
    table = pd.read_csv(io.StringIO(out), dtype={"provider": str})
    assert list(table.columns) == HEADER.strip().split(",")
    assert len(table) == 134
    assert set(table["flag"]) <= FLAGS
    # Research note 5.5: 124 of 134 trusts lie outside the 99.8% binomial limits.
    assert table["flag"].isin(["above998", "below998"]).sum() == 124


FUNNEL_PROBLEMS = [
    (
        "provider,numerator,denominator\nA,5,100\nB,abc,100\nA,2,10\nC,-1,0\n,1,2\nD,3,2\nE,2.5,\n",
        "row 3, column 'numerator': 'abc' is not a number\n"
        "row 4, column 'provider': 'A' already appears on row 2\n"
        "row 5, column 'numerator': -1 is negative\n"
        "row 5, column 'denominator' is 0; it must be above 0\n"
        "row 6, column 'provider' is blank\n"
        "row 7, column 'numerator': 3 is more than the 2 in column 'denominator'\n"
        "row 8, column 'numerator': 2.5 is not a whole number\n"
        "row 8, column 'denominator' is blank\n"
        "error: 8 problems in {path}\n",
    ),
    (
        "provider,numerator,denominator\n",
        "the file has a header but no data rows\nerror: 1 problem in {path}\n",
    ),
    (
        "org_code,breaches,attendances\nRXL,1,10\n",
        "missing columns 'provider', 'numerator' and 'denominator'; "
        "the file has 'org_code', 'breaches', 'attendances'\n"
        "error: 1 problem in {path}\n",
    ),
    ("", "{path} is empty\nerror: 1 problem in {path}\n"),
    (
        "provider,numerator,denominator\nA,1\n",
        "{path}, row 2: 2 values but the header has 3 columns\nerror: 1 problem in {path}\n",
    ),
    (
        "provider,numerator,denominator\nSt Mary’s,1,2\n".encode() + b"St Mary\x92s,1,2\n",
        "{path} is UTF-8 text but for line 3, character 8, which is byte 0x92; "
        "save the file as 'CSV UTF-8'\n"
        "error: 1 problem in {path}\n",
    ),
]


@pytest.mark.parametrize(("text", "expected"), FUNNEL_PROBLEMS)
def test_funnel_reports_every_problem_and_writes_nothing(capsys, tmp_path, text, expected):
    path = write(tmp_path, text)
    code, out, err = run(capsys, "funnel", path, "--kind", "proportion")
    assert (code, out) == (1, "")
    assert err == expected.format(path=path)


def test_funnel_reads_a_semicolon_separated_cp1252_file_with_decimal_commas(capsys, tmp_path):
    text = "provider;observed;expected\nSt Mary’s;12;10,5\nSaint-Éloi;3;4,25\n"
    path = write(tmp_path, text.encode("cp1252"))
    code, out, _ = run(capsys, "funnel", path, "--kind", "ratio")
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert dict(zip(table["provider"], table["n"], strict=True)) == {
        "St Mary’s": 10.5,
        "Saint-Éloi": 4.25,
    }


def test_funnel_checks_observed_and_expected_for_ratios(capsys, tmp_path):
    path = write(tmp_path, "provider,observed,expected\nA,1.5,2\nB,1,0\n")
    code, out, err = run(capsys, "funnel", path, "--kind", "ratio")
    assert (code, out) == (1, "")
    assert err == (
        "row 2, column 'observed': 1.5 is not a whole number\n"
        "row 3, column 'expected' is 0; it must be above 0\n"
        f"error: 2 problems in {path}\n"
    )


def test_funnel_caps_a_long_list_of_problems(capsys, tmp_path):
    rows = "".join(f"P{i},x,10\n" for i in range(30))
    path = write(tmp_path, "provider,numerator,denominator\n" + rows)
    code, _, err = run(capsys, "funnel", path, "--kind", "proportion")
    lines = err.splitlines()
    assert code == 1
    assert lines[0] == "row 2, column 'numerator': 'x' is not a number"
    assert lines[-2:] == ["and 10 more", f"error: 30 problems in {path}"]
    assert len(lines) == 22


def test_funnel_options_outside_their_range_are_one_sentence(capsys, tmp_path):
    path = write(tmp_path, THREE)
    code, out, err = run(capsys, "funnel", path, "--kind", "proportion", "--target", "80")
    assert (code, out, err) == (
        1,
        "",
        "error: A proportion target must lie between 0 and 1, not 80.\n",
    )


def test_funnel_on_a_missing_file_is_one_sentence(capsys, tmp_path):
    path = str(tmp_path / "nope.csv")
    assert run(capsys, "funnel", path, "--kind", "ratio") == (
        1,
        "",
        f"error: no such file: {path}\n",
    )


# --- carelab spc ---------------------------------------------------------------------------


def test_spc_prints_the_chart(capsys, tmp_path):
    # Research note validation case 6 (nhspy-plotthedots): mean 3.5714286, limits -6.6252381
    # and 13.7680952; no point signals.
    path = write(tmp_path, "period,value\n1,3\n2,1\n3,4\n4,1\n5,5\n6,9\n7,2\n")
    code, out, err = run(capsys, "spc", path)
    assert (code, err) == (0, "")
    limits = "3.571429,-6.625238,13.768095,"
    values = ["3.0", "1.0", "4.0", "1.0", "5.0", "9.0", "2.0"]
    assert out == "period,value,mean,lower,upper,rules\n" + "".join(
        f"{i},{v},{limits}\n" for i, v in enumerate(values, start=1)
    )


def test_spc_joins_the_rules_each_point_triggers(capsys, tmp_path):
    rows = "".join(f"2020-{m:02d},{m}\n" for m in range(1, 11))
    code, out, _ = run(capsys, "spc", write(tmp_path, "period,value\n" + rows))
    assert code == 0
    lines = out.splitlines()
    assert lines[1] == "2020-01,1.0,5.5,2.84,8.16,outside_limits;trend"
    assert lines[3] == "2020-03,3.0,5.5,2.84,8.16,trend"
    assert lines[10] == "2020-10,10.0,5.5,2.84,8.16,outside_limits;trend"


def test_spc_on_rqm_type_1_breaches_matches_the_research_note(capsys, tmp_path, ae):
    # Validation case 9: RQM, type 1, April 2016 to March 2018, screened moving ranges.
    rqm = ae[(ae["provider"] == "RQM") & (ae["group"] == "1")]
    rqm = rqm[rqm["period"].between("2016-04-01", "2018-03-01")]
    series = rqm[["period", "numerator"]].rename(columns={"numerator": "value"})
    # Written in the file's own (not time) order: the command sorts by period.
    path = write(tmp_path, upload.to_csv_bytes(series))
    code, out, _ = run(capsys, "spc", path)
    assert code == 0
    chart = pd.read_csv(io.StringIO(out), dtype={"period": str}, keep_default_na=False)
    assert len(chart) == 24
    assert chart["period"].tolist() == sorted(chart["period"])
    mean, lower, upper = chart.loc[0, ["mean", "lower", "upper"]]
    assert round(mean, 2) == 1545.17
    assert round((upper - mean) / 2.66, 3) == 302.545
    assert (round(lower, 2), round(upper, 2)) == (740.40, 2349.94)
    outside = chart[chart["rules"].str.contains("outside_limits")]
    assert outside[["period", "value"]].values.tolist() == [
        ["2016-12-01", 2675.0],
        ["2017-01-01", 3141.0],
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "period,value\n2019-01,1\n,2\n2019-01,x\n2019-03,\n",
            "row 3, column 'period' is blank\n"
            "row 4, column 'period': '2019-01' already appears on row 2\n"
            "row 4, column 'value': 'x' is not a number\n"
            "row 5, column 'value' is blank\n"
            "error: 4 problems in {path}\n",
        ),
        (
            "month,breaches\n2019-01,1\n",
            "missing columns 'period' and 'value'; the file has 'month', 'breaches'\n"
            "error: 1 problem in {path}\n",
        ),
        ("period,value\n", "the file has a header but no data rows\nerror: 1 problem in {path}\n"),
    ],
)
def test_spc_reports_every_problem(capsys, tmp_path, text, expected):
    path = write(tmp_path, text)
    code, out, err = run(capsys, "spc", path)
    assert (code, out) == (1, "")
    assert err == expected.format(path=path)


def test_spc_writes_to_a_file_with_out(capsys, tmp_path):
    path, out_path = write(tmp_path, "period,value\nQ1,-2.5\nQ2,1\n"), tmp_path / "chart.csv"
    code, out, _ = run(capsys, "spc", path, "--out", str(out_path))
    assert (code, out) == (0, f"wrote {out_path}: 2 periods\n")
    assert out_path.read_text(encoding="utf-8").splitlines()[1].startswith("Q1,-2.5,")
