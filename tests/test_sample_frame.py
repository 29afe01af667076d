"""The sample frame: exclusions from settings, counted on the draw record and re-checked by
verify; one arrest fact; the keyed phone hash that outlives erasure for the re-contact window."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from qos.errors import ValidationError
from qos.roles import SYSTEM
from qos.store import crimes, exclusions, reference, retention, samples
from qos.store.core import open_store
from qos.tabular import read_csv_text
from tests.factories import HEADER, crime_line, import_lines


@pytest.fixture
def october(store, admin):
    """NOR, October 2026: 40 plain crimes and 10 that some rule leaves out."""
    lines = [crime_line(f"NOR/{i:04d}", f"{(i % 28) + 1:02d}/10/2026") for i in range(1, 41)]
    lines += [
        crime_line("NOR/ARREST", "03/10/2026", arrest="Y"),  # called like anyone else
        crime_line("NOR/DEC1", "03/10/2026", declined="Y"),
        crime_line("NOR/DEC2", "04/10/2026", declined="Y", phone=""),  # declined, and no phone
        crime_line("NOR/NOPHONE1", "03/10/2026", phone=""),
        crime_line("NOR/NOPHONE2", "05/10/2026", phone=""),
        crime_line("NOR/NOPHONE3", "06/10/2026", phone="", under18="Y"),  # no phone comes first
        crime_line("NOR/CHILD", "03/10/2026", under18="Y"),
        crime_line("NOR/DA", "03/10/2026", da="Y"),
        crime_line("NOR/SEX", "03/10/2026", category="Sexual offences"),
        crime_line("NOR/SEPT", "30/09/2026"),  # another month
        crime_line("SOU/0001", "03/10/2026", unit="SOU"),  # another unit
    ]
    import_lines(store, admin, lines)
    return reference.unit_by_code(store, SYSTEM, "NOR")["id"]


def test_draw_record_counts_each_exclusion_once_by_the_first_rule(store, admin, october):
    draw_id = samples.draw_for_month(store, admin, october, "2026-10", size=10, seed=4)
    draw = store.row("SELECT * FROM sample_draws WHERE id = ?", [draw_id])
    counts = json.loads(draw["excluded"])
    # 49 NOR crimes recorded in October: 41 callable (the 40 and the arrest case), and 8 out.
    # DEC2 is declined and has no phone: counted once, under the first rule (declined).
    # NOPHONE3 is under 18 too: counted under no phone, which comes first.
    assert counts == {"declined_contact": 2, "opted_out": 0, "no_phone": 3, "under_18": 1,
                      "domestic_abuse": 1, "on_duty_officer": 0, "sensitive_category": 1,
                      "recently_called": 0}
    assert draw["population_size"] == 41 and 41 + sum(counts.values()) == 49
    assert exclusions.describe(counts) == (
        "excluded: 2 declined contact, 3 no phone, 1 under 18, 1 domestic abuse, "
        "1 sensitive offence category")
    assert json.loads(draw["criteria"])["exclusions"] == [
        "declined_contact", "opted_out", "no_phone", "under_18", "domestic_abuse",
        "on_duty_officer", "sensitive_category"]


def test_exclusions_come_from_the_settings_and_arrests_cannot_be_excluded(store, admin,
                                                                          october):
    exclusions.set_exclusions(store, admin, "sample", ["opted_out", "no_phone"])
    frame, counts = samples.sorted_frame(store, SYSTEM, october, "2026-10",
                                         samples.current_criteria(store, SYSTEM))
    # Only the 4 without a phone are left out now (DEC2 among them); declined, under-18,
    # domestic-abuse and sensitive cases are callable: 49 - 4 = 45.
    assert len(frame) == 45 and counts == {"opted_out": 0, "no_phone": 4, "recently_called": 0}
    with pytest.raises(ValidationError, match="Doorstep"):
        exclusions.set_exclusions(store, admin, "sample", ["arrest"])
    with pytest.raises(ValidationError, match="'nobody' is not an exclusion"):
        exclusions.set_exclusions(store, admin, "bureau", ["nobody"])


def test_verify_rechecks_the_draws_own_exclusions_built_in_ones_too(store, admin, october):
    draw_id = samples.draw_for_month(store, admin, october, "2026-10", size=10, seed=4)
    # A later change of settings does not change what verify re-checks.
    exclusions.set_exclusions(store, admin, "sample", ["no_phone"])
    check = samples.verify_draw(store, SYSTEM, draw_id)
    assert check["same_sample"] and check["population_unchanged"]
    assert check["excluded_now"] == check["excluded_then"] and check["now_excluded"] == []
    # A sampled victim opts out after the draw: the built-in opt-out rule catches them.
    first = samples.list_items(store, draw_id, viewer=admin)[0]
    retention.record_opt_out(store, admin, first["victim_phone"])
    check = samples.verify_draw(store, SYSTEM, draw_id)
    assert [(r["crime_ref"], r["reason"]) for r in check["now_excluded"]] == [
        (first["crime_ref"], "opted out")]
    assert check["excluded_now"]["opted_out"] == 1 and not check["population_unchanged"]


def test_a_draw_from_before_the_change_is_verified_with_the_arrest_rule_it_used(store, admin,
                                                                              october):
    legacy = {"recontact_months": 6, "sensitive_categories": ["Sexual offences"],
              "include_sensitive": False, "exclude_under_18": True,
              "exclude_domestic_abuse": False, "exclude_on_duty_officers": True}
    assert exclusions.keys_of(legacy) == ["arrest", "declined_contact", "opted_out",
                                          "no_phone", "under_18", "on_duty_officer",
                                          "sensitive_category"]
    frame, counts = samples.sorted_frame(store, SYSTEM, october, "2026-10", legacy)
    # 49 - (1 arrest + 2 declined + 3 no phone + 1 under 18 + 1 sensitive) = 41; DA callable.
    assert len(frame) == 41 and counts["arrest"] == 1 and "domestic_abuse" not in counts


# -- one arrest fact -------------------------------------------------------------------------
def _import(store, admin, header: str, rows: list[str]):
    return crimes.import_crimes(store, admin, read_csv_text(header + "".join(rows)),
                                all_or_nothing=False)


def test_arrest_flag_and_date_are_one_fact(store, admin):
    header = HEADER.rstrip("\n") + ",Suspect arrested\n"
    base = "{ref},02/11/2026,NOR,Theft,Ann,07700900001,,{flag},N,N,N,{day}\n"
    result = _import(store, admin, header, [
        base.format(ref="NOR/1", flag="Y", day=""),  # arrest made, date unknown
        base.format(ref="NOR/2", flag="Y", day="03/11/2026"),
        base.format(ref="NOR/3", flag="", day="04/11/2026"),  # the date says it all
        base.format(ref="NOR/4", flag="N", day=""),
        base.format(ref="NOR/5", flag="N", day="05/11/2026"),  # the two disagree: refused
        base.format(ref="NOR/6", flag="", day="date unknown"),
    ])
    assert [str(p) for p in result.bad] == [
        "row 6: Arrest made says no, but Suspect arrested says 2026-11-05"]
    got = {r["crime_ref"]: r["arrested_on"] for r in store.rows(
        "SELECT crime_ref, arrested_on FROM crimes")}
    assert got == {"NOR/1": "unknown", "NOR/2": "2026-11-03", "NOR/3": "2026-11-04",
                   "NOR/4": None, "NOR/6": "unknown"}
    assert "arrest_made" not in store.row("SELECT * FROM crimes")
    # A later extract with only the flag keeps the known date; "no" clears the arrest.
    _import(store, admin, HEADER, ["NOR/2,02/11/2026,NOR,Theft,Ann,07700900001,,Y,N,N,N\n",
                                   "NOR/3,02/11/2026,NOR,Theft,Ann,07700900001,,N,N,N,N\n"])
    assert store.scalar("SELECT arrested_on FROM crimes WHERE crime_ref = 'NOR/2'") \
        == "2026-11-03"
    assert store.scalar("SELECT arrested_on FROM crimes WHERE crime_ref = 'NOR/3'") is None
    # No deadline runs from an unknown day: NOR/1 owes no "told of the arrest" update.
    from qos.store import duties

    duties.bring_up_to_date(store)
    rules = {(r["crime_ref"], r["rule"]) for r in store.rows(
        "SELECT crime_ref, rule FROM code_duties WHERE rule = 'arrest'")}
    assert rules == {("NOR/2", "arrest")}


def _old_crime(store, crime_id: int, phone: str | None, flag: int, day: str | None) -> None:
    store.execute(
        "INSERT INTO crimes (id, crime_ref, recorded_on, unit_id, offence_category, "
        "victim_phone, arrest_made, arrested_on, uuid, created_at, created_by, updated_at, "
        "updated_by) VALUES (?, ?, '2026-10-01', 1, 'Theft', ?, ?, ?, ?, 'x', 1, 'x', 1)",
        [crime_id, f"OLD/{crime_id}", phone, flag, day, f"u{crime_id}"])


def test_migration_merges_the_arrest_flag_and_date_and_carries_settings(tmp_path):
    from qos.store.schema import MIGRATIONS

    path = tmp_path / "old.db"
    old = open_store(path, migrate=False)
    with old.write():
        MIGRATIONS.apply(old.db, stop_before="0009_arrest_exclusions_phone_hash")
        old.execute("INSERT INTO units (id, code, name, kind, uuid, created_at, created_by, "
                    "updated_at, updated_by) VALUES (1, 'NOR', 'North', 'BCU', 'n', 'x', 1, "
                    "'x', 1)")
        _old_crime(old, 1, "07700900001", 1, None)  # flag only: arrest, date unknown
        _old_crime(old, 2, "07700900001", 1, "2026-10-02")  # both: the date
        _old_crime(old, 3, "07700900003", 0, "2026-10-03")  # date only: still an arrest
        _old_crime(old, 4, None, 0, None)  # neither
        old.execute("INSERT INTO settings (key, value) VALUES "
                    "('exclude_domestic_abuse', 'false'), ('include_sensitive', 'true')")
    old.close()
    store = open_store(path)
    try:
        got = [tuple(r.values()) for r in store.rows(
            "SELECT id, arrested_on, phone_hmac IS NOT NULL AS hashed FROM crimes ORDER BY id")]
        assert got == [(1, "unknown", 1), (2, "2026-10-02", 1), (3, "2026-10-03", 1),
                       (4, None, 0)]
        hashes = [r[0] for r in store.conn.execute("SELECT phone_hmac FROM crimes "
                                                   "ORDER BY id")]
        assert hashes[0] == hashes[1] != hashes[2]  # same number, same hash
        assert hashes[0] == retention.phone_hasher(store, SYSTEM)("07700900001")
        assert "07700900001" not in hashes[0] and len(hashes[0]) == 64
        # The force had chosen to call domestic-abuse victims and sensitive categories.
        carried = ["declined_contact", "opted_out", "no_phone", "under_18", "on_duty_officer"]
        assert store.setting("sample_exclusions") == carried
        assert store.setting("bureau_exclusions") == carried
        assert store.setting("exclude_domestic_abuse") is None
    finally:
        store.close()


# -- erasure and the no-recontact rule -------------------------------------------------------
def test_erasure_keeps_the_phone_hash_for_the_recontact_window_then_drops_it(store, admin):
    unit = reference.unit_by_code(store, SYSTEM, "NOR")["id"]
    import_lines(store, admin, [crime_line(f"NOR/A{i}", "10/06/2026") for i in range(5)])
    june = samples.draw_for_month(store, admin, unit, "2026-06", size=5, seed=1)
    items = samples.list_items(store, june, viewer=admin)
    phones = [i["victim_phone"] for i in items]
    for item in items:  # each called on 20 June (they declined the questions)
        samples.record_attempt(store, admin, item["id"], "declined", on=dt.date(2026, 6, 20))
    # Called in June; the retention period (90 days) erases their numbers in September.
    erased = retention.erase_expired_contacts(store, admin, today=dt.date(2026, 9, 20))
    assert erased == 5
    assert store.scalar("SELECT COUNT(*) FROM crimes WHERE victim_phone IS NULL "
                        "AND phone_hmac IS NOT NULL") == 5
    # The same five victims report new crimes in September, three months after the call.
    import_lines(store, admin, [crime_line(f"NOR/S{i}", "12/09/2026", phone=phone)
                                for i, phone in enumerate(phones)])
    frame, counts = samples.sorted_frame(store, SYSTEM, unit, "2026-09",
                                         samples.current_criteria(store, SYSTEM))
    assert frame == [] and counts["recently_called"] == 5  # still not called again
    # Still kept on 5 January: a December sample drawn then would reach back to June.
    retention.erase_expired_contacts(store, admin, today=dt.date(2027, 1, 5))
    assert store.scalar("SELECT COUNT(*) FROM crimes WHERE crime_ref LIKE 'NOR/A%' "
                        "AND phone_hmac IS NOT NULL") == 5
    # After the window (6 months from June, plus a month for late draws) the hash goes.
    retention.erase_expired_contacts(store, admin, today=dt.date(2027, 2, 5))
    assert store.scalar("SELECT COUNT(*) FROM crimes WHERE crime_ref LIKE 'NOR/A%' "
                        "AND phone_hmac IS NOT NULL") == 0
    import_lines(store, admin, [crime_line(f"NOR/F{i}", "03/02/2027", phone=phone)
                                for i, phone in enumerate(phones)])
    frame, counts = samples.sorted_frame(store, SYSTEM, unit, "2027-02",
                                         samples.current_criteria(store, SYSTEM))
    assert len(frame) == 5 and counts["recently_called"] == 0


def test_erasure_drops_hashes_nobody_needs_at_once(store, admin):
    import_lines(store, admin, [crime_line("NOR/NEVER", "10/06/2026")])
    retention.erase_expired_contacts(store, admin, today=dt.date(2026, 9, 20))
    row = store.row("SELECT victim_phone, phone_hmac FROM crimes")
    assert row == {"victim_phone": None, "phone_hmac": None}  # never sampled: nothing kept


def test_upgrading_a_database_that_keeps_row_hashes_leaves_audit_verify_clean(tmp_path):
    """A database that had the row-hash migration (0015) before this one reached it."""
    from sqlite_utils.migrations import Migrations

    from qos.store.audit import verify_audit
    from qos.store.schema import MIGRATIONS
    from qos.store.users import setup_force

    mine = {"0009_arrest_exclusions_phone_hash", "0010_enhanced_reasons_agreed_updates"}
    runner = Migrations("qos")
    for migration in MIGRATIONS._migrations:
        if migration.name not in mine:
            runner(name=migration.name)(migration.fn)
    path = tmp_path / "hashed.db"
    old = open_store(path, migrate=False)
    with old.write():
        runner.apply(old.db)
    admin = setup_force(old, "Old Force", [{"code": "NOR", "name": "North"}], "admin",
                        "Ada Admin", "correct horse battery")
    old.set_setting(admin, "exclude_domestic_abuse", False)
    with old.write():
        _old_crime(old, 1, "07700900001", 1, None)
        old.hash_rows(admin, "crimes", "id", [1])
    assert verify_audit(old, admin).problems == []
    old.close()
    store = open_store(path)
    try:
        assert store.scalar("SELECT arrested_on FROM crimes") == "unknown"
        assert "domestic_abuse" not in store.setting("sample_exclusions")
        assert verify_audit(store, admin).problems == []
    finally:
        store.close()
