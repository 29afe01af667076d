"""`audit verify` against the data: rows changed, inserted or deleted behind the app's back."""
from __future__ import annotations

import json

import pytest

from qos.cli import run
from qos.demo import build_demo
from qos.roles import SYSTEM
from qos.store import audit, reference, retention, row_check
from qos.store.audit import AuditReport, verify_audit
from qos.store.core import Store, open_store
from qos.store.hashing import HASHED_TABLES
from tests.factories import crime_line, import_lines
from tests.tamper import raw_sql, untrigger


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("audit") / "demo.db"
    store = open_store(path)
    build_demo(store, seed=5, end_month="2026-09", months=3, crimes_per_unit_month=30)
    store.close()
    return str(path)


@pytest.fixture
def copy(demo_db, tmp_path) -> Store:
    source = open_store(demo_db)
    source.backup_to(tmp_path / "work.db")
    source.close()
    opened = open_store(tmp_path / "work.db")
    yield opened
    opened.close()


def _verify_after(copy: Store, *statements: tuple[str, list[object]]) -> AuditReport:
    """Verify after `statements` run in the file with the sqlite3 shell, the app closed."""
    copy.close()
    for sql, params in statements:
        raw_sql(copy, sql, params)
    store = open_store(copy.path)
    try:
        return verify_audit(store, SYSTEM)
    finally:
        store.close()


def test_everything_the_demo_wrote_matches_the_trail(copy):
    report = verify_audit(copy, SYSTEM)
    assert report.ok, report.problems
    # Every row of every checked table was compared, not skipped.
    counted = sum(copy.scalar(f"SELECT COUNT(*) FROM {t}") for t in
                  ("crimes", "callbacks", "doorstep_cards", "sample_items", "bureau_calls",
                   "users", "units", "people", "counters", "settings", "visits"))
    assert report.rows_checked >= counted > 1000


_FAKE_CALLBACK = (
    "INSERT INTO callbacks (item_id, crime_id, crime_ref, unit_id, call_date, outcome, "
    "template_kind, template_version, answers, feedback, source, uuid, created_at, "
    "created_by, updated_at, updated_by, version) SELECT NULL, crime_id, 'FAKE/1', "
    "unit_id, call_date, outcome, template_kind, template_version, answers, feedback, "
    "source, 'fake-uuid', created_at, created_by, updated_at, updated_by, 1 "
    "FROM callbacks WHERE id = ?")


def test_an_edited_answer_a_deleted_card_and_a_fake_callback_are_each_named(copy, monkeypatch):
    """Named in a table read over several keyset pages: the same three rows, no more."""
    monkeypatch.setattr(row_check, "PAGE", 7)
    callback = copy.row("SELECT id, crime_ref, answers FROM callbacks ORDER BY id LIMIT 1")
    card = copy.row("SELECT id, serial FROM doorstep_cards ORDER BY id LIMIT 1")
    assert callback and card
    report = _verify_after(
        copy, ("UPDATE callbacks SET answers = ? WHERE id = ?",
               [json.dumps({"overall": 7}), callback["id"]]),
        ("DELETE FROM doorstep_cards WHERE id = ?", [card["id"]]),
        (_FAKE_CALLBACK, [callback["id"]]))
    reopened = open_store(copy.path)
    fake_id = reopened.scalar("SELECT id FROM callbacks WHERE crime_ref = 'FAKE/1'")
    reopened.close()
    assert sorted(report.problems) == sorted([
        (f"callbacks: row {callback['id']} ({callback['crime_ref']}) changed outside the app "
         "(no matching audit entry)"),
        f"callbacks: row {fake_id} (FAKE/1) inserted outside the app (no matching audit entry)",
        f"doorstep_cards: row {card['id']} deleted outside the app (no matching audit entry)",
    ])
    assert run(["audit", "--user", "admin", "verify", "--db", str(copy.path)]) == 1


def test_saves_made_by_others_while_verify_runs_are_not_reported(copy, monkeypatch):
    """Verify reads the trail and every page of rows in one snapshot."""
    monkeypatch.setattr(row_check, "PAGE", 7)
    crime = copy.row("SELECT id, version FROM crimes ORDER BY id LIMIT 1")
    card = copy.row("SELECT id FROM doorstep_cards ORDER BY id DESC LIMIT 1")
    real_check = audit.check_rows

    def others_save_meanwhile(*args, **kwargs):
        other = open_store(copy.path)  # another user, after verify read the trail
        try:
            other.update_record(SYSTEM, "crimes", crime["id"], crime["version"],
                                {"offence_category": "Changed meanwhile"})
            reference.add_unit(other, SYSTEM, "NEW", "Added meanwhile")
            with other.write():
                other.execute("DELETE FROM doorstep_cards WHERE id = ?", [card["id"]])
                other.audit(SYSTEM, "delete", "doorstep_cards", card["id"])
        finally:
            other.close()
        return real_check(*args, **kwargs)

    monkeypatch.setattr(audit, "check_rows", others_save_meanwhile)
    report = verify_audit(copy, SYSTEM)
    assert report.ok, report.problems
    monkeypatch.undo()
    assert verify_audit(copy, SYSTEM).ok  # and afterwards, with the saves


def test_a_setting_changed_in_the_file_is_named(copy):
    report = _verify_after(copy, ("UPDATE settings SET value = '1' WHERE key = 'force_name'", []))
    assert report.problems == [("settings: row force_name changed outside the app "
                                "(no matching audit entry)")]


