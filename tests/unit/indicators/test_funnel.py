"""Funnel limits: published validation numbers, properties, edge cases and named errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from carelab.errors import CareLabError
from carelab.indicators.funnel import (
    FLAGS,
    LIMIT_COLUMNS,
    TABLE_COLUMNS,
    Z95,
    Z998,
    FunnelResult,
    InvalidCounts,
    InvalidOption,
    Overdispersion,
    adjusted_limits,
    funnel,
    funnel_curve,
    funnel_table,
    overdispersion,
    proportion_limits,
    ratio_limits,
)

# Validation case 8: FunnelPlotR dev/workingout_binom.R and tests/testthat/test-funnel_plot.R.
PR_NUM = [12, 30, 26, 50, 42, 71, 4, 29, 48, 36]
PR_DEN = [82, 98, 100, 125, 162, 151, 12, 100, 82, 99]
SR_OBS = [100, 150, 180, 80, 120, 225]
SR_EXP = [108, 112, 165, 95, 100, 220]

SETTINGS = settings(max_examples=30, deadline=None)


def row(frame: pd.DataFrame, i: int = 0) -> list[float]:
    return frame.loc[i, list(LIMIT_COLUMNS)].astype(float).tolist()


def test_constants():
    assert (Z95, Z998) == (1.959964, 3.090232)


# --------------------------------------------------------------------- validation cases


def test_validation_case_1_normal_approximation():
    assert row(proportion_limits(100, 0.10, "normal")) == pytest.approx(
        [0.041201, 0.158799, 0.007293, 0.192707], abs=1e-6
    )


def test_validation_case_2_interpolated_exact_binomial():
    assert row(proportion_limits(100, 0.10)) == pytest.approx(
        [0.040381, 0.157719, 0.014179, 0.198357], abs=1e-6
    )


@pytest.mark.parametrize(
    ("expected", "limits"),
    [
        (15, [0.5596924, 1.649348, 0.3862650, 2.082907]),
        (20, [0.6108260, 1.544419, 0.4479107, 1.902094]),
        (30, [0.6746958, 1.427562, 0.5289724, 1.702771]),
    ],
)
def test_validation_case_3_poisson_ratio_limits(expected, limits):
    assert row(ratio_limits([expected])) == pytest.approx(limits, rel=1e-6)


def test_ratio_limits_scale_with_the_target():
    assert row(ratio_limits([20], target=1.1)) == pytest.approx(
        [1.1 * x for x in row(ratio_limits([20]))]
    )


@pytest.mark.parametrize(
    ("n", "limits"),
    [
        (598, [77.475765, 83.809131, 75.649608, 85.635287]),
        (110000, [80.408963, 80.875933, 80.274317, 81.010578]),
    ],
)
def test_validation_case_4_phe_proportion_funnel(n, limits):
    # PHE's numbers are percentages, published to 6 decimals of a rounded baseline.
    frame = proportion_limits([n], 0.80642448, "normal") * 100
    assert row(frame) == pytest.approx(limits, abs=2e-6)


def test_validation_case_4_n_equals_one_is_clipped_to_zero_and_one():
    lower95, upper95, lower998, upper998 = row(proportion_limits([1], 0.80642448, "normal"))
    assert lower95 * 100 == pytest.approx(3.204264, abs=2e-6)
    assert (upper95, lower998, upper998) == (1.0, 0.0, 1.0)


def test_validation_case_8_proportions_overdispersion():
    result = funnel(range(10), PR_NUM, PR_DEN)
    target = result.table["target"].iloc[0]
    assert target == pytest.approx(0.3442136, abs=1e-7)
    assert result.overdispersion.phi == pytest.approx(4.009053, rel=1e-6)
    assert result.overdispersion.tau2 == pytest.approx(0.00868826, rel=1e-6)
    assert result.overdispersion.n_used == 10
    limits = adjusted_limits("proportion", [100], target, result.overdispersion, "additive")
    assert row(limits) == pytest.approx([0.166015, 0.548813, 0.087392, 0.665276], abs=1e-6)


@pytest.mark.parametrize(
    ("sr_method", "phi", "tau2"),
    [("SHMI", 2.948033, 0.01947753), ("CQC", 2.327178, 0.00343978)],
)
def test_validation_case_8_ratio_overdispersion(sr_method, phi, tau2):
    values = np.divide(SR_OBS, SR_EXP)
    od = overdispersion("ratio", values, SR_EXP, 1.0, sr_method=sr_method)
    assert od.phi == pytest.approx(phi, rel=1e-6)
    assert od.tau2 == pytest.approx(tau2, rel=1e-6)
    assert od.n_used == 6


def test_shmi_truncates_the_outer_deciles_instead_of_winsorising():
    # With 20 providers the SHMI rule drops the lowest and highest 2 z-scores.
    rng = np.random.default_rng(4)
    expected = rng.uniform(50, 500, 20)
    observed = rng.poisson(expected * rng.lognormal(0, 0.2, 20))
    shmi = overdispersion("ratio", observed / expected, expected, 1.0, sr_method="SHMI")
    assert shmi.n_used == 16
    z = np.sort(np.sqrt(expected) * np.log(observed / expected))
    assert shmi.phi == pytest.approx(np.mean(z[2:-2] ** 2))


def test_additive_ratio_limits_follow_funnelplotr():
    od = Overdispersion(phi=2.948033, tau2=0.01947753, n_used=6)
    s = math.sqrt(1 / 100 + od.tau2)
    assert row(adjusted_limits("ratio", [100], 1.0, od, "additive")) == pytest.approx(
        [math.exp(-Z95 * s), math.exp(Z95 * s), math.exp(-Z998 * s), math.exp(Z998 * s)]
    )
    cqc = Overdispersion(phi=2.327178, tau2=0.00343978, n_used=6)
    s = math.sqrt(1 / 400 + cqc.tau2)
    assert row(adjusted_limits("ratio", [100], 1.0, cqc, "additive", "CQC")) == pytest.approx(
        [(1 - Z95 * s) ** 2, (1 + Z95 * s) ** 2, (1 - Z998 * s) ** 2, (1 + Z998 * s) ** 2]
    )


def test_multiplicative_scales_the_transformed_standard_error_by_root_phi():
    od = Overdispersion(phi=4.0, tau2=0.0, n_used=10)
    centre = math.asin(math.sqrt(0.3))
    half = [-Z95, Z95, -Z998, Z998]
    expected = [math.sin(centre + z * 2 * 0.05) ** 2 for z in half]
    got = adjusted_limits("proportion", [100], 0.3, od, "multiplicative")
    assert row(got) == pytest.approx(expected)


def test_multiplicative_never_narrows_limits_when_phi_is_below_one():
    under = Overdispersion(phi=0.25, tau2=0.0, n_used=10)
    one = Overdispersion(phi=1.0, tau2=0.0, n_used=10)
    assert row(adjusted_limits("proportion", [50], 0.3, under, "multiplicative")) == row(
        adjusted_limits("proportion", [50], 0.3, one, "multiplicative")
    )


def test_tau2_is_zero_without_overdispersion():
    od = overdispersion("proportion", [0.3, 0.3, 0.3], [100, 200, 300], 0.3)
    assert (od.phi, od.tau2, od.n_used) == (0.0, 0.0, 3)


# --------------------------------------------------------------------------- the table


def test_table_columns_flags_and_defaults():
    table = funnel_table(list("ABCDEFGHIJ"), PR_NUM, PR_DEN)
    assert tuple(table.columns) == TABLE_COLUMNS
    assert table["provider"].tolist() == list("ABCDEFGHIJ")
    assert table["value"].tolist() == pytest.approx(np.divide(PR_NUM, PR_DEN))
    assert table["n"].tolist() == PR_DEN
    assert table["target"].unique().tolist() == pytest.approx([sum(PR_NUM) / sum(PR_DEN)])
    assert set(table["flag"]) <= set(FLAGS)


def test_funnel_returns_the_table_and_the_overdispersion():
    result = funnel(list("ABCDEFGHIJ"), PR_NUM, PR_DEN, overdispersion="additive")
    assert isinstance(result, FunnelResult)
    assert result.table.equals(
        funnel_table(list("ABCDEFGHIJ"), PR_NUM, PR_DEN, overdispersion="additive")
    )
    # The overdispersed data: unadjusted exact limits flag far more providers.
    plain = funnel_table(list("ABCDEFGHIJ"), PR_NUM, PR_DEN)
    assert (plain["flag"] != "within").sum() > (result.table["flag"] != "within").sum()


def test_ratio_table_uses_observed_over_expected_and_target_one():
    table = funnel_table(list("abcdef"), SR_OBS, SR_EXP, kind="ratio")
    assert table["value"].tolist() == pytest.approx(np.divide(SR_OBS, SR_EXP))
    assert table["target"].iloc[0] == 1.0
    assert row(table, 0) == row(ratio_limits([108]))
    # b: 150 observed against 112 expected is beyond the 99.8% Poisson limit.
    assert table.set_index("provider").loc["b", "flag"] == "above998"


def test_a_value_exactly_on_a_limit_is_within():
    # n = 1 at target 0.8: the normal upper limits clip to exactly 1, where the value sits.
    table = funnel_table(["A"], [1], [1], method="normal", target=0.8)
    assert table["value"].iloc[0] == table["upper998"].iloc[0] == 1.0
    assert table["flag"].tolist() == ["within"]
    # All-zero events: target 0, every limit 0, every value 0.
    table = funnel_table(["A", "B"], [0, 0], [10, 20])
    assert table[list(LIMIT_COLUMNS)].to_numpy().max() == 0.0
    assert table["flag"].tolist() == ["within", "within"]


@pytest.mark.parametrize(
    ("events", "flag"),
    [(36, "within"), (50, "above95"), (60, "above998"), (22, "below95"), (15, "below998")],
)
def test_flags_name_the_band_a_provider_falls_in(events, flag):
    # Target 0.18 at n = 200: exact limits (in events) 25.2/46.5 at 95% and 19.7/53.1 at 99.8%.
    table = funnel_table(["A"], [events], [200], target=0.18)
    assert table["flag"].iloc[0] == flag


# ------------------------------------------------------------------------ edge cases


def finite(frame: pd.DataFrame) -> bool:
    return bool(np.all(np.isfinite(frame[list(LIMIT_COLUMNS)].to_numpy())))


@pytest.mark.parametrize("method", ["exact", "normal"])
@pytest.mark.parametrize("adjust", ["none", "multiplicative", "additive"])
@pytest.mark.parametrize(
    ("num", "den"),
    [([3], [10]), ([0, 0, 0], [5, 10, 20]), ([5, 10, 20], [5, 10, 20]), ([0, 1], [1, 1])],
    ids=["one provider", "all zero", "all events", "n = 1"],
)
def test_edge_cases_give_defined_finite_results(num, den, method, adjust):
    result = funnel(range(len(num)), num, den, method=method, overdispersion=adjust)
    assert finite(result.table)
    assert set(result.table["flag"]) <= set(FLAGS)
    od = result.overdispersion
    assert math.isfinite(od.phi) and math.isfinite(od.tau2)


@pytest.mark.parametrize("target", [0.0, 1.0])
def test_target_zero_or_one_puts_every_exact_limit_on_the_target(target):
    frame = proportion_limits([1, 10, 110000], target)
    assert np.all(frame.to_numpy() == target)
    normal = proportion_limits([1, 10, 110000], target, "normal")
    assert np.all(normal.to_numpy() == target)


def test_size_zero_gives_the_widest_limits():
    assert row(proportion_limits([0], 0.3)) == [0.0, 1.0, 0.0, 1.0]
    assert row(proportion_limits([0], 0.3, "normal")) == [0.0, 1.0, 0.0, 1.0]
    assert row(ratio_limits([0])) == [0.0, math.inf, 0.0, math.inf]


def test_zero_observed_ratio_is_left_out_of_the_shmi_estimate():
    result = funnel(list("abcdefg"), [0, *SR_OBS], [5, *SR_EXP], kind="ratio")
    assert result.overdispersion.n_used == 6
    assert finite(result.table)


def test_huge_denominators_give_finite_limits():
    frame = proportion_limits([110000] * 3 + [1], 0.8)
    assert finite(frame)


def test_ten_thousand_providers_get_exact_limits():
    # Speed is measured in bench/indicator_lab.py (funnel_10k_ms), not asserted here.
    sizes = np.random.default_rng(0).integers(1, 110000, 10_000)
    frame = proportion_limits(sizes, 0.3)
    assert len(frame) == 10_000 and finite(frame)


def test_exact_limits_match_scipy_binomial_quantiles():
    from scipy.stats import binom

    sizes = np.arange(1, 400)
    for target in (0.003, 0.2, 0.5, 0.97):
        tails = np.array([0.025, 0.975, 0.001, 0.999])[:, None]
        r = binom.ppf(tails, sizes, target)
        cdf, below = binom.cdf(r, sizes, target), binom.cdf(r - 1, sizes, target)
        reference = np.clip((r - (cdf - tails) / (cdf - below)) / sizes, 0, 1).T
        got = proportion_limits(sizes, target).to_numpy()
        np.testing.assert_allclose(got, reference, atol=1e-12)


# ------------------------------------------------------------------------------ curves


def test_curve_for_exact_proportions_uses_whole_sizes():
    curve = funnel_curve("proportion", 0.1, 1, 1000, points=50)
    assert tuple(curve.columns) == ("n", *LIMIT_COLUMNS)
    assert np.all(curve["n"] == np.round(curve["n"])) and curve["n"].is_monotonic_increasing
    assert curve["n"].iloc[0] == 1 and curve["n"].iloc[-1] == 1000
    assert curve[list(LIMIT_COLUMNS)].equals(proportion_limits(curve["n"], 0.1))
    decades = funnel_curve("proportion", 0.1, 1, 1000, points=4)
    assert decades["n"].tolist() == [1, 10, 100, 1000]
    assert row(decades, 2) == pytest.approx([0.040381, 0.157719, 0.014179, 0.198357], abs=1e-6)


def test_curves_for_ratios_and_adjusted_limits():
    curve = funnel_curve("ratio", 1.0, 0.5, 500, points=120)
    assert len(curve) == 120 and finite(curve)
    od = Overdispersion(phi=4.009053, tau2=0.00868826, n_used=10)
    adjusted = funnel_curve("proportion", 0.3442136, 10, 200, od=od, adjustment="additive")
    at_100 = adjusted_limits("proportion", [100], 0.3442136, od, "additive")
    assert len(adjusted) == 200 and finite(adjusted)
    assert np.interp(100, adjusted["n"], adjusted["upper95"]) == pytest.approx(
        at_100["upper95"].iloc[0], abs=1e-4
    )


# ------------------------------------------------------------------------- properties


@SETTINGS
@given(
    st.integers(1, 100_000),
    st.integers(2, 50),
    st.floats(0.001, 0.999),
    st.sampled_from(["normal", "ratio", "additive", "multiplicative"]),
)
def test_limits_widen_as_n_falls(n, factor, target, method):
    sizes = [n, n * factor]
    if method == "normal":
        frame = proportion_limits(sizes, target, "normal")
    elif method == "ratio":
        frame = ratio_limits(sizes, 0.5 + target)
    else:
        od = Overdispersion(phi=3.0, tau2=0.01, n_used=10)
        frame = adjusted_limits("proportion", sizes, target, od, method)
    small, large = row(frame, 0), row(frame, 1)
    assert small[0] <= large[0] and small[2] <= large[2]
    assert small[1] >= large[1] and small[3] >= large[3]


@SETTINGS
@given(st.integers(10, 5000), st.floats(0.05, 0.95))
def test_exact_limits_widen_between_n_and_4n(n, target):
    # Interpolated exact limits keep a small saw-tooth between neighbouring n (as in
    # Spiegelhalter 2005's figures), so widening is checked between n and 4n.
    small, large = (
        row(proportion_limits([n, 4 * n], target), 0),
        row(proportion_limits([n, 4 * n], target), 1),
    )
    assert small[0] <= large[0] and small[2] <= large[2]
    assert small[1] >= large[1] and small[3] >= large[3]


@SETTINGS
@given(
    st.lists(st.integers(0, 200_000), min_size=1, max_size=20),
    st.floats(0.0, 1.0),
    st.sampled_from(["exact", "normal", "ratio", "additive"]),
)
@example(sizes=[4], target=2.2250738585072014e-308, method="exact")  # scipy overflowed
@example(sizes=[4], target=1.0 - 1e-16, method="exact")
def test_95_limits_lie_inside_998_limits(sizes, target, method):
    if method in ("exact", "normal"):
        frame = proportion_limits(sizes, target, method)
    elif method == "ratio":
        frame = ratio_limits(sizes, max(target, 0.01))
    else:
        od = Overdispersion(phi=2.0, tau2=0.005, n_used=5)
        frame = adjusted_limits("proportion", sizes, target, od, "additive")
    assert np.all(frame["lower998"] <= frame["lower95"])
    assert np.all(frame["lower95"] <= frame["upper95"])
    assert np.all(frame["upper95"] <= frame["upper998"])


counts = st.lists(
    st.tuples(st.integers(1, 2000), st.floats(0, 1)).map(lambda t: (round(t[0] * t[1]), t[0])),
    min_size=1,
    max_size=30,
)


@SETTINGS
@given(
    counts,
    st.sampled_from(["exact", "normal"]),
    st.sampled_from(["none", "multiplicative", "additive"]),
)
@example(pairs=[(0, 1), (0, 1), (0, 1), (2, 3), (0, 6)], method="exact", adjust="multiplicative")
def test_flags_are_consistent_with_the_limits(pairs, method, adjust):
    num, den = zip(*pairs, strict=True)
    table = funnel_table(range(len(num)), num, den, method=method, overdispersion=adjust)
    v = table["value"]
    expected = np.select(
        [v > table["upper998"], v > table["upper95"], v < table["lower998"], v < table["lower95"]],
        ["above998", "above95", "below998", "below95"],
        "within",
    )
    # A zero is only as unusual as its binomial probability under the target: funnel.py
    # keeps a low flag on 0 events only when that is under 2.5% (95%) or 0.1% (99.8%),
    # whatever the limits say (hypothesis found 0 of 6 against a target of 2/12 in CI).
    p_zero = np.power(1.0 - table["target"].to_numpy(), np.asarray(den, dtype=float))
    zero = np.asarray(num) == 0
    expected = np.where(zero & (p_zero >= 0.001) & (expected == "below998"), "below95", expected)
    low = np.isin(expected, ["below95", "below998"])
    expected = np.where(zero & (p_zero >= 0.025) & low, "within", expected)
    assert table["flag"].tolist() == expected.tolist()


@SETTINGS
@given(st.integers(1000, 1_000_000), st.floats(0.02, 0.98))
def test_exact_and_normal_limits_converge_for_large_n(n, target):
    exact, normal = (
        row(proportion_limits([n], target)),
        row(proportion_limits([n], target, "normal")),
    )
    # The gap shrinks like 1/n (skewness and continuity terms); measured below 2/n.
    assert np.max(np.abs(np.subtract(exact, normal))) < 2.5 / n


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kind", "num", "den", "message", "provider"),
    [
        ("proportion", [1, 12], [10, 10],
         "Provider 'B' has 12 events out of 10; a numerator cannot exceed its denominator.", "B"),
        ("proportion", [1, -2], [10, 10],
         "Provider 'B' has a negative numerator (-2); counts cannot be negative.", "B"),
        ("proportion", [1, 2], [0, 10],
         "Provider 'A' has a denominator of 0; it must be at least 1.", "A"),
        ("proportion", [1, 2], [10, -3],
         "Provider 'B' has a denominator of -3; it must be at least 1.", "B"),
        ("proportion", [1.5, 2], [10, 10],
         "Provider 'A' has 1.5 out of 10; counts must be whole.", "A"),
        ("proportion", [1, math.nan], [10, 10],
         "Provider 'B' has a missing or infinite count.", "B"),
        ("ratio", [3, 4], [2.5, 0],
         "Provider 'B' has an expected count of 0; it must be above zero.", "B"),
        ("ratio", [-1, 4], [2.5, 1],
         "Provider 'A' has a negative numerator (-1); counts cannot be negative.", "A"),
    ],
)  # fmt: skip
def test_invalid_counts_name_the_provider(kind, num, den, message, provider):
    with pytest.raises(InvalidCounts) as error:
        funnel_table(["A", "B"], num, den, kind=kind)
    assert str(error.value) == message
    assert error.value.provider == provider
    assert isinstance(error.value, CareLabError)


def test_duplicate_providers_are_refused():
    with pytest.raises(InvalidCounts) as error:
        funnel_table(["A", "B", "A"], [1, 2, 3], [10, 10, 10])
    assert str(error.value) == "Provider 'A' appears more than once; give one row each."


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: funnel_table(["A"], [1, 2], [10, 10]),
         "Got 1 providers, 2 numerators and 2 sizes; give exactly one of each per provider."),
        (lambda: funnel_table([], [], []), "No providers were given; at least one is needed."),
        (lambda: funnel_table(["A"], [1], [10], kind="rate"),
         "kind must be one of 'proportion', 'ratio', not 'rate'."),
        (lambda: funnel_table(["A"], [1], [10], method="wilson"),
         "method must be one of 'exact', 'normal', not 'wilson'."),
        (lambda: funnel_table(["A"], [1], [10], overdispersion="yes"),
         "overdispersion must be one of 'none', 'multiplicative', 'additive', not 'yes'."),
        (lambda: funnel_table(["A"], [1], [10], target=1.5),
         "A proportion target must lie between 0 and 1, not 1.5."),
        (lambda: funnel_table(["A"], [1], [10], kind="ratio", target=0),
         "A ratio target must be a positive number, not 0."),
        (lambda: proportion_limits([10.5], 0.2),
         "Exact binomial limits need whole-number sizes."),
        (lambda: ratio_limits([-1]), "Sizes must be finite numbers of zero or more."),
        (lambda: funnel_curve("ratio", 1.0, 0, 10), "Sizes for a curve need 0 < n_min <= n_max."),
        (lambda: overdispersion("proportion", [0.2], [10], 0.2, trim=0.5),
         "trim must be at least 0 and below 0.5, not 0.5."),
    ],
)  # fmt: skip
def test_invalid_options_raise_a_named_error(call, message):
    with pytest.raises(InvalidOption) as error:
        call()
    assert str(error.value) == message


def test_zero_events_with_few_expected_are_not_flagged_low():
    """0 deaths out of 0.72 expected happens half the time: not 'better than expected'."""
    table = funnel_table(["small", "large"], [0, 0], [0.72, 8.0], kind="ratio")
    flags = dict(zip(table["provider"], table["flag"], strict=True))
    assert flags["small"] == "within"
    # With 8 expected, no deaths at all has a chance of e^-8 = 0.0003: that is unusual.
    assert flags["large"] == "below998"


def test_zero_events_flag_follows_the_exact_chance_of_none():
    # e^-3 = 0.0498 >= 0.025: within; e^-5 = 0.0067: below 95% but not below 99.8%.
    table = funnel_table(["a", "b"], [0, 0], [3.0, 5.0], kind="ratio")
    assert table["flag"].tolist() == ["within", "below95"]
