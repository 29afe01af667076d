"""Control-room informal complaints and the two new roles (issue 19)."""
from __future__ import annotations

import datetime as dt
import sqlite3

import openpyxl
import pytest

from qos.errors import PermissionDenied, ValidationError
from qos.roles import PERMISSIONS, SYSTEM, Action, Role
from qos.store import bureau, complaints, reference
from qos.store.core import open_store
from tests.conftest import make_user


def _unit(store, code: str) -> int:
    return reference.unit_by_code(store, SYSTEM, code)["id"]


def test_control_room_logs_a_complaint_in_a_few_fields_and_sees_only_its_own(store, admin):
    fcc = make_user(store, admin, "fcc1", Role.CONTROL_ROOM)
    other = make_user(store, admin, "fcc2", Role.CONTROL_ROOM)
    day = dt.date.today()
    month = day.isoformat()[:7]
    complaints.log_informal_complaint(store, fcc, unit_id=_unit(store, "NOR"),
                                      qosc_item="response", resolution="resolved")
    complaints.log_informal_complaint(store, other, unit_id=_unit(store, "SOU"),
                                      qosc_item="contact", resolution="passed_on",
                                      summary="Emails to the station never answered")
    mine = complaints.list_informal_complaints(store, fcc, month)
    assert [(r["unit_code"], r["qosc_item"], r["resolution"], r["source"]) for r in mine] == [
        ("NOR", "response", "resolved", "control_room")]
    assert mine[0]["item"] == "Attended or responded in the time promised"
    # With the summary, a supervisor sees everyone's.
    supervisor = make_user(store, admin, "sgt", Role.SUPERVISOR, "NOR")
    assert len(complaints.list_informal_complaints(store, supervisor, month)) == 2
    entry = store.row("SELECT * FROM audit_log WHERE entity = 'informal_complaints' "
                      "AND action = 'create' ORDER BY id LIMIT 1")
    assert entry["username"] == "fcc1"


def test_a_complaint_names_what_is_wrong_with_it(store, admin):
    fcc = make_user(store, admin, "fcc1", Role.CONTROL_ROOM)
    nor = _unit(store, "NOR")
    with pytest.raises(ValidationError, match="not a Quality of Service Commitment item"):
        complaints.log_informal_complaint(store, fcc, unit_id=nor, qosc_item="bogus",
                                          resolution="resolved")
    with pytest.raises(ValidationError, match="resolved there and then or passed on"):
        complaints.log_informal_complaint(store, fcc, unit_id=nor, qosc_item="response",
                                          resolution="")
    with pytest.raises(ValidationError, match="the unit"):
        complaints.log_informal_complaint(store, fcc, unit_id=999, qosc_item="response",
                                          resolution="resolved")
    with pytest.raises(ValidationError, match="no crime NOR/404"):
        complaints.log_informal_complaint(store, fcc, unit_id=nor, qosc_item="response",
                                          resolution="resolved", crime_ref="nor/404")
    with pytest.raises(ValidationError, match="future"):
        complaints.log_informal_complaint(
            store, fcc, unit_id=nor, qosc_item="response", resolution="resolved",
            raised_on=dt.date.today() + dt.timedelta(days=1))
    assert store.scalar("SELECT COUNT(*) FROM informal_complaints") == 0


@pytest.mark.parametrize("role", list(Role))
def test_who_may_log_read_and_count_complaints(store, admin, role):
    actor = make_user(store, admin, f"who-{role.value}", role, "NOR")
    may_log = Action.LOG_INFORMAL_COMPLAINT in PERMISSIONS[role]
    assert may_log == (role != Role.VOLUNTEER)  # any staff role; volunteers are not staff
    try:
        complaints.log_informal_complaint(store, actor, unit_id=_unit(store, "NOR"),
                                          qosc_item="action", resolution="resolved")
        logged = True
    except PermissionDenied:
        logged = False
    assert logged == may_log
    try:
        complaints.complaints_by_commitment(store, actor, "2026-10")
        counted = True
    except PermissionDenied:
        counted = False
    assert counted == (Action.VIEW_SUMMARY in PERMISSIONS[role])


def test_the_new_roles_hold_exactly_their_work():
    assert PERMISSIONS[Role.CONTROL_ROOM] == {
        Action.VIEW_REFERENCE, Action.LOG_INFORMAL_COMPLAINT, Action.VIEW_OWN_EVALUATIONS}
    assert PERMISSIONS[Role.INSPECTORATE] == {
        Action.VIEW_REFERENCE, Action.DIP_CHECK, Action.VIEW_SUMMARY,
        Action.LOG_INFORMAL_COMPLAINT}
    # Read-only summary: the inspectorate may not export, import, sample or see contacts.
    for action in (Action.EXPORT_SUMMARY, Action.IMPORT_CRIMES, Action.DRAW_SAMPLE,
                   Action.VIEW_VICTIM_CONTACT, Action.EVALUATE_CALLS):
        assert action not in PERMISSIONS[Role.INSPECTORATE]