def test_app_writes_that_bypass_insert_and_update_still_match(copy):
    """Erasure, opt-out and retention write many rows in one statement; each is hashed."""
    ref, phone = copy.row("SELECT crime_ref, victim_phone FROM crimes "
                          "WHERE victim_phone IS NOT NULL ORDER BY id LIMIT 1").values()
    retention.erase_on_request(copy, SYSTEM, ref, "Victim asked by phone")
    other = copy.scalar("SELECT victim_phone FROM crimes WHERE victim_phone IS NOT NULL "
                        "AND victim_phone != ? LIMIT 1", [phone])
    assert retention.record_opt_out(copy, SYSTEM, other) >= 1
    import datetime as dt

    assert retention.erase_expired_contacts(copy, SYSTEM, today=dt.date(2027, 6, 1)) > 100
    assert verify_audit(copy, SYSTEM).ok


def test_many_changed_rows_are_counted_not_all_listed(copy):
    changed = copy.scalar("SELECT COUNT(*) FROM crimes WHERE offence_category != 'Theft'")
    assert changed > 100
    [problem] = _verify_after(copy, ("UPDATE crimes SET offence_category = 'Theft'", [])).problems
    # Crimes already 'Theft' still match; the others are changed: 20 named, the rest counted.
    assert problem.startswith("crimes: rows ")
    assert problem.endswith(f" and {changed - 20:,} more changed outside the app "
                            "(no matching audit entry)")
    assert problem.count(" (") == 20 + 1


def test_an_upgraded_database_starts_from_a_baseline_of_its_rows(copy):
    """Rows written before row hashes existed are hashed once by migration 0015."""
    copy.close()
    raw_sql(copy, "INSERT INTO units (code, name, kind, uuid, created_at, created_by, "
                  "updated_at, updated_by) VALUES ('OLD', 'From before the upgrade', 'BCU', "
                  "'u-old', '', 0, '', 0)")
    raw_sql(copy, "DELETE FROM _sqlite_migrations WHERE name = '0015_row_hashes'")
    store = open_store(copy.path)  # the migration runs again, as on a real upgrade
    try:
        report = verify_audit(store, SYSTEM)
        baselines = store.scalar("SELECT COUNT(*) FROM audit_log "
                                 "WHERE action = 'row hashes baseline' AND entity = 'units'")
    finally:
        store.close()
    assert report.ok, report.problems
    assert baselines == 1


def test_rows_changed_inserted_and_deleted_are_named_on_both_backends(store, admin, db_path,
                                                                     monkeypatch):
    """The same check on PostgreSQL as on a file, read in pages of 2 rows (so the keyset
    paging between pages is exercised too)."""
    monkeypatch.setattr(row_check, "PAGE", 2)
    import_lines(store, admin, [crime_line(f"NOR/{i}", "05/10/2026") for i in range(1, 8)])
    reference.add_unit(store, admin, "EAS", "East")
    assert verify_audit(store, admin).ok
    crime = store.row("SELECT id FROM crimes WHERE crime_ref = 'NOR/3'")
    unit = store.row("SELECT id FROM units WHERE code = 'EAS'")
    # Another connection, as an insider with the SQL shell would use.
    raw_sql(store, "UPDATE crimes SET victim_name = 'Someone Else' WHERE id = ?", [crime["id"]])
    raw_sql(store, "DELETE FROM units WHERE id = ?", [unit["id"]])
    raw_sql(store, "INSERT INTO people (staff_number, name, role_type, active, uuid, created_at, created_by, "
                   "updated_at, updated_by, version) VALUES ('X999', 'Nobody Real', 'staff', 1, "
                   "'fake-uuid', '', 0, '', 0, 1)", [])
    fake = store.scalar("SELECT id FROM people WHERE staff_number = 'X999'")
    report = verify_audit(store, admin)
    assert sorted(report.problems) == sorted([
        f"crimes: row {crime['id']} (NOR/3) changed outside the app (no matching audit entry)",
        f"units: row {unit['id']} deleted outside the app (no matching audit entry)",
        f"people: row {fake} (X999) inserted outside the app (no matching audit entry)",
    ])
    assert report.rows_checked == sum(store.scalar(f"SELECT COUNT(*) FROM {t}")
                                      for t in HASHED_TABLES)


def test_a_garbled_entry_about_rows_is_named_never_a_traceback(store, admin, db_path, capsys):
    """An insider rewrites the hashes an entry recorded: the entry is named as changed and the
    rows it no longer vouches for as changed; nothing crashes on the nonsense."""
    import_lines(store, admin, [crime_line("NOR/1", "05/10/2026")])
    entry = store.scalar("SELECT MAX(id) FROM audit_log WHERE detail LIKE '%row_hashes%'")
    crime_id = store.scalar("SELECT id FROM crimes WHERE crime_ref = 'NOR/1'")
    untrigger(store)
    with store.write():
        store.execute("UPDATE audit_log SET detail = ? WHERE id = ?",
                      [json.dumps({"row_hashes": {str(crime_id): 5, "abc": "x:y", "7": "z"}}),
                       entry])
    store.close()
    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"entry {entry} (rows written crimes) was changed after it was written" in err
    assert f"crimes: row {crime_id} (NOR/1) changed outside the app" in err


def test_text_that_is_not_utf8_is_named_as_a_changed_row_not_an_error(copy, capsys):
    # The app writes valid text alone; bytes that are not UTF-8 (here a name cut inside "ë")
    # stop SQLite's reader, which stopped verify before naming anything.
    cut_name = "UPDATE units SET name = CAST(X'4E6F72C3' AS TEXT) WHERE code = 'NOR'"
    report = _verify_after(copy, (cut_name, []))
    assert [p for p in report.problems if p.startswith("units:")] == [
        "units: row 1 (NOR) changed outside the app (no matching audit entry)"]
    assert len(report.problems) == 1, report.problems
