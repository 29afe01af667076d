"""Timestamps as ISO-8601 UTC text, so SQLite sorts and compares them correctly."""
from __future__ import annotations

from datetime import UTC, date, datetime


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def today() -> date:
    return datetime.now().date()
