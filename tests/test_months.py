import datetime as dt

from qos.months import last_complete_month, month_bounds, months_back, recent_months, shift_month


def test_month_bounds_are_half_open_and_know_leap_years():
    assert month_bounds("2024-02") == ("2024-02-01", "2024-03-01")
    assert month_bounds("2026-12") == ("2026-12-01", "2027-01-01")


def test_shift_month_crosses_years_both_ways():
    assert shift_month("2026-01", -1) == "2025-12"
    assert shift_month("2026-11", 3) == "2027-02"
    assert shift_month("2026-10", -26) == "2024-08"  # 26 = 2 years and 2 months


def test_months_back_is_oldest_first_and_ends_with_the_month():
    assert months_back("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]


def test_last_complete_month_and_recent_months():
    assert last_complete_month(dt.date(2026, 1, 1)) == "2025-12"
    assert last_complete_month(dt.date(2026, 3, 31)) == "2026-02"
    # The current month first, then complete months back.
    assert recent_months(4, dt.date(2026, 1, 15)) == ["2026-01", "2025-12", "2025-11", "2025-10"]
