"""The CUSUM and VLAD core, and the simulated unit with a known excess risk."""

from __future__ import annotations

import numpy as np
import pytest

from carelab.indicators import cusum, monitoring
from carelab.indicators.cusum import InvalidMonitoring
from carelab.indicators.monitoring import MonitoringSpec


def loop_first_signal(w: np.ndarray, h: float) -> int:
    x = 0.0
    for t, weight in enumerate(w, start=1):
        x = max(0.0, x + weight)
        if x >= h:
            return t
    return 0


def test_steiner_weights_for_a_death_and_a_survivor():
    # R_A = 2, expected risk 0.2: a death adds log(2 / 1.2), a survivor log(1 / 1.2).
    w = cusum.weights([1, 0], [0.2, 0.2], 2.0)
    np.testing.assert_allclose(w, [np.log(2 / 1.2), np.log(1 / 1.2)], atol=1e-15)
    # Looking for improvement (R_A = 0.5), a survivor is evidence for it and a death against.
    improve = cusum.weights([1, 0], [0.2, 0.2], 0.5)
    assert improve[1] > 0 > improve[0]


def test_lindley_path_equals_the_recursion_and_reset_restarts_at_zero():
    rng = np.random.default_rng(5)
    w = rng.normal(0.02, 0.5, 2000)
    x, loop = 0.0, []
    for weight in w:
        x = max(0.0, x + weight)
        loop.append(x)
    np.testing.assert_allclose(cusum.path(w), loop, atol=1e-9)
    values, signals = cusum.chart(w, 3.0, reset=True)
    after = np.flatnonzero(signals) + 1
    assert after.size >= 2
    after = after[after < w.size]
    np.testing.assert_allclose(values[after], np.maximum(w[after], 0.0), atol=1e-12)


@pytest.mark.parametrize("h", [0.3, 2.0, 6.0, 50.0])
def test_restarting_chart_equals_the_recursion_with_few_or_many_signals(h):
    # Signals from about one patient in three (h = 0.3) to none (h = 50), across the
    # look-ahead windows the chart uses (256 patients, doubling).
    w = np.random.default_rng(11).normal(0.05, 0.6, 5000)
    x, values, signals = 0.0, [], []
    for weight in w:
        x = max(0.0, x + weight)
        values.append(x)
        signals.append(x >= h)
        if x >= h:
            x = 0.0
    got_values, got_signals = cusum.chart(w, h, reset=True)
    np.testing.assert_allclose(got_values, values, atol=1e-9)
    assert got_signals.tolist() == signals


def test_vlad_is_expected_minus_observed():
    np.testing.assert_allclose(cusum.vlad([0, 1, 0], [0.1, 0.3, 0.2]), [0.1, -0.6, -0.4])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cusum.cusum([0, 1], [0.1, 0.2], 1.0), "The odds ratio to detect must be above"),
        (lambda: cusum.cusum([0, 1], [0.1, 0.2], 2.0, h=-1), "The control limit h must be"),
        (lambda: cusum.cusum([0, 3], [0.1, 0.2]), "Every outcome must be 0"),
        (lambda: cusum.cusum([0, 1], [0.1, 1.0]), "Every expected risk must be above 0"),
        (lambda: cusum.vlad([0, 1], [0.1]), "Give one outcome and one expected risk"),
    ],
)
def test_bad_settings_raise_a_named_error(call, message):
    with pytest.raises(InvalidMonitoring, match=message):
        call()


def test_the_simulated_truth_changes_exactly_where_asked():
    spec = MonitoringSpec(patients=400, excess_start=101, true_odds_ratio=3.0, seed=1)
    patients = monitoring.simulate(spec, runs=2)
    odds = lambda p: p / (1 - p)  # noqa: E731
    ratio = odds(patients.true_risk) / odds(patients.expected)
    np.testing.assert_allclose(ratio[:, :100], 1.0)
    np.testing.assert_allclose(ratio[:, 100:], 3.0)
    again = monitoring.simulate(spec, runs=2)
    assert (again.outcomes == patients.outcomes).all()  # seeded
    assert not (patients.outcomes[0] == patients.outcomes[1]).all()  # runs differ


def test_first_signals_match_a_loop_over_each_run():
    spec = MonitoringSpec(patients=600, excess_start=300, true_odds_ratio=2.0, seed=9)
    patients = monitoring.simulate(spec, runs=60)
    w = cusum.weights(patients.outcomes, patients.expected, 2.0)
    vectorised = monitoring.first_signals(cusum.path(w), 3.5)
    assert list(vectorised) == [loop_first_signal(row, 3.5) for row in w]
    assert (vectorised > 0).any() and (vectorised == 0).any()


def test_a_higher_limit_trades_false_alarms_for_a_longer_run_length():
    table = monitoring.run_lengths(MonitoringSpec(), 2.0, [2.0, 4.5, 7.0], runs=500)
    assert list(table["h"]) == [2.0, 4.5, 7.0]
    assert table["false_alarm_share"].is_monotonic_decreasing
    assert table["average_run_length"].is_monotonic_increasing
    assert table["false_alarm_share"].iloc[0] > 0.3 > table["false_alarm_share"].iloc[-1]
    assert (table["detected_share"] > 0.5).all()


def test_with_no_excess_every_signal_is_a_false_alarm():
    spec = MonitoringSpec(true_odds_ratio=1.0)
    table = monitoring.run_lengths(spec, 2.0, [2.0], runs=300)
    row = table.iloc[0]
    assert row["false_alarm_share"] > 0.5
    assert row["detected_share"] is None and row["average_run_length"] is None


def test_one_unit_marks_the_excess_and_its_true_risk():
    spec = MonitoringSpec(patients=200, excess_start=150, true_odds_ratio=2.0)
    frame = monitoring.one_unit(spec, 2.0, 4.5, reset=False)
    assert list(frame.columns) == [
        "patient", "outcome", "expected", "true_risk", "weight", "cusum", "signal", "vlad",
        "excess",
    ]  # fmt: skip
    assert frame["excess"].sum() == 51 and frame.loc[149, "excess"]
    assert (frame.loc[:148, "true_risk"] == frame.loc[:148, "expected"]).all()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (MonitoringSpec(patients=5), "Patients must be from 10"),
        (MonitoringSpec(patients=100, excess_start=101), "The excess must start at a patient"),
        (MonitoringSpec(true_odds_ratio=0), "The true odds ratio must be above 0"),
    ],
)
def test_settings_that_cannot_be_simulated_say_which(spec, message):
    with pytest.raises(InvalidMonitoring, match=message):
        monitoring.simulate(spec)
