"""An insider covering a cut-off trail: a forged restore entry, an emptied or deleted anchor
history. Each must still show in `audit verify`."""
from __future__ import annotations

import json

import pytest

from qos.cli import run
from qos.store import reference
from qos.store.audit import anchor_path_for, head_of, read_anchors, verify_audit
from qos.store.backups import backup, restore
from qos.store.core import open_store
from qos.store.exports import export_summary
from qos.store.hashing import audit_hash
from tests.tamper import untrigger

pytestmark = pytest.mark.sqlite_only  # the anchor history beside a database file


def _forge_restore(db_path, cut_from: int, kept: str = "/tmp/nowhere.db") -> list[list]:
    """Cut entries from `cut_from` on, then append a chain-valid 'restore' naming them as
    rolled back, as /tmp's reproduction did: the chain's hash has no key."""
    store = open_store(db_path)
    untrigger(store)
    with store.write():
        gone = [[r["id"], r["hash"]] for r in store.rows(
            "SELECT id, hash FROM audit_log WHERE id >= ? ORDER BY id", [cut_from])]
        store.execute("DELETE FROM audit_log WHERE id >= ?", [cut_from])
        prev = store.row("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        entry = {"id": cut_from, "at": "2026-11-26T10:00:00+00:00", "user_id": 1,
                 "username": "admin", "action": "restore", "entity": "database",
                 "entity_id": None,
                 "detail": json.dumps({"from": "/tmp/nightly.db", "kept": kept,
                                       "backup_head": prev["id"],
                                       "replaced_head": gone[-1][0], "rolled_back": gone})}
        entry["prev_hash"] = prev["hash"]
        entry["hash"] = audit_hash(prev["hash"], entry)
        store.execute(f"INSERT INTO audit_log ({', '.join(entry)}) "
                      f"VALUES ({', '.join('?' * len(entry))})", list(entry.values()))
    store.close()
    return gone


def test_a_forged_restore_does_not_excuse_entries_cut_after_an_export(store, admin, db_path,
                                                                      tmp_path, capsys):
    workbook = export_summary(store, admin, "2026-10", tmp_path / "october.xlsx")
    exported = head_of(store.conn)
    store.close()
    _forge_restore(db_path, exported.id)

    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path), "--anchor",
                str(workbook)]) == 1
    err = capsys.readouterr().err
    assert f"entry {exported.id} records a restore that cannot be confirmed" in err
    assert "/tmp/nowhere.db, is not there" in err
    assert f"entry {exported.id} no longer matches the hash recorded outside" in err


def test_a_real_restore_is_still_explained_and_its_kept_copy_bears_it_out(store, admin,
                                                                         db_path, tmp_path):
    monday = backup(store, admin, tmp_path / "monday.db")
    reference.add_unit(store, admin, "LATE", "Added after the backup")
    workbook = export_summary(store, admin, "2026-10", tmp_path / "october.xlsx")
    kept = restore(store, admin, monday)
    anchors = read_anchors(anchor_path_for(db_path)) + read_anchors(workbook)
    report = verify_audit(store, admin, anchors)
    assert report.ok, report.problems
    assert any("rolled back by the restore" in note for note in report.notes), report.notes

    # The copy the restore kept is what makes it believable: without it, nothing is excused.
    kept.unlink()
    report = verify_audit(store, admin, anchors)
    assert any("records a restore that cannot be confirmed" in p and str(kept) in p
               for p in report.problems), report.problems
    assert any("no longer matches the hash recorded outside" in p or "were cut off" in p
               for p in report.problems), report.problems


@pytest.mark.parametrize("how", ["emptied", "deleted"])
def test_an_emptied_or_deleted_history_is_named_after_the_next_export(store, admin, db_path,
                                                                      tmp_path, capsys, how):
    export_summary(store, admin, "2026-09", tmp_path / "september.xlsx")
    history = anchor_path_for(db_path)
    if how == "emptied":
        history.write_text("")
    else:
        history.unlink()
    export_summary(store, admin, "2026-10", tmp_path / "october.xlsx")  # starts a new history
    store.close()

    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    if how == "emptied":
        assert "the anchor history was found damaged and set aside as " in err
    assert "september.xlsx) whose anchor is not in the anchor history" in err
    assert "october.xlsx" not in err  # the export made since has its anchor
    assert "Traceback" not in err


def test_an_unreadable_history_is_named_and_the_rest_still_checked(store, admin, db_path,
                                                                   capsys):
    reference.add_unit(store, admin, "EAS", "East")
    store.close()
    anchor_path_for(db_path).write_text("{ not json")
    edit = open_store(db_path)
    with edit.write():  # behind the app's back: a data row changed with no entry
        edit.execute("UPDATE units SET name = 'Eastern' WHERE code = 'EAS'")
    edit.close()

    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "is garbled" in err and "The anchors it held cannot be checked." in err
    assert "units" in err  # the changed row is still named: verify carried on
    assert "Traceback" not in err


def test_an_untouched_history_raises_nothing(store, admin, db_path, tmp_path, capsys):
    export_summary(store, admin, "2026-09", tmp_path / "september.xlsx")
    export_summary(store, admin, "2026-10", tmp_path / "october.xlsx")
    store.close()
    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path)]) == 0
    assert "The audit trail is intact" in capsys.readouterr().out


def test_a_restore_still_checks_out_after_the_folder_is_moved(store, admin, db_path, tmp_path):
    monday = backup(store, admin, tmp_path / "monday.db")
    reference.add_unit(store, admin, "LATE", "Added after the backup")
    restore(store, admin, monday)
    store.close()
    moved = tmp_path / "moved"
    moved.mkdir()
    for item in db_path.parent.iterdir():
        if item.name.startswith(db_path.name) or item.name == "backups":
            item.rename(moved / item.name)
    again = open_store(moved / db_path.name)
    try:
        report = verify_audit(again, admin, read_anchors(anchor_path_for(moved / db_path.name)))
    finally:
        again.close()
    assert not any("cannot be confirmed" in p for p in report.problems), report.problems


def test_a_forged_restore_with_a_made_up_kept_copy_is_not_believed(store, admin, db_path,
                                                                   tmp_path, capsys):
    """The re-audit's second forgery: a 'kept' file holding just the cut ids and hashes."""
    import sqlite3

    workbook = export_summary(store, admin, "2026-10", tmp_path / "october.xlsx")
    exported = head_of(store.conn)
    store.close()
    fake = tmp_path / "kept.db"
    gone = _forge_restore(db_path, exported.id, kept=str(fake))
    made_up = sqlite3.connect(fake)
    made_up.execute("CREATE TABLE audit_log (id INTEGER, hash TEXT, prev_hash TEXT, at TEXT, "
                    "user_id INTEGER, username TEXT, action TEXT, entity TEXT, "
                    "entity_id TEXT, detail TEXT)")
    made_up.executemany("INSERT INTO audit_log (id, hash) VALUES (?, ?)", gone)
    made_up.commit()
    made_up.close()

    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path), "--anchor",
                str(workbook)]) == 1
    err = capsys.readouterr().err
    assert f"entry {exported.id} records a restore that cannot be confirmed: the copy it " \
           f"kept, {fake}, does not share this trail up to entry {exported.id - 1}" in err
    assert f"entry {exported.id} no longer matches the hash recorded outside" in err
