"""Workbook sheets for the routines added after the inspection (issue 19), one writer each.

Each writer takes (workbook, MonthlySummary) like the others in qos/excel.py and reads
`summary.routines`; a summary without them (built by hand in a test) gets no such sheet.
The table, heading and text-cell helpers are qos/excel.py's own, looked up when a sheet is
written: qos/excel.py imports this module to list the sheets.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openpyxl import Workbook

Writer = Callable[[Workbook, Any], None]


def _complaints(wb: Workbook, summary: Any) -> None:
    from qos import excel

    figures = summary.routines
    if figures is None:
        return
    ws = wb.create_sheet("Informal complaints")
    excel._heading(ws, summary, "Informal complaints by Quality of Service Commitment item")
    rows = [[c.unit_code, c.item, c.complaints, c.resolved, c.passed_on, c.not_recorded]
            for c in figures.complaints]
    total = [sum(c.complaints for c in figures.complaints),
             sum(c.resolved for c in figures.complaints),
             sum(c.passed_on for c in figures.complaints),
             sum(c.not_recorded for c in figures.complaints)]
    if rows:
        rows.append(["Force", "All items", *total])
    excel._table(ws, "InformalComplaints",
                 ["Unit code", "Commitment item", "Complaints", "Resolved there and then",
                  "Passed on", "Not recorded"],
                 rows or [["", "None logged this month", None, None, None, None]], 4)
    excel.set_value(ws.cell(row=max(len(rows), 1) + 7, column=1),
                    "Complaints taken informally on the phone (control room and contact bureau), "
                    "mapped to the Commitment item they are about; the bureau's own categories "
                    "are mapped as resources/qosc says. 'Not recorded': logged before the "
                    "resolution was asked.")


ROUTINE_SHEETS: list[Writer] = [_complaints]
