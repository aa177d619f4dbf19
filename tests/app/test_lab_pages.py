"""The Indicator Lab pages under AppTest: simulated scenarios and a user's own CSV."""

from __future__ import annotations

import re

import pytest

from carelab.indicators.describe import VERDICT_ORDER
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


def body_text(at) -> list[str]:
    """Markdown shown on the page, as read (the backslashes that escape it dropped)."""
    return [re.sub(r"\\(.)", r"\1", m.value) for m in at.markdown]


def summaries(at) -> list[str]:
    return [t for t in body_text(at) if t.startswith("200 hospitals")]


def test_risk_adjustment_control_changes_the_verdicts(app):
    at = app(page=LAB, scenario="risk-adjustment")
    before = summaries(at)
    at.radio(key="lab.risk-adjustment.a.risk").set_value("full").run()
    after = summaries(at)
    assert before[0] != after[0]
    assert after[0] == after[1]  # A now matches B, which was fully adjusted all along


def test_funnel_summaries_are_body_text_not_captions(app):
    at = app(page=LAB, scenario="risk-adjustment")
    assert len(summaries(at)) == 2
    assert not [c for c in at.caption if "hospitals" in c.value]


def test_each_funnel_has_a_table_of_every_hospitals_value_n_and_verdict(app):
    at = app(page=LAB, scenario="risk-adjustment")
    assert [e.label for e in at.expander].count("Table of the values") >= 2
    rows = at.dataframe[0].value
    assert list(rows.columns) == ["Hospital", "Value (%)", "Patients (n)", "Verdict"]
    assert len(rows) == 200 and rows["Hospital"].is_unique
    assert set(rows["Verdict"]) <= set(VERDICT_ORDER)
    assert (rows["Value (%)"] == rows["Value (%)"].round(1)).all()  # 12.3, not 0.12345678
    assert rows["Patients (n)"].dtype.kind == "i"
    # The table and the sentence under the chart agree on the counts.
    counts = rows["Verdict"].value_counts()
    words = ", ".join(f"{counts[v]} {v}" for v in VERDICT_ORDER if v in counts)
    assert summaries(at)[0].startswith(f"200 hospitals: {words}.")


def test_rank_chart_shows_the_best_20_by_name_then_the_worst(app):
    at = app(page=LAB, scenario="risk-adjustment")
    ranks = next(d.value for d in at.dataframe if "95% interval from" in d.value.columns)
    assert len(ranks) == 20 and ranks["Rank"].iloc[0] == ranks["Rank"].min()
    at.radio(key="lab.risk-adjustment.A.ranks").set_value("bottom").run()
    ranks = next(d.value for d in at.dataframe if "95% interval from" in d.value.columns)
    assert len(ranks) == 20 and ranks["Rank"].iloc[-1] == pytest.approx(200, abs=1)


def test_truth_table_has_one_row_per_measure_and_a_column_per_indicator(app):
    at = app(page=LAB, scenario="time-window")
    truth = at.table[0].value  # the shrinkage comparison over 20 populations follows it
    assert list(truth.columns) == ["A", "B"]
    assert truth.index[0] == "Rank correlation with true quality"
    assert float(truth["A"].iloc[0]) > float(truth["B"].iloc[0])
    assert any(t.startswith("**A:** Mortality (outcome)") for t in body_text(at))


# --- Your data -------------------------------------------------------------------------------


def upload(at, name: str, content: bytes):
    at.file_uploader(key="byod.file").upload(name, content, "text/csv").run()
    return at


def problems(at) -> list[str]:
    assert at.error[0].value.startswith("The data need fixing")
    return at.code[0].value.splitlines()


def test_your_data_asks_an_anonymous_visitor_to_sign_in_and_reads_nothing(app):
    at = app(page=YOUR_DATA)
    assert not at.exception
    assert at.info[0].value.startswith("Sign in to draw funnel plots and run charts")
    links = [link.proto.label for link in at.get("page_link")]
    assert links == ["Sign in or create an account", "Open the Simulated lab"]
    assert not at.get("file_uploader") and not at.button


def test_your_data_without_a_file_explains_what_is_needed(app, learner):
    at = app(user=learner, page=YOUR_DATA)
    assert not at.exception
    assert at.info[0].value.startswith("Columns needed:")
    assert at.get("file_uploader")[0].proto.label == (
        "Or your own CSV file (up to 10 MB and 300,000 rows)"
    )


