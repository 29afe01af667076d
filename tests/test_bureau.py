"""The contact bureau: queue rules, claiming, the call record, remedial actions."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from qos.errors import PermissionDenied, ValidationError
from qos.roles import SYSTEM, Role
from qos.store import bureau, reference, samples
from qos.store.core import open_store
from tests.conftest import make_user
from tests.factories import crime_line, import_lines

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
GOOD = {"crime_number_given": "Y", "officer_name_known": "Y", "vc_leaflet": "Y",
        "told_next_steps": "Y", "updated_in_time": "Y", "needs_met": "Y", "vs_offered": "Y",
        "vs_accepted": "N", "overall": 2}


@pytest.fixture
def crimes_to_call(store, admin):
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    manager = reference.add_person(store, admin, "S1", "Sgt Lee", "officer", unit["id"])
    reference.add_person(store, admin, "NOR1", "PC Kim", "officer", unit["id"], manager)
    import_lines(store, admin, [
        crime_line("NOR/OLD", "01/11/2026", category="Burglary dwelling", officer="NOR1"),
        crime_line("NOR/MID", "05/11/2026", category="Theft", officer="NOR1"),
        crime_line("NOR/NEW", "10/11/2026", category="Vehicle crime", officer="NOR1"),
        crime_line("NOR/TOO-RECENT", "19/11/2026", category="Theft"),  # under 3 days old
        crime_line("NOR/ROBBERY", "05/11/2026", category="Robbery"),  # not a bureau category
        crime_line("NOR/DECLINED", "05/11/2026", category="Theft", declined="Y"),
        crime_line("NOR/DA", "05/11/2026", category="Theft", da="Y"),
        crime_line("NOR/ANCIENT", "01/06/2026", category="Theft"),  # beyond the look-back
    ])
    return make_user(store, admin, "caller", Role.BUREAU, "NOR")


def test_queue_follows_the_rules_and_puts_overdue_first(store, crimes_to_call):
    rows = bureau.queue(store, crimes_to_call, now=NOW)
    assert [r["crime_ref"] for r in rows] == ["NOR/OLD", "NOR/MID", "NOR/NEW"]
    assert [r["overdue"] for r in rows] == [True, True, False]  # due 11th, 15th, 20th
    assert "victim_name" not in rows[0]


def test_arrest_cases_are_called_and_the_queue_has_its_own_exclusions(store, admin,
                                                                       crimes_to_call):
    from qos.store.exclusions import set_exclusions

    import_lines(store, admin, [
        crime_line("NOR/ARREST", "06/11/2026", category="Theft", arrest="Y")])
    refs = [r["crime_ref"] for r in bureau.queue(store, crimes_to_call, now=NOW)]
    assert refs == ["NOR/OLD", "NOR/MID", "NOR/ARREST", "NOR/NEW"]
    # The sample may call domestic-abuse victims while the bureau hands them to a specialist
    # team: the two lists are separate settings.
    set_exclusions(store, admin, "sample", ["declined_contact", "opted_out", "no_phone"])
    refs = [r["crime_ref"] for r in bureau.queue(store, crimes_to_call, now=NOW)]
    assert "NOR/DA" not in refs
    set_exclusions(store, admin, "bureau", ["opted_out", "no_phone"])
    refs = [r["crime_ref"] for r in bureau.queue(store, crimes_to_call, now=NOW)]
    assert refs == ["NOR/OLD", "NOR/MID", "NOR/DECLINED", "NOR/DA", "NOR/ARREST", "NOR/NEW"]


def test_crimes_in_the_monthly_sample_are_left_to_the_supervisor(store, admin, crimes_to_call):
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    samples.draw_for_month(store, admin, unit["id"], "2026-11", size=50, seed=1)
    assert bureau.queue(store, crimes_to_call, now=NOW) == []


def test_two_callers_never_get_the_same_victim(store, admin, crimes_to_call, db_path):
    other_caller = make_user(store, admin, "caller2", Role.BUREAU, "NOR")
    second = open_store(db_path)  # a second connection, as on a second PC
    try:
        first = bureau.claim_next(store, crimes_to_call, now=NOW)
        other = bureau.claim_next(second, other_caller, now=NOW)
        third = bureau.claim_next(store, crimes_to_call, now=NOW)
        fourth = bureau.claim_next(second, other_caller, now=NOW)
    finally:
        second.close()
    assert [first["crime_ref"], other["crime_ref"], third["crime_ref"]] == \
        ["NOR/OLD", "NOR/MID", "NOR/NEW"]
    assert fourth is None
    assert first["victim_phone"]  # the claimed call shows the number to ring


CLAIMER = """
import sys, datetime as dt
sys.path.insert(0, {root!r})
from qos.store import bureau
from qos.store.core import open_store
from qos.store.users import actor_for
store = open_store({db!r})
actor = actor_for(store, {user})
got = []
while True:
    call = bureau.claim_next(store, actor, now=dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC))
    if call is None:
        break
    got.append(call["crime_ref"])
