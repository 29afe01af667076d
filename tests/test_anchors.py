"""Anchors of the audit trail kept outside the database: backups, exports, closing, restores."""
from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pytest

from qos.cli import run
from qos.roles import SYSTEM, Actor
from qos.store import reference, users
from qos.store.audit import (
    AnchorError,
    add_anchor,
    anchor_now,
    anchor_path_for,
    head_of,
    history_path,
    read_anchors,
    verify_audit,
    write_anchors,
)
from qos.store.backups import backup, restore
from qos.store.core import Store, open_store
from qos.store.exports import export_summary
from tests.conftest import PASSWORD
from tests.tamper import untrigger


def _non_row_entries(store: Store, actor, n: int) -> None:
    """Entries about no data row (exports): only an anchor can show them cut off."""
    for _ in range(n):
        store.audit(actor, "export", "summary", "2026-10", {})


@pytest.mark.sqlite_only
def test_backups_taken_while_others_write_each_verify_against_their_own_anchor(
        store, admin, db_path, tmp_path):
    stop = threading.Event()

    def writer(tag: str) -> None:
        own = open_store(db_path)
        unit_id = own.scalar("SELECT id FROM units WHERE code = 'NOR'")
        n = 0
        while not stop.is_set():
            reference.add_person(own, SYSTEM, f"{tag}{n}", "Busy Writer", "staff", unit_id)
            n += 1
        own.close()

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("A", "B")]
    for thread in threads:
        thread.start()
    try:
        copies = [backup(store, admin, tmp_path / f"copy{i}.db") for i in range(6)]
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    failures = []
    for copy in copies:
        anchors = read_anchors(anchor_path_for(copy))
        opened = open_store(copy)
        try:
            report = verify_audit(opened, SYSTEM, anchors)
        finally:
            opened.close()
        if not report.ok:
            failures.append((copy.name, report.problems))
    assert failures == []  # 0 of 6 false alarms (6 of 6 failed when read from the live file)
    live = verify_audit(store, admin, read_anchors(anchor_path_for(db_path)))
    assert live.ok and live.anchors_checked == 6
    assert store.scalar("SELECT COUNT(*) FROM people WHERE name = 'Busy Writer'") > 0


@pytest.mark.sqlite_only
def test_the_anchor_history_keeps_every_backup_export_and_closing(store, admin, db_path,
                                                                  tmp_path):
    backup(store, admin, tmp_path / "b1.db")
    export_summary(store, admin, "2026-10", tmp_path / "s.xlsx")
    reference.add_unit(store, admin, "EAS", "East")
    anchor_now(store, admin, "app closed")
    history = read_anchors(anchor_path_for(db_path))
    assert [a.why for a in history] == ["backup b1.db", "export s.xlsx", "app closed"]
    assert [a.id for a in history] == sorted(a.id for a in history)
    assert history[-1].id == head_of(store.conn).id


def test_the_exported_workbook_is_an_anchor_that_shows_entries_cut_off(store, admin, db_path,
                                                                       tmp_path):
    target = export_summary(store, admin, "2026-10", tmp_path / "summary.xlsx")
    book = openpyxl.load_workbook(target)
    printed = [c.value for c in book["How calculated"]["A"] if c.value]
    head = head_of(store.conn)
    assert f"Audit trail head: entry {head.id}, hash {head.hash}." in printed[-1]
    kept = history_path(store, admin)
    store.close()
    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path), "--anchor",
                str(target)]) == 0
    # The insider cuts the export entry and deletes the anchor history: the circulated
    # workbook still shows it.
    cut = open_store(db_path)
    untrigger(cut)
    with cut.write():
        cut.execute("DELETE FROM audit_log WHERE id >= ?", [head.id])
    cut.close()
    kept.unlink()
    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path)]) == 0  # nothing to go on
    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path), "--anchor",
                str(target)]) == 1


def test_exports_and_closings_keep_a_history_that_shows_a_cut_on_both_backends(
        store, admin, db_path, tmp_path, capsys):
    """A shared database has no file to keep its history beside: it is kept in the user's
    data folder, named after the server and database, and verify reads it from there."""
    export_summary(store, admin, "2026-10", tmp_path / "s.xlsx")
    reference.add_unit(store, admin, "EAS", "East")
    _non_row_entries(store, admin, 2)
    closed = anchor_now(store, admin, "app closed")
    kept = history_path(store, admin)
    if store.path is None:
        import qos.paths

        assert kept.parent == qos.paths.data_dir() / "anchors"
        assert str(db_path).rsplit("/", 1)[1] in kept.name  # the database's own name
    else:
        assert kept == anchor_path_for(db_path)
    history = read_anchors(kept)
    assert [a.why for a in history] == ["export s.xlsx", "app closed"]
    assert history[-1] == closed and closed.id == head_of(store.conn).id
    untrigger(store)
    with store.write():
        store.execute("DELETE FROM audit_log WHERE id >= ?", [closed.id - 1])
    store.close()
    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path)]) == 1
    assert (f"but entry {closed.id} was recorded outside the database (taken {closed.at}, "
            "app closed): entries were cut off the end") in capsys.readouterr().err


def _set_up(url: str) -> Actor:
    store = open_store(url)
    try:
        return users.setup_force(store, "Testshire Police", [{"code": "NOR", "name": "North"}],
                                 "admin", "Ada Admin", PASSWORD)
    finally:
        store.close()


