"""The audit trail's own chain: entries edited, deleted, inserted, or cut off the end."""
from __future__ import annotations

import pytest

from qos.cli import run
from qos.store.audit import anchor_path_for, latest_anchor, read_anchors, verify_audit
from qos.store.backups import backup
from tests.tamper import untrigger


def test_intact_trail_verifies(store, admin):
    report = verify_audit(store, admin, [latest_anchor(store, admin)])
    assert report.ok and report.entries >= 4  # set-up: settings, 2 units, admin


@pytest.mark.parametrize("tamper, expected", [
    ("UPDATE audit_log SET detail = '{}' WHERE id = 3", "entry 3 (create units) was changed"),
    ("DELETE FROM audit_log WHERE id = 3", "entries 3 to 3 are missing"),
    (("INSERT INTO audit_log (id, at, user_id, username, action, entity, entity_id, detail, "
     "prev_hash, hash) SELECT 1000, at, user_id, username, action, entity, entity_id, detail, "
     "hash, hash FROM audit_log ORDER BY id DESC LIMIT 1"), "entry 1000 ("),
])
def test_direct_sql_edits_inserts_and_deletes_are_detected(store, admin, tamper, expected):
    untrigger(store)
    with store.write():
        store.execute(tamper)
    report = verify_audit(store, admin)
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems


@pytest.mark.sqlite_only
def test_truncation_is_detected_against_the_anchor(store, admin, db_path):
    for _ in range(2):  # entries about no data row: only the anchor can show them gone
        store.audit(admin, "export", "summary", "2026-10", {})
    backup(store, admin, db_path.with_name("b.db"))  # writes the anchor beside the database
    [anchor] = read_anchors(anchor_path_for(db_path))
    untrigger(store)
    with store.write():
        store.execute("DELETE FROM audit_log WHERE id >= ?", [anchor.id - 1])
    assert verify_audit(store, admin).ok  # the shorter chain is consistent in itself...
    report = verify_audit(store, admin, [anchor])  # ...but not with the anchor
    assert any("cut off the end" in p for p in report.problems)
    store.close()
    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path)]) == 1


@pytest.mark.sqlite_only
def test_cli_audit_verify_on_an_intact_database(store, admin, db_path, capsys):
    backup(store, admin, db_path.with_name("b.db"))
    store.close()
    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path)]) == 0
    assert "intact" in capsys.readouterr().out
