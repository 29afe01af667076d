"""Month arithmetic, the one home for it. A month is text like "2026-10" throughout the app."""
from __future__ import annotations

import datetime as dt


def month_bounds(month: str) -> tuple[str, str]:
    """The month's first day and the next month's first day (a half-open range), ISO text."""
    first = dt.date.fromisoformat(month + "-01")
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first.isoformat(), nxt.isoformat()


def shift_month(month: str, months: int) -> str:
    """The month `months` later (earlier when negative)."""
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_back(month: str, count: int) -> list[str]:
    """The `count` months ending with `month`, oldest first."""
    return [shift_month(month, -i) for i in range(count - 1, -1, -1)]


def last_complete_month(today: dt.date) -> str:
    previous = today.replace(day=1) - dt.timedelta(days=1)
    return f"{previous.year:04d}-{previous.month:02d}"


def recent_months(count: int = 13, today: dt.date | None = None) -> list[str]:
    """The current month, then the `count - 1` complete months before it, newest first."""
    month = last_complete_month(today or dt.date.today())
    return [shift_month(month, -i) for i in range(-1, count - 1)]
