"""Victims' Code: who is owed the enhanced service (and why), and the update frequency the
victim agreed, against dates worked out by hand."""
from __future__ import annotations

import datetime as dt

import pytest

from qos.roles import SYSTEM, Role
from qos.store import agreed_updates, crimes, duties, reference, samples
from qos.store.crime_import import import_crimes_with_deadlines
from qos.store.summary_data import code_duties
from qos.store.updates import due_list, record_victim_update
from qos.tabular import read_csv_text
from qos.victims_code import enhanced_reasons, obligations, periodic_obligations
from tests.conftest import make_user

D = dt.date


def _crime(recorded: str, **flags):
    return {"id": 1, "recorded_on": recorded, "offence_category": "Burglary", **flags}


def test_enhanced_reasons_follow_the_edition_in_force():
    # 2006 Code (reported 2020): vulnerable or intimidated, or flagged; nothing else.
    assert enhanced_reasons(_crime("2020-05-01", vulnerable=1)) == ("vulnerable_or_intimidated",)
    assert enhanced_reasons(_crime("2020-05-01", persistently_targeted=1)) == ()
    assert enhanced_reasons(_crime("2020-05-01", offence_category="Domestic abuse")) == ()
    # 2020 Code (reported 2026): the most serious crime (by category, ignoring case) and
    # persistent targeting count too.
    assert enhanced_reasons(_crime("2026-05-01", offence_category="domestic ABUSE")) == (
        "most_serious_crime",)
    assert enhanced_reasons(_crime("2026-05-01", persistently_targeted=1, enhanced=1)) == (
        "enhanced_flag", "persistently_targeted")
    assert enhanced_reasons(_crime("2026-05-01")) == ()


def test_a_most_serious_crime_gets_the_one_day_deadline():
    # Arrest Thursday 2 April 2026; Good Friday and Easter Monday are holidays.
    # Standard 5 working days: 7, 8, 9, 10, 13 April. Enhanced 1 working day: 7 April.
    burglary = obligations(_crime("2026-03-30", arrested_on="2026-04-02"), [])
    sexual = obligations(_crime("2026-03-30", arrested_on="2026-04-02",
                                offence_category="Sexual offences"), [])
    assert [o.due for o in burglary] == [D(2026, 4, 13)]
    assert [o.due for o in sexual] == [D(2026, 4, 7)]


def test_regular_updates_run_at_the_agreed_frequency():
    crime = _crime("2026-03-02", update_every_days=14)
    updates = [D(2026, 3, 10), D(2026, 3, 30)]
    # From 2 March: due 16 March, met on 10 March; from 10 March: due 24 March, met late on
    # 30 March; from 30 March: due 13 April, still owed.
    chain = periodic_obligations(crime, updates)
    assert [(o.event_date, o.due, o.updated_on, o.on_time) for o in chain] == [
        (D(2026, 3, 2), D(2026, 3, 16), D(2026, 3, 10), True),
        (D(2026, 3, 10), D(2026, 3, 24), D(2026, 3, 30), False),
        (D(2026, 3, 30), D(2026, 4, 13), None, False)]
    # Without an agreement the edition's 28 days: 2 March + 28 = 30 March, met on 10 March;
    # 10 March + 28 = 7 April, met on 30 March; 30 March + 28 = 27 April, still owed.
    default = periodic_obligations(_crime("2026-03-02"), updates)
    assert [(o.due, o.updated_on) for o in default] == [
        (D(2026, 3, 30), D(2026, 3, 10)), (D(2026, 4, 7), D(2026, 3, 30)),
        (D(2026, 4, 27), None)]
    # Closed on 20 March: nothing falls due after it.
    closed = periodic_obligations({**crime, "closed_on": "2026-03-20"}, updates)
    assert [o.due for o in closed] == [D(2026, 3, 16)]


HEADER = ("Crime reference,Date recorded,Unit,Offence category,Victim name,Contact phone,"
          "Officer,Vulnerable or intimidated,Persistently targeted,Enhanced service,"
          "Agreed update frequency (days),Suspect arrested\n")