print(",".join(got))
"""


def test_two_processes_claiming_at_once_share_out_the_queue(store, admin, crimes_to_call,
                                                            db_path):
    import_lines(store, admin, [crime_line(f"NOR/Q{i}", "08/11/2026", category="Theft")
                                for i in range(80)])
    second = make_user(store, admin, "caller2", Role.BUREAU, "NOR")
    store.close()
    root = str(Path(__file__).resolve().parent.parent)
    procs = [subprocess.Popen([sys.executable, "-c", CLAIMER.format(root=root, db=str(db_path),
                                                                    user=u.user_id)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for u in (crimes_to_call, second)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(not err.strip() for _, err in outputs), outputs
    claimed = [ref for out, _ in outputs for ref in out.strip().split(",") if ref]
    assert len(claimed) == 83 and len(set(claimed)) == 83  # everyone once, nobody twice


def test_failed_checks_raise_remedial_actions_for_the_officer(store, admin, crimes_to_call):
    call = bureau.claim_next(store, crimes_to_call, now=NOW)
    answers = {**GOOD, "vc_leaflet": "N", "told_next_steps": "N", "vs_accepted": "N"}
    raised = bureau.record_call(store, crimes_to_call, call["id"], "completed", answers=answers,
                                themes=["Kept informed"], now=NOW)
    assert len(raised) == 2  # vs_accepted "no" is the victim's choice, not a failure
    actions = bureau.list_actions(store, crimes_to_call, today=dt.date(2026, 12, 10))
    assert {a["check_key"] for a in actions} == {"vc_leaflet", "told_next_steps"}
    leaflet = next(a for a in actions if a["check_key"] == "vc_leaflet")
    assert leaflet["officer_name"] == "PC Kim" and leaflet["owner_name"] == "Sgt Lee"
    assert leaflet["due_on"] == "2026-12-04" and leaflet["overdue"]
    assert leaflet["remedy"] == "Send the Victims of Crime leaflet"
    # The same failure again for the same officer is visible as a repeat.
    again = bureau.claim_next(store, crimes_to_call, now=NOW)
    bureau.record_call(store, crimes_to_call, again["id"], "completed",
                       answers={**GOOD, "vc_leaflet": "N"}, now=NOW)
    repeats = [a["times_for_officer"] for a in bureau.list_actions(store, crimes_to_call)
               if a["check_key"] == "vc_leaflet"]
    assert repeats == [2, 2]


def test_closing_an_action_needs_a_note(store, crimes_to_call):
    call = bureau.claim_next(store, crimes_to_call, now=NOW)
    [action_id] = bureau.record_call(store, crimes_to_call, call["id"], "completed",
                                     answers={**GOOD, "needs_met": "N"}, now=NOW)
    action = store.row("SELECT * FROM remedial_actions WHERE id = ?", [action_id])
    with pytest.raises(ValidationError, match="what was done"):
        bureau.close_action(store, crimes_to_call, action_id, action["version"], "")
    bureau.close_action(store, crimes_to_call, action_id, action["version"],
                        "Sgt arranged a lock fit", on=dt.date(2026, 11, 21))
    assert bureau.list_actions(store, crimes_to_call) == []
    volunteer = make_user(store, _admin(store), "v", Role.VOLUNTEER)
    with pytest.raises(PermissionDenied):
        bureau.list_actions(store, volunteer)


def _admin(store):
    from qos.store.users import actor_for

    return actor_for(store, 1)


def test_outcomes_no_answer_retries_later_and_pcso_visit_is_listed(store, crimes_to_call):
    call = bureau.claim_next(store, crimes_to_call, now=NOW)
    bureau.record_call(store, crimes_to_call, call["id"], "no_answer", now=NOW)
    soon = bureau.queue(store, crimes_to_call, now=NOW + dt.timedelta(hours=1))
    assert call["crime_ref"] not in [r["crime_ref"] for r in soon]
    later = bureau.queue(store, crimes_to_call, now=NOW + dt.timedelta(hours=5))
    assert later[0]["crime_ref"] == call["crime_ref"] and later[0]["attempts"] == 1
    again = bureau.claim_next(store, crimes_to_call, now=NOW + dt.timedelta(hours=5))
    assert again["id"] == call["id"]
    bureau.record_call(store, crimes_to_call, again["id"], "pcso_visit", now=NOW)
    [visit] = bureau.list_visits(store, crimes_to_call)
    assert visit["crime_ref"] == call["crime_ref"]
    bureau.record_visit(store, crimes_to_call, visit["id"], visit["version"],
                        dt.date(2026, 11, 22), "Victim seen at home; all well")
    assert bureau.list_visits(store, crimes_to_call) == []
    with pytest.raises(ValidationError, match="no longer yours"):
        bureau.record_call(store, crimes_to_call, again["id"], "completed", answers=GOOD)


def test_stale_claims_go_back_to_the_queue(store, admin, crimes_to_call):
    bureau.claim_next(store, crimes_to_call, now=NOW)
    other = make_user(store, admin, "caller2", Role.BUREAU, "NOR")
    later = bureau.claim_next(store, other, now=NOW + dt.timedelta(minutes=45))
    assert later["crime_ref"] == "NOR/OLD"  # the first caller walked away 45 minutes ago


def test_informal_complaints_are_captured(store, crimes_to_call):
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    bureau.log_complaint(store, crimes_to_call, "complaint", "Delay", unit["id"],
                         "Waited two days for a visit", crime_ref="nor/old")
    bureau.log_complaint(store, crimes_to_call, "compliment", "Attitude", unit["id"],
                         "PC was very kind")
    with pytest.raises(ValidationError, match="not one of the categories"):
        bureau.log_complaint(store, crimes_to_call, "complaint", "Bogus", unit["id"], "x")
    rows = bureau.list_complaints(store, SYSTEM, first_day="2026-01-01", end_day="2027-01-01")
    assert [(r["kind"], r["category"]) for r in rows] == [("complaint", "Delay"),
                                                          ("compliment", "Attitude")]


def test_monthly_summary_gains_the_bureau_figures(store, admin, crimes_to_call, tmp_path):
    import openpyxl

    from qos.excel import write_summary_workbook
    from qos.store.summary_data import monthly_summary

    first = bureau.claim_next(store, crimes_to_call, now=NOW)
    bureau.record_call(store, crimes_to_call, first["id"], "completed",
                       answers={**GOOD, "vc_leaflet": "N"}, themes=["Kept informed"], now=NOW)
    second = bureau.claim_next(store, crimes_to_call, now=NOW)
    bureau.record_call(store, crimes_to_call, second["id"], "completed",
                       answers={**GOOD, "overall": 5},
                       themes=["Kept informed", "Response time"], now=NOW)
    third = bureau.claim_next(store, crimes_to_call, now=NOW)
    bureau.record_call(store, crimes_to_call, third["id"], "no_answer", now=NOW)
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    bureau.log_complaint(store, crimes_to_call, "complaint", "Delay", unit["id"], "Slow",
                         raised_on=dt.date(2026, 11, 20))
    summary = monthly_summary(store, admin, "2026-11")
    nor = next(u for u in summary.units if u.code == "NOR").bureau
    assert (nor.attempted, nor.made, nor.actions_raised) == (3, 2, 1)
    leaflet = next(c for c in nor.check_failures if c.key == "vc_leaflet").rate
    assert (leaflet.hits, leaflet.valid) == (1, 2)
    assert nor.top_themes == [("Kept informed", 2), ("Response time", 1)]
    assert nor.complaints == [("complaint", "Delay", 1)]
    # The bureau's own overall-satisfaction series: 2 (very satisfied) and 5 (fairly
    # dissatisfied) -> 1 of 2 this month; the no-answer call is not counted.
    satisfaction = next(u for u in summary.units if u.code == "NOR").bureau_satisfaction
    assert (satisfaction.month.hits, satisfaction.month.valid) == (1, 2)
    assert satisfaction.series[-1] == ("2026-11", satisfaction.month)
    assert (satisfaction.rolling12.hits, satisfaction.rolling12.valid) == (1, 2)
    book = openpyxl.load_workbook(write_summary_workbook(summary, tmp_path / "s.xlsx"))
    row = next(r for r in book["Contact bureau"].iter_rows(min_row=5, values_only=True)
               if r[0] == "NOR")
    assert row[:6] == ("NOR", 3, 2, 1, 0, 0) and row[7] == 1


def test_queue_pages_merge_retries_and_new_crimes_in_call_order(store, crimes_to_call):
    # MID (5th) is claimed and gets no answer; later it is back between OLD (1st) and NEW (10th).
    first = bureau.claim_next(store, crimes_to_call, now=NOW)  # OLD
    bureau.record_call(store, crimes_to_call, first["id"], "completed", answers=GOOD, now=NOW)
    mid = bureau.claim_next(store, crimes_to_call, now=NOW)
    assert mid["crime_ref"] == "NOR/MID"
    bureau.record_call(store, crimes_to_call, mid["id"], "no_answer", now=NOW)
    later = NOW + dt.timedelta(hours=5)
    whole = bureau.queue(store, crimes_to_call, now=later)
    assert [(r["crime_ref"], r["state"]) for r in whole] == [("NOR/MID", "retry"),
                                                              ("NOR/NEW", "new")]
    pages = [bureau.queue(store, crimes_to_call, offset, 1, now=later) for offset in (0, 1, 2)]
    assert [[r["crime_ref"] for r in page] for page in pages] == [["NOR/MID"], ["NOR/NEW"], []]
