from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from qos.errors import ConflictError, DatabaseDamaged, DatabaseTooNew
from qos.roles import SYSTEM, Actor
from qos.store import reference
from qos.store.core import open_store
from qos.store.schema import known_migration_names


def test_migration_names_are_known_without_loading_sqlite_utils():
    # Opening an up-to-date database compares names only: cold start skips sqlite-utils.
    code = ("import sys; from qos.store.schema import MIGRATIONS; "
            "print(len(MIGRATIONS.names()), 'sqlite_utils' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent.parent,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout.split() == [str(len(known_migration_names())), "False"], done.stderr
    from qos.store.schema import MIGRATIONS

    assert MIGRATIONS.names() == sorted(MIGRATIONS.names())  # numbered, applied in order


def test_new_file_gets_every_migration_and_safe_pragmas(store):
    applied = {r["name"] for r in store.rows("SELECT name FROM _sqlite_migrations")}
    assert applied == known_migration_names()
    assert store.scalar("PRAGMA journal_mode") == "wal"
    assert store.scalar("PRAGMA foreign_keys") == 1
    assert store.scalar("PRAGMA secure_delete") == 1
    assert store.scalar("PRAGMA synchronous") == 2  # FULL


def test_reopening_keeps_rows_and_applies_nothing_twice(db_path, admin, store):
    reference.add_unit(store, admin, "CID", "Crime Investigation", "department", 30)
    store.close()
    again = open_store(db_path)
    try:
        assert again.scalar("SELECT monthly_target FROM units WHERE code = 'CID'") == 30
        count = again.scalar("SELECT COUNT(*) FROM _sqlite_migrations")
        assert count == len(known_migration_names())
    finally:
        again.close()


def test_old_database_is_upgraded_without_losing_a_row(tmp_path):
    from qos.store.schema import MIGRATIONS

    path = tmp_path / "old.db"
    names = MIGRATIONS.names()
    old = open_store(path, migrate=False)
    with old.write():
        MIGRATIONS.apply(old.db, stop_before=names[-1])  # as if written before the last one
        old.execute("INSERT INTO settings (key, value) VALUES ('force_name', '\"Old\"')")
    old.close()
    upgraded = open_store(path)
    try:
        assert upgraded.setting("force_name") == "Old"
        assert {m.name for m in MIGRATIONS.applied(upgraded.db)} == set(names)
    finally:
        upgraded.close()
    # A copy is kept from before the upgrade, and it still has the old schema.
    [copy] = (tmp_path / "backups").glob("before-upgrade-*.db")
    kept = open_store(copy, migrate=False)
    try:
        assert {m.name for m in MIGRATIONS.applied(kept.db)} == set(names[:-1])
    finally:
        kept.close()


def test_database_from_a_newer_version_is_refused_untouched(db_path, store):
    with store.write():
        store.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                      "VALUES ('qos', '9999_future', 'x')")
    store.close()
    before = db_path.read_bytes()
    with pytest.raises(DatabaseTooNew, match="newer version"):
        open_store(db_path)
    assert db_path.read_bytes() == before


def test_a_file_that_is_not_a_database_gets_a_clear_message(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseDamaged, match="not a QoS Checks database"):
        open_store(bogus)


def test_audit_log_refuses_update_and_delete(store, admin):
    assert store.scalar("SELECT COUNT(*) FROM audit_log") > 0
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), store.write():
        store.execute("UPDATE audit_log SET action = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), store.write():
        store.execute("DELETE FROM audit_log")


def test_records_carry_uuid_timestamps_and_author(store, admin):
    reference.add_unit(store, admin, "CID", "Crime Investigation", "department", 30)
    unit = reference.unit_by_code(store, SYSTEM, "CID")
    assert unit is not None
    assert len(unit["uuid"]) == 36 and unit["created_by"] == admin.user_id
    assert reference.unit_by_code(store, SYSTEM, "NOR")["created_by"] == 0  # first-run set-up
    assert unit["created_at"].endswith("+00:00") and unit["version"] == 1


def test_two_editors_get_a_conflict_not_a_silent_overwrite(store, admin: Actor):
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    assert unit is not None
    reference.edit_unit(store, admin, unit["id"], unit["version"], monthly_target=60)
    with pytest.raises(ConflictError, match="changed by Ada Admin at"):
        reference.edit_unit(store, admin, unit["id"], unit["version"], monthly_target=70)
    assert store.scalar("SELECT monthly_target FROM units WHERE id = ?", [unit["id"]]) == 60


def test_failed_write_leaves_nothing_half_written(store, admin):
    with pytest.raises(RuntimeError), store.write():
        reference.add_unit(store, admin, "TMP", "Temporary", "BCU", 5)
        raise RuntimeError("crash mid-transaction")
    assert reference.unit_by_code(store, SYSTEM, "TMP") is None


def test_a_caught_inner_failure_is_undone_alone_and_the_outer_write_commits(store, admin):
    audited = store.scalar("SELECT COUNT(*) FROM audit_log")
    with store.write():
        reference.add_unit(store, admin, "KEEP", "Kept", "BCU", 5)
        try:
            with store.write():
                reference.add_unit(store, admin, "HALF", "Half-made", "BCU", 5)
                raise RuntimeError("fails after its row and audit entry were written")
        except RuntimeError:
            pass
        reference.add_unit(store, admin, "AFTER", "After", "BCU", 5)
    assert not store.conn.in_transaction
    assert reference.unit_by_code(store, SYSTEM, "HALF") is None
    assert reference.unit_by_code(store, SYSTEM, "KEEP") and reference.unit_by_code(store, SYSTEM, "AFTER")
    # One create entry for each of the two kept units; HALF's entry went with its row.
    assert store.scalar("SELECT COUNT(*) FROM audit_log") == audited + 2


def test_a_caught_failure_two_levels_down_keeps_the_middle_level(store, admin):
    with store.write(), store.write():
        reference.add_unit(store, admin, "MID", "Middle", "BCU", 5)
        with pytest.raises(ConflictError), store.write():
            reference.add_unit(store, admin, "DEEP", "Deep", "BCU", 5)
            raise ConflictError("someone else saved first")
    assert reference.unit_by_code(store, SYSTEM, "MID") is not None
    assert reference.unit_by_code(store, SYSTEM, "DEEP") is None


def test_an_uncaught_inner_failure_undoes_the_whole_transaction(store, admin):
    with pytest.raises(RuntimeError), store.write():
        reference.add_unit(store, admin, "OUT", "Outer", "BCU", 5)
        with store.write():
            raise RuntimeError("not caught")
    assert reference.unit_by_code(store, SYSTEM, "OUT") is None
    assert not store.conn.in_transaction


def test_damage_is_found_by_the_integrity_check(tmp_path):
    from qos.errors import DatabaseDamaged
    from qos.store.core import integrity_problem

    path = tmp_path / "damaged.db"
    store = open_store(path)
    with store.write():
        store.execute("CREATE TABLE filler (n INTEGER, t TEXT)")
        store.execute("CREATE INDEX filler_t ON filler(t)")
        store.conn.executemany("INSERT INTO filler VALUES (?, ?)",
                               [(i, f"row {i:06d}" * 5) for i in range(20000)])
    assert integrity_problem(store) is None
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(len(data) // 2, len(data) // 2 + 3 * page, 7):
        data[offset] = 0xA5  # scribble over a few pages in the middle
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged, match="damaged"):
        open_store(path, check_integrity=True)
