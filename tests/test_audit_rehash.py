"""Migration 0026: rows hashed in the older format (sha256 over repr) are re-recorded in v2,
except those already changed, inserted or deleted behind the app's back, which verify still
names after the upgrade. On both backends."""
from __future__ import annotations

import json

from qos.store import core, reference
from qos.store.audit import verify_audit
from qos.store.core import open_store
from qos.store.hashing import legacy_row_hash, matches, row_hash
from tests.factories import crime_line, import_lines
from tests.tamper import raw_sql


def test_the_upgrade_rehashes_matching_rows_and_keeps_naming_edits(store, admin, db_path,
                                                                   monkeypatch):
    monkeypatch.setattr(core, "row_hash", legacy_row_hash)  # the app before 0026
    import_lines(store, admin, [crime_line(f"NOR/{i}", "05/10/2026") for i in range(1, 6)])
    reference.add_unit(store, admin, "EAS", "East")
    monkeypatch.undo()
    crime = store.row("SELECT id FROM crimes WHERE crime_ref = 'NOR/2'")
    kept = store.row("SELECT id FROM crimes WHERE crime_ref = 'NOR/4'")
    unit = store.row("SELECT id FROM units WHERE code = 'EAS'")
    assert verify_audit(store, admin).ok  # old hashes are still understood
    # Behind the app's back, before the upgrade.
    raw_sql(store, "UPDATE crimes SET victim_name = 'Someone Else' WHERE id = ?", [crime["id"]])
    raw_sql(store, "DELETE FROM units WHERE id = ?", [unit["id"]])
    raw_sql(store, "DELETE FROM _sqlite_migrations WHERE name = '0026_row_hashes_v2'")
    store.close()
    upgraded = open_store(db_path)  # the migration runs again, as on a real upgrade
    try:
        report = verify_audit(upgraded, admin)
        entries = [json.loads(d)["row_hashes"] for (d,) in upgraded.conn.execute(
            "SELECT detail FROM audit_log WHERE action = 'row hashes in the v2 format' "
            "AND entity = 'crimes'")]
        row = upgraded.conn.execute("SELECT * FROM crimes WHERE id = ?", [kept["id"]]).fetchone()
    finally:
        upgraded.close()
    assert sorted(report.problems) == sorted([
        f"crimes: row {crime['id']} (NOR/2) changed outside the app (no matching audit entry)",
        f"units: row {unit['id']} deleted outside the app (no matching audit entry)",
    ])
    [rehashed] = entries  # the four crimes that still matched, in one entry
    assert sorted(rehashed) == sorted(str(i) for i in range(1, 6) if i != crime["id"])
    assert rehashed[str(kept["id"])] == row_hash(row) and row_hash(row).startswith("v2:35:")


def test_a_hash_matches_only_its_own_row_in_either_format():
    row = (7, "NOR/7", "", "", None, 0, 1.5, "é")
    for hashed in (row_hash(row), legacy_row_hash(row)):
        assert matches(row, hashed)
        assert matches((*row, "a column appended later"), hashed)  # over its own width
        assert not matches((7, "NOR/7", "", " ", None, 0, 1.5, "é"), hashed)
        assert not matches((7, "NOR/7", "", "", 0, 0, 1.5, "é"), hashed)  # NULL is not 0
    assert not any(matches(row, bad) for bad in (5, None, "x:y", "v2:x:y", "v2:8:0", "8:0"))