def test_one_click_loads_the_nhs_england_example_with_its_source_and_licence(app, learner):
    at = app(user=learner, page=YOUR_DATA)
    button = at.button(key="byod.load_example")
    assert button.label == "Try it with example data"
    offer = next(m.value for m in at.markdown if m.value.startswith("No file to hand?"))
    assert "from NHS England, under the [Open Government Licence v3.0](https://" in offer
    button.click().run()
    assert not at.exception
    assert at.success[0].value.startswith("**Example data:** NHS England A&E attendances")
    about = next(m.value for m in at.markdown if m.value.startswith("Source: "))
    assert "NHS England, A&E Attendances and Emergency Admissions" in about
    assert "[Open Government Licence v3.0](https://www.nationalarchives.gov.uk/" in about
    assert "Contains public sector information licensed under the Open Government Licence" in about
    # The mapping is guessed, type 1 departments and the latest month are chosen: a funnel at once.
    assert at.selectbox(key="byod.provider").value == "org_code"
    assert at.multiselect(key="byod.groups").value == ["1"]
    assert at.multiselect(key="byod.periods").value == ["2019-03-01"]
    results = at.dataframe[0].value
    assert len(results) == 134  # the type-1 departments reporting in March 2019
    assert at.dataframe[1].value["Target (%)"].iloc[0] == pytest.approx(20.5, abs=0.2)


def test_an_upload_after_the_example_replaces_it(app, learner):
    at = app(user=learner, page=YOUR_DATA)
    at.button(key="byod.load_example").click().run()
    upload(at, "mine.csv", b"provider,numerator,denominator\nA,5,10\nB,3,10\nC,4,10\n")
    assert not at.exception and not at.success
    assert any(
        m.value.startswith("3 rows, read as UTF-8 text, comma-separated") for m in at.markdown
    )
    assert len(at.dataframe[0].value) == 3


def test_your_data_ae_type1_funnel_and_run_chart(app, learner):
    at = upload(app(user=learner, page=YOUR_DATA), "ae.csv", AE_CSV.read_bytes())
    assert not at.exception
    assert at.selectbox(key="byod.provider").value == "org_code"
    assert at.selectbox(key="byod.proportion.num").value == "breaches"
    at.multiselect(key="byod.groups").set_value(["1"]).run()
    at.multiselect(key="byod.periods").set_value(["2019-03-01"]).run()
    # Four columns, readable on a phone; the limits are in a second table, folded.
    results = at.dataframe[0].value
    assert list(results.columns) == ["Provider", "Value (%)", "Denominator (n)", "Verdict"]
    assert set(results["Verdict"]) <= set(VERDICT_ORDER)
    assert (results["Value (%)"] == results["Value (%)"].round(1)).all()
    assert "outside the 99.8% limits: far more variation than chance" in at.warning[0].value
    assert len(results) == 134  # the type-1 departments reporting in March 2019
    limits = at.dataframe[1].value
    assert list(limits.columns) == ["Provider", "Value (%)", "Target (%)", "Lower 95%",
                                    "Upper 95%", "Lower 99.8%", "Upper 99.8%"]  # fmt: skip
    assert limits["Target (%)"].iloc[0] == pytest.approx(100 * (1 - 0.795), abs=0.2)
    assert at.get("download_button")[0].proto.label == "Download results (CSV)"


def test_a_french_excel_file_loads_and_says_how_it_was_read(app, learner):
    text = "Établissement;Décès;Attendus\nSaint-Éloi;12;10,5\nPasteur;3;4,25\nSète;9;8,0\n"
    at = upload(app(user=learner, page=YOUR_DATA), "fr.csv", text.encode("cp1252"))
    assert (
        "3 rows, read as Windows-1252 text, semicolon-separated, decimal comma; "
        "columns: Établissement, Décès, Attendus"
    ) in [m.value for m in at.markdown]
    at.radio(key="byod.kind").set_value("ratio").run()
    at.selectbox(key="byod.provider").set_value("Établissement")
    at.selectbox(key="byod.ratio.num").set_value("Décès")
    at.selectbox(key="byod.ratio.den").set_value("Attendus").run()
    assert not at.exception and not at.error
    results = at.dataframe[0].value
    assert dict(zip(results["Provider"], results["Expected (E)"], strict=True)) == {
        "Pasteur": 4.25, "Saint-Éloi": 10.5, "Sète": 8.0,
    }  # fmt: skip


def test_your_data_bad_csv_lists_every_problem_with_row_and_column(app, learner):
    csv = b"provider,numerator,denominator\nA,5,10\nB,abc,10\nC,12,10\nD,1,0\n"
    at = upload(app(user=learner, page=YOUR_DATA), "bad.csv", csv)
    assert not at.exception
    found = problems(at)
    assert "row 3, column 'numerator': 'abc' is not a number" in found
    assert any(p.startswith("row 4") for p in found)
    assert any(p.startswith("row 5") for p in found)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty.csv is empty"),
        (b"x" * 10_000_001, "empty.csv is 10.0 MB; the limit is 10.0 MB"),
        (
            b"provider,numerator,denominator\n" + b"A,1,2\n" * 300_001,
            "empty.csv has more than 300,000 rows, the most CareLab reads; add the rows up by "
            "period or provider first, or leave out old periods",
        ),
    ],
    ids=["empty", "too-big", "too-many-rows"],
)
def test_a_file_past_a_bound_is_a_message_not_a_traceback(app, learner, content, expected):
    at = upload(app(user=learner, page=YOUR_DATA), "empty.csv", content)
    assert not at.exception
    assert problems(at) == [expected]
