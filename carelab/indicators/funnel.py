"""Funnel-plot limits for comparing providers' proportions and standardised ratios (O/E).

Sources (formulas and published numbers only; no code copied):

- Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
  2005;24:1185-1202. Normal-approximation and exact binomial limits, with the appendix's
  interpolation between the discrete binomial quantiles.
- Spiegelhalter DJ. Handling over-dispersion of performance indicators. Qual Saf Health Care
  2005;14:347-351. z-scores on a variance-stabilising scale, winsorised; the dispersion ratio
  phi; multiplicative (sqrt(phi)) and additive random-effects (tau^2) widening of the limits.
- FunnelPlotR (nhs-r-community, MIT): the z constants, the exact Poisson limits for O/E, the
  SHMI and CQC scales for ratios and the SHMI rule of truncating (not winsorising) the outer
  deciles. Our numbers match its R functions (see tests/unit/indicators/test_funnel.py).

Decisions the sources leave open, fixed here and tested:

- A target of exactly 0 or 1 has no binomial spread, so every exact limit equals the target.
- Size 0 carries no information: limits are the widest possible, [0, 1] for a proportion and
  [0, inf) for a ratio. An expected count of 0 therefore gives lower 0 and upper inf.
- Overdispersion is estimated on the same transformed scale it is applied on. FunnelPlotR
  implements only the additive adjustment; our multiplicative one scales the transformed-scale
  standard error by sqrt(phi), and never by less than 1, so limits are never narrowed.
- Providers whose z-score is not finite (O = 0 on the log scale) are left out of phi and tau^2.

Known property of the interpolated exact limits (not corrected, as it is the published method):
they keep a small saw-tooth in n, and at very small n with a target near 1 the upper limit can
fall below the target (n = 1, target 0.999: upper 95% limit 0.975), so 1/1 is flagged "above".
Manktelow & Seaton (PLoS One 2012;7:e45723) describe the probabilities of such limits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from carelab.errors import CareLabError

Z95 = 1.959964
Z998 = 3.090232
KINDS = ("proportion", "ratio")
METHODS = ("exact", "normal")
ADJUSTMENTS = ("none", "multiplicative", "additive")
SR_METHODS = ("SHMI", "CQC")
LIMIT_COLUMNS = ("lower95", "upper95", "lower998", "upper998")
TABLE_COLUMNS = ("provider", "value", "n", "target", *LIMIT_COLUMNS, "flag")
FLAGS = ("above998", "above95", "within", "below95", "below998")

# Tail probabilities and normal deviates in LIMIT_COLUMNS order.
_TAILS = np.array([0.025, 0.975, 0.001, 0.999])
_Z = np.array([-Z95, Z95, -Z998, Z998])
# Limits for a size that carries no information, in LIMIT_COLUMNS order.
_WIDEST_PROPORTION = np.array([0.0, 1.0, 0.0, 1.0])


class IndicatorError(CareLabError):
    """A problem with indicator data or with the options asked for."""


class InvalidCounts(IndicatorError):
    """One provider's counts cannot be used; the message names the provider."""

    def __init__(self, provider: object, message: str) -> None:
        self.provider = provider
        super().__init__(message)


class InvalidOption(IndicatorError):
    """An argument outside the values a function accepts."""


@dataclass(frozen=True)
class Overdispersion:
    """Spiegelhalter's dispersion ratio phi, the between-provider variance tau^2, and the
    number of providers that informed them (after SHMI truncation or dropping non-finite z)."""

    phi: float
    tau2: float
    n_used: int


@dataclass(frozen=True, eq=False)
class FunnelResult:
    """A funnel table (columns TABLE_COLUMNS) and the overdispersion estimated from its data."""

    table: pd.DataFrame
    overdispersion: Overdispersion


# ---------------------------------------------------------------------------- validation


