"""The scorecard's "Other routines" block: one headline per routine, force totals of the rows
the workbook's routine sheets write, and the page shows exactly those numbers."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from qos.call_evaluation import mean_score
from qos.roles import Role
from qos.routine_figures import (
    BelowStandard,
    ClosureCount,
    CommitmentCount,
    DipTestCount,
    NpCardFigures,
    NpPlaceCount,
    RoutineFigures,
    TeamEvaluations,
)
from qos.routine_headlines import routine_headlines
from qos.store import complaints
from tests.conftest import make_user
from ui.main_window import MainWindow


def _figures() -> RoutineFigures:
    return RoutineFigures(
        month="2026-10",
        complaints=[CommitmentCount("NOR", "Response", 4, 2, 1, 1),
                    CommitmentCount("SOU", "Contact", 3, 3, 0, 0)],
        closures=[ClosureCount("NOR", 20, 3, 1), ClosureCount("SOU", 10, 2, 2)],
        dip_checks=[DipTestCount("NOR", "Counter open", 5, 4, 1, 0),
                    DipTestCount("SOU", "RTC updated", 6, 3, 2, 1)],
        call_teams=[TeamEvaluations("Ms A", 3, 15, 12, mean_score([0.8, 0.9])),
                    TeamEvaluations("Mr B", 2, 10, 10, mean_score([0.7]))],
        below_standard=[BelowStandard("C D", "F123", "Ms A", 1, 3, 0.6)],
        np_cards=NpCardFigures(
            places=[NpPlaceCount("NOR", "library", "Town library", 50, 9, 4),
                    NpPlaceCount("SOU", "event", "Fete", 30, 6, 2)],
            themes=[("parking", 3)], actions_open=5, closed=2, mean_days_to_close=6.5))


def test_each_routine_gets_its_force_total():
    lines = {h.routine: (h.figure, h.detail) for h in routine_headlines(_figures())}
    # Evaluations: done 12 + 10 = 22 of due 15 + 10 = 25; one person below the standard.
    assert lines["Control-room call evaluations"][0] == "22 of 25"
    assert "1 staff below" in lines["Control-room call evaluations"][1]
    # Dip checks: passed 4 + 3 = 7 of checked (4 + 1) + (3 + 2) = 10; failed 1 + 2 = 3
    # (the one "unable to check" item is not a check).
    assert lines["Dip checks"] == ("7 of 10", "items passed of those checked; 3 failed")
    # Closures: not compliant 3 + 2 = 5 of 20 + 10 = 30 checked; remedied 1 + 2 = 3.
    assert lines["Closure compliance"] == (
        "5 of 30", "closures not compliant of those checked; 3 remedied")
    # NP cards: returned this month 4 + 2 = 6; put out 50 + 30 = 80.
    assert lines["NP comment cards"] == (
        "6 returned", "this month, of 80 cards put out; 5 actions open, 2 closed this month")
    # Complaints: 4 + 3 = 7 logged, 2 + 3 = 5 resolved there and then.
    assert lines["Informal complaints"] == ("7 logged", "5 resolved there and then")


def test_no_routine_figures_no_headlines():
    assert routine_headlines(None) == []
    # No NP card figures at all: that line is left out rather than shown as zero.
    figures = dataclasses.replace(_figures(), np_cards=None)
    assert "NP comment cards" not in {h.routine for h in routine_headlines(figures)}


@pytest.mark.sqlite_only  # a window test: the page reopens its store by file path
def test_the_page_shows_the_summary_objects_numbers(qtbot, store, admin):
    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    page = window.show_page("summary")
    month = page.month.currentText()
    fcc = make_user(store, admin, "fcc1", Role.CONTROL_ROOM)
    nor = store.scalar("SELECT id FROM units WHERE code = 'NOR'")
    day = dt.date(int(month[:4]), int(month[5:]), 3)
    for resolution in ("resolved", "resolved", "passed_on"):
        complaints.log_informal_complaint(store, fcc, unit_id=nor, qosc_item="response",
                                          resolution=resolution, raised_on=day)
    page.refresh()
    qtbot.waitUntil(lambda: page.job is None, timeout=20000)
    assert page.summary is not None and page.summary.routines is not None
    logged = sum(c.complaints for c in page.summary.routines.complaints)
    resolved = sum(c.resolved for c in page.summary.routines.complaints)
    assert (logged, resolved) == (3, 2)  # the three logged above, two resolved there and then
    text = page.routines.text()
    assert "Informal complaints: 3 logged (2 resolved there and then)" in text
    assert page.lower.isTabVisible(2) and page.lower.tabText(2) == "Other &routines"

    # Non-trivial figures for every routine go through the same path to the page.
    page._show(dataclasses.replace(page.summary, routines=_figures()))
    text = page.routines.text().splitlines()
    assert text == [
        "Other routines this month (whole force):",
        ("Control-room call evaluations: 22 of 25 (evaluations done of those due; 1 staff "
         "below the standard for progression)"),
        "Dip checks: 7 of 10 (items passed of those checked; 3 failed)",
        "Closure compliance: 5 of 30 (closures not compliant of those checked; 3 remedied)",
        ("NP comment cards: 6 returned (this month, of 80 cards put out; 5 actions open, "
         "2 closed this month)"),
        "Informal complaints: 7 logged (5 resolved there and then)"]
    page._show(dataclasses.replace(page.summary, routines=None))
    assert not page.routines.isVisibleTo(page)
