"""Wilson intervals checked against Newcombe (1998); the z-test against a hand-worked example."""
from __future__ import annotations

import math

import pytest

from qos.stats import sample_size_for_margin, two_proportion_test, wilson


@pytest.mark.parametrize("x, n, low, high", [
    (81, 263, 0.2553, 0.3662),   # Newcombe (1998) example: 81/263
    (15, 148, 0.0624, 0.1605),   # Newcombe: 15/148
    (0, 20, 0.0, 0.1611),        # Newcombe: 0/20
    (1, 29, 0.0061, 0.1718),     # Newcombe: 1/29
])
def test_wilson_interval_matches_published_values(x, n, low, high):
    result = wilson(x, n)
    assert result.low == pytest.approx(low, abs=5e-4)
    assert result.high == pytest.approx(high, abs=5e-4)


def test_fifty_checks_give_roughly_eleven_points_either_side():
    # The domain brief: 50 checks a month, a margin of roughly +/-11 points at ~80%.
    result = wilson(40, 50)
    assert (result.high - result.low) / 2 == pytest.approx(0.11, abs=0.01)


def test_two_proportion_test_textbook_example():
    # 56/70 vs 48/80 worked by hand: pooled p = 104/150 = 0.69333,
    # se = sqrt(0.69333 * 0.30667 * (1/70 + 1/80)) = 0.075467, z = 0.2 / 0.075467 = 2.6502,
    # two-sided p = erfc(2.6502 / sqrt 2) = 0.0080 (normal table: 2 * 0.00402).
    result = two_proportion_test(56, 70, 48, 80)
    assert result.z == pytest.approx(2.6502, abs=0.0005)
    assert result.p_value == pytest.approx(0.0080, abs=0.0002)
    assert result.significant


def test_chance_wobble_at_fifty_checks_is_not_significant():
    assert not two_proportion_test(40, 50, 36, 50).significant  # 80% vs 72%


def test_sample_size_planner():
    assert sample_size_for_margin(0.05, 0.5) == 385
    assert sample_size_for_margin(0.11, 0.8) == 51
    with pytest.raises(ValueError):
        sample_size_for_margin(0)
    assert math.isnan(wilson(0, 0).low)
