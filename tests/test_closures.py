"""Closure compliance (issue 19): crimes closed with a Victims' Code duty or a failed QoS check
outstanding, the supervisor's remedy, and the workbook sheet. Figures worked by hand."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from qos.closures import FailedCheck, OpenAction, closure_problems
from qos.errors import PermissionDenied, ValidationError
from qos.roles import SYSTEM, Role
from qos.store import callbacks, closures, crimes, reference
from qos.tabular import read_csv_text
from tests.conftest import make_user

HEADER = ("Crime reference,Date recorded,Unit,Offence category,Victim name,Contact phone,"
          "Officer,Suspect arrested,Date crime closed,Victim updated,Incident type\n")
ROWS = [
    # ref, recorded, unit, arrested, closed, updated
    ("NOR/A", "2026-10-01", "NOR", "", "2026-10-20", "2026-10-10"),  # compliant
    ("NOR/B", "2026-10-01", "NOR", "2026-10-05", "2026-10-20", "2026-10-22"),  # arrest untold
    ("NOR/C", "2026-09-01", "NOR", "", "2026-10-15", ""),  # 44 days without an update
    ("NOR/D", "2026-10-02", "NOR", "2026-10-12", "2026-10-12", ""),  # arrest on closure day
    ("NOR/G", "2026-10-20", "NOR", "", "2026-10-28", ""),  # compliant
    ("SOU/E", "2026-10-01", "SOU", "", "2026-10-25", "2026-10-05"),  # failed call-back
    ("SOU/F", "2026-10-01", "SOU", "", "2026-11-02", ""),  # closed next month
    ("SOU/H", "2026-10-03", "SOU", "", "", ""),  # still open
]


@pytest.fixture
def closed(store, admin):
    text = HEADER + "".join(f"{r},{d},{u},Burglary,V {r},07700900{i:03d},,{a},{c},{up},\n"
                            for i, (r, d, u, a, c, up) in enumerate(ROWS))
    result = crimes.import_crimes(store, admin, read_csv_text(text), all_or_nothing=True)
    assert result.applied and not result.bad, result.bad
    history = ("Crime reference,Unit,Call date,Outcome,Qosc crime number,Vc leaflet\n"
               "SOU/E,SOU,2026-10-20,completed,N,Y\n"
               "NOR/A,NOR,2026-10-21,completed,N,Y\n")  # after NOR/A's closure: not counted
    assert callbacks.import_history(store, admin, read_csv_text(history),
                                    all_or_nothing=True).applied
    return admin


def test_the_importer_reads_the_closure_date_and_incident_type(store, admin):
    text = HEADER + "NOR/RTC,2026-10-01,NOR,Road traffic collision,V,07700900001,,,01/11/2026,,RTC\n"
    crimes.import_crimes(store, admin, read_csv_text(text), all_or_nothing=True)
    row = store.row("SELECT finalised_on, incident_type FROM crimes WHERE crime_ref = 'NOR/RTC'")
    assert row == {"finalised_on": "2026-11-01", "incident_type": "RTC"}
    # An extract without those columns leaves them as they were.
    again = ("Crime reference,Date recorded,Unit,Offence category,Victim name,Contact phone,"
             "Officer\nNOR/RTC,2026-10-01,NOR,Road traffic collision,V,07700900001,\n")
    crimes.import_crimes(store, admin, read_csv_text(again), all_or_nothing=True)
    assert store.row("SELECT finalised_on, incident_type FROM crimes") == row


def test_each_closure_is_checked_against_what_was_outstanding_on_its_date(store, closed):
    rows = closures.closures_for_month(store, closed, "2026-10")
    found = {r["crime_ref"]: r["problems"] for r in rows}
    assert sorted(found) == ["NOR/A", "NOR/B", "NOR/C", "NOR/D", "NOR/G", "SOU/E"]
    assert found["NOR/A"] == [] and found["NOR/D"] == [] and found["NOR/G"] == []
    assert found["NOR/B"] == [
        "Victims' Code: told of the suspect's arrest (event 2026-10-05) not done by closure"]
    # 2026-09-01 to 2026-10-15 is 44 days; the 2020 edition wants an update every 28.
    assert found["NOR/C"] == [
        "Victims' Code: no progress update for 44 days before closure (every 28 due)"]
    assert found["SOU/E"] == [("Failed QoS check on 2026-10-20: call-back: "
                               "Were you given a crime reference number?")]


def test_a_supervisor_sees_their_unit_and_records_a_remedy(store, closed):
    sgt = make_user(store, closed, "sgt", Role.SUPERVISOR, "NOR")
    mine = closures.closures_for_month(store, sgt, "2026-10", problems_only=True)
    assert [r["crime_ref"] for r in mine] == ["NOR/C", "NOR/B"]  # by closure date
    south = reference.unit_by_code(store, SYSTEM, "SOU")["id"]
    with pytest.raises(PermissionDenied):
        closures.closures_for_month(store, sgt, "2026-10", unit_id=south)
    crime_b = mine[1]["id"]
    with pytest.raises(ValidationError, match="Say what was done"):
        closures.record_remedy(store, sgt, crime_b, "  ")
    with pytest.raises(ValidationError, match="before the closure"):
        closures.record_remedy(store, sgt, crime_b, "Victim told", dt.date(2026, 10, 19))
    compliant = next(r["id"] for r in closures.closures_for_month(store, sgt, "2026-10")
                     if r["crime_ref"] == "NOR/A")
    with pytest.raises(ValidationError, match="nothing to remedy"):
        closures.record_remedy(store, sgt, compliant, "n/a", dt.date(2026, 10, 30))
    sou_e = store.scalar("SELECT id FROM crimes WHERE crime_ref = 'SOU/E'")
    with pytest.raises(PermissionDenied, match="does not cover"):
        closures.record_remedy(store, sgt, sou_e, "Victim told", dt.date(2026, 10, 30))
    closures.record_remedy(store, sgt, crime_b, "Victim told of the arrest; officer advised",
                           dt.date(2026, 10, 23))
    [b] = [r for r in closures.closures_for_month(store, sgt, "2026-10")
           if r["crime_ref"] == "NOR/B"]
    assert (b["remedy"], b["remedied_on"]) == ("Victim told of the arrest; officer advised",
                                               "2026-10-23")
    audit = store.row("SELECT username, detail FROM audit_log WHERE entity = 'closure_remedies'")
    assert audit["username"] == "sgt" and "officer advised" in audit["detail"]


@pytest.mark.parametrize("role", list(Role))
def test_only_roles_that_check_closures_may(store, closed, role):
    actor = make_user(store, closed, f"who-{role.value}", role, "NOR")
    may = role in (Role.ADMIN, Role.SUPERVISOR)
    try:
        closures.closures_for_month(store, actor, "2026-10")
        allowed = True
    except PermissionDenied:
        allowed = False
    assert allowed == may


def test_the_workbook_shows_closures_checked_non_compliant_and_remedies(store, closed,
                                                                         tmp_path):
    from qos.excel import write_summary_workbook
    from qos.store.summary_data import monthly_summary

    crime_b = store.scalar("SELECT id FROM crimes WHERE crime_ref = 'NOR/B'")
    closures.record_remedy(store, closed, crime_b, "Victim told", dt.date(2026, 10, 23))
    summary = monthly_summary(store, closed, "2026-10")
    counts = [(c.unit_code, c.checked, c.not_compliant, c.remedied)
              for c in summary.routines.closures]
    assert counts == [("NOR", 5, 2, 1), ("SOU", 1, 1, 0)]
    book = openpyxl.load_workbook(write_summary_workbook(summary, tmp_path / "s.xlsx"))
    sheet = book["Closure compliance"]
    rows = list(sheet.iter_rows(min_row=5, max_row=7, values_only=True))
    # Force: 5 + 1 = 6 checked, 2 + 1 = 3 not compliant (3 / 6 = 50%), 1 remedied, 2 waiting.
    assert rows[2] == ("Force", 6, 3, 0.5, 1, 2)
    assert rows[0] == ("NOR", 5, 2, 0.4, 1, 1)  # 2 / 5
    listed = [r for r in sheet.iter_rows(min_row=11, values_only=True) if r[0]]
    assert [(r[1], r[4]) for r in listed] == [("NOR/C", "Awaiting remedy"),
                                              ("NOR/B", "Victim told"),
                                              ("SOU/E", "Awaiting remedy")]


def test_an_open_remedial_action_at_closure_is_a_problem_and_a_closed_one_is_not():
    crime = {"id": 1, "recorded_on": "2026-10-01", "finalised_on": "2026-10-20",
             "enhanced": 0}
    updates = [dt.date(2026, 10, 2)]
    still_open = OpenAction(dt.date(2026, 10, 5), None, "Send the Victims of Crime leaflet")
    closed_late = OpenAction(dt.date(2026, 10, 5), dt.date(2026, 10, 21), "Give crime number")
    closed_in_time = OpenAction(dt.date(2026, 10, 5), dt.date(2026, 10, 19), "Advise")
    raised_after = OpenAction(dt.date(2026, 10, 22), None, "Later")
    assert closure_problems(crime, updates, [], [still_open, closed_late, closed_in_time,
                                                 raised_after]) == [
        "Remedial action still open at closure: Send the Victims of Crime leaflet",
        "Remedial action still open at closure: Give crime number"]
    later_check = FailedCheck(dt.date(2026, 10, 21), "call-back: leaflet")
    assert closure_problems(crime, updates, [later_check], []) == []


def test_the_command_line_lists_the_non_compliant_closures(store, closed, capsys):
    from qos.cli import run

    crime_b = store.scalar("SELECT id FROM crimes WHERE crime_ref = 'NOR/B'")
    closures.record_remedy(store, closed, crime_b, "Victim told", dt.date(2026, 10, 23))
    assert run(["closures", "--user", "admin", "--db", str(store.path), "--month", "2026-10", "--unit", "nor"]) == 0
    out, err = capsys.readouterr()
    assert [line.split("\t")[0] for line in out.splitlines()] == ["NOR/C", "NOR/B"]
    assert "remedied 2026-10-23: Victim told" in out
    assert "5 closure(s) checked, 2 not compliant, 1 remedied." in err
    assert run(["closures", "--user", "admin", "--db", str(store.path), "--month", "2026-10", "--unit", "XX"]) == 1
