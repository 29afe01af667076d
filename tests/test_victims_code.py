"""The Victims' Code clock, checked against dates worked out by hand."""
from __future__ import annotations

import datetime as dt

import pytest

from qos.roles import SYSTEM
from qos.store import crimes, reference
from qos.store.crime_import import import_crimes_with_deadlines
from qos.store.updates import due_list, record_victim_update
from qos.tabular import read_csv_text
from qos.victims_code import edition_for, obligations
from qos.working_days import add_working_days, working_days_between

D = dt.date


def test_deadlines_skip_weekends_and_bank_holidays():
    # Thursday 2 April 2026, before Easter: Good Friday 3rd and Easter Monday 6th are holidays.
    thursday = D(2026, 4, 2)
    assert add_working_days(thursday, 1) == D(2026, 4, 7)  # enhanced: the Tuesday
    assert add_working_days(thursday, 5) == D(2026, 4, 13)  # standard: 7,8,9,10,13
    assert add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 12)  # Friday -> Monday
    assert add_working_days(D(2026, 12, 24), 1) == D(2026, 12, 29)  # Christmas, Boxing Day
    assert working_days_between(D(2026, 4, 7), D(2026, 4, 13)) == 4


def test_edition_is_chosen_by_the_report_date():
    assert edition_for(D(2006, 4, 2)) is None  # before the 2006 Code came into force
    assert edition_for(D(2006, 4, 3)).edition == "2006"
    assert edition_for(D(2021, 3, 31)).edition == "2006"
    assert edition_for(D(2021, 4, 1)).edition == "2020"


def _crime(**events):
    return {"id": 1, "recorded_on": "2026-03-30", "enhanced": 0, **events}


def test_enhanced_and_standard_victims_get_different_deadlines():
    standard = obligations(_crime(arrested_on="2026-04-02"), [])
    enhanced = obligations(_crime(arrested_on="2026-04-02", enhanced=1), [])
    assert [o.due for o in standard] == [D(2026, 4, 13)]
    assert [o.due for o in enhanced] == [D(2026, 4, 7)]


def test_late_update_counted_late_and_missing_events_never_failures():
    [late] = obligations(_crime(arrested_on="2026-04-02"), [D(2026, 4, 15)])
    assert not late.on_time and late.late_by(D(2026, 5, 1)) == 2  # 14th, 15th
    [on_time] = obligations(_crime(arrested_on="2026-04-02"), [D(2026, 3, 31), D(2026, 4, 13)])
    assert on_time.on_time and on_time.updated_on == D(2026, 4, 13)  # earlier update ignored
    assert obligations(_crime(), [D(2026, 4, 15)]) == []  # no events: nothing owed


HEADER = ("Crime reference,Date recorded,Unit,Offence category,Victim name,Contact phone,"
          "Officer,Suspect arrested,Charged,Enhanced service,Victim updated\n")