def test_a_shared_databases_history_name_holds_no_password(pg_url):
    with_password = pg_url.replace("postgres@", "postgres:s3cret-word@", 1)
    assert with_password != pg_url
    admin = _set_up(pg_url)
    store = open_store(with_password)  # the test server trusts local users: any password
    try:
        kept = history_path(store, admin)
        anchor_now(store, admin, "app closed")
    finally:
        store.close()
    assert "s3cret" not in str(kept) and "postgres@" not in str(kept)
    assert kept.name.startswith("postgresql-127.0.0.1-5432-qos_t_") and kept.exists()


def test_backup_and_restore_of_a_shared_database_are_refused_with_a_reason(pg_url, tmp_path,
                                                                          capsys):
    _set_up(pg_url)
    (tmp_path / "b.db").write_bytes(b"")
    assert run(["backup", "--user", "admin", "--db", pg_url, "--out",
                str(tmp_path / "b.db")]) != 0
    assert run(["restore", "--user", "admin", "--db", pg_url, "--from",
                str(tmp_path / "b.db")]) != 0
    err = capsys.readouterr().err
    assert "pg_dump" in err and "pg_restore" in err and "Traceback" not in err


@pytest.mark.sqlite_only
def test_a_restore_is_recorded_and_explained_even_after_a_later_backup(store, admin, db_path,
                                                                       tmp_path, capsys):
    monday = backup(store, admin, tmp_path / "monday.db")
    reference.add_unit(store, admin, "LATE", "Added after the backup")
    _non_row_entries(store, admin, 2)
    closed = anchor_now(store, admin, "app closed")
    restore(store, admin, monday)
    entry = store.row("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert entry["action"] == "restore" and "monday.db" in entry["detail"]
    backup(store, admin, tmp_path / "tuesday.db")  # a later backup hides nothing
    report = verify_audit(store, admin, read_anchors(anchor_path_for(db_path)))
    assert report.ok, report.problems
    assert any(note.startswith(f"entry {closed.id} (taken") and "rolled back by the restore "
               f"of {monday}" in note for note in report.notes), report.notes
    store.close()
    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path)]) == 0
    assert "rolled back by the restore" in capsys.readouterr().out


@pytest.mark.sqlite_only
@pytest.mark.parametrize("content, says", [
    ("", "is empty"),
    ("{\"anchors\": [{\"id\": 4", "is garbled"),
    ("{\"id\": \"four\", \"hash\": \"x\"}", "is garbled"),
    ("[1, 2]", "is garbled"),
    ("{\"id\": 3, \"hash\": \"short\"}", "is garbled: an entry's hash is not a hash"),
])
def test_an_empty_or_garbled_anchor_is_named_never_a_traceback(store, admin, db_path, tmp_path,
                                                              capsys, content, says):
    anchor_file = tmp_path / "bad-anchor.json"
    anchor_file.write_text(content)
    store.close()
    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path), "--anchor", str(anchor_file)]) == 1
    err = capsys.readouterr().err
    assert f"The anchor file {anchor_file} {says}" in err and "Traceback" not in err
    anchor_path_for(db_path).write_text(content)  # the one beside the database, too
    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path)]) == 1
    assert says in capsys.readouterr().err


def test_a_workbook_with_no_anchor_is_named(store, admin, db_path, tmp_path, capsys):
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    store.close()
    assert run(["audit", "--user", "admin", "verify", "--db", str(db_path), "--anchor", str(plain)]) == 1
    assert "does not hold an audit anchor" in capsys.readouterr().err


@pytest.mark.sqlite_only
def test_the_anchor_file_is_replaced_atomically(store, admin, db_path, monkeypatch):
    path = anchor_path_for(db_path)
    anchor_now(store, admin, "first")
    before = path.read_text()
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))

    def killed(*args):
        raise OSError("killed mid-write")

    monkeypatch.setattr(os, "replace", killed)
    reference.add_unit(store, admin, "EAS", "East")
    with pytest.raises(OSError):
        anchor_now(store, admin, "second")
    assert path.read_text() == before  # the old history, whole
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert synced  # the new file's data reached the disk before any rename
    monkeypatch.undo()
    anchor_now(store, admin, "second")
    assert [a.why for a in read_anchors(path)] == ["first", "second"]


@pytest.mark.sqlite_only
def test_a_damaged_history_is_kept_aside_and_a_new_one_started(store, admin, db_path):
    path = anchor_path_for(db_path)
    path.write_text("")
    with pytest.raises(AnchorError):
        read_anchors(path)
    add_anchor(path, head_of(store.conn))
    assert len(read_anchors(path)) == 1
    assert [p for p in path.parent.iterdir() if ".damaged-" in p.name]
    write_anchors(path, [])
    assert read_anchors(path) == []


def test_killing_a_writer_mid_history_never_leaves_it_unreadable(tmp_path):
    """The fault as found (an empty anchor after 6 of 2,000 kills): a process appending to the
    history is killed at random moments; the file left is always a whole history."""
    path = tmp_path / "qos.db.audit-anchor.json"
    child_code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from qos.store.audit import Anchor, add_anchor\n"
        "print('ready', flush=True)\n"
        "for i in range(int(sys.argv[1]), 10**9):\n"
        f"    add_anchor(Path({str(path)!r}), Anchor(i, 'ab' * 32, 'now', 'kill test'))\n")
    rng = random.Random(16)
    written = 0
    for _ in range(12):
        child = subprocess.Popen([sys.executable, "-c", child_code, str(written + 1)],
                                 stdout=subprocess.PIPE, cwd=Path(__file__).parent.parent)
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.01, 0.2))
        child.kill()
        child.wait()
        child.stdout.close()
        history = read_anchors(path)  # never empty or half written: it would raise
        assert [a.id for a in history] == list(range(1, len(history) + 1))
        written = len(history)
    assert written > 12  # the children did write, between the kills
    assert [p.name for p in tmp_path.iterdir() if ".damaged-" in p.name] == []
