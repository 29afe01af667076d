"""The monthly summary as an Excel workbook: a pure function from MonthlySummary to a file.

No victim names, phone numbers or addresses: the summary holds none. Every text cell is written
as text, so a unit name such as "=HYPERLINK(...)" can never run as a formula.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from qos.doorstep import OfficerFeedback
from qos.excel_routines import SheetKit, routine_sheets
from qos.grading import EXCEEDS, FAILS, MEETS
from qos.progress import Progress
from qos.summary import (
    Change,
    MonthlySummary,
    Rate,
    UnitSummary,
    checks_made_name,
    month_name,
    sample_called_name,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TOO_FEW = "Too few to report"
PERCENT = "0.0%"
POINTS = '+0.0" pts";-0.0" pts";0.0" pts"'
FILLS = {
    "Green": PatternFill("solid", fgColor="C6EFCE"),
    "Amber": PatternFill("solid", fgColor="FFEB9C"),
    "Red": PatternFill("solid", fgColor="FFC7CE"),
    "Yes": PatternFill("solid", fgColor="BDD7EE"),
    EXCEEDS: PatternFill("solid", fgColor="C6EFCE"),
    MEETS: PatternFill("solid", fgColor="FFFFFF"),
    FAILS: PatternFill("solid", fgColor="FFC7CE"),
}


# Characters XML 1.0 cannot hold: control codes (openpyxl refuses them), lone surrogates and
# the non-characters U+FFFE/U+FFFF (openpyxl writes those, and the saved file will not open).
NOT_XML_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def set_value(cell: Cell, value: Any) -> None:
    """Write a value; text always stays text, never a formula, and never breaks the file."""
    if isinstance(value, float) and math.isnan(value):
        value = None
    if isinstance(value, str):
        value = NOT_XML_CHARACTERS.sub("", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True  # Excel and LibreOffice show it as typed, as text


def _pct(rate: Rate) -> Any:
    return rate.rate if rate.reportable else TOO_FEW


def _points(change: Change | None, base: Rate) -> Any:
    if change is None or not (base.reportable and change.against.reportable):
        return None
    return round(change.test.difference * 100, 1)


def _yes_no(change: Change | None, base: Rate) -> str:
    """'Yes' only when significant after the Benjamini-Hochberg adjustment."""
    if change is None:
        return ""
    if not (base.reportable and change.against.reportable):
        return TOO_FEW
    return "Yes" if change.significant else "No"


def _p(change: Change | None, adjusted: bool = False) -> Any:
    """A comparison's p-value, unadjusted or adjusted; blank when it was not tested."""
    if change is None or not change.testable:
        return None
    return round(change.adjusted_p if adjusted else change.test.p_value, 4)


def _table(ws: Worksheet, name: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
           top: int, formats: dict[str, str] | None = None) -> tuple[int, int]:
    """A real Excel table with a frozen header row; returns (first data row, last row)."""
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=top, column=col)
        set_value(cell, header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(rows, start=top + 1):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col)
            set_value(cell, value)
            fmt = (formats or {}).get(headers[col - 1])
            if fmt and isinstance(value, (int, float)):
                cell.number_format = fmt
    last = top + max(len(rows), 1)
    ref = f"A{top}:{get_column_letter(len(headers))}{last}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    for col, header in enumerate(headers, start=1):
        # Headers wrap, so the data decides the width; a long heading takes two lines.
        texts = [len(str(v[col - 1])) for v in rows if isinstance(v[col - 1], (str, int))]
        width = max([min(len(header), 14), *texts]) + 2
        ws.column_dimensions[get_column_letter(col)].width = min(max(width, 9), 45)
    ws.row_dimensions[top].height = 45
    return top + 1, last


def _highlight(ws: Worksheet, column_letter: str, first: int, last: int) -> None:
    cells = f"{column_letter}{first}:{column_letter}{last}"
    for word, fill in FILLS.items():
        ws.conditional_formatting.add(
            cells, CellIsRule(operator="equal", formula=[f'"{word}"'], fill=fill))


