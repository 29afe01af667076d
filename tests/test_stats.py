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


def test_benjamini_hochberg_worked_by_hand():
    from qos.stats import benjamini_hochberg

    # m = 5. Sorted: 0.005 (rank 1), 0.01 (2), 0.032 (3), 0.042 (4), 0.20 (5).
    # p * m / rank: 0.005*5/1 = 0.025, 0.01*5/2 = 0.025, 0.032*5/3 = 0.05333,
    # 0.042*5/4 = 0.0525, 0.20*5/5 = 0.20; the running minimum from the largest down lowers
    # rank 3 to 0.0525. Below 0.05 after adjustment: only 0.01 and 0.005 (four were below
    # 0.05 unadjusted).
    adjusted = benjamini_hochberg([0.01, 0.042, 0.032, 0.005, 0.20])
    assert adjusted == pytest.approx([0.025, 0.0525, 0.0525, 0.025, 0.20])
    assert [a < 0.05 for a in adjusted] == [True, False, False, True, False]


def test_benjamini_hochberg_step_up_and_gaps():
    from qos.stats import benjamini_hochberg

    # m = 2: 0.04*2/1 = 0.08, but the running minimum takes 0.045*2/2 = 0.045 from rank 2,
    # so both are significant at 5% (the step-up rule), though 0.04 alone would not be.
    assert benjamini_hochberg([0.04, 0.045]) == pytest.approx([0.045, 0.045])
    # An untestable comparison (NaN) is not counted in m: 0.02 * 1 / 1 = 0.02.
    result = benjamini_hochberg([float("nan"), 0.02])
    assert math.isnan(result[0]) and result[1] == pytest.approx(0.02)
    assert benjamini_hochberg([]) == []
    assert benjamini_hochberg([0.9, 0.8]) == pytest.approx([0.9, 0.9])  # 0.8*2/1 capped by 0.9


def test_stratified_estimate_worked_by_hand():
    from qos.stats import Stratum, stratified_proportion

    # Three units: A 40/50 satisfied of 1,000 eligible; B 30/50 of 200; C 36/40 of 800.
    # N = 2,000; W = 0.5, 0.1, 0.4; p = 0.8, 0.6, 0.9.
    # Estimate = 0.5*0.8 + 0.1*0.6 + 0.4*0.9 = 0.40 + 0.06 + 0.36 = 0.82
    # (the pooled count would say 106/140 = 0.757: B's small population is over-represented).
    # Variance = sum W^2 (1 - n/N) p(1-p)/(n-1):
    #   A: 0.25 * 0.95 * 0.16/49 = 0.000775510
    #   B: 0.01 * 0.75 * 0.24/49 = 0.000036735
    #   C: 0.16 * 0.95 * 0.09/39 = 0.000350769
    #   sum = 0.001163014, se = 0.034103; 95%: 0.82 -/+ 1.96*0.034103 = 0.7532 to 0.8868.
    result = stratified_proportion([Stratum(1000, 40, 50), Stratum(200, 30, 50),
                                    Stratum(800, 36, 40)])
    assert result.estimate == pytest.approx(0.82)
    assert result.standard_error == pytest.approx(0.034103, abs=1e-6)
    assert result.low == pytest.approx(0.7532, abs=1e-4)
    assert result.high == pytest.approx(0.8868, abs=1e-4)
    assert (result.strata_used, result.strata_left_out) == (3, 0)


def test_stratified_estimate_census_and_missing_strata():
    from qos.stats import Stratum, stratified_proportion

    # Two units: X asked every eligible victim (n = N = 20, f = 1, so no sampling error);
    # Y had no answers and is left out, so X carries all the weight: 15/20 = 0.75 exactly.
    result = stratified_proportion([Stratum(20, 15, 20), Stratum(300, 0, 0)])
    assert (result.estimate, result.standard_error) == (0.75, 0.0)
    assert (result.strata_used, result.strata_left_out) == (1, 1)
    # Checks made this month can exceed the month's frame (last month's sample called late):
    # the finite population correction is then 0, never negative.
    assert stratified_proportion([Stratum(10, 6, 12)]).standard_error == 0.0
    assert math.isnan(stratified_proportion([Stratum(0, 3, 5)]).estimate)


def test_difference_of_two_estimates():
    from qos.stats import difference_of_estimates

    # 0.82 (se 0.0341) against 0.74 (se 0.03): z = 0.08 / sqrt(0.0341^2 + 0.03^2)
    # = 0.08 / 0.045418 = 1.7614, two-sided p = 0.0782: not significant.
    result = difference_of_estimates(0.82, 0.0341, 0.74, 0.03)
    assert result.z == pytest.approx(1.7614, abs=1e-3)
    assert result.p_value == pytest.approx(0.0782, abs=5e-4)
    assert not result.significant
