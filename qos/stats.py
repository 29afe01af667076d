"""Survey statistics as the inspectorate judges them (HMIC 2008, Appendix 3).

Plain functions over counts: a proportion's 95% Wilson interval, a two-proportion z-test for
"is this difference real or chance", and a sample-size planner.
"""
from __future__ import annotations

import math
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
