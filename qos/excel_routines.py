"""Workbook sheets for the routines added after the inspection (issue 19), one writer each.

Each writer takes (workbook, MonthlySummary) like the others in qos/excel.py and reads
`summary.routines`; a summary without them (built by hand in a test) gets no such sheet.
Each sheet is described as tables (Block) and an optional note under them, then written by
one function; the table, heading and text-cell helpers are qos/excel.py's own, handed in as
a SheetKit (importing qos/excel.py from here would make an import loop).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from openpyxl import Workbook

Writer = Callable[[Workbook, Any], None]


@dataclass(frozen=True)
class SheetKit:
    heading: Callable[..., None]  # (worksheet, summary, title)
    table: Callable[..., tuple[int, int]]  # (worksheet, name, headers, rows, top, formats)
    set_value: Callable[..., None]  # (cell, value): text stays text, never a formula


@dataclass(frozen=True)
class Block:
    """One Excel table: its rows, or the single row that says there are none."""

    name: str
    headers: list[str]
    rows: list[list[Any]]
    empty: list[Any]
    formats: dict[str, str] | None = None


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    blocks: list[Block]
    note: str | None = None  # under the last table


def _write(excel: SheetKit, build: Callable[[Any], Sheet | None], wb: Workbook,
           summary: Any) -> None:
    """The tables one under another (the first on row 4, two blank rows between), the note
    two rows under the last, and the first table's header row frozen."""
    sheet = build(summary.routines) if summary.routines is not None else None
    if sheet is None:
        return
    ws = wb.create_sheet(sheet.name)
    excel.heading(ws, summary, sheet.title)
    last = 1
    for block in sheet.blocks:
        _first, last = excel.table(ws, block.name, block.headers, block.rows or [block.empty],
                                   last + 3, block.formats)
    if sheet.note:
        excel.set_value(ws.cell(row=last + 3, column=1), sheet.note)
    ws.freeze_panes = "A5"


def _complaints(figures: Any) -> Sheet:
    rows = [[c.unit_code, c.item, c.complaints, c.resolved, c.passed_on, c.not_recorded]
            for c in figures.complaints]
    total = [sum(c.complaints for c in figures.complaints),
             sum(c.resolved for c in figures.complaints),
             sum(c.passed_on for c in figures.complaints),
             sum(c.not_recorded for c in figures.complaints)]
    if rows:
        rows.append(["Force", "All items", *total])
    return Sheet("Informal complaints", "Informal complaints by Quality of Service Commitment item", [
        Block("InformalComplaints",
              ["Unit code", "Commitment item", "Complaints", "Resolved there and then",
               "Passed on", "Not recorded"],
              rows, ["", "None logged this month", None, None, None, None])],
        "Complaints taken informally on the phone (control room and contact bureau), "
        "mapped to the Commitment item they are about; the bureau's own categories "
        "are mapped as resources/qosc says. 'Not recorded': logged before the "
        "resolution was asked.")


def _closures(figures: Any) -> Sheet:
    rows = [[c.unit_code, c.checked, c.not_compliant, c.not_compliant_rate, c.remedied,
             c.not_compliant - c.remedied] for c in figures.closures]
    if rows:
        checked = sum(c.checked for c in figures.closures)
        bad = sum(c.not_compliant for c in figures.closures)
        remedied = sum(c.remedied for c in figures.closures)
        rows.append(["Force", checked, bad, bad / checked, remedied, bad - remedied])
    listed = [[c.unit_code, c.crime_ref, c.closed_on, "; ".join(c.problems),
               c.remedy or "Awaiting remedy", c.remedied_on or ""]
              for c in figures.non_compliant_closures]
    return Sheet("Closure compliance",
                 "Crimes closed: Victims' Code and QoS compliance at closure", [
        Block("Closures", ["Unit code", "Closures checked", "Not compliant", "Not compliant %",
                           "Remedied", "Awaiting remedy"],
              rows, ["", 0, 0, None, 0, 0], {"Not compliant %": "0.0%"}),
        Block("ClosureRemedies", ["Unit code", "Crime", "Closed on", "Outstanding at closure",
                                  "Remedy", "Remedied on"],
              listed, ["", "No closure this month was non-compliant", "", "", "", ""])])


