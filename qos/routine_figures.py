"""The month's figures for the routines added after the inspection (issue 19): informal
complaints by Commitment item, closure compliance, dip checks, call evaluation, NP comment
cards. Plain data, read by the workbook writer (qos/excel_routines.py) and the scorecard."""
from __future__ import annotations

from dataclasses import dataclass, field

from qos.call_evaluation import MeanScore


@dataclass(frozen=True)
class CommitmentCount:
    """Informal complaints about one Commitment item in one unit."""

    unit_code: str
    item: str  # the Commitment item's label
    complaints: int
    resolved: int  # there and then
    passed_on: int
    not_recorded: int  # older entries (the bureau's) that did not say


@dataclass(frozen=True)
class ClosureCount:
    """Crimes a unit closed in the month, checked for Victims' Code and QoS compliance."""

    unit_code: str
    checked: int
    not_compliant: int
    remedied: int

    @property
    def not_compliant_rate(self) -> float:
        return self.not_compliant / self.checked if self.checked else float("nan")


@dataclass(frozen=True)
class NonCompliantClosure:
    unit_code: str
    crime_ref: str
    closed_on: str
    problems: tuple[str, ...]
    remedy: str | None
    remedied_on: str | None


@dataclass(frozen=True)
class DipTestCount:
    """One unit's dip-check findings for one test in the month."""

    unit_code: str
    test: str  # the test's label
    drawn: int
    passed: int
    failed: int
    unable: int

    @property
    def checked(self) -> int:
        return self.passed + self.failed


@dataclass(frozen=True)
class DipFailure:
    unit_code: str
    test: str
    item: str  # crime reference or counter name
    note: str


@dataclass(frozen=True)
class TeamEvaluations:
    """One control-room team's call evaluations in the month."""

    team: str  # the line manager's name
    staff: int
    due: int
    done: int  # up to the number due for each person
    score: MeanScore


@dataclass(frozen=True)
class BelowStandard:
    name: str
    staff_number: str
    team: str
    months_met: int
    months: int
    latest_mean: float | None


@dataclass(frozen=True)
class NpPlaceCount:
    """NP comment cards at one place: put out and returned up to the end of the month."""

    unit_code: str
    kind: str  # front counter, library, event, other
    place: str
    cards: int
    returned: int
    returned_this_month: int

    @property
    def return_rate(self) -> float:
        return self.returned / self.cards if self.cards else float("nan")


@dataclass(frozen=True)
class NpCardFigures:
    places: list[NpPlaceCount]
    themes: list[tuple[str, int]]  # the month's returns
    actions_open: int  # at the end of the month
    closed: int  # in the month
    mean_days_to_close: float | None


@dataclass
class RoutineFigures:
    month: str
    complaints: list[CommitmentCount] = field(default_factory=list)
    closures: list[ClosureCount] = field(default_factory=list)
    non_compliant_closures: list[NonCompliantClosure] = field(default_factory=list)
    dip_checks: list[DipTestCount] = field(default_factory=list)
    dip_failures: list[DipFailure] = field(default_factory=list)
    call_teams: list[TeamEvaluations] = field(default_factory=list)
    below_standard: list[BelowStandard] = field(default_factory=list)
    np_cards: NpCardFigures | None = None
