"""Workbook sheets for the routines added after the inspection (issue 19), one writer each.

Each writer takes (workbook, MonthlySummary) like the others in qos/excel.py and reads
`summary.routines`; a summary without them (built by hand in a test) gets no such sheet.
The table, heading and text-cell helpers are qos/excel.py's own, handed in as a SheetKit
(importing qos/excel.py from here would make an import loop).
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


def _complaints(excel: SheetKit, wb: Workbook, summary: Any) -> None:
    figures = summary.routines
    if figures is None:
        return
    ws = wb.create_sheet("Informal complaints")
    excel.heading(ws, summary, "Informal complaints by Quality of Service Commitment item")
    rows = [[c.unit_code, c.item, c.complaints, c.resolved, c.passed_on, c.not_recorded]
            for c in figures.complaints]
    total = [sum(c.complaints for c in figures.complaints),
             sum(c.resolved for c in figures.complaints),
             sum(c.passed_on for c in figures.complaints),
             sum(c.not_recorded for c in figures.complaints)]
    if rows:
        rows.append(["Force", "All items", *total])
    excel.table(ws, "InformalComplaints",
                 ["Unit code", "Commitment item", "Complaints", "Resolved there and then",
                  "Passed on", "Not recorded"],
                 rows or [["", "None logged this month", None, None, None, None]], 4)
    excel.set_value(ws.cell(row=max(len(rows), 1) + 7, column=1),
                    "Complaints taken informally on the phone (control room and contact bureau), "
                    "mapped to the Commitment item they are about; the bureau's own categories "
                    "are mapped as resources/qosc says. 'Not recorded': logged before the "
                    "resolution was asked.")


def _closures(excel: SheetKit, wb: Workbook, summary: Any) -> None:
    figures = summary.routines
    if figures is None:
        return
    ws = wb.create_sheet("Closure compliance")
    excel.heading(ws, summary, "Crimes closed: Victims' Code and QoS compliance at closure")
    rows = [[c.unit_code, c.checked, c.not_compliant, c.not_compliant_rate, c.remedied,
             c.not_compliant - c.remedied] for c in figures.closures]
    if rows:
        checked = sum(c.checked for c in figures.closures)
        bad = sum(c.not_compliant for c in figures.closures)
        remedied = sum(c.remedied for c in figures.closures)
        rows.append(["Force", checked, bad, bad / checked, remedied, bad - remedied])
    _first, last = excel.table(
        ws, "Closures", ["Unit code", "Closures checked", "Not compliant", "Not compliant %",
                         "Remedied", "Awaiting remedy"],
        rows or [["", 0, 0, None, 0, 0]], 4, {"Not compliant %": "0.0%"})
    listed = [[c.unit_code, c.crime_ref, c.closed_on, "; ".join(c.problems), c.remedy or "Awaiting remedy",
               c.remedied_on or ""] for c in figures.non_compliant_closures]
    excel.table(ws, "ClosureRemedies", ["Unit code", "Crime", "Closed on",
                                        "Outstanding at closure", "Remedy", "Remedied on"],
                listed or [["", "No closure this month was non-compliant", "", "", "", ""]],
                last + 3)
    ws.freeze_panes = "A5"


def _dip_checks(excel: SheetKit, wb: Workbook, summary: Any) -> None:
    from qos.stats import wilson

    figures = summary.routines
    if figures is None:
        return
    ws = wb.create_sheet("Dip checks")
    excel.heading(ws, summary, "Force inspectorate dip checks, for BCU commanders")
    rows = []
    for c in figures.dip_checks:
        interval = wilson(c.passed, c.checked) if c.checked else None
        rows.append([c.unit_code, c.test, c.drawn, c.checked, c.passed, c.failed, c.unable,
                     c.drawn - c.checked - c.unable, interval.rate if interval else None,
                     interval.low if interval else None, interval.high if interval else None])
    percent = {"Pass rate": "0.0%", "95% low": "0.0%", "95% high": "0.0%"}
    _first, last = excel.table(
        ws, "DipChecks", ["Unit code", "Test", "Drawn", "Checked", "Passed", "Failed",
                          "Could not check", "Still to check", "Pass rate", "95% low",
                          "95% high"],
        rows or [["", "No dip check this month", 0, 0, 0, 0, 0, 0, None, None, None]], 4,
        percent)
    failures = [[f.unit_code, f.test, f.item, f.note] for f in figures.dip_failures]
    excel.table(ws, "DipFailures", ["Unit code", "Test", "Crime or counter", "What was found"],
                failures or [["", "No failed item this month", "", ""]], last + 3)
    excel.set_value(ws.cell(row=last + max(len(failures), 1) + 6, column=1),
                    "Items drawn at random (seeded, re-runnable) from the unit's counters and "
                    "the crimes it recorded in the month. Pass rate: passed of passed plus "
                    "failed; items that could not be checked are left out. With a handful of "
                    "items a pass rate is only a rough guide: read the 95% interval.")
    ws.freeze_panes = "A5"


def _call_evaluation(excel: SheetKit, wb: Workbook, summary: Any) -> None:
    figures = summary.routines
    if figures is None:
        return
    ws = wb.create_sheet("Call evaluation")
    excel.heading(ws, summary, "Control-room call evaluation")

    def number(value: float) -> float | None:
        return None if math.isnan(value) else value  # NaN: no figure

    rows = [[t.team, t.staff, t.due, t.done, t.score.n, number(t.score.mean),
             number(t.score.low), number(t.score.high)] for t in figures.call_teams]
    percent = {"Mean score": "0.0%", "95% low": "0.0%", "95% high": "0.0%"}
    _first, last = excel.table(
        ws, "CallEvaluationTeams", ["Team (line manager)", "Staff", "Evaluations due",
                                    "Done (up to due)", "Scored", "Mean score", "95% low",
                                    "95% high"],
        rows or [["No control-room staff set up", 0, 0, 0, 0, None, None, None]], 4, percent)
    below = [[b.name, b.staff_number, b.team, f"{b.months_met} of {b.months}",
              b.latest_mean] for b in figures.below_standard]
    excel.table(ws, "BelowStandard", ["Staff member", "Number", "Team",
                                      "Months at or above the standard",
                                      "This month's mean score"],
                below or [["Everyone meets the standard", "", "", "", None]], last + 3,
                {"This month's mean score": "0.0%"})
    excel.set_value(ws.cell(row=last + max(len(below), 1) + 6, column=1),
                    "Score: weight of items met over weight of items that applied to the call "
                    "(not applicable left out). Interval: 95% t interval of the mean. The "
                    "standard for progression: every one of the last months at or above the "
                    "threshold set in the settings.")
    ws.freeze_panes = "A5"


def _np_cards(excel: SheetKit, wb: Workbook, summary: Any) -> None:
    figures = summary.routines
    if figures is None or figures.np_cards is None:
        return
    cards = figures.np_cards
    ws = wb.create_sheet("NP comment cards")
    excel.heading(ws, summary, "Neighbourhood policing comment cards")
    rows = [[p.unit_code, p.kind, p.place, p.cards, p.returned, p.return_rate,
             p.returned_this_month] for p in cards.places]
    _first, last = excel.table(
        ws, "NpCardPlaces", ["Area (unit code)", "Kind of place", "Place", "Cards put out",
                             "Returned so far", "Return rate", "Returned this month"],
        rows or [["", "No cards put out yet", "", 0, 0, None, 0]], 4, {"Return rate": "0.0%"})
    themes = [[theme, n] for theme, n in cards.themes]
    _f, last = excel.table(ws, "NpCardThemes", ["Theme (this month's returns)", "Cards"],
                           themes or [["No cards returned this month", 0]], last + 3)
    excel.table(ws, "NpCardActions", ["Actions open at the month's end",
                                      "Closed this month (with their outcome)",
                                      "Mean days from return to close"],
                [[cards.actions_open, cards.closed, cards.mean_days_to_close]], last + 3,
                {"Mean days from return to close": "0.0"})
    ws.freeze_panes = "A5"


def routine_sheets(kit: SheetKit) -> list[Writer]:
    return [partial(writer, kit)
            for writer in (_complaints, _closures, _dip_checks, _call_evaluation, _np_cards)]
