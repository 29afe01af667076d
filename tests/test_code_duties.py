"""The kept Victims' Code deadlines (code_duties) against a reckoning from scratch."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from qos.demo import build_demo
from qos.roles import SYSTEM
from qos.store import duties
from qos.store.core import Store, open_store
from qos.store.updates import LOOKBACK_DAYS, PERIODIC_LOOKBACK_DAYS, due_list, record_victim_update
from qos.store.users import actor_for
from qos.victims_code import (
    EVENT_COLUMNS,
    obligations,
    periodic_due,
    periodic_label,
    periodic_obligations,
)
from qos.working_days import working_days_between

D = dt.date


def _from_scratch(store: Store, as_of: dt.date, unit_code: str | None = None) -> list[tuple]:
    """The due list worked out the slow way: every crime's clock, in Python."""
    updates: dict[int, list[dt.date]] = defaultdict(list)
    for row in store.rows("SELECT crime_id, updated_on FROM victim_updates"):
        updates[row["crime_id"]].append(D.fromisoformat(row["updated_on"]))
    since = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    open_since = as_of - dt.timedelta(days=PERIODIC_LOOKBACK_DAYS)
    found = []
    for crime in store.rows("SELECT c.*, u.code AS unit_code FROM crimes c "
                            "JOIN units u ON u.id = c.unit_id"):
        if unit_code and crime["unit_code"] != unit_code:
            continue
        if D.fromisoformat(crime["recorded_on"]) < since:
            continue
        got = updates[crime["id"]]
        for duty in obligations(crime, got):
            if duty.updated_on is None and duty.due <= as_of:
                found.append((crime["crime_ref"], duty.rule.label, duty.due.isoformat(),
                              working_days_between(duty.due, as_of)))
        periodic = periodic_due(crime, got)
        events = [crime[e] for e in EVENT_COLUMNS if crime[e]]
        followed = (D.fromisoformat(crime["recorded_on"]) >= open_since
                    or (events and min(events) <= as_of.isoformat()))
        if periodic is not None and periodic <= as_of and followed:
            found.append((crime["crime_ref"], periodic_label(crime), periodic.isoformat(),
                          working_days_between(periodic, as_of)))
    return sorted(found)


def _listed(store: Store, as_of: dt.date, unit_code: str | None = None) -> list[tuple]:
    return sorted((r["crime_ref"], r["rule"], r["due"], r["overdue_days"])
                  for r in due_list(store, SYSTEM, as_of, unit_code))


def _copy_of(demo_db: str, tmp_path) -> Store:
    """A private copy of the shared demo database, for a test that changes it."""
    work = tmp_path / "work.db"
    source = open_store(demo_db)
    source.backup_to(work)
    source.close()
    return open_store(work)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("duties") / "demo.db"
    store = open_store(path)
    build_demo(store, seed=11, end_month="2026-09", months=12, crimes_per_unit_month=40)
    store.close()
    return str(path)


def test_due_list_matches_a_reckoning_from_scratch(demo_db, tmp_path):
    store = open_store(demo_db)
    try:
        for as_of in (D(2026, 10, 1), D(2026, 6, 15), D(2026, 1, 5)):
            expected = _from_scratch(store, as_of)
            assert len(expected) > 50  # the demo leaves plenty owed
            assert _listed(store, as_of) == expected
        assert _listed(store, D(2026, 10, 1), "NOR") == _from_scratch(store, D(2026, 10, 1), "NOR")
        assert duties.stale_count(store) == 0
    finally:
        store.close()