def _import(store, admin, *rows: str):
    result = import_crimes_with_deadlines(store, admin, read_csv_text(HEADER + "".join(rows)),
                                          all_or_nothing=False)
    return result


def test_the_due_list_says_why_and_uses_the_agreed_frequency(store, admin):
    _import(store, admin,
            "NOR/V,02/03/2026,NOR,Burglary,A,07700900001,,Y,N,N,,\n",
            "NOR/P,02/03/2026,NOR,Burglary,B,07700900002,,N,Y,N,7,\n",
            "NOR/S,02/03/2026,NOR,Sexual offences,C,07700900003,,N,N,N,weekly,\n",
            "NOR/N,02/03/2026,NOR,Burglary,D,07700900004,,N,N,N,,\n")
    due = {r["crime_ref"]: (r["due"], r["rule"], r["enhanced_reason"])
           for r in due_list(store, SYSTEM, D(2026, 3, 31))}
    assert due == {
        # 28 days by default: 2 March + 28 = 30 March
        "NOR/V": ("2026-03-30", "Regular progress update", "Vulnerable or intimidated"),
        # agreed weekly: 2 March + 7 = 9 March
        "NOR/P": ("2026-03-09", "Regular progress update (every 7 days, as agreed)",
                  "Persistently targeted"),
        "NOR/S": ("2026-03-09", "Regular progress update (every 7 days, as agreed)",
                  "Victim of the most serious crime"),
        "NOR/N": ("2026-03-30", "Regular progress update", None)}
    with pytest.raises(ValueError, match="between 1 and 365"):
        crimes.update_days("400")
    bad = _import(store, admin, "NOR/X,02/03/2026,NOR,Burglary,D,07700900009,,N,N,N,0,\n")
    assert "Agreed update frequency (days)" in str(bad.bad[0])


def test_frequency_agreed_on_a_call_back_moves_the_deadline_and_timeliness(store, admin):
    _import(store, admin, "NOR/1,02/03/2026,NOR,Burglary,A,07700900001,,N,N,N,,\n")
    unit = reference.unit_by_code(store, SYSTEM, "NOR")["id"]
    draw = samples.draw_for_month(store, admin, unit, "2026-03", size=1, seed=1)
    item = samples.list_items(store, draw, viewer=admin)[0]
    from qos.store.callbacks import record_callback

    # Called on 5 March: updated, and agreed fortnightly updates.
    record_callback(store, admin, item["id"], {}, ethnicity="NS", call_date=D(2026, 3, 5),
                    victim_updated=True, agreed_update_days=14)
    crime_id = item["crime_id"]
    assert store.scalar("SELECT update_every_days FROM crimes WHERE id = ?", [crime_id]) == 14
    # 5 March + 14 = 19 March (not 2 April, as 28 days would give).
    [row] = due_list(store, SYSTEM, D(2026, 3, 31))
    assert (row["due"], row["rule"]) == ("2026-03-19",
                                         "Regular progress update (every 14 days, as agreed)")
    # Updated late on 23 March. Regular updates due in March at 14 days: from the report,
    # 2 + 14 = 16 March, met by the call on 5 March; from 5 March, due 19 March, met on
    # Monday 23 March: late by 2 working days (20th, 23rd).
    record_victim_update(store, admin, crime_id, D(2026, 3, 23))
    duties.bring_up_to_date(store)
    periodic = [d for d in code_duties(store, SYSTEM, "2026-03", as_of=D(2026, 4, 1))
                if d["key"] == "periodic"]
    assert [(d["on_time"], d["settled"], d["late_by"], d["n"]) for d in periodic] == [
        (True, True, 0, 1), (False, True, 2, 1)]
    # The bureau may record it too; a volunteer may not.
    volunteer = make_user(store, admin, "vol", Role.VOLUNTEER)
    from qos.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        agreed_updates.record_update_frequency(store, volunteer, crime_id, 7, source="app")