def _option(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise InvalidOption(f"{name} must be one of {choices}, not {value!r}.")


def _numbers(values: object, what: str) -> np.ndarray:
    try:
        array = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise InvalidOption(f"{what} must be numbers.") from None
    if array.ndim != 1:
        raise InvalidOption(f"{what} must be a flat list of numbers.")
    return array


def _sizes(n: object) -> np.ndarray:
    sizes = _numbers(n, "Sizes")
    if not np.all(np.isfinite(sizes)) or np.any(sizes < 0):
        raise InvalidOption("Sizes must be finite numbers of zero or more.")
    return sizes


def _check_target(kind: str, target: object) -> float:
    try:
        value = float(target)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidOption(f"The target must be a number, not {target!r}.") from None
    if kind == "proportion" and not 0.0 <= value <= 1.0:
        raise InvalidOption(f"A proportion target must lie between 0 and 1, not {value:g}.")
    if kind == "ratio" and not (np.isfinite(value) and value > 0.0):
        raise InvalidOption(f"A ratio target must be a positive number, not {value:g}.")
    return value


def _raise_first(
    names: np.ndarray, num: np.ndarray, size: np.ndarray, checks: list[tuple[np.ndarray, str]]
) -> None:
    for bad, template in checks:
        hits = np.flatnonzero(bad)
        if hits.size:
            i = hits[0]
            message = template.format(name=names[i], num=num[i], size=size[i])
            raise InvalidCounts(names[i], message)


def check_counts(
    providers: Iterable[object], numerators: object, sizes: object, kind: str = "proportion"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate one numerator and one size per provider; return them as numpy arrays."""
    _option("kind", kind, KINDS)
    names = np.asarray(list(providers), dtype=object)
    num, size = _numbers(numerators, "Numerators"), _numbers(sizes, "Sizes")
    if not (names.size == num.size == size.size):
        raise InvalidOption(
            f"Got {names.size} providers, {num.size} numerators and {size.size} sizes; "
            "give exactly one of each per provider."
        )
    if names.size == 0:
        raise InvalidOption("No providers were given; at least one is needed.")
    _, first, counts = np.unique(names.astype(str), return_index=True, return_counts=True)
    if np.any(counts > 1):
        dup = names[np.sort(first[counts > 1])[0]]
        raise InvalidCounts(dup, f"Provider '{dup}' appears more than once; give one row each.")
    _raise_first(names, num, size, _count_checks(num, size, kind))
    return names, num, size


def _count_checks(num: np.ndarray, size: np.ndarray, kind: str) -> list[tuple[np.ndarray, str]]:
    # Each check is (which providers fail, message template); the first failure is reported.
    finite = np.isfinite(num) & np.isfinite(size)
    checks = [
        (~finite, "Provider '{name}' has a missing or infinite count."),
        (
            num < 0,
            "Provider '{name}' has a negative numerator ({num:g}); counts cannot be negative.",
        ),
    ]
    if kind == "ratio":
        expected = "Provider '{name}' has an expected count of {size:g}; it must be above zero."
        return [*checks, (size <= 0, expected)]
    whole = (num == np.floor(num)) & (size == np.floor(size))
    return [
        *checks,
        (size <= 0, "Provider '{name}' has a denominator of {size:g}; it must be at least 1."),
        (finite & ~whole, "Provider '{name}' has {num:g} out of {size:g}; counts must be whole."),
        (
            num > size,
            "Provider '{name}' has {num:g} events out of {size:g}; "
            "a numerator cannot exceed its denominator.",
        ),
    ]


# ---------------------------------------------------------------------- unadjusted limits


def _limits_frame(limits: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(dict(zip(LIMIT_COLUMNS, limits, strict=True)))


def _normal_proportion(sizes: np.ndarray, target: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(target * (1.0 - target) / sizes)
    limits = np.where(sizes > 0, target + _Z[:, None] * se, _WIDEST_PROPORTION[:, None])
    return np.clip(limits, 0.0, 1.0)


def _binomial_cdf(r: np.ndarray, n: np.ndarray, target: float) -> np.ndarray:
    # F(r) = I_{1-t}(n - r, r + 1) for 0 <= r < n; betainc is several times faster than
    # scipy.stats.binom.cdf, which matters for 10,000 providers x 4 tails.
    inside = (r >= 0) & (r < n)
    a = np.where(inside, n - r, 1.0)
    b = np.where(inside, r + 1.0, 1.0)
    cdf = special.betainc(a, b, 1.0 - target)
    return np.where(r < 0, 0.0, np.where(r >= n, 1.0, cdf))


def _binomial_quantile(
    p: np.ndarray, n: np.ndarray, target: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Smallest r with F(r) >= p under Bin(n, target), with F(r) and F(r - 1)."""
    # A Cornish-Fisher guess is almost always exact; the loop then steps the few misses one
    # count at a time, updating F from the pmf instead of re-evaluating the costly cdf.
    sd = np.sqrt(n * target * (1.0 - target))
    z = special.ndtri(p)
    skew = (1.0 - 2.0 * target) / sd
    guess = n * target + sd * (z + (z * z - 1.0) * skew / 6.0) - 0.5
    r = np.clip(np.ceil(guess), 0.0, n)
    hi = _binomial_cdf(r, n, target)
    lo = hi - stats.binom.pmf(r, n, target)
    for _ in range(int(n.max()) + 2):
        up, down = hi < p, lo >= p
        idx = np.flatnonzero(up | down)
        if idx.size == 0:
            break
        step_up = up[idx]
        r[idx] += np.where(step_up, 1.0, -1.0)
        mass = stats.binom.pmf(r[idx], n[idx], target)
        old_hi, old_lo = hi[idx], lo[idx]
        hi[idx] = np.where(step_up, old_hi + mass, old_lo)
        lo[idx] = np.where(step_up, old_hi, old_lo - mass)
    return r, hi, lo


# Below this distance from 0 or 1 a target's exact limits equal the target to within 1e-6 of
# one event even for a billion patients, so they are taken as the target itself.
_NO_SPREAD = 1e-12


def _exact_proportion(sizes: np.ndarray, target: float) -> np.ndarray:
    if np.any(sizes != np.floor(sizes)):
        raise InvalidOption("Exact binomial limits need whole-number sizes.")
    if target < _NO_SPREAD or target > 1.0 - _NO_SPREAD:
        # No binomial spread (or none that one event could show): every provider should sit
        # on the target. scipy's beta functions also overflow near the smallest doubles
        # (hypothesis found a target of 2.2e-308 with n = 4).
        return np.where(sizes > 0, target, _WIDEST_PROPORTION[:, None])
    # Providers often share a denominator, and the cdf is the costly step: compute once each.
    unique, where = np.unique(sizes, return_inverse=True)
    limits = np.tile(_WIDEST_PROPORTION[:, None], (1, unique.size))
    used = np.flatnonzero(unique > 0)
    if used.size:
        p = np.repeat(_TAILS, used.size)
        n = np.tile(unique[used], _TAILS.size)
        r, hi, lo = _binomial_quantile(p, n, target)
        # Spiegelhalter (2005) appendix: interpolate between r_p - 1 and r_p so the limits
        # move nearly continuously with n instead of in 1/n jumps like qbinom(p, n, t) / n.
        alpha = (hi - p) / (hi - lo)
        limits[:, used] = ((r - alpha) / n).reshape(_TAILS.size, used.size)
    return np.clip(limits, 0.0, 1.0)[:, where]


def proportion_limits(n: object, target: float, method: str = "exact") -> pd.DataFrame:
    """95% and 99.8% funnel limits for a proportion, one row per size in n."""
    _option("method", method, METHODS)
    sizes = _sizes(n)
    target = _check_target("proportion", target)
    if method == "normal":
        return _limits_frame(_normal_proportion(sizes, target))
    return _limits_frame(_exact_proportion(sizes, target))


def ratio_limits(expected: object, target: float = 1.0) -> pd.DataFrame:
    """Exact Poisson 95% and 99.8% limits for O/E, one row per expected count.

    An expected count of 0 gives lower 0 and upper inf: nothing can be flagged.
    """
    e = _sizes(expected)
    target = _check_target("ratio", target)
    limits = np.tile(np.array([0.0, np.inf, 0.0, np.inf])[:, None], (1, e.size))
    used = e > 0
    df = 2.0 * e[used]
    lower_p, upper_p = _TAILS[[0, 2], None], _TAILS[[1, 3], None]
    limits[0::2, used] = stats.chi2.ppf(lower_p, df) / df
    limits[1::2, used] = stats.chi2.ppf(upper_p, df + 2.0) / df
    return _limits_frame(limits * target)


# ------------------------------------------------------------------------ overdispersion


def _forward(kind: str, sr_method: str, x: np.ndarray | float) -> np.ndarray:
    """Map values to the variance-stabilising scale the z-scores and adjustments use."""
    with np.errstate(divide="ignore"):
        if kind == "proportion":
            return np.arcsin(np.sqrt(x))
        return np.log(x) if sr_method == "SHMI" else np.sqrt(x)


def _backward(kind: str, sr_method: str, y: np.ndarray) -> np.ndarray:
    # Clip before inverting: sin^2 and y^2 would fold values past the ends back inside.
    if kind == "proportion":
        return np.sin(np.clip(y, 0.0, np.pi / 2)) ** 2
    return np.exp(y) if sr_method == "SHMI" else np.clip(y, 0.0, None) ** 2


def _standard_error(kind: str, sr_method: str, sizes: np.ndarray, target: float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        if kind == "ratio" and sr_method == "SHMI":
            # Var(log O/E) ~ 1/(target * E); FunnelPlotR's 1/E is the target = 1 case.
            return 1.0 / np.sqrt(target * sizes)
        return 1.0 / (2.0 * np.sqrt(sizes))


def _winsorise(z: np.ndarray, trim: float) -> np.ndarray:
    if trim == 0 or z.size == 0:
        return z
    # numpy's default quantile is R's type 7, which FunnelPlotR uses.
    low, high = np.quantile(z, [trim, 1.0 - trim])
    return np.clip(z, low, high)


def _truncate(z: np.ndarray, trim: float) -> np.ndarray:
    """Which z-scores survive SHMI truncation: drop the lowest and highest rank groups."""
    if trim == 0 or z.size == 0:
        return np.ones(z.size, dtype=bool)
    groups = 1.0 / trim
    group = np.floor(stats.rankdata(z) * groups / (z.size + 1))
    return (group > 0) & (group < groups - 1)


def _phi_tau2(z: np.ndarray, s: np.ndarray) -> Overdispersion:
    count = z.size
    if count == 0:
        return Overdispersion(phi=1.0, tau2=0.0, n_used=0)
    phi = float(np.mean(z**2))
    w = 1.0 / s**2
    spread = w.sum() - (w**2).sum() / w.sum()
    # One provider (spread 0) cannot separate between- from within-provider variance.
    if count * phi < count - 1 or spread <= 0:
        return Overdispersion(phi=phi, tau2=0.0, n_used=count)
    tau2 = max(0.0, float((count * phi - (count - 1)) / spread))
    return Overdispersion(phi=phi, tau2=tau2, n_used=count)


def _estimate(
    kind: str, values: np.ndarray, sizes: np.ndarray, target: float, trim: float, sr_method: str
) -> Overdispersion:
    s = _standard_error(kind, sr_method, sizes, target)
    with np.errstate(invalid="ignore"):
        z = (_forward(kind, sr_method, values) - _forward(kind, sr_method, target)) / s
    finite = np.isfinite(z)
    z, s = z[finite], s[finite]
    if kind == "ratio" and sr_method == "SHMI":
        keep = _truncate(z, trim)
        return _phi_tau2(z[keep], s[keep])
    return _phi_tau2(_winsorise(z, trim), s)


def overdispersion(
    kind: str,
    values: object,
    sizes: object,
    target: float,
    trim: float = 0.1,
    sr_method: str = "SHMI",
) -> Overdispersion:
    """Estimate phi and tau^2 from providers' values (proportions or O/E) and sizes (n or E)."""
    _option("kind", kind, KINDS)
    _option("sr_method", sr_method, SR_METHODS)
    if not 0.0 <= trim < 0.5:
        raise InvalidOption(f"trim must be at least 0 and below 0.5, not {trim!r}.")
    vals, size = _numbers(values, "Values"), _sizes(sizes)
    if vals.size != size.size:
        raise InvalidOption(f"Got {vals.size} values but {size.size} sizes; give one of each.")
    if np.any(size <= 0) or not np.all(np.isfinite(vals)) or np.any(vals < 0):
        raise InvalidOption("Values must be finite and non-negative, and sizes above zero.")
    if kind == "proportion" and np.any(vals > 1):
        raise InvalidOption("Proportions must lie between 0 and 1.")
    return _estimate(kind, vals, size, _check_target(kind, target), trim, sr_method)


def adjusted_limits(
    kind: str,
    sizes: object,
    target: float,
    od: Overdispersion,
    method: str,
    sr_method: str = "SHMI",
) -> pd.DataFrame:
    """95% and 99.8% limits widened for overdispersion, multiplicatively or additively."""
    _option("kind", kind, KINDS)
    _option("method", method, ADJUSTMENTS[1:])
    _option("sr_method", sr_method, SR_METHODS)
    size = _sizes(sizes)
    target = _check_target(kind, target)
    s = _standard_error(kind, sr_method, size, target)
    if method == "multiplicative":
        spread = np.sqrt(max(od.phi, 1.0)) * s
    else:
        spread = np.sqrt(s**2 + od.tau2)
    centre = _forward(kind, sr_method, target)
    return _limits_frame(_backward(kind, sr_method, centre + _Z[:, None] * spread))


# --------------------------------------------------------------------------------- tables


def _flags(value: np.ndarray, limits: pd.DataFrame) -> np.ndarray:
    # Strict inequalities: a value exactly on a limit counts as within.
    conditions = [
        value > limits["upper998"].to_numpy(),
        value > limits["upper95"].to_numpy(),
        value < limits["lower998"].to_numpy(),
        value < limits["lower95"].to_numpy(),
    ]
    return np.select(conditions, ["above998", "above95", "below998", "below95"], "within")


def _plausible_zeros(
    kind: str, num: np.ndarray, size: np.ndarray, target: float
) -> tuple[np.ndarray, np.ndarray]:
    """Providers with no events whose chance of none is too high to call them low.

    A count cannot fall below zero, but the continuous χ² lower limit for a ratio is above
    zero however small E is, so 0 deaths out of 0.7 expected (a 50% chance) would be
    flagged "below 99.8%". A zero is only as unusual as its Poisson (or binomial)
    probability, so the flag is kept only when that probability is below the level.
    """
    p_zero = np.exp(-target * size) if kind == "ratio" else np.power(1.0 - target, size)
    return (num == 0) & (p_zero >= 0.025), (num == 0) & (p_zero >= 0.001)


def _limits_for(
    kind: str,
    sizes: np.ndarray,
    target: float,
    method: str,
    adjustment: str,
    od: Overdispersion,
    sr_method: str,
) -> pd.DataFrame:
    if adjustment != "none":
        return adjusted_limits(kind, sizes, target, od, adjustment, sr_method)
    if kind == "proportion":
        return proportion_limits(sizes, target, method)
    return ratio_limits(sizes, target)


def funnel(
    providers: Iterable[object],
    numerators: object,
    sizes: object,
    kind: str = "proportion",
    method: str = "exact",
    overdispersion: str = "none",
    target: float | None = None,
    sr_method: str = "SHMI",
    trim: float = 0.1,
) -> FunnelResult:
    """Funnel table for providers' counts, with the overdispersion estimated from them.

    Proportions: numerators are events, sizes denominators, the default target is the pooled
    proportion and `method` picks exact or normal limits. Ratios: numerators are observed,
    sizes expected, the default target is 1 and limits are exact Poisson. Overdispersion is
    always estimated and returned; it widens the limits only when `overdispersion` asks.
    """
    _option("method", method, METHODS)
    _option("overdispersion", overdispersion, ADJUSTMENTS)
    _option("sr_method", sr_method, SR_METHODS)
    if not 0.0 <= trim < 0.5:
        raise InvalidOption(f"trim must be at least 0 and below 0.5, not {trim!r}.")
    names, num, size = check_counts(providers, numerators, sizes, kind)
    value = num / size
    if target is None:
        target = float(num.sum() / size.sum()) if kind == "proportion" else 1.0
    target = _check_target(kind, target)
    od = _estimate(kind, value, size, target, trim, sr_method)
    limits = _limits_for(kind, size, target, method, overdispersion, od, sr_method)
    table = pd.DataFrame({"provider": names, "value": value, "n": size, "target": target})
    table = pd.concat([table, limits], axis=1)
    flags = _flags(value, limits)
    below95_plausible, below998_plausible = _plausible_zeros(kind, num, size, target)
    flags = np.where(below998_plausible & (flags == "below998"), "below95", flags)
    flags = np.where(below95_plausible & np.isin(flags, ["below95", "below998"]), "within", flags)
    table["flag"] = flags
    return FunnelResult(table=table[list(TABLE_COLUMNS)], overdispersion=od)


def funnel_table(
    providers: Iterable[object],
    numerators: object,
    sizes: object,
    kind: str = "proportion",
    method: str = "exact",
    overdispersion: str = "none",
    target: float | None = None,
    sr_method: str = "SHMI",
    trim: float = 0.1,
) -> pd.DataFrame:
    """The table part of funnel(): one row per provider with limits and a flag."""
    return funnel(
        providers, numerators, sizes, kind, method, overdispersion, target, sr_method, trim
    ).table


def funnel_curve(
    kind: str,
    target: float,
    n_min: float,
    n_max: float,
    points: int = 200,
    method: str = "exact",
    od: Overdispersion | None = None,
    adjustment: str = "additive",
    sr_method: str = "SHMI",
) -> pd.DataFrame:
    """Limit lines over a log-spaced grid of sizes from n_min to n_max, for drawing a funnel.

    With od given, limits are widened by `adjustment`; otherwise proportions use `method`.
    Exact binomial limits need whole sizes, so that grid is rounded and de-duplicated.
    """
    _option("kind", kind, KINDS)
    _option("method", method, METHODS)
    _option("adjustment", adjustment, ADJUSTMENTS[1:])
    if not (np.isfinite(n_min) and np.isfinite(n_max) and 0 < n_min <= n_max):
        raise InvalidOption("Sizes for a curve need 0 < n_min <= n_max.")
    if points < 2:
        raise InvalidOption(f"A curve needs at least 2 points, not {points!r}.")
    grid = np.geomspace(n_min, n_max, int(points))
    if od is not None:
        limits = adjusted_limits(kind, grid, target, od, adjustment, sr_method)
    elif kind == "ratio":
        limits = ratio_limits(grid, target)
    else:
        if method == "exact":
            grid = np.unique(np.maximum(np.round(grid), 1.0))
        limits = proportion_limits(grid, target, method)
    return pd.concat([pd.DataFrame({"n": grid}), limits], axis=1)
