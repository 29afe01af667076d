"""A reported rate and a tested change: the small figures every summary reader shares.

Kept apart from qos.summary so modules the summary draws on (Doorstep cards, for one) can build
rates without importing the summary back.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from qos.stats import Difference, wilson

FDR = 0.05  # Benjamini-Hochberg false discovery rate within a month's family of comparisons


@dataclass(frozen=True)
class Rate:
    hits: int  # satisfied, or "yes"
    valid: int
    low: float
    high: float
    reportable: bool

    @property
    def rate(self) -> float:
        return self.hits / self.valid if self.valid else float("nan")


def make_rate(hits: int, valid: int, min_n: int) -> Rate:
    interval = wilson(hits, valid)
    return Rate(hits, valid, interval.low, interval.high, valid >= min_n)


@dataclass(frozen=True)
class ItemRate:
    key: str
    label: str
    rate: Rate


@dataclass
class Change:
    """A figure tested against another. `test.p_value` is the unadjusted p-value; the month's
    summary fills `adjusted_p` (Benjamini-Hochberg over every comparison it reports), and
    'significant' is read from the adjusted value only."""

    against: Rate
    test: Difference
    base: Rate | None = None  # the figure being compared; None: judged by `against` alone
    adjusted_p: float = float("nan")

    @property
    def testable(self) -> bool:
        """Both sides have enough answers to report, so the comparison is shown."""
        return (self.against.reportable and (self.base is None or self.base.reportable)
                and not math.isnan(self.test.p_value))

    @property
    def significant(self) -> bool:
        return self.testable and self.adjusted_p < FDR

    @property
    def direction(self) -> int:
        """+1 significantly higher, -1 significantly lower, 0 no real difference."""
        if not self.significant:
            return 0
        return 1 if self.test.difference > 0 else -1