def test_due_list_and_compliance_agree_with_a_hand_worked_example(store, admin):
    from qos.store.summary_data import monthly_summary

    reference.add_person(store, admin, "NOR1", "PC Ann Hall", "officer",
                         reference.unit_by_code(store, SYSTEM, "NOR")["id"])
    table = read_csv_text(HEADER + "".join([  # noqa: FLY002 (one commented row a line)
        # arrested Thu 2 Apr (standard): due 13 Apr, updated 10 Apr -> on time
        "NOR/A,30/03/2026,NOR,Burglary,A,07700900001,NOR1,02/04/2026,,N,10/04/2026\n",
        # arrested Thu 2 Apr (enhanced): due 7 Apr, updated 9 Apr -> late by 2
        "NOR/B,30/03/2026,NOR,Burglary,B,07700900002,NOR1,02/04/2026,,Y,09/04/2026\n",
        # arrested 2 Apr, never updated: due 13 Apr -> on the due list, late
        "NOR/C,30/03/2026,NOR,Burglary,C,07700900003,NOR1,02/04/2026,,N,\n",
        # no events at all: never a failure, only the regular update
        "NOR/D,30/03/2026,NOR,Theft,D,07700900004,NOR1,,,N,\n",
        # charged 20 Apr (Mon), due 27 Apr, never updated
        "NOR/E,30/03/2026,NOR,Theft,E,07700900005,NOR1,,20/04/2026,N,\n",
    ]))
    result = import_crimes_with_deadlines(store, admin, table, all_or_nothing=True)
    assert not result.bad
    due = due_list(store, SYSTEM, D(2026, 4, 28))
    arrests = [(r["crime_ref"], r["due"], r["overdue_days"]) for r in due
               if r["rule"] == "Told of the suspect's arrest"]
    assert arrests == [("NOR/C", "2026-04-13", 11)]  # 14-17, 20-24, 27, 28 April
    charges = [(r["crime_ref"], r["due"], r["overdue_days"]) for r in due
               if r["rule"] == "Told the suspect was charged"]
    assert charges == [("NOR/E", "2026-04-27", 1)]
    assert due[0]["crime_ref"] == "NOR/C" and due[0]["officer"] == "PC Ann Hall"
    # Reported 30 March + 28 days = 27 April: C and D are owed a regular update; E is
    # charged; A and B were updated on the 9th and 10th.
    regular = {r["crime_ref"] for r in due if r["rule"] == "Regular progress update"}
    assert regular == {"NOR/C", "NOR/D"}
    assert due_list(store, SYSTEM, D(2026, 4, 10), unit_code="SOU") == []
    # Recording the overdue update takes it off the list.
    crime_id = crimes.crime_by_ref(store, SYSTEM, "NOR/C")["id"]
    record_victim_update(store, admin, crime_id, D(2026, 4, 24))
    assert "NOR/C" not in {r["crime_ref"] for r in due_list(store, SYSTEM, D(2026, 4, 28))
                           if r["rule"] == "Told of the suspect's arrest"}

    april = monthly_summary(store, admin, "2026-04")
    nor = next(u for u in april.units if u.code == "NOR")
    arrest = next(t for t in nor.code_timeliness if t.key == "arrest")
    # Arrest rule: A on time; B late by 2 working days; C late by 9 (updated on the 24th).
    assert (arrest.rate.hits, arrest.rate.valid) == (1, 3)
    assert arrest.mean_late_days == pytest.approx((2 + 9) / 2)


def test_due_command_prints_one_line_per_victim(store, admin, db_path, capsys):
    from qos.cli import run

    import_crimes_with_deadlines(store, admin, read_csv_text(
        HEADER + "NOR/C,30/03/2026,NOR,Burglary,Ann,07700900003,,02/04/2026,,N,\n"),
        all_or_nothing=True)
    store.close()
    assert run(["due", "--user", "admin", "--db", str(db_path), "--as-of", "2026-04-14", "--unit", "nor"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [("NOR/C\tNOR\tdue 2026-04-13 (1 working day(s) overdue)\t"
                     "Told of the suspect's arrest\t")]
    assert "Ann" not in lines[0] and "07700" not in lines[0]  # no personal details
    assert run(["due", "--user", "admin", "--db", str(db_path), "--unit", "XXX"]) == 1
    with pytest.raises(SystemExit) as bad_date:
        run(["due", "--user", "admin", "--db", str(db_path), "--as-of", "2026-02-30"])
    assert bad_date.value.code == 2 and "not a date" in capsys.readouterr().err


def test_bank_holiday_file_agrees_with_the_holidays_package():
    import holidays

    from qos.working_days import bank_holidays, years_in_file

    assert years_in_file() == range(2000, 2046)
    for year in years_in_file():
        expected = frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]))
        assert bank_holidays(year) == expected, year
    # Outside the file the package itself answers.
    assert dt.date(2060, 12, 25) in bank_holidays(2060)


def test_working_days_between_matches_counting_day_by_day():
    from qos.working_days import is_working_day

    start = D(2025, 12, 20)
    for end in (D(2025, 12, 20), D(2025, 12, 27), D(2026, 1, 2), D(2026, 4, 7), D(2027, 1, 4)):
        by_hand = sum(is_working_day(start + dt.timedelta(days=n))
                      for n in range(1, (end - start).days + 1))
        assert working_days_between(start, end) == by_hand
    assert working_days_between(D(2026, 1, 5), D(2026, 1, 2)) == 0
