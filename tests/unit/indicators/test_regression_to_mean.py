"""Regression to the mean: the flagged 'improve' by chance, and a randomised control shows it."""

from __future__ import annotations

import numpy as np
import pytest

from carelab.indicators.funnel import InvalidOption
from carelab.indicators.regression_to_mean import RtmSpec, run_description, simulate


@pytest.fixture(scope="module")
def nothing_done():
    return simulate(RtmSpec(runs=2000))


def test_doing_nothing_the_flagged_improve_in_almost_every_run_and_all_of_it_is_chance(
    nothing_done,
):
    runs = nothing_done.runs
    assert (runs["real"] == 0).all()  # nothing was done, so their true rates did not move
    assert np.allclose(runs["chance"], runs["apparent"])
    assert nothing_done.share_improved() > 0.95
    # They improve by about as much as their year-one rates overstated their true rates.
    assert nothing_done.mean("apparent") == pytest.approx(
        nothing_done.mean("looked_worse"), rel=0.1
    )
    # They were truly worse than average, but not as much worse as they looked.
    assert nothing_done.mean("true1") > 0.08
    assert nothing_done.mean("year1") > nothing_done.mean("true1") + 0.01


def test_the_shown_run_flags_the_worst_tenth_by_year_one_rate_as_a_plain_loop_does(nothing_done):
    units = nothing_done.units
    rates = sorted(units["year1"], reverse=True)
    worst = [i for i, rate in enumerate(units["year1"]) if rate > rates[20]]
    flagged = list(np.flatnonzero(units["flagged"]))
    assert len(flagged) == 20 and set(worst) <= set(flagged)
    assert units.loc[flagged, "year1"].min() >= rates[20] - 1e-12
    year1 = sum(units["year1"][i] for i in flagged) / 20
    year2 = sum(units["year2"][i] for i in flagged) / 20
    assert nothing_done.runs["year1"][0] == pytest.approx(year1)
    assert nothing_done.runs["year2"][0] == pytest.approx(year2)
    groups = units.loc[flagged, "group"].value_counts()
    assert groups["intervention"] == groups["control"] == 10
    assert set(units.loc[~units["flagged"], "group"]) == {"no"}


def test_randomised_control_group_sees_no_effect_when_there_is_none(nothing_done):
    estimate = nothing_done.runs["randomised_estimate"]
    standard_error = estimate.std() / np.sqrt(len(estimate))
    assert abs(estimate.mean()) < 3 * standard_error
    # Both arms 'improve' alike: the control arm improves as much as the treated one.
    assert nothing_done.mean("control_change") > 0.02


def test_randomised_comparison_recovers_a_real_effect_that_before_and_after_overstates():
    result = simulate(RtmSpec(odds_ratio=0.7, runs=2000))
    estimate = result.runs["randomised_estimate"]
    standard_error = estimate.std() / np.sqrt(len(estimate))
    assert estimate.mean() == pytest.approx(result.mean("true_effect"), abs=3 * standard_error)
    assert result.mean("arm_change") > 1.5 * result.mean("true_effect")


def test_less_noise_means_less_regression_to_the_mean():
    noisy = simulate(RtmSpec(patients=100, runs=300))
    precise = simulate(RtmSpec(patients=20_000, runs=300))
    assert precise.mean("chance") < noisy.mean("chance") / 3
    assert precise.reliability > 0.9 > noisy.reliability


def test_with_no_true_differences_every_flagged_unit_is_average():
    result = simulate(RtmSpec(quality_sd=0.0, runs=300))
    assert result.mean("true1") == pytest.approx(0.08)
    assert result.reliability == pytest.approx(0.0)
    assert result.mean("apparent") > 0.02
    # The words must not call the flagged "worse than the typical hospital" when none is.
    text = run_description(result)
    assert "worse than the typical" not in text
    assert "the same as every hospital's" in text and "all of year one's excess was chance" in text
    assert "worse than the typical" in run_description(simulate(RtmSpec(runs=50)))


def test_the_same_seed_gives_the_same_runs():
    assert simulate(RtmSpec(runs=50)).runs.equals(simulate(RtmSpec(runs=50)).runs)
    assert not simulate(RtmSpec(runs=50, seed=1)).runs.equals(simulate(RtmSpec(runs=50)).runs)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (RtmSpec(units=5), "units must be at least 10, not 5"),
        (RtmSpec(flagged_share=0.001), "flags 0; at least 2"),
        (RtmSpec(odds_ratio=0), "odds_ratio must be above 0"),
        (RtmSpec(baseline=1.5), "baseline must lie between 0 and 1"),
    ],
)
def test_impossible_settings_say_which_and_why(spec, message):
    with pytest.raises(InvalidOption, match=message):
        simulate(spec)
