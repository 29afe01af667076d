"""Trust with victims' data: audit tampering, backups and restore, erasure, opt-out."""
from __future__ import annotations

import datetime as dt

import pytest

from qos.cli import run
from qos.errors import ValidationError
from qos.roles import SYSTEM
from qos.store import reference, retention, samples
from qos.store.audit import anchor_path_for, latest_anchor, read_anchors, verify_audit
from qos.store.backups import automatic_backup, backup, restore
from qos.store.core import open_store
from tests.factories import crime_line, import_lines


def _untrigger(store):
    with store.write():
        store.execute("DROP TRIGGER audit_log_no_update")
        store.execute("DROP TRIGGER audit_log_no_delete")


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
    _untrigger(store)
    with store.write():
        store.execute(tamper)
    report = verify_audit(store, admin)
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems


def test_truncation_is_detected_against_the_anchor(store, admin, db_path):
    for _ in range(2):  # entries about no data row: only the anchor can show them gone
        store.audit(admin, "export", "summary", "2026-10", {})
    backup(store, admin, db_path.with_name("b.db"))  # writes the anchor beside the database
    [anchor] = read_anchors(anchor_path_for(db_path))
    _untrigger(store)
    with store.write():
        store.execute("DELETE FROM audit_log WHERE id >= ?", [anchor.id - 1])
    assert verify_audit(store, admin).ok  # the shorter chain is consistent in itself...
    report = verify_audit(store, admin, [anchor])  # ...but not with the anchor
    assert any("cut off the end" in p for p in report.problems)
    store.close()
    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path)]) == 1


def test_cli_audit_verify_on_an_intact_database(store, admin, db_path, capsys):
    backup(store, admin, db_path.with_name("b.db"))
    store.close()
    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path)]) == 0
    assert "intact" in capsys.readouterr().out


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
    with pytest.raises(Exception, match="not a readable backup|not a QoS Checks"):
        restore(store, admin, bogus)
    assert reference.unit_by_code(store, SYSTEM, "NOR") is not None


def test_automatic_backups_are_daily_and_rotated(store, admin, db_path):
    start = dt.datetime(2026, 11, 1, 8, 0)
    made = [automatic_backup(store, admin, keep=3, now=start + dt.timedelta(hours=h))
            for h in (0, 5, 24, 49, 73, 97)]
    assert [m is not None for m in made] == [True, False, True, True, True, True]
    kept = sorted(p.name for p in (db_path.parent / "backups").glob("auto-*.db"))
    assert kept == ["auto-20261103-090000.db", "auto-20261104-090000.db",
                    "auto-20261105-090000.db"]


CANARY_NAME = "Canary Zebedee Quartermaine"
CANARY_PHONE = "07700 900777"


def _file_bytes(db_path):
    wal = db_path.with_name(db_path.name + "-wal")
    return db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_erasure_on_request_removes_canaries_from_file_and_wal(store, admin, db_path):
    import_lines(store, admin, [
        crime_line("NOR/C1", "05/10/2026", phone=CANARY_PHONE).replace("Victim NOR/C1",
                                                                      CANARY_NAME),
        crime_line("NOR/C2", "06/10/2026", phone=CANARY_PHONE),
        crime_line("NOR/OTHER", "06/10/2026"),
    ])
    assert CANARY_NAME.encode() in _file_bytes(db_path)
    erased = retention.erase_on_request(store, admin, "nor/c1", "Victim asked by phone")
    assert erased == 2  # both crimes with that number
    data = _file_bytes(db_path)
    assert CANARY_NAME.encode() not in data
    assert b"07700900777" not in data
    entry = store.row("SELECT * FROM audit_log WHERE action = 'erasure (request)'")
    assert entry["entity_id"] == "NOR/C1" and "07700900777" not in entry["detail"]
    assert store.scalar("SELECT contact_opt_out FROM crimes WHERE crime_ref = 'NOR/C2'") == 1


def test_retention_erases_only_closed_old_records(store, admin, db_path):
    import_lines(store, admin, [crime_line(f"NOR/{i}", "05/06/2026") for i in range(1, 6)]
                 + [crime_line("NOR/NEW", "20/11/2026", phone=CANARY_PHONE)])
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    draw_id = samples.draw_for_month(store, admin, unit["id"], "2026-06", size=2, seed=1)
    still_open, declined = samples.list_items(store, draw_id, viewer=admin)
    samples.record_attempt(store, admin, declined["id"], "declined", on=dt.date(2026, 6, 20))
    erased = retention.erase_expired_contacts(store, admin, today=dt.date(2026, 11, 25))
    assert erased == 4  # 5 June crimes less the one still to be called
    kept = store.rows("SELECT crime_ref FROM crimes WHERE victim_phone IS NOT NULL "
                      "ORDER BY crime_ref")
    assert [r["crime_ref"] for r in kept] == sorted(["NOR/NEW", still_open["crime_ref"]])
    assert store.scalar("SELECT COUNT(*) FROM crimes") == 6  # the records themselves stay


def test_opted_out_victims_are_never_sampled(store, admin):
    import_lines(store, admin, [crime_line("NOR/1", "05/10/2026", phone=CANARY_PHONE),
                                crime_line("NOR/2", "05/10/2026")])
    assert retention.record_opt_out(store, admin, CANARY_PHONE) == 1
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    population = samples.eligible_population(store, SYSTEM, unit["id"], "2026-10",
                                             samples.current_criteria(store, SYSTEM))
    assert [m[1] for m in population] == ["NOR/2"]
    with pytest.raises(ValidationError):
        retention.erase_on_request(store, admin, "NOR/1", "")
