"""Backups with SQLite's online backup API, rotation, and restore.

A backup also records the audit trail's head beside it and in the database's anchor history,
so a later truncation of the trail shows up. The head is read from the copy, not the live
database: others may write between the copy and the read. Restoring first keeps a copy of the
file being replaced, and records which entries it rolled back so `audit verify` explains them.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from qos.clock import now_iso
from qos.errors import DatabaseDamaged, PermissionDenied, ValidationError
from qos.paths import backup_dir_for
from qos.roles import Action, Actor, require, unit_scope
from qos.store.audit import (
    Anchor,
    anchor_now,
    anchor_path_for,
    head_of,
    head_of_file,
    rolled_back_entries,
    write_anchors,
)
from qos.store.core import Store

AUTO_PREFIX = "auto-"
DEFAULT_KEEP = 14


def backup(store: Store, actor: Actor, target: Path) -> Path:
    """A consistent copy while the database is in use, with its audit anchor beside it."""
    _may_copy_everything(store, actor)
    if store.path is not None and target.resolve() == store.path.resolve():
        raise ValidationError("A backup cannot be written over the database itself.")
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Every victim's name and phone: readable by its owner only, from the first byte
        # (SQLite gives the copy's -wal and -shm the same mode).
        os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
        os.chmod(partial, 0o600)  # an older partial file keeps its mode through O_CREAT
        store.backup_to(partial)
        head = head_of_file(partial)  # the copy's own head: the live one may have moved on
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ValidationError(f"The backup could not be written to {target}: {exc}") from exc
    finally:
        # The copy is in WAL mode, so reading its head left empty -wal and -shm files beside
        # it; every connection to it is closed and none wrote, so they hold nothing.
        for suffix in ("-wal", "-shm"):
            partial.with_name(partial.name + suffix).unlink(missing_ok=True)
    partial.replace(target)
    anchor = Anchor(head.id, head.hash, head.at, f"backup {target.name}")
    write_anchors(anchor_path_for(target), [anchor])
    anchor_now(store, actor, anchor.why, anchor)
    return target


def _may_copy_everything(store: Store, actor: Actor) -> None:
    """A backup (or a restore) is every unit's victims at once: only for a user who may see
    every unit's anyway (an administrator; a supervisor whose units are the whole force)."""
    require(actor, Action.BACKUP)
    scope = unit_scope(actor)
    if scope is None:
        return
    every = {int(r["id"]) for r in store.rows("SELECT id FROM units")}
    if not every <= scope:
        raise PermissionDenied(
            f"{actor.display_name} covers only some units, and a backup holds every unit's "
            "victims: backups and restores are for an administrator.")


def automatic_backup(store: Store, actor: Actor, *, keep: int = DEFAULT_KEEP,
                     now: dt.datetime | None = None) -> Path | None:
    """At start-up and daily: a new backup if the newest is a day old, keeping `keep` of them."""
    _may_copy_everything(store, actor)
    if store.path is None:
        return None
    folder = backup_dir_for(store.path)
    folder.mkdir(parents=True, exist_ok=True)
    moment = now or dt.datetime.now()
    existing = sorted(folder.glob(f"{AUTO_PREFIX}*.db"))
    made = None
    if not existing or moment - _taken_at(existing[-1]) >= dt.timedelta(days=1):
        made = backup(store, actor, folder / f"{AUTO_PREFIX}{moment:%Y%m%d-%H%M%S}.db")
        existing.append(made)
    for old in existing[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
        anchor_path_for(old).unlink(missing_ok=True)
    return made


def _taken_at(path: Path) -> dt.datetime:
    try:
        return dt.datetime.strptime(path.stem[len(AUTO_PREFIX):], "%Y%m%d-%H%M%S")
    except ValueError:
        return dt.datetime.min


def latest_backup(db_path: Path) -> Path | None:  # file names only: no data is read
    found = sorted(backup_dir_for(db_path).glob(f"{AUTO_PREFIX}*.db"))
    return found[-1] if found else None


def restore(store: Store, actor: Actor, source: Path) -> Path:
    """Replace the database's contents with a backup; the replaced contents are kept first."""
    _may_copy_everything(store, actor)
    if store.path is None:
        raise ValidationError(
            "The shared database is restored on its server by the force's database "
            "administrator (pg_restore), not from this app." if store.dialect.is_postgres
            else "Only a database file can be restored.")
    if not source.exists():
        raise ValidationError(f"There is no backup at {source}.")
    with _read_only_leaves_nothing(source):
        return _restore(store, actor, source)


@contextlib.contextmanager
def _read_only_leaves_nothing(db_file: Path) -> Iterator[None]:
    """A backup is in WAL mode, so reading it left empty -wal and -shm files beside it;
    remove the ones the reading made (no connection to it is open by then; none wrote)."""
    beside = [db_file.with_name(db_file.name + suffix) for suffix in ("-wal", "-shm")]
    there = {path for path in beside if path.exists()}
    try:
        yield
    finally:
        for path in beside:
            if path not in there:
                path.unlink(missing_ok=True)


def _restore(store: Store, actor: Actor, source: Path) -> Path:
    assert store.path is not None  # a file: checked by restore
    try:
        check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            verdict = check.execute("PRAGMA quick_check").fetchone()[0]
            tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master")}
        finally:
            check.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamaged(f"{source} is not a readable backup ({exc}).") from exc
    if verdict != "ok":
        raise DatabaseDamaged(f"The backup {source} is itself damaged: {verdict}")
    if "audit_log" not in tables or "_sqlite_migrations" not in tables:
        raise ValidationError(f"{source} is not a QoS Checks database.")
    stamp = now_iso().replace(":", "")
    kept = backup(store, actor, backup_dir_for(store.path) / f"before-restore-{stamp}.db")
    replaced_head = head_of(store.conn)
    backup_head = head_of_file(source)
    rolled_back = rolled_back_entries(store.conn, backup_head)
    source_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        source_conn.backup(store.conn)
    finally:
        source_conn.close()
    # The trail is now the backup's: say so in it, naming every entry the restore threw away
    # (they are still in `kept`), so verify explains anchors taken since instead of failing.
    store.audit(actor, "restore", "database", None, {
        "from": str(source), "kept": str(kept), "backup_head": backup_head.id,
        "replaced_head": replaced_head.id, "rolled_back": rolled_back})
    return kept
