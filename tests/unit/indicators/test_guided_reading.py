"""The guided reading of the A&E data: every count, name and signal comes from the data."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from carelab.indicators import guided_reading, upload
from carelab.indicators.errors import UploadError
from tests.conftest import AE_CSV


@pytest.fixture(scope="module")
def ae() -> pd.DataFrame:
    return upload.prepare(AE_CSV.read_bytes(), "ae.csv", "proportion")[2]


def test_march_2019_type1_flags_most_trusts_until_overdispersion_is_allowed_for(ae):
    reading = guided_reading.read(ae, ["1"], ["2019-03-01"])
    # docs/indicator-lab.md: 124 of 134 type-1 trusts outside the unadjusted 99.8% limits,
    # phi = 490 and tau = 0.110 (the FunnelPlotR-checked estimator).
    assert reading.providers == 134
    assert reading.unadjusted.outside == 124
    assert reading.phi == pytest.approx(490, rel=0.01)
    assert np.sqrt(reading.tau2) == pytest.approx(0.110, abs=0.0005)
    assert reading.adjusted.outside < 10
    assert reading.adjusted.beyond95 < reading.unadjusted.beyond95
    # Worse is a breach proportion above the target, listed worst first.
    totals = upload.aggregate(ae, ["1"], ["2019-03-01"]).set_index("provider")
    share = totals["numerator"] / totals["denominator"]
    worse = share[list(reading.unadjusted.worse)]
    assert (worse > reading.target).all() and worse.is_monotonic_decreasing
    better = share[list(reading.unadjusted.better)]
    assert (better < reading.target).all()


def test_the_run_chart_follows_the_worst_flagged_trust_over_every_month(ae):
    reading = guided_reading.read(ae, ["1"], ["2019-03-01"])
    assert reading.provider == reading.unadjusted.worse[0]
    assert "none is flagged with it" in reading.why_provider
    assert len(reading.run) == 36  # April 2016 to March 2019
    series = upload.period_series(ae, reading.provider, ["1"])
    np.testing.assert_allclose(reading.run["value"], series["value"])
    chosen = guided_reading.read(ae, ["1"], ["2019-03-01"], provider="RQM")
    assert chosen.provider == "RQM" and chosen.why_provider == "your choice"


def _units(last_share_bad: float) -> pd.DataFrame:
    """Twenty units over twelve months near 20%, with unit U00 at `last_share_bad` at the end."""
    rng = np.random.default_rng(7)
    rows = []
    for month in range(1, 13):
        for unit in range(20):
            n = int(rng.integers(800, 1200))
            share = 0.2 + rng.normal(0, 0.01)
            if unit == 0 and month == 12:
                share = last_share_bad
            rows.append((f"U{unit:02d}", round(n * share), n, f"2020-{month:02d}-01", "1"))
    return pd.DataFrame(rows, columns=["provider", "numerator", "denominator", "period", "group"])


def test_the_reading_changes_when_the_data_change():
    bad = guided_reading.read(_units(0.45), ["1"], ["2020-12-01"])
    assert bad.unadjusted.worse[0] == "U00" and "U00" in bad.adjusted.worse
    assert bad.provider == "U00"
    assert bad.why_provider == "the worst of those still flagged worse with the adjustment"
    last = bad.run.iloc[-1]
    assert last["period"] == "2020-12-01" and "outside_limits" in last["rules"]
    title, text = guided_reading.steps(bad, "units", "deaths / patients")[3]
    assert title == "4. One provider over time." and text.startswith("U00 (the worst of those")
    assert "goes from 20.3% (2020-01-01) to 45.0% (2020-12-01)" in text
    assert re.search(r"outside the process limits in \d+ periods \(\S+ to 2020-12-01\)", text)

    calm = guided_reading.read(_units(0.2), ["1"], ["2020-12-01"])
    assert "U00" not in calm.unadjusted.worse
    assert calm.provider != "U00" or not calm.signals["period"].eq("2020-12-01").any()


def test_when_higher_is_better_the_low_values_are_the_worse_ones():
    reading = guided_reading.read(_units(0.05), ["1"], ["2020-12-01"], higher_is_better=True)
    assert reading.unadjusted.worse[0] == "U00" and reading.provider == "U00"


def test_the_steps_say_the_computed_numbers(ae):
    reading = guided_reading.read(ae, ["1"], ["2019-03-01"])
    steps = guided_reading.steps(reading, "trusts", "breaches / attendances")
    assert [t for t, _ in steps] == [
        "1. What the funnel plot flags.",
        "2. Is that chance?",
        "3. What the adjustment does to the verdict.",
        "4. One provider over time.",
    ]
    assert "For breaches / attendances in the period 2019-03-01, 134 trusts" in steps[0][1]
    assert "124 of 134 lie outside the 99.8% limits: 57 worse (RXN," in steps[0][1]
    assert "here φ = 490" in steps[1][1]
    assert f"against 124 and {reading.unadjusted.beyond95} without it" in steps[2][1]
    assert steps[3][1].startswith(f"{reading.provider} (")


def test_no_matching_rows_is_a_message(ae):
    with pytest.raises(UploadError, match="no rows match the chosen groups and periods"):
        guided_reading.read(ae, ["1"], ["1999-01-01"])