def _page_setup(ws: Worksheet, summary: MonthlySummary, title: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = f"{summary.force_name} - {title} - {summary.month}"
    ws.oddFooter.right.text = "Page &P of &N"


def _heading(ws: Worksheet, summary: MonthlySummary, title: str) -> None:
    set_value(ws["A1"], f"{summary.force_name}: {title}")
    ws["A1"].font = Font(bold=True, size=14)
    set_value(ws["A2"], f"Month: {summary.month}. Produced by QoS Checks on "
                        f"{summary.generated_at.replace('T', ' at ')}.")
    _page_setup(ws, summary, title)


def _everyone(summary: MonthlySummary) -> list[UnitSummary]:
    return [*summary.units, summary.force]


def _overview(wb: Workbook, summary: MonthlySummary) -> None:
    ws = wb.active
    ws.title = "Overview"
    _heading(ws, summary, "QoS compliance summary")
    month = summary.month
    headers = ["Unit code", "Unit", "Kind", "Target", checks_made_name(month), "Completion",
               "RAG", "Call attempts", "Declined", "Unreachable", "Whole experience satisfied",
               "95% low", "95% high", "Answers", "Whole experience grade",
               "Victims' Code met (victims)", "QoSC met (victims)", "Debriefs outstanding",
               f"{month_name(month)} sample size", sample_called_name(month)]
    rows = []
    for unit in _everyone(summary):
        headline = unit.driver("whole_experience").month
        rows.append([unit.code, unit.name, unit.kind, unit.target, unit.completed,
                     unit.completion, unit.rag, unit.attempts, unit.declined, unit.unreachable,
                     _pct(headline), headline.low if headline.reportable else None,
                     headline.high if headline.reportable else None, headline.valid,
                     unit.grade_for("whole_experience").grade,
                     _pct(unit.victims_code_overall), _pct(unit.qosc_overall),
                     unit.debriefs.outstanding, unit.sample.size, unit.sample.called])
    pct = {h: PERCENT for h in ("Completion", "Whole experience satisfied", "95% low", "95% high",
                                "Victims' Code met (victims)", "QoSC met (victims)")}
    first, last = _table(ws, "Completion", headers, rows, 4, pct)
    _highlight(ws, "G", first, last)
    _highlight(ws, "O", first, last)
    chart = BarChart()
    chart.title = "QoS checks completed against target, by unit"
    chart.y_axis.title = "Checks"
    data = Reference(ws, min_col=4, max_col=5, min_row=4, max_row=last - 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last - 1))
    chart.height, chart.width = 8, 18
    ws.add_chart(chart, f"A{last + 3}")


def _satisfaction(wb: Workbook, summary: MonthlySummary) -> None:
    ws = wb.create_sheet("Satisfaction")
    _heading(ws, summary, "Satisfaction by driver")
    headers = ["Unit code", "Driver", "Satisfied", "Answers", "Satisfied %", "95% low",
               "95% high", "Year ago %", "Change on year", "Significant vs year ago",
               "Rest of force %", "Significant vs rest of force", "Rolling 3 months %",
               "Significant: 3 months vs 12 before", "Rolling 12 months %",
               "Significant: 12 months vs 12 before", "p vs year ago (unadjusted)",
               "p vs year ago (adjusted)", "p vs rest of force (unadjusted)",
               "p vs rest of force (adjusted)", "Grade", "Grade basis", "Why"]
    rows = []
    for unit in _everyone(summary):
        for d in unit.drivers:
            m = d.month
            graded = unit.grade_for(d.key)
            rows.append([
                unit.code, d.label, m.hits, m.valid, _pct(m),
                m.low if m.reportable else None, m.high if m.reportable else None,
                _pct(d.vs_year_ago.against), _points(d.vs_year_ago, m),
                _yes_no(d.vs_year_ago, m),
                _pct(d.vs_rest_of_force.against) if d.vs_rest_of_force else "",
                _yes_no(d.vs_rest_of_force, m), _pct(d.rolling3),
                _yes_no(d.rolling3_vs_prior12, d.rolling3), _pct(d.rolling12),
                _yes_no(d.rolling12_vs_prior12, d.rolling12), _p(d.vs_year_ago),
                _p(d.vs_year_ago, adjusted=True), _p(d.vs_rest_of_force),
                _p(d.vs_rest_of_force, adjusted=True), graded.grade, graded.basis,
                graded.reason])
    fmt = {h: PERCENT for h in headers if h.endswith("%") or h.startswith("95%")}
    fmt["Change on year"] = POINTS
    first, last = _table(ws, "Satisfaction", headers, rows, 4, fmt)
    for column in ("J", "L", "N", "P", "U"):
        _highlight(ws, column, first, last)


