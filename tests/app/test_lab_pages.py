"""The Indicator Lab pages under AppTest: simulated scenarios and a user's own CSV."""

from __future__ import annotations

import pytest

from carelab.indicators.scenarios import SCENARIOS
from tests.conftest import AE_CSV

LAB = "carelab/ui/pages/indicator_lab.py"
YOUR_DATA = "carelab/ui/pages/your_data.py"


@pytest.mark.parametrize("scenario", [s.id for s in SCENARIOS])
def test_every_scenario_renders_labelled_as_simulated(app, scenario):
    at = app(page=LAB, scenario=scenario)
    assert not at.exception
    assert at.info[0].value.startswith("**Simulated data.**")
    assert at.query_params["scenario"] == [scenario] or at.query_params["scenario"] == scenario
    headers = [s.value for s in at.subheader]
    assert headers == ["Indicator A", "Indicator B"]


def test_risk_adjustment_control_changes_the_verdicts(app):
    at = app(page=LAB, scenario="risk-adjustment")
    before = [c.value for c in at.caption if c.value.startswith("200 hospitals")]
    at.radio(key="lab.risk-adjustment.a.risk").set_value("full").run()
    after = [c.value for c in at.caption if c.value.startswith("200 hospitals")]
    assert before[0] != after[0]
    assert after[0] == after[1]  # A now matches B, which was fully adjusted all along


def test_truth_table_reports_both_indicators(app):
    at = app(page=LAB, scenario="time-window")
    truth = at.dataframe[-1].value
    assert truth["Indicator"].tolist()[0].startswith("A: Mortality (outcome)")
    assert (
        truth["Rank correlation with true quality"].iloc[0]
        > truth["Rank correlation with true quality"].iloc[1]
    )


def test_your_data_without_a_file_explains_what_is_needed(app):
    at = app(page=YOUR_DATA)
    assert not at.exception
    assert at.info[0].value.startswith("Columns needed:")


def upload(at, name: str, content: bytes):
    at.file_uploader(key="byod.file").upload(name, content, "text/csv").run()
    return at


def test_your_data_ae_type1_funnel_and_run_chart(app):
    at = upload(app(page=YOUR_DATA), "ae.csv", AE_CSV.read_bytes())
    assert not at.exception
    assert at.selectbox(key="byod.provider").value == "org_code"
    assert at.selectbox(key="byod.proportion.num").value == "breaches"
    at.multiselect(key="byod.groups").set_value(["1"]).run()
    at.multiselect(key="byod.periods").set_value(["2019-03-01"]).run()
    results = at.dataframe[0].value
    assert list(results.columns) == [
        "provider", "value", "n", "target", "lower95", "upper95", "lower998", "upper998", "flag",
        "compared with the target",
    ]  # fmt: skip
    assert set(results["compared with the target"]) <= {
        "worse (99.8%)", "worse (95%)", "as expected", "better (95%)", "better (99.8%)",
    }  # fmt: skip
    assert "outside the 99.8% limits: far more variation than chance" in at.warning[0].value
    assert len(results) == 134  # the type-1 departments reporting in March 2019
    assert results["target"].iloc[0] == pytest.approx(1 - 0.795, abs=0.002)
    assert at.get("download_button")[0].proto.label == "Download results (CSV)"


def test_your_data_bad_csv_lists_every_problem_with_row_and_column(app):
    csv = b"provider,numerator,denominator\nA,5,10\nB,abc,10\nC,12,10\nD,1,0\n"
    at = upload(app(page=YOUR_DATA), "bad.csv", csv)
    assert not at.exception
    assert at.error[0].value.startswith("The data need fixing")
    problems = at.code[0].value.splitlines()
    assert "row 3, column 'numerator': 'abc' is not a number" in problems
    assert any(p.startswith("row 4") for p in problems)
    assert any(p.startswith("row 5") for p in problems)


def test_your_data_empty_file_is_a_message_not_a_traceback(app):
    at = upload(app(page=YOUR_DATA), "empty.csv", b"")
    assert not at.exception
    assert at.error
