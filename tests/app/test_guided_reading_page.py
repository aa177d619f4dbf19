"""The guided reading beside NHS England's A&E data on "Your data", under AppTest."""

from __future__ import annotations

from tests.conftest import AE_CSV

YOUR_DATA = "carelab/ui/pages/your_data.py"


def _steps(at) -> dict[str, str]:
    found = {}
    for m in at.markdown:
        for n in "1234":
            if m.value.startswith(f"**{n}. "):
                found[n] = m.value.replace("\\", "")  # Markdown escapes
    return found


def test_one_click_example_opens_a_guided_reading_computed_from_the_data(app, learner):
    at = app(user=learner, page=YOUR_DATA)
    at.button(key="byod.load_example").click().run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Funnel plot", "Run chart", "Guided reading"]
    assert at.info[0].value.startswith("New to funnel plots? The **Guided reading** tab")
    steps = _steps(at)
    assert steps["1"].startswith("**1. What the funnel plot flags.** For breaches / attendances "
                                 "in the period 2019-03-01, 134 trusts")  # fmt: skip
    assert "124 of 134 lie outside the 99.8% limits" in steps["1"]
    assert "φ = 490" in steps["2"]
    assert steps["4"].startswith("**4. One provider over time.** RXN (the worst of those")
    counts = next(d.value for d in at.dataframe if "Limits" in d.value.columns)
    assert counts["Worse, outside 99.8%"].tolist()[0] == 57
    assert at.selectbox(key="byod.guide_provider").value == "The reading's choice"

    # Another month: the reading is recomputed, not written in advance.
    at.multiselect(key="byod.periods").set_value(["2018-03-01"]).run()
    steps = _steps(at)
    assert "in the period 2018-03-01" in steps["1"]
    assert "124 of 134" not in steps["1"]

    # A trust of the learner's choosing for step 4.
    at.selectbox(key="byod.guide_provider").set_value("RQM").run()
    assert _steps(at)["4"].startswith("**4. One provider over time.** RQM (your choice)")
    assert any(m.value.startswith("36 periods; ") for m in at.markdown)


def test_an_uploaded_file_has_no_guided_reading(app, learner):
    at = app(user=learner, page=YOUR_DATA)
    at.file_uploader(key="byod.file").upload("ae.csv", AE_CSV.read_bytes(), "text/csv").run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Funnel plot", "Run chart"]
    assert not any(m.value.startswith("**1. What the funnel plot flags.**") for m in at.markdown)


def test_the_published_case_opens_in_one_click_and_says_what_is_published(app, learner):
    at = app(user=learner, page=YOUR_DATA)
    at.button(key="byod.load_case").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("**Example data:** Children's heart surgery in the UK")
    texts = [m.value for m in at.markdown]
    about = next(t for t in texts if t.startswith("Source: "))
    assert "National Congenital Heart Disease Audit (NICOR), 2011–2014 report" in about
    assert "Licence: no open licence: published figures quoted" in about
    assert any(t.startswith("**Published, not simulated.**") and "**Simulated:** nothing" in t
               for t in texts)  # fmt: skip
    assert any(t.startswith("So RHS and GUY: flagged worse on crude deaths") for t in texts)
    assert any("Lancet 2001;358:181–187" in t for t in texts)
    comparison = at.dataframe[0].value
    assert len(comparison) == 14 and "Against its predicted range" in comparison.columns
    # The funnel below reads the same file: deaths out of operations, one row per hospital.
    assert at.selectbox(key="byod.proportion.num").value == "deaths"
    assert at.selectbox(key="byod.proportion.den").value == "operations"
    funnel_rows = next(d.value for d in at.dataframe if "Verdict" in d.value.columns)
    assert len(funnel_rows) == 14
    assert [t.label for t in at.tabs] == ["Funnel plot", "Run chart"]