def _trend(wb: Workbook, summary: MonthlySummary) -> None:
    ws = wb.create_sheet("Trend")
    _heading(ws, summary, "Whole-experience satisfaction, last 12 months")
    everyone = _everyone(summary)
    headers = ["Month"] + [u.code for u in everyone]
    months = [m for m, _ in summary.force.trend]
    rows = [[month] + [(u.trend[i][1].rate if u.trend[i][1].reportable else None)
                       for u in everyone] for i, month in enumerate(months)]
    first, last = _table(ws, "Trend", headers, rows, 4, {h: PERCENT for h in headers[1:]})
    chart = LineChart()
    chart.title = "Whole experience: % satisfied, force"
    chart.y_axis.title = "% satisfied"
    chart.y_axis.number_format = "0%"
    force_col = len(headers)
    chart.add_data(Reference(ws, min_col=force_col, min_row=4, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.height, chart.width = 8, 18
    ws.add_chart(chart, f"A{last + 3}")


def _ethnicity(wb: Workbook, summary: MonthlySummary) -> None:
    ws = wb.create_sheet("Ethnicity")
    _heading(ws, summary, "White and minority ethnic users (SPI 3b), rolling 12 months")
    headers = ["Unit code", "White: satisfied", "White: answers", "White %", "Minority: satisfied",
               "Minority: answers", "Minority %", "Gap (white minus minority)", "Significant"]
    rows = []
    for unit in _everyone(summary):
        e = unit.ethnicity
        both = e.white.reportable and e.minority.reportable
        rows.append([unit.code, e.white.hits, e.white.valid, _pct(e.white), e.minority.hits,
                     e.minority.valid, _pct(e.minority),
                     round(e.gap * 100, 1) if both else None,
                     ("Yes" if e.significant else "No") if both else TOO_FEW])
    first, last = _table(ws, "Ethnicity", headers, rows, 4,
                         {"White %": PERCENT, "Minority %": PERCENT,
                          "Gap (white minus minority)": POINTS})
    _highlight(ws, "I", first, last)


def _compliance(wb: Workbook, summary: MonthlySummary) -> None:
    ws = wb.create_sheet("Victims Code and QoSC")
    _heading(ws, summary, "Victims' Code and Quality of Service Commitment")
    headers = ["Unit code", "Standard", "Item", "Yes", "Answers", "Met %", "95% low", "95% high"]
    rows = []
    for unit in _everyone(summary):
        for standard, items, met in (("Victims' Code", unit.victims_code,
                                      unit.victims_code_overall),
                                     ("QoSC", unit.qosc, unit.qosc_overall)):
            r = met
            rows.append([unit.code, standard, "Victims with every applicable item met", r.hits,
                         r.valid, _pct(r), r.low if r.reportable else None,
                         r.high if r.reportable else None])
            for item in items:
                r = item.rate
                rows.append([unit.code, standard, item.label, r.hits, r.valid, _pct(r),
                             r.low if r.reportable else None, r.high if r.reportable else None])
    _table(ws, "Compliance", headers, rows, 4, {"Met %": PERCENT, "95% low": PERCENT,
                                                "95% high": PERCENT})


def _debriefs(wb: Workbook, summary: MonthlySummary) -> None:
    ws = wb.create_sheet("Debriefs")
    _heading(ws, summary, "Officer debriefs")
    headers = ["Unit code", "Due by month end", "Done", "Outstanding", "Overdue",
               "Oldest outstanding (days)"]
    rows = [[u.code, u.debriefs.due, u.debriefs.done, u.debriefs.outstanding,
             u.debriefs.overdue, u.debriefs.oldest_outstanding_days] for u in _everyone(summary)]
    _table(ws, "Debriefs", headers, rows, 4)


HOW_CALCULATED = [
    "How these figures are calculated",
    "",
    ("Two different counts. '{checks_made}' counts the checks made (called and completed) in "
    "the month, whichever month's sample they came from: this is the '50 checks a month' "
    "figure, and the one judged against the target. '{sample_called}' is progress on the "
    "sample drawn for the month: of the victims drawn, how many have been called with a "
    "completed check so far, whenever the call was made. Each has its own name on every page "
    "and sheet, and the records behind each figure are exactly the ones it counts."),
    ("Completion is checks made divided by the unit's monthly target. RAG: Green at or "
    "above {green:.0%} of target, Amber at or above {amber:.0%}, Red below that."),
    ("Which answers feed which figure is declared in the question templates: each question "
    "says whether it measures a satisfaction driver, a Victims' Code item or a Quality of "
    "Service Commitment item. When a later template version renames a question it keeps "
    "feeding the same figure; a dropped question is still reported from the answers given "
    "to it; a new question is reported as soon as answers arrive."),
    ("Satisfied means completely, very or fairly satisfied (the top three of the seven answers). "
    "'Don't know' and 'not applicable' answers are left out of the count of answers."),
    ("Every percentage comes with a 95% confidence interval (the Wilson score interval). With "
    "about 50 answers, a unit's monthly figure is only accurate to roughly 11 points either way."),
    ("A figure based on fewer than {min_n} answers is shown as '{too_few}' rather than as a "
    "percentage."),
    ("Force estimate: units have the same target but very different numbers of victims, so "
    "adding their checks together over-represents the small units. The force figure is a "
    "stratified estimate: each unit's satisfaction is weighted by its share of the force's "
    "eligible victims that month (the number its monthly sample was drawn from). Its 95% "
    "interval comes from the design: for each unit, weight squared times (1 minus the share "
    "of its eligible victims who answered) times p(1-p) / (answers - 1), added up, then 1.96 "
    "times the square root either side. A unit with no sample drawn (so no count of eligible "
    "victims) or no answers is left out of the estimate, and the sheet says how many were. "
    "The plain count of satisfied answers over all answers is shown beside it."),
    ("Significant changes: every comparison reported for the month (each unit and the force, "
    "each driver, against a year ago, the rest of the force, the rolling periods, the "
    "ethnicity gap and the grades) is one family of tests: {comparisons} this month. With so "
    "many tests some would look 'significant' by chance, so the p-values are adjusted by the "
    "Benjamini-Hochberg method, which keeps the share of false alarms among the flagged "
    "changes to about 5%. A change is called 'Significant' only when its adjusted p-value is "
    "below 0.05; the unadjusted p-value is shown in its own column for reference."),
    ("Comparisons: this month against the same month a year earlier; each unit against the rest "
    "of the force; the last 3 months, and the last 12 months, against the 12 months before."),
    ("Grades follow HMIC's rule for forces (2008 inspection, Appendix 3). Each unit and the "
    "force is graded per driver on the last 3 months: against its peers (the rest of the "
    "force) and against the same 3 months a year earlier. Where the force has loaded its "
    "user-satisfaction survey results for the quarter, the unit is graded on those instead: "
    "against the most similar forces' average and the same quarter a year earlier. Meets: "
    "no significant difference. Exceeds: significantly better, and never while "
    "deteriorating. Fails: significantly worse than peers or than a year earlier. When the "
    "two point opposite ways (better than peers but deteriorating, or below peers but "
    "improving) the grade is Meets. Significance is the adjusted result. The force has no "
    "peers inside the force, so without survey figures it is graded on its trend alone, using "
    "the weighted estimates."),
    ("Ethnicity compares users who described themselves as white with users from minority "
    "ethnic groups, over the last 12 months; 'not stated' answers are left out."),
    ("Survey groups (SPI 1e): whole-experience satisfaction over the last 12 months for "
    "burglary, violent crime, vehicle crime, road traffic collisions and other crime. Each "
    "offence category of the crime extract is put in a group by resources/survey_groups.json; "
    "checks with no crime on file (old spreadsheets) are not in any group."),
    ("Victims' Code and Quality of Service Commitment items count 'yes' against yes plus no; "
    "'not applicable' is left out. The 'met' figure counts victims, not answers: a victim met "
    "the standard when every item that applied to them was 'yes' (the answers of one victim "
    "are not independent of each other), with its interval over the victims asked."),
    ("Victims' Code timeliness: for each event in the month (arrest, charge, bail and so on), "
    "whether the victim was updated within the Code's deadline in working days (weekends and "
    "England and Wales bank holidays excluded; 1 day for enhanced victims). An event with no "
    "date recorded is never counted as a failure; one still within its deadline is not yet "
    "counted. Enhanced victims are those the edition in force names: vulnerable or "
    "intimidated, or flagged for enhanced service, and under the 2020 Code victims of the most "
    "serious crime (by offence category) or persistently targeted. An arrest whose date is "
    "unknown starts no deadline. Regular progress updates falling due in the month are "
    "counted too, at the frequency each victim agreed (else every 28 days), each running from "
    "the last contact."),
    ("Contact bureau satisfaction: the bureau's own overall-satisfaction question, by the month "
    "of the call, with 95% intervals. It is a separate series from supervisors' call-backs "
    "(different callers, different victims) and never pooled with them."),
    ("Doorstep cards are posted back by victims: a different method with a different response "
    "bias from telephone call-backs, so their figures are a separate series and never pooled "
    "with call-back satisfaction. Return rate: where the unit records which crime each card "
    "was left for (a column of the crime import, or keyed when the card is handed out), of "
    "the cards left with victims in the month, how many have come back so far; otherwise, "
    "labelled as such, of the cards issued to its officers in the month. 'How reassured' "
    "has its own answers (completely, very or fairly reassured count as reassured)."),
    "This workbook holds no victim names, phone numbers or addresses.",
]


def _explanations(wb: Workbook, summary: MonthlySummary) -> None:
    ws = wb.create_sheet("How calculated")
    for row, text in enumerate(HOW_CALCULATED, start=1):
        cell = ws.cell(row=row, column=1)
        set_value(cell, text.format(green=summary.rag_green, amber=summary.rag_amber,
                                    min_n=summary.min_n, too_few=TOO_FEW,
                                    comparisons=summary.comparisons,
                                    checks_made=checks_made_name(summary.month),
                                    sample_called=sample_called_name(summary.month)))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 110
    _page_setup(ws, summary, "How these figures are calculated")


def _timeliness(wb: Workbook, summary: MonthlySummary) -> None:
    ws = wb.create_sheet("Victims Code timeliness")
    _heading(ws, summary, "Victims' Code: victims updated in time")
    headers = ["Unit code", "Rule", "Updated in time", "Due and settled", "In time %",
               "95% low", "95% high", "Average working days late (late ones)"]
    rows = []
    for unit in _everyone(summary):
        for t in unit.code_timeliness:
            r = t.rate
            rows.append([unit.code, t.label, r.hits, r.valid, _pct(r),
                         r.low if r.reportable else None, r.high if r.reportable else None,
                         round(t.mean_late_days, 1)])
    _table(ws, "Timeliness", headers, rows or [["", "No Victims' Code events this month", None,
                                                None, None, None, None, None]], 4,
           {"In time %": PERCENT, "95% low": PERCENT, "95% high": PERCENT})


def _bureau(wb: Workbook, summary: MonthlySummary) -> None:
    ws = wb.create_sheet("Contact bureau")
    _heading(ws, summary, "Contact bureau re-contact calls")
    headers = ["Unit code", "Victims called", "Calls completed", "Actions raised",
               "Actions closed", "Actions overdue", "Top themes", "Informal complaints",
               "Compliments"]
    rows = []
    for unit in _everyone(summary):
        b = unit.bureau
        complaints = sum(n for kind, _, n in b.complaints if kind == "complaint")
        compliments = sum(n for kind, _, n in b.complaints if kind == "compliment")
        rows.append([unit.code, b.attempted, b.made, b.actions_raised, b.actions_closed,
                     b.actions_overdue, "; ".join(f"{t} ({n})" for t, n in b.top_themes),
                     complaints, compliments])
    _first, last = _table(ws, "Bureau", headers, rows, 4)
    top = last + 3
    checks = [[unit.code, c.label, c.rate.hits, c.rate.valid, _pct(c.rate)]
              for unit in _everyone(summary) for c in unit.bureau.check_failures]
    _table(ws, "BureauChecks", ["Unit code", "Check", "Failed", "Answers", "Failure rate"],
           checks or [["", "No completed calls this month", None, None, None]], top,
           {"Failure rate": PERCENT})
    top += max(len(checks), 1) + 3
    logged = [[unit.code, kind, category, n] for unit in _everyone(summary)
              for kind, category, n in unit.bureau.complaints]
    _table(ws, "Complaints", ["Unit code", "Kind", "Category", "Number"],
           logged or [["", "None logged this month", "", None]], top)
    ws.freeze_panes = "A5"


def _mystery(wb: Workbook, summary: MonthlySummary) -> None:
    ws = wb.create_sheet("Mystery shopping")
    _heading(ws, summary, "Front-counter mystery shopping")
    headers = ["Unit code", "Visits planned", "Visits done", "Found closed in published hours",
               "Void: closed outside published hours (to be made again)",
               "Most often fell short on"]
    rows = [[u.code, u.mystery.planned, u.mystery.done, u.mystery.closed_in_hours,
             u.mystery.void, "; ".join(f"{t} ({n})" for t, n in u.mystery.most_failed)]
            for u in _everyone(summary)]
    _first, last = _table(ws, "Mystery", headers, rows, 4)
    top = last + 3
    counters = [[name, n, share] for name, n, share in summary.force.mystery.by_counter]
    _table(ws, "MysteryCounters", ["Front counter", "Visits", "Checklist met"],
           counters or [["No visits this month", None, None]], top,
           {"Checklist met": PERCENT})
    top += len(counters or [0]) + 3
    scenarios = [[name, n, share] for name, n, share in summary.force.mystery.by_scenario]
    _table(ws, "MysteryScenarios", ["Scenario", "Visits", "Checklist met"],
           scenarios or [["No visits this month", None, None]], top, {"Checklist met": PERCENT})
    ws.freeze_panes = "A5"


def _doorstep(wb: Workbook, summary: MonthlySummary) -> None:
    ws = wb.create_sheet("Doorstep cards")
    _heading(ws, summary, "Operation Doorstep cards (postal: a separate series)")
    headers = ["Unit code", "Cards issued this month", "Of those, returned so far",
               "Cards left with victims this month", "Of those, returned so far",
               "Return rate", "Return rate out of cards", "Cards received this month",
               "Question", "Satisfied, reassured or yes", "Answers", "Rate", "95% low",
               "95% high"]
    rows = []
    for unit in _everyone(summary):
        d = unit.doorstep
        counted = d.left_with_victims or d.issued
        base = [unit.code, d.issued, d.returned_of_issued, d.left_with_victims,
                d.returned_of_left, d.return_rate if counted else None,
                d.basis if counted else "", d.received]
        if not d.questions:
            rows.append([*base, "", None, None, None, None, None])
        for item in d.questions:
            r = item.rate
            rows.append([*base, item.label, r.hits, r.valid, _pct(r),
                         r.low if r.reportable else None, r.high if r.reportable else None])
    _table(ws, "Doorstep", headers, rows, 4, {"Return rate": PERCENT, "Rate": PERCENT,
                                              "95% low": PERCENT, "95% high": PERCENT})


def _force_estimate(wb: Workbook, summary: MonthlySummary) -> None:
    ws = wb.create_sheet("Force estimate")
    _heading(ws, summary, "Force satisfaction weighted by each unit's eligible victims")
    headers = ["Driver", "Weighted estimate", "95% low", "95% high", "Units in the estimate",
               "Units left out (no answers or no sample drawn)", "Unweighted: satisfied",
               "Unweighted: answers", "Unweighted %"]
    rows = []
    for w in summary.force_weighted:
        e, pooled = w.weighted, w.pooled
        usable = e.strata_used > 0 and pooled.reportable
        rows.append([w.label, e.estimate if usable else TOO_FEW, e.low if usable else None,
                     e.high if usable else None, e.strata_used, e.strata_left_out, pooled.hits,
                     pooled.valid, _pct(pooled)])
    fmt = {h: PERCENT for h in ("Weighted estimate", "95% low", "95% high", "Unweighted %")}
    _first, last = _table(ws, "ForceEstimate", headers, rows, 4, fmt)
    top = last + 3
    strata = [[w.label, code, eligible, r.hits, r.valid, r.rate if r.valid else None]
              for w in summary.force_weighted for code, eligible, r in w.strata]
    _table(ws, "ForceStrata", ["Driver", "Unit code", "Eligible victims (weight)", "Satisfied",
                               "Answers", "Unit %"],
           strata or [["", "No units", None, None, None, None]], top, {"Unit %": PERCENT})
    ws.freeze_panes = "A5"


def _grades(wb: Workbook, summary: MonthlySummary) -> None:
    ws = wb.create_sheet("Grades")
    _heading(ws, summary, "Grades: meets, exceeds or fails, as HMIC grades forces")
    headers = ["Unit code", "Driver", "Grade", "Basis", "Compared with peers: figure %",
               "Peers %", "p vs peers (unadjusted)", "p vs peers (adjusted)",
               "A year earlier %", "p vs a year earlier (unadjusted)",
               "p vs a year earlier (adjusted)", "Why"]
    rows = []
    for unit in _everyone(summary):
        for g in unit.grades:
            base = g.peers.base if g.peers else g.trend.base if g.trend else None
            rows.append([unit.code, g.label, g.grade, g.basis,
                         _pct(base) if base is not None else None,
                         _pct(g.peers.against) if g.peers else None, _p(g.peers),
                         _p(g.peers, adjusted=True),
                         _pct(g.trend.against) if g.trend else None, _p(g.trend),
                         _p(g.trend, adjusted=True), g.reason])
    fmt = {h: PERCENT for h in headers if h.endswith("%")}
    first, last = _table(ws, "Grades", headers, rows, 4, fmt)
    _highlight(ws, "C", first, last)


def _survey_groups(wb: Workbook, summary: MonthlySummary) -> None:
    ws = wb.create_sheet("Survey groups")
    _heading(ws, summary, "Whole-experience satisfaction by survey group (SPI 1e), "
                          "rolling 12 months")
    headers = ["Unit code", "Survey group", "Satisfied", "Answers", "Satisfied %", "95% low",
               "95% high"]
    rows = [[unit.code, g.label, g.rate.hits, g.rate.valid, _pct(g.rate),
             g.rate.low if g.rate.reportable else None,
             g.rate.high if g.rate.reportable else None]
            for unit in _everyone(summary) for g in unit.survey_groups]
    _table(ws, "SurveyGroups", headers, rows or [["", "No groups", None, None, None, None, None]],
           4, {"Satisfied %": PERCENT, "95% low": PERCENT, "95% high": PERCENT})


def _bureau_satisfaction(wb: Workbook, summary: MonthlySummary) -> None:
    ws = wb.create_sheet("Bureau satisfaction")
    _heading(ws, summary, "Contact bureau: overall satisfaction (a separate series from "
                          "supervisors' call-backs)")
    headers = ["Unit code", "Period", "Satisfied", "Answers", "Satisfied %", "95% low",
               "95% high"]
    rows = []
    for unit in _everyone(summary):
        b = unit.bureau_satisfaction
        if b is None:
            continue
        for period, r in [*b.series, ("Rolling 12 months", b.rolling12)]:
            rows.append([unit.code, period, r.hits, r.valid, _pct(r),
                         r.low if r.reportable else None, r.high if r.reportable else None])
    _table(ws, "BureauSatisfaction", headers,
           rows or [["", "No bureau calls", None, None, None, None, None]], 4,
           {"Satisfied %": PERCENT, "95% low": PERCENT, "95% high": PERCENT})


SHEETS = [_overview, _satisfaction, _force_estimate, _grades, _trend, _ethnicity,
          _survey_groups, _compliance, _timeliness, _debriefs, _bureau, _bureau_satisfaction,
          _mystery, _doorstep, *routine_sheets(SheetKit(_heading, _table, set_value)),
          _explanations]


def write_officer_feedback(feedback: OfficerFeedback, path: Path | str) -> Path:
    """One page for an officer's supervisor: that officer's cards only, never a ranking."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Officer feedback"
    set_value(ws["A1"], f"Doorstep card feedback: {feedback.officer} ({feedback.unit})")
    ws["A1"].font = Font(bold=True, size=14)
    set_value(ws["A2"], f"Cards received {feedback.first} to {feedback.last}: {feedback.cards}")
    row = 4
    if not feedback.enough_cards:
        set_value(ws.cell(row=row, column=1),
                  f"Fewer than {feedback.min_cards} cards: no percentages are shown, as so few "
                  "cards cannot say how this officer's service compares. Read the comments.")
        row += 2
    else:
        for col, header in enumerate(["Question", "Satisfied or yes", "Answers", "Rate",
                                      "95% low", "95% high"], start=1):
            set_value(ws.cell(row=row, column=col), header)
            ws.cell(row=row, column=col).font = Font(bold=True)
        for item in feedback.questions:
            row += 1
            r = item.rate
            for col, value in enumerate([item.label, r.hits, r.valid, _pct(r),
                                         r.low if r.reportable else None,
                                         r.high if r.reportable else None], start=1):
                cell = ws.cell(row=row, column=col)
                set_value(cell, value)
                if col >= 4 and isinstance(value, float):
                    cell.number_format = PERCENT
        row += 2
    set_value(ws.cell(row=row, column=1), "Comments, as written on the cards")
    ws.cell(row=row, column=1).font = Font(bold=True)
    for received, words in feedback.comments:
        row += 1
        set_value(ws.cell(row=row, column=1), f"{received}: {words}")
        ws.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 70
    for letter in "BCDEF":
        ws.column_dimensions[letter].width = 12
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.properties.creator = "QoS Checks"
    wb.properties.title = f"Doorstep feedback {feedback.officer}"
    target = Path(path)
    wb.save(target)
    return target


def write_summary_workbook(summary: MonthlySummary, path: Path | str,
                           progress: Progress | None = None, *,
                           audit_head: Any = None) -> Path:
    """`audit_head` (an audit Anchor) is printed on the method sheet: the workbook anchors
    the audit trail (qos.store.exports)."""
    target = Path(path)
    wb = Workbook()
    for done, writer in enumerate(SHEETS, start=1):
        writer(wb, summary)
        if progress:
            progress(done, len(SHEETS) + 1)
    if audit_head is not None:
        from qos.store.audit import workbook_line

        method = wb["How calculated"]
        set_value(method.cell(row=method.max_row + 2, column=1), workbook_line(audit_head))
    wb.properties.title = f"QoS compliance summary {summary.month}"
    wb.properties.subject = "Quality of service checks"
    wb.properties.creator = "QoS Checks"
    wb.properties.keywords = f"{summary.force_name}; {summary.month}"
    wb.properties.created = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    wb.save(partial)
    partial.replace(target)  # never leave a half-written workbook under the real name
    if progress:
        progress(len(SHEETS) + 1, len(SHEETS) + 1)
    return target
