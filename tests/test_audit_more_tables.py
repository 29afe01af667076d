"""`audit verify` checks the tables it left out before migration 0031 (issue 16): victim
updates, call attempts, the official survey, templates, calibration scores and import
mappings. Each on both backends: the app's own writes verify clean; a row inserted, changed
or deleted behind the app's back is named; a dropped table is named."""
from __future__ import annotations

import datetime as dt

import pytest

from qos.roles import SYSTEM, Role
from qos.store import mappings, mystery, reference, samples
from qos.store.audit import verify_audit
from qos.store.core import Store, open_store
from qos.store.crime_import import import_crimes_with_deadlines
from qos.store.hashing import CHECKED_SINCE_0031, HASHED_TABLES
from qos.store.official_survey import import_official_survey
from qos.store.updates import record_victim_update
from qos.tabular import Table, read_csv_text
from tests.conftest import make_user
from tests.factories import HEADER, crime_line, import_lines
from tests.tamper import raw_sql

# Per table: a row inserted behind the app's back (a copy of row ?, its unique key moved
# aside), and a change to row ?. The victim update is the audit's own case: one INSERT took
# `due --unit NOR` from 889 updates due to 0 and verify said intact.
TAMPER = {
    "victim_updates": (
        ("INSERT INTO victim_updates (crime_id, updated_on, source, user_id, created_at) "
        "SELECT crime_id, '2026-10-09', source, user_id, created_at FROM victim_updates "
        "WHERE id = ?"),
        "UPDATE victim_updates SET updated_on = '2026-10-08' WHERE id = ?"),
    "call_attempts": (
        ("INSERT INTO call_attempts (item_id, at, outcome, note, user_id) "
        "SELECT item_id, at, 'declined', note, user_id FROM call_attempts WHERE id = ?"),
        "UPDATE call_attempts SET outcome = 'wrong_number' WHERE id = ?"),
    "official_survey": (
        ("INSERT INTO official_survey (quarter, unit_code, driver, satisfied_pct, respondents, "
        "loaded_at, loaded_by) SELECT quarter, unit_code, 'made_up', 99, respondents, "
        "loaded_at, loaded_by FROM official_survey WHERE id = ?"),
        "UPDATE official_survey SET satisfied_pct = 99.5 WHERE id = ?"),
    "templates": (
        ("INSERT INTO templates (kind, version, title, body, loaded_at) "
        "SELECT kind, 999, title, body, loaded_at FROM templates WHERE id = ?"),
        "UPDATE templates SET title = 'Edited' WHERE id = ?"),
    "calibration_scores": (
        ("INSERT INTO calibration_scores (calibration_id, volunteer_id, checklist, scored_at) "
        "SELECT calibration_id, 1, checklist, scored_at FROM calibration_scores WHERE id = ?"),
        "UPDATE calibration_scores SET checklist = '{}' WHERE id = ?"),
    "import_mappings": (
        ("INSERT INTO import_mappings (kind, name, mapping) "
        "SELECT kind, 'Made up', mapping FROM import_mappings WHERE id = ?"),
        "UPDATE import_mappings SET mapping = '{}' WHERE id = ?"),
}


def _fill(store: Store, admin) -> None:
    """Rows in every newly checked table, each written by the app as a user would."""
    import_crimes_with_deadlines(store, admin, read_csv_text(
        HEADER.rstrip("\n") + ",Victim updated\n" + crime_line("NOR/90", "01/10/2026").rstrip("\n")
        + ",02/10/2026\n"), all_or_nothing=True)  # a victim update from the crime import
    import_lines(store, admin, [crime_line(f"NOR/{i}", "05/10/2026") for i in range(5)])
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    supervisor = make_user(store, admin, "sue", Role.SUPERVISOR, "NOR")
    draw_id = samples.draw_for_month(store, admin, unit["id"], "2026-10", seed=1)
    item = samples.list_items(store, draw_id, viewer=admin)[0]
    samples.record_attempt(store, supervisor, item["id"], "no_answer")
    samples.record_attempt(store, supervisor, item["id"], "no_answer")
    crime_id = store.scalar("SELECT id FROM crimes WHERE crime_ref = 'NOR/1'")
    record_victim_update(store, supervisor, crime_id, dt.date(2026, 10, 6))
    survey = Table(headers=["Quarter", "Unit", "Driver", "Satisfied %", "Respondents"])
    survey.rows.extend([(2, ["2026Q3", "NOR", "whole_experience", "81.5", "150"]),
                        (3, ["2026Q3", "FORCE", "whole_experience", "80.0", "300"])])
    assert import_official_survey(store, admin, survey, all_or_nothing=True).inserted == 2
    from qos.store.templates import register_template
    from qos.templates import load_template

    register_template(store, supervisor, load_template("callback"))
    mystery.sync_scenarios(store, admin)
    scenario = mystery.list_scenarios(store, admin)[0]
    calibration = mystery.create_calibration(store, admin, scenario["id"], "Practice",
                                             "A long enough account of the visit to score.")
    volunteer = make_user(store, admin, "val", Role.VOLUNTEER, "NOR")
    mystery.score_calibration(store, volunteer, calibration, {"greeted": "Y"})
    mystery.score_calibration(store, volunteer, calibration, {"greeted": "N"})  # rescored
    mappings.save_mapping(store, admin, "crimes", "Niche RMS", {"Ref": "crime_ref"})
    mappings.save_mapping(store, admin, "crimes", "Niche RMS", {"Ref": "crime_ref",
                                                                "Date": "recorded_on"})


