"""The "Monitoring over time" page under AppTest: simulated patients, CUSUM, VLAD, run lengths."""

from __future__ import annotations

import re

PAGE = "carelab/ui/pages/lab_monitoring.py"


def body(at) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", m.value) for m in at.markdown]


def summary(at) -> str:
    return next(t for t in body(at) if t.startswith(("**The CUSUM", "**No signal")))


def test_the_page_is_labelled_simulated_and_teaches_the_reading(app):
    at = app(page=PAGE)
    assert not at.exception and not at.error
    assert at.title[0].value == "Monitoring over time: CUSUM and VLAD"
    assert at.info[0].value.startswith("**Simulated data.**")
    text = " ".join(body(at))
    assert "a prompt to look, not a verdict" in text
    assert "Monitoring surgical performance using risk-adjusted cumulative sum charts" in text
    assert "variable life-adjusted display" in text
    assert "applications to Bristol, Shipman and adult cardiac surgery" in text


def test_by_default_the_cusum_signals_after_the_excess_starts(app):
    at = app(page=PAGE)
    first = summary(at)
    assert re.search(r"The CUSUM signals at patients? [\d,]+", first), first
    assert "The excess starts at patient 500" in first
    values = next(d.value for d in at.dataframe if "CUSUM" in d.value.columns)
    assert list(values.columns) == [
        "Patient", "Outcome", "Expected risk (%)", "True risk (%)", "CUSUM", "Signal", "VLAD",
    ]  # fmt: skip
    assert len(values) == 1000
    signalled = values.loc[values["Signal"] == "Signal", "Patient"].tolist()
    assert re.search(rf"signals at patients? {signalled[0]:,}\b", first), first
    assert (values.loc[values["Patient"] == signalled[0], "CUSUM"] >= 4.5).all()


def test_no_excess_means_every_signal_is_false_and_a_higher_h_signals_less(app):
    at = app(page=PAGE)
    at.selectbox(key="monitor.truth").set_value(1.0).run()
    text = summary(at)
    assert "No signal" in text or "every signal is a false alarm" in text
    at.selectbox(key="monitor.truth").set_value(3.0).run()
    at.slider(key="monitor.h").set_value(2.0).run()
    low = next(d.value for d in at.dataframe if "CUSUM" in d.value.columns)
    at.slider(key="monitor.h").set_value(7.0).run()
    high = next(d.value for d in at.dataframe if "CUSUM" in d.value.columns)
    assert (low["Signal"] == "Signal").sum() > (high["Signal"] == "Signal").sum()


def test_moving_the_start_of_the_excess_moves_the_truth(app):
    at = app(page=PAGE)
    at.number_input(key="monitor.start").set_value(800).run()
    values = next(d.value for d in at.dataframe if "CUSUM" in d.value.columns)
    before, after = values[values["Patient"] < 800], values[values["Patient"] >= 800]
    assert (before["True risk (%)"] == before["Expected risk (%)"]).all()
    assert (after["True risk (%)"] >= after["Expected risk (%)"]).all()
    assert (after["True risk (%)"] > after["Expected risk (%)"]).mean() > 0.9


def test_the_run_length_table_compares_h_over_1000_runs(app):
    at = app(page=PAGE)
    table = at.table[0].value
    assert table.index.name == "Control limit h" or "Control limit h" in table.columns
    labels = list(table.index) if table.index.name else list(table.iloc[:, 0])
    assert "4.5 (yours)" in labels and len(labels) == 6
    assert list(table.columns)[-4:] == [
        "False alarms before the excess", "Signalled after it started",
        "Average run length (patients)", "Median run length (patients)",
    ]  # fmt: skip
    alarms = [float(v.rstrip("%")) for v in table["False alarms before the excess"]]
    assert alarms == sorted(alarms, reverse=True)  # higher h, fewer false alarms
    assert any(t.startswith("Over 1,000 simulated runs with h = 4.5") for t in body(at))