def test_the_users_table_accepts_the_new_roles_and_still_refuses_others(store, admin):
    for role in (Role.CONTROL_ROOM, Role.INSPECTORATE):
        actor = make_user(store, admin, f"new-{role.value}", role)
        assert actor.role == role
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        store.conn.execute("INSERT INTO users (username, display_name, role, password_hash, "
                           "uuid, created_at, created_by, updated_at, updated_by) VALUES "
                           "('x', 'X', 'superuser', '', 'u', '', 0, '', 0)")
    assert store.scalar("PRAGMA integrity_check") == "ok"


def test_an_older_database_keeps_its_users_and_complaints_through_the_upgrade(tmp_path):
    """A 0008 database (before issue 19) is upgraded with nothing lost."""
    from sqlite_utils import Database

    from qos.store.schema import MIGRATIONS

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    db = Database(conn)
    MIGRATIONS.apply(db, stop_before="0021_control_room_and_inspectorate")
    meta = "'u{0}', '', 0, '', 0"
    conn.execute("INSERT INTO units (code, name, kind, uuid, created_at, created_by, updated_at,"
                 f" updated_by) VALUES ('NOR', 'North', 'BCU', {meta.format(1)})")
    conn.execute("INSERT INTO users (username, display_name, role, password_hash, uuid, "
                 f"created_at, created_by, updated_at, updated_by) VALUES ('ann', 'Ann', "
                 f"'bureau', 'h', {meta.format(2)})")
    conn.execute("INSERT INTO informal_complaints (kind, category, unit_id, raised_on, summary,"
                 " uuid, created_at, created_by, updated_at, updated_by) VALUES ('complaint', "
                 f"'Delay', 1, '2026-10-02', 'Slow', {meta.format(3)})")
    conn.close()
    store = open_store(path)
    try:
        assert store.scalar("SELECT role FROM users WHERE username = 'ann'") == "bureau"
        row = store.row("SELECT category, source, qosc_item, resolution FROM informal_complaints")
        assert row == {"category": "Delay", "source": "bureau", "qosc_item": None,
                       "resolution": None}
        admin = __import__("qos.roles", fromlist=["SYSTEM"]).SYSTEM
        [count] = complaints.complaints_by_commitment(store, admin, "2026-10")
        assert (count.item, count.complaints, count.not_recorded) == (
            "Attended or responded in the time promised", 1, 1)
    finally:
        store.close()


def test_the_workbook_maps_every_informal_complaint_to_a_commitment_item(store, admin, tmp_path):
    from qos.excel import write_summary_workbook
    from qos.store.summary_data import monthly_summary

    fcc = make_user(store, admin, "fcc1", Role.CONTROL_ROOM)
    caller = make_user(store, admin, "caller", Role.BUREAU)
    nor, sou = _unit(store, "NOR"), _unit(store, "SOU")
    oct5 = dt.date(2026, 10, 5)
    for resolution in ("resolved", "resolved", "passed_on"):
        complaints.log_informal_complaint(store, fcc, unit_id=nor, qosc_item="response",
                                          resolution=resolution, raised_on=oct5)
    complaints.log_informal_complaint(store, fcc, unit_id=sou, qosc_item="contact",
                                      resolution="passed_on", raised_on=oct5)
    complaints.log_informal_complaint(store, fcc, unit_id=sou, qosc_item="contact",
                                      resolution="resolved", raised_on=dt.date(2026, 9, 30))
    complaints.log_informal_complaint(store, fcc, unit_id=sou, qosc_item="contact",
                                      resolution="resolved", kind="compliment", raised_on=oct5)
    # The bureau's own "Delay" category counts under the response item; not recorded.
    bureau.log_complaint(store, caller, "complaint", "Delay", nor, "Slow", raised_on=oct5)
    summary = monthly_summary(store, admin, "2026-10")
    counts = [(c.unit_code, c.item, c.complaints, c.resolved, c.passed_on, c.not_recorded)
              for c in summary.routines.complaints]
    # NOR response: 3 from the control room (2 resolved, 1 passed on) + 1 bureau = 4.
    # SOU contact: 1 passed on; September's and the compliment are not counted.
    assert counts == [
        ("NOR", "Attended or responded in the time promised", 4, 2, 1, 1),
        ("SOU", "Easy to contact: calls and emails answered", 1, 0, 1, 0)]
    book = openpyxl.load_workbook(write_summary_workbook(summary, tmp_path / "s.xlsx"))
    sheet = book["Informal complaints"]
    rows = [r for r in sheet.iter_rows(min_row=5, max_row=7, values_only=True)]
    assert rows[2] == ("Force", "All items", 5, 2, 2, 1)  # 4 + 1, 2 + 0, 1 + 1, 1 + 0
    assert book.sheetnames[-1] == "How calculated"


def test_the_demo_has_a_control_room_an_inspectorate_and_their_complaints(tmp_path):
    from qos.demo import build_demo

    store = open_store(tmp_path / "demo.db")
    try:
        report = build_demo(store, seed=3, end_month="2026-09", months=1,
                            crimes_per_unit_month=5, officers=20, volunteers=2)
        roles = {r["role"] for r in store.rows("SELECT role FROM users")}
        assert {"control_room", "inspectorate"} <= roles
        logged = report.extra["informal complaints (control room)"]
        assert logged > 0 and logged == store.scalar(
            "SELECT COUNT(*) FROM informal_complaints WHERE source = 'control_room'")
        assert any(user == "inspector" for user, _, _ in report.sign_ins)
    finally:
        store.close()