@pytest.fixture
def filled(store, admin) -> Store:
    _fill(store, admin)
    for table in CHECKED_SINCE_0031:
        assert store.scalar(f"SELECT COUNT(*) FROM {table}"), table
    return store


def _verify(store: Store, *statements: tuple[str, list[object]]) -> list[str]:
    for sql, params in statements:
        raw_sql(store, sql, params)
    reopened = open_store(store.target)
    try:
        return verify_audit(reopened, SYSTEM).problems
    finally:
        reopened.close()


def test_every_table_of_records_is_checked():
    assert set(CHECKED_SINCE_0031) <= set(HASHED_TABLES)
    assert all(HASHED_TABLES[t] == "id" for t in CHECKED_SINCE_0031)


def test_the_apps_own_writes_verify_clean(filled):
    report = verify_audit(filled, SYSTEM)
    assert report.ok, report.problems


@pytest.mark.parametrize("table", CHECKED_SINCE_0031)
def test_rows_inserted_changed_and_deleted_behind_the_apps_back_are_named(filled, table):
    insert, update = TAMPER[table]
    first = filled.scalar(f"SELECT MIN(id) FROM {table}")
    filled.close()
    raw_sql(filled, insert, [first])
    peek = open_store(filled.target)  # its id: PostgreSQL's upserts used up some
    fake = peek.scalar(f"SELECT MAX(id) FROM {table}")
    peek.close()
    assert _verify(filled) == [
        f"{table}: row {fake} inserted outside the app (no matching audit entry)"]
    raw_sql(filled, f"DELETE FROM {table} WHERE id = ?", [fake])
    assert _verify(filled, (update, [first])) == [
        f"{table}: row {first} changed outside the app (no matching audit entry)"]
    assert _verify(filled, (f"DELETE FROM {table} WHERE id = ?", [first])) == [
        f"{table}: row {first} deleted outside the app (no matching audit entry)"]


def test_a_dropped_table_is_named_not_a_crash(filled):
    filled.close()
    problems = _verify(filled, *((f"DROP TABLE {t}", []) for t in
                                 ("victim_updates", "import_mappings")))
    assert len(problems) == 2, problems
    assert problems[0].startswith("victim_updates: the table is missing (dropped outside the "
                                  "app); the trail records ")
    assert problems[1] == ("import_mappings: the table is missing (dropped outside the app); "
                           "the trail records 1 row in it")


def test_a_database_upgraded_from_0030_verifies_clean(tmp_path):
    """Rows the app wrote unaudited before 0031 get a baseline; the tables keyed by several
    columns keep their rows, now with ids."""
    from qos.store.schema import MIGRATIONS
    from qos.store.users import setup_force

    path = tmp_path / "old.db"
    old = open_store(path, migrate=False)
    with old.write():
        MIGRATIONS.apply(old.db, stop_before="0031_audit_more_tables")  # the last release
    admin = setup_force(old, "Old Force", [{"code": "NOR", "name": "North"}], "admin",
                        "Ada Admin", "correct horse battery")
    import_lines(old, admin, [crime_line(f"NOR/{i}", "05/10/2026") for i in range(5)])
    draw_id = samples.draw_for_month(old, admin, 1, "2026-10", seed=1)
    item = samples.list_items(old, draw_id, viewer=admin)[0]
    mystery.sync_scenarios(old, admin)
    calibration = mystery.create_calibration(old, admin, 1, "Practice",
                                             "A long enough account of the visit to score.")
    with old.write():  # as that release wrote them: no row hash in the trail
        for sql, params in (
                (("INSERT INTO victim_updates (crime_id, updated_on, source, user_id, "
                 "created_at) VALUES (1, '2026-10-06', 'app', 1, 'now')"), []),
                (("INSERT INTO call_attempts (item_id, at, outcome, note, user_id) "
                 "VALUES (?, 'now', 'no_answer', '', 1)"), [item["id"]]),
                (("INSERT INTO official_survey VALUES ('2026Q3', 'NOR', 'whole_experience', "
                 "81.5, 150, 'now', 1)"), []),
                (("INSERT INTO official_survey VALUES ('2026Q3', 'FORCE', 'whole_experience', "
                 "80.0, 300, 'now', 1)"), []),
                ("INSERT INTO templates VALUES ('callback', 1, 'Call-back', '{}', 'now')", []),
                ("INSERT INTO calibration_scores VALUES (?, 1, '{}', 'now')", [calibration]),
                ("INSERT INTO import_mappings VALUES ('crimes', 'Niche RMS', '{}')", [])):
            old.execute(sql, params)
    old.close()

    upgraded = open_store(path)
    try:
        report = verify_audit(upgraded, SYSTEM)
        survey = upgraded.rows("SELECT id, unit_code FROM official_survey ORDER BY id")
        baselined = {r["entity"] for r in upgraded.rows(
            "SELECT entity FROM audit_log WHERE action = 'row hashes baseline'")}
    finally:
        upgraded.close()
    assert report.ok, report.problems
    assert set(CHECKED_SINCE_0031) <= baselined
    # Copied in their old key's order: FORCE before NOR.
    assert [(r["id"], r["unit_code"]) for r in survey] == [(1, "FORCE"), (2, "NOR")]
    # And from now on they are checked like the rest.
    raw_sql(upgraded, "UPDATE templates SET body = '{\"x\": 1}' WHERE id = 1")
    assert _verify(upgraded) == [
        "templates: row 1 changed outside the app (no matching audit entry)"]
