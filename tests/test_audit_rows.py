"""`audit verify` against the data: rows changed, inserted or deleted behind the app's back."""
from __future__ import annotations

import json
import sqlite3

import pytest

from qos.cli import run
from qos.demo import build_demo
from qos.roles import SYSTEM
from qos.store import retention
from qos.store.audit import verify_audit
from qos.store.core import Store, open_store


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


def _raw(store: Store, sql: str, params=()) -> None:
    """What an insider with the file and the sqlite3 shell would do, app closed."""
    assert store.path is not None
    conn = sqlite3.connect(store.path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def test_everything_the_demo_wrote_matches_the_trail(copy):
    report = verify_audit(copy, SYSTEM)
    assert report.ok, report.problems
    # Every row of every checked table was compared, not skipped.
    counted = sum(copy.scalar(f"SELECT COUNT(*) FROM {t}") for t in
                  ("crimes", "callbacks", "doorstep_cards", "sample_items", "bureau_calls",
                   "users", "units", "people", "counters", "settings", "visits"))
    assert report.rows_checked >= counted > 1000


def test_an_edited_answer_a_deleted_card_and_a_fake_callback_are_each_named(copy):
    callback = copy.row("SELECT id, crime_ref, answers FROM callbacks ORDER BY id LIMIT 1")
    card = copy.row("SELECT id, serial FROM doorstep_cards ORDER BY id LIMIT 1")
    assert callback and card
    copy.close()
    _raw(copy, "UPDATE callbacks SET answers = ? WHERE id = ?",
         [json.dumps({"overall": 7}), callback["id"]])
    _raw(copy, "DELETE FROM doorstep_cards WHERE id = ?", [card["id"]])
    _raw(copy, "INSERT INTO callbacks (item_id, crime_id, crime_ref, unit_id, call_date, outcome, "
               "template_kind, template_version, answers, feedback, source, uuid, created_at, "
               "created_by, updated_at, updated_by, version) SELECT NULL, crime_id, 'FAKE/1', "
               "unit_id, call_date, outcome, template_kind, template_version, answers, feedback, "
               "source, 'fake-uuid', created_at, created_by, updated_at, updated_by, 1 "
               "FROM callbacks WHERE id = ?", [callback["id"]])
    store = open_store(copy.path)
    try:
        report = verify_audit(store, SYSTEM)
        fake_id = store.scalar("SELECT id FROM callbacks WHERE crime_ref = 'FAKE/1'")
    finally:
        store.close()
    assert sorted(report.problems) == sorted([
        (f"callbacks: row {callback['id']} ({callback['crime_ref']}) changed outside the app "
         "(no matching audit entry)"),
        f"callbacks: row {fake_id} (FAKE/1) inserted outside the app (no matching audit entry)",
        f"doorstep_cards: row {card['id']} deleted outside the app (no matching audit entry)",
    ])
    assert run(["audit", "--user", "admin", "verify", "--db", str(copy.path)]) == 1


def test_a_setting_changed_in_the_file_is_named(copy):
    copy.close()
    _raw(copy, "UPDATE settings SET value = '1' WHERE key = 'force_name'")
    store = open_store(copy.path)
    try:
        report = verify_audit(store, SYSTEM)
    finally:
        store.close()
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
    copy.close()
    _raw(copy, "UPDATE crimes SET offence_category = 'Theft'")
    store = open_store(copy.path)
    try:
        report = verify_audit(store, SYSTEM)
    finally:
        store.close()
    [problem] = report.problems
    # Crimes already 'Theft' still match; the others are changed: 20 named, the rest counted.
    assert problem.startswith("crimes: rows ")
    assert problem.endswith(f" and {changed - 20:,} more changed outside the app "
                            "(no matching audit entry)")
    assert problem.count(" (") == 20 + 1


def test_an_upgraded_database_starts_from_a_baseline_of_its_rows(copy):
    """Rows written before row hashes existed are hashed once by migration 0015."""
    copy.close()
    _raw(copy, "INSERT INTO units (code, name, kind, uuid, created_at, created_by, updated_at, "
               "updated_by) VALUES ('OLD', 'From before the upgrade', 'BCU', 'u-old', '', 0, '', 0)")
    _raw(copy, "DELETE FROM _sqlite_migrations WHERE name = '0015_row_hashes'")
    store = open_store(copy.path)  # the migration runs again, as on a real upgrade
    try:
        report = verify_audit(store, SYSTEM)
        baselines = store.scalar("SELECT COUNT(*) FROM audit_log "
                                 "WHERE action = 'row hashes baseline' AND entity = 'units'")
    finally:
        store.close()
    assert report.ok, report.problems
    assert baselines == 1