def _dip_checks(figures: Any) -> Sheet:
    from qos.stats import wilson

    rows = []
    for c in figures.dip_checks:
        interval = wilson(c.passed, c.checked) if c.checked else None
        rows.append([c.unit_code, c.test, c.drawn, c.checked, c.passed, c.failed, c.unable,
                     c.drawn - c.checked - c.unable, interval.rate if interval else None,
                     interval.low if interval else None, interval.high if interval else None])
    return Sheet("Dip checks", "Force inspectorate dip checks, for BCU commanders", [
        Block("DipChecks", ["Unit code", "Test", "Drawn", "Checked", "Passed", "Failed",
                            "Could not check", "Still to check", "Pass rate", "95% low",
                            "95% high"],
              rows, ["", "No dip check this month", 0, 0, 0, 0, 0, 0, None, None, None],
              {"Pass rate": "0.0%", "95% low": "0.0%", "95% high": "0.0%"}),
        Block("DipFailures", ["Unit code", "Test", "Crime or counter", "What was found"],
              [[f.unit_code, f.test, f.item, f.note] for f in figures.dip_failures],
              ["", "No failed item this month", "", ""])],
        "Items drawn at random (seeded, re-runnable) from the unit's counters and "
        "the crimes it recorded in the month. Pass rate: passed of passed plus "
        "failed; items that could not be checked are left out. With a handful of "
        "items a pass rate is only a rough guide: read the 95% interval.")


def _call_evaluation(figures: Any) -> Sheet:
    def number(value: float) -> float | None:
        return None if math.isnan(value) else value  # NaN: no figure

    rows = [[t.team, t.staff, t.due, t.done, t.score.n, number(t.score.mean),
             number(t.score.low), number(t.score.high)] for t in figures.call_teams]
    below = [[b.name, b.staff_number, b.team, f"{b.months_met} of {b.months}",
              b.latest_mean] for b in figures.below_standard]
    return Sheet("Call evaluation", "Control-room call evaluation", [
        Block("CallEvaluationTeams", ["Team (line manager)", "Staff", "Evaluations due",
                                      "Done (up to due)", "Scored", "Mean score", "95% low",
                                      "95% high"],
              rows, ["No control-room staff set up", 0, 0, 0, 0, None, None, None],
              {"Mean score": "0.0%", "95% low": "0.0%", "95% high": "0.0%"}),
        Block("BelowStandard", ["Staff member", "Number", "Team",
                                "Months at or above the standard", "This month's mean score"],
              below, ["Everyone meets the standard", "", "", "", None],
              {"This month's mean score": "0.0%"})],
        "Score: weight of items met over weight of items that applied to the call "
        "(not applicable left out). Interval: 95% t interval of the mean. The "
        "standard for progression: every one of the last months at or above the "
        "threshold set in the settings.")


def _np_cards(figures: Any) -> Sheet | None:
    cards = figures.np_cards
    if cards is None:
        return None
    actions = [cards.actions_open, cards.closed, cards.mean_days_to_close]
    return Sheet("NP comment cards", "Neighbourhood policing comment cards", [
        Block("NpCardPlaces", ["Area (unit code)", "Kind of place", "Place", "Cards put out",
                               "Returned so far", "Return rate", "Returned this month"],
              [[p.unit_code, p.kind, p.place, p.cards, p.returned, p.return_rate,
                p.returned_this_month] for p in cards.places],
              ["", "No cards put out yet", "", 0, 0, None, 0], {"Return rate": "0.0%"}),
        Block("NpCardThemes", ["Theme (this month's returns)", "Cards"],
              [[theme, n] for theme, n in cards.themes], ["No cards returned this month", 0]),
        Block("NpCardActions", ["Actions open at the month's end",
                                "Closed this month (with their outcome)",
                                "Mean days from return to close"],
              [actions], actions, {"Mean days from return to close": "0.0"})])


def routine_sheets(kit: SheetKit) -> list[Writer]:
    return [partial(_write, kit, build)
            for build in (_complaints, _closures, _dip_checks, _call_evaluation, _np_cards)]
