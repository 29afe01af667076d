"""Survey statistics as the inspectorate judges them (HMIC 2008, Appendix 3).

Plain functions over counts: a proportion's 95% Wilson interval, a two-proportion z-test for
"is this difference real or chance", a sample-size planner, the Benjamini-Hochberg adjustment
for a family of tests, and a stratified estimate (strata = units) with its design-based
interval.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Proportion:
    successes: int
    n: int
    low: float
    high: float

    @property
    def rate(self) -> float:
        return self.successes / self.n if self.n else float("nan")


def wilson(successes: int, n: int, z: float = Z95) -> Proportion:
    """Wilson score interval: sensible at small n and near 0% or 100%."""
    if n <= 0:
        return Proportion(successes, n, float("nan"), float("nan"))
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Proportion(successes, n, max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Difference:
    difference: float  # first rate minus second, as a proportion
    z: float
    p_value: float
    significant: bool


def two_proportion_test(x1: int, n1: int, x2: int, n2: int, alpha: float = 0.05) -> Difference:
    """Pooled two-proportion z-test (two-sided)."""
    if n1 <= 0 or n2 <= 0:
        return Difference(float("nan"), float("nan"), float("nan"), False)
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return Difference(p1 - p2, 0.0, 1.0, False)
    z = (p1 - p2) / se
    p_value = math.erfc(abs(z) / math.sqrt(2))
    return Difference(p1 - p2, z, p_value, p_value < alpha)


def sample_size_for_margin(margin: float, expected_rate: float = 0.5, z: float = Z95) -> int:
    """Completed checks needed for a 95% margin of +/- `margin` (a proportion, e.g. 0.05)."""
    if not 0 < margin < 1:
        raise ValueError("the margin must be between 0 and 1 (e.g. 0.05 for 5 points)")
    return math.ceil(z * z * expected_rate * (1 - expected_rate) / (margin * margin))


def reportable(n: int, minimum: int) -> bool:
    """Below `minimum` answers a figure is shown as 'too few to report'."""
    return n >= minimum


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values, in the order given (NaN stays NaN, not counted).

    A test is significant at a false discovery rate q when its adjusted p-value is below q:
    the k-th smallest of m p-values becomes min over j >= k of p_(j) * m / j, capped at 1.
    """
    ranked = sorted((p, i) for i, p in enumerate(p_values) if not math.isnan(p))
    m = len(ranked)
    adjusted = [float("nan")] * len(p_values)
    running = 1.0
    for rank in range(m, 0, -1):  # from the largest p down, so each is a running minimum
        p, index = ranked[rank - 1]
        running = min(running, p * m / rank)
        adjusted[index] = running
    return adjusted


@dataclass(frozen=True)
class Stratum:
    """One unit in a stratified estimate: its eligible victims and its answers."""

    population: int  # N_h: eligible victims in the unit that month
    hits: int  # satisfied answers
    n: int  # valid answers


@dataclass(frozen=True)
class StratifiedEstimate:
    estimate: float
    low: float
    high: float
    standard_error: float
    strata_used: int  # strata with answers and a known population
    strata_left_out: int  # no answers or no eligible-victim count: not in the estimate


def stratified_proportion(strata: Sequence[Stratum], z: float = Z95) -> StratifiedEstimate:
    """A population proportion from a stratified sample (strata = units).

    Weights W_h = N_h / N; estimate = sum W_h p_h; variance = sum W_h^2 (1 - f_h) p_h (1 - p_h)
    / (n_h - 1), with the finite population correction f_h = n_h / N_h (capped at 1: checks made
    in a month can include victims from last month's sample). Strata without answers or without
    a population are left out, and the weights are shared among the rest.
    """
    used = [s for s in strata if s.n > 0 and s.population > 0]
    if not used:
        nan = float("nan")
        return StratifiedEstimate(nan, nan, nan, nan, 0, len(strata))
    total = sum(s.population for s in used)
    estimate = 0.0
    variance = 0.0
    for s in used:
        weight = s.population / total
        p = s.hits / s.n
        estimate += weight * p
        if s.n > 1:
            fpc = max(0.0, 1 - s.n / s.population)
            variance += weight * weight * fpc * p * (1 - p) / (s.n - 1)
    se = math.sqrt(variance)
    return StratifiedEstimate(estimate, max(0.0, estimate - z * se), min(1.0, estimate + z * se),
                              se, len(used), len(strata) - len(used))


def difference_of_estimates(first: float, first_se: float, second: float, second_se: float,
                            alpha: float = 0.05) -> Difference:
    """Two independent estimates with their standard errors (e.g. two stratified estimates):
    z = (first - second) / sqrt(se1^2 + se2^2), two-sided."""
    if any(math.isnan(v) for v in (first, first_se, second, second_se)):
        return Difference(float("nan"), float("nan"), float("nan"), False)
    se = math.sqrt(first_se * first_se + second_se * second_se)
    if se == 0:
        return Difference(first - second, 0.0, 1.0, False)
    z = (first - second) / se
    p_value = math.erfc(abs(z) / math.sqrt(2))
    return Difference(first - second, z, p_value, p_value < alpha)
