"""Backups and restore: the drill, refusing what is not a backup, daily rotation."""
from __future__ import annotations

import datetime as dt

import pytest

from qos.roles import SYSTEM
from qos.store import reference
from qos.store.audit import verify_audit
from qos.store.backups import automatic_backup, backup, restore
from qos.store.core import open_store


@pytest.mark.sqlite_only
def test_restore_drill(store, admin, db_path, tmp_path):
    reference.add_unit(store, admin, "CID", "Crime Investigation", "department", 30)
    saved = backup(store, admin, tmp_path / "monday.db")
    reference.add_unit(store, admin, "LATE", "Added after the backup", "BCU", 5)
    kept = restore(store, admin, saved)
    assert reference.unit_by_code(store, SYSTEM, "CID") is not None
    assert reference.unit_by_code(store, SYSTEM, "LATE") is None
    assert store.scalar("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == "restore"
    assert verify_audit(store, admin).ok
    replaced = open_store(kept)
    try:
        assert reference.unit_by_code(replaced, SYSTEM, "LATE") is not None  # nothing is lost
    finally:
        replaced.close()


def test_restore_refuses_a_file_that_is_not_a_backup(store, admin, tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("hello")
    with pytest.raises(Exception, match="not a readable backup|not a QoS Checks|pg_restore"):
        restore(store, admin, bogus)
    assert reference.unit_by_code(store, SYSTEM, "NOR") is not None


@pytest.mark.sqlite_only
def test_automatic_backups_are_daily_and_rotated(store, admin, db_path):
    start = dt.datetime(2026, 11, 1, 8, 0)
    made = [automatic_backup(store, admin, keep=3, now=start + dt.timedelta(hours=h))
            for h in (0, 5, 24, 49, 73, 97)]
    assert [m is not None for m in made] == [True, False, True, True, True, True]
    kept = sorted(p.name for p in (db_path.parent / "backups").glob("auto-*.db"))
    assert kept == ["auto-20261103-090000.db", "auto-20261104-090000.db",
                    "auto-20261105-090000.db"]