def test_every_kind_of_change_marks_the_crime_and_is_caught_up(demo_db, tmp_path):
    store = _copy_of(demo_db, tmp_path)
    try:
        actor = actor_for(store, 1)
        as_of = D(2026, 10, 1)
        owed = next(r for r in due_list(store, SYSTEM, as_of)
                    if r["rule"] != "Regular progress update")
        crime_id = owed["crime_id"]
        # A victim update: the trigger marks the crime stale and the update works it out.
        record_victim_update(store, actor, crime_id, as_of)
        assert duties.stale_count(store) == 0
        assert (owed["crime_ref"], owed["rule"]) not in {
            (r["crime_ref"], r["rule"]) for r in due_list(store, SYSTEM, as_of)}
        # A re-import that closes the case and moves the arrest.
        ref = owed["crime_ref"]
        with store.write():
            store.execute("UPDATE crimes SET closed_on = '2026-09-01', arrested_on = "
                          "'2026-08-20' WHERE crime_ref = ?", [ref])
        assert duties.stale_count(store) == 1  # marked; the explicit catch-up works it out
        duties.bring_up_to_date(store)
        assert _listed(store, as_of) == _from_scratch(store, as_of)
        # An update removed (a correction) puts the duty back.
        with store.write():
            store.execute("DELETE FROM victim_updates WHERE crime_id = ?", [crime_id])
        duties.bring_up_to_date(store)
        assert _listed(store, as_of) == _from_scratch(store, as_of)
        # A brand new crime.
        with store.write():
            store.execute(
                "INSERT INTO crimes (crime_ref, recorded_on, unit_id, offence_category, uuid, "
                "created_at, created_by, updated_at, updated_by, arrested_on, enhanced) "
                "SELECT 'NEW/1', '2026-09-20', id, 'Theft', 'u-new-1', '', 0, '', 0, "
                "'2026-09-22', 1 FROM units WHERE code = 'NOR'")
        assert duties.stale_count(store) == 1
        duties.bring_up_to_date(store)
        assert ("NEW/1", "Told of the suspect's arrest") in {
            (r["crime_ref"], r["rule"]) for r in due_list(store, SYSTEM, as_of)}
        assert _listed(store, as_of) == _from_scratch(store, as_of)
        # Deleting the newest crime and adding another that takes its id: still worked out.
        newest = store.scalar("SELECT max(id) FROM crimes")
        with store.write():
            store.execute("DELETE FROM crimes WHERE id = ?", [newest])
            store.execute(
                "INSERT INTO crimes (id, crime_ref, recorded_on, unit_id, offence_category, "
                "uuid, created_at, created_by, updated_at, updated_by, charged_on) "
                "SELECT ?, 'NEW/2', '2026-09-01', id, 'Theft', 'u-new-2', '', 0, '', 0, "
                "'2026-09-03' FROM units WHERE code = 'SOU'", [newest])
        duties.bring_up_to_date(store)
        assert store.scalar("SELECT count(*) FROM code_duties WHERE crime_ref = 'NEW/1'") == 0
        assert ("NEW/2", "Told the suspect was charged") in {
            (r["crime_ref"], r["rule"]) for r in due_list(store, SYSTEM, as_of)}
        assert _listed(store, as_of) == _from_scratch(store, as_of)
    finally:
        store.close()


def test_new_rules_or_holidays_rework_every_deadline(demo_db, tmp_path, monkeypatch):
    store = _copy_of(demo_db, tmp_path)
    try:
        due_list(store, SYSTEM, D(2026, 10, 1))
        monkeypatch.setattr(duties, "basis", lambda: "another edition file")
        seen = []
        assert duties.bring_up_to_date(store, lambda done, total: seen.append((done, total))) \
            == store.scalar("SELECT count(*) FROM crimes")
        assert seen[-1][0] == seen[-1][1]
    finally:
        store.close()


