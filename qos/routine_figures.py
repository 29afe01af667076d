"""The month's figures for the routines added after the inspection (issue 19): informal
complaints by Commitment item, closure compliance, dip checks, call evaluation, NP comment
cards. Plain data, read by the workbook writer (qos/excel_routines.py) and the scorecard."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CommitmentCount:
    """Informal complaints about one Commitment item in one unit."""

    unit_code: str
    item: str  # the Commitment item's label
    complaints: int
    resolved: int  # there and then
    passed_on: int
    not_recorded: int  # older entries (the bureau's) that did not say


@dataclass
class RoutineFigures:
    month: str
    complaints: list[CommitmentCount] = field(default_factory=list)
