"""Working days in England and Wales: no weekends, no bank holidays.

Bank holidays come from resources/calendar/bank_holidays.json (written from the `holidays`
package by tools/make_bank_holidays.py, and checked against it by the tests), so a one-off
holiday can be added as data and start-up never imports the package (~130 ms). Years outside
the file fall back to the package itself.
"""
from __future__ import annotations

import datetime as dt
import json
from functools import cache
from itertools import accumulate
from typing import Any

from qos.paths import resource

CALENDAR_FILE = ("calendar", "bank_holidays.json")


@cache
def _calendar() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resource(*CALENDAR_FILE).read_text(encoding="utf-8"))
    return data


def years_in_file() -> range:
    """The years resources/calendar/bank_holidays.json covers."""
    return range(_calendar()["first_year"], _calendar()["last_year"] + 1)


@cache
def bank_holidays(year: int) -> frozenset[dt.date]:
    if year in years_in_file():
        return frozenset(dt.date.fromisoformat(d) for d in _calendar()["dates"]
                         if d.startswith(f"{year}-"))
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


@cache
def _counts_through(year: int) -> tuple[int, ...]:
    """Working days from 1 January up to and including each day of the year (index 0 = 1 Jan)."""
    first = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - first).days
    return tuple(accumulate(int(is_working_day(first + dt.timedelta(days=n)))
                            for n in range(days)))


def _through(day: dt.date, base_year: int) -> int:
    """Working days from 1 January of base_year up to and including `day`."""
    whole_years = sum(_counts_through(year)[-1] for year in range(base_year, day.year))
    return whole_years + _counts_through(day.year)[day.timetuple().tm_yday - 1]


@cache  # pure, and asked about the same few hundred dates again and again
def add_working_days(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (the day of the event itself does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


@cache
def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    return _through(end, start.year) - _through(start, start.year)