def test_monthly_compliance_reads_the_same_deadlines_as_a_reckoning_from_scratch(demo_db):
    from qos.store.summary_data import code_duties

    store = open_store(demo_db)
    try:
        today = D(2026, 10, 10)
        updates: dict[int, list[dt.date]] = defaultdict(list)
        for row in store.rows("SELECT crime_id, updated_on FROM victim_updates"):
            updates[row["crime_id"]].append(D.fromisoformat(row["updated_on"]))
        expected = sorted(
            (crime["unit_id"], duty.rule.key, duty.on_time, duty.settled(today),
             duty.late_by(today))
            for crime in store.rows("SELECT * FROM crimes")
            for duty in obligations(crime, updates[crime["id"]])
            if D(2026, 9, 1) <= duty.event_date < D(2026, 10, 1))
        # and the regular updates falling due in September, at each victim's frequency
        expected = sorted(expected + [
            (crime["unit_id"], "periodic", duty.on_time, duty.settled(today),
             duty.late_by(today))
            for crime in store.rows("SELECT * FROM crimes")
            for duty in periodic_obligations(crime, updates[crime["id"]])
            if D(2026, 9, 1) <= duty.due < D(2026, 10, 1)])
        assert len(expected) > 100
        # One row stands for n crimes judged alike: counted out, it is the list above.
        got = sorted((d["unit_id"], d["key"], d["on_time"], d["settled"], d["late_by"])
                     for d in code_duties(store, SYSTEM, "2026-09", as_of=today)
                     for _ in range(d["n"]))
        assert len(code_duties(store, SYSTEM, "2026-09", as_of=today)) < len(got)
        assert got == expected
    finally:
        store.close()


def test_pages_and_counts_agree_with_the_whole_list(demo_db):
    from qos.store.updates import due_counts, due_page

    store = open_store(demo_db)
    try:
        for as_of, unit in ((D(2026, 10, 1), None), (D(2026, 10, 4), "NOR")):  # 4th: a Sunday
            whole = due_list(store, SYSTEM, as_of, unit)
            pages = [row for offset in range(0, len(whole) + 50, 50)
                     for row in due_page(store, SYSTEM, as_of, unit, offset, 50)]
            assert pages == whole and len(whole) > 100
            overdue = sum(1 for row in whole if row["overdue_days"])
            assert due_counts(store, SYSTEM, as_of, unit) == (len(whole), overdue)
            assert [r["due"] for r in whole] == sorted(r["due"] for r in whole)
    finally:
        store.close()


def test_a_0007_database_with_crimes_gets_its_deadlines_after_the_upgrade(tmp_path):
    from qos.store.schema import MIGRATIONS
    from qos.store.users import setup_force

    path = tmp_path / "old.db"
    old = open_store(path, migrate=False)
    with old.write():
        MIGRATIONS.apply(old.db, stop_before="0008_code_duties")  # the last release's schema
    admin = setup_force(old, "Old Force", [{"code": "NOR", "name": "North"}], "admin",
                        "Ada Admin", "correct horse battery")
    # A crime imported before the upgrade, as that schema held it (the import code of today
    # writes columns it did not have): arrest on Thursday 1 October, 5 working days.
    with old.write():
        old.execute("INSERT INTO crimes (crime_ref, recorded_on, unit_id, offence_category, "
                    "victim_name, victim_phone, arrest_made, arrested_on, uuid, created_at, "
                    "created_by, updated_at, updated_by) VALUES ('NOR/1', '2026-09-28', 1, "
                    "'Theft', 'Ann', '07700900001', 1, '2026-10-01', 'u1', 'now', ?, 'now', ?)",
                    [admin.user_id, admin.user_id])
    old.close()

    upgraded = open_store(path)
    try:
        assert duties.stale_count(upgraded) == 1  # known to be owed its deadlines
        duties.bring_up_to_date(upgraded)  # the background catch-up after the upgrade
        due = due_list(upgraded, SYSTEM, D(2026, 10, 20))
        assert ("NOR/1", "Told of the suspect's arrest", "2026-10-08") in {
            (r["crime_ref"], r["rule"], r["due"]) for r in due}
        assert _listed(upgraded, D(2026, 10, 20)) == _from_scratch(upgraded, D(2026, 10, 20))
    finally:
        upgraded.close()
