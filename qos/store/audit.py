"""Checking the audit trail against itself, against the data, and against anchors kept outside.

- Each entry's hash covers the previous entry's hash and its own fields, so editing, inserting
  or deleting an entry breaks the chain.
- Each audited write records the hash of the row it left (see `Store.audit`), so a data row
  changed, inserted or deleted behind the app's back no longer matches the trail.
- Cutting entries off the end leaves a valid but shorter chain: anchors (an entry's id and
  hash) kept outside the database show it. One is taken at every backup (from the copy), every
  export (printed in the workbook) and when the app closes; the file beside the database keeps
  their history, not only the last one.
- A restore rolls the trail back with the data: its entry names the backup and every entry
  rolled back, so anchors taken before the restore are explained, not reported as cut off.
"""
from __future__ import annotations

import gc
import glob
import json
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from qos.clock import now_iso
from qos.errors import ValidationError
from qos.paths import backup_dir_for
from qos.roles import Action, Actor, require
from qos.store.core import Store
from qos.store.file_lock import locked_beside
from qos.store.hashing import HASHED_TABLES, audit_hash, note_hashes
from qos.store.row_check import check_rows

WORKBOOK_MARK = "Audit trail head:"
STRAY_AFTER = 60.0  # seconds before a left-over temporary anchor file is removed


class AnchorError(ValidationError):
    """An anchor file that cannot be read: empty, garbled, or not an anchor at all."""


@dataclass(frozen=True)
class Anchor:
    id: int
    hash: str
    at: str = ""
    why: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "hash": self.hash, "at": self.at, "why": self.why}


@dataclass
class AuditReport:
    entries: int = 0
    rows_checked: int = 0
    anchors_checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # explained, not wrong (a recorded restore)

    @property
    def ok(self) -> bool:
        return not self.problems


def anchor_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".audit-anchor.json")


# -- anchors ------------------------------------------------------------------------------------
def head_of(conn: sqlite3.Connection) -> Anchor:
    row = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return Anchor(int(row[0]), str(row[1]), now_iso()) if row else Anchor(0, "", now_iso())


def latest_anchor(store: Store, actor: Actor) -> Anchor:
    require(actor, Action.VIEW_AUDIT)
    return head_of(store.conn)


def head_of_file(db_file: Path) -> Anchor:
    """The head of a database file's trail (a backup copy), read without changing it."""
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        return head_of(conn)
    finally:
        conn.close()


def write_anchors(path: Path, anchors: Iterable[Anchor]) -> Path:
    """Write the anchor file atomically: a temporary file, fsync, then rename over the old one.

    A kill mid-write leaves the old file or the new one, never an empty or half one.
    """
    body = json.dumps({"anchors": [a.as_json() for a in anchors]}, indent=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    if os.name == "posix":  # the rename itself survives a power cut once the folder is synced
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return path


def add_anchor(path: Path, anchor: Anchor) -> Path:
    """Append `anchor` to the history in `path` (a damaged history is kept aside, not lost).

    One process at a time (a lock file beside the history): two appending at once would
    each write back what it read, and one anchor would be lost.
    """
    with locked_beside(path):
        sweep_strays(path)
        try:
            history = read_anchors(path)
        except AnchorError:
            if path.exists():
                path.replace(path.with_name(f"{path.name}.damaged-{now_iso().replace(':', '')}"))
            history = []
        if history and history[-1].id == anchor.id and history[-1].hash == anchor.hash:
            return path  # nothing new since the last anchor
        return write_anchors(path, [*history, anchor])


def sweep_strays(path: Path, older_than: float = STRAY_AFTER) -> list[Path]:
    """Remove the temporary files a writer killed mid-write left beside `path` (those not
    touched for `older_than` seconds: a live writer's file is seconds old at most)."""
    swept = []
    for stray in path.parent.glob(f"{glob.escape(path.name)}.*.tmp"):
        try:
            if time.time() - stray.stat().st_mtime > older_than:
                stray.unlink()
                swept.append(stray)
        except FileNotFoundError:
            continue  # its writer renamed it, or another sweep got there first
    return swept


def anchor_now(store: Store, actor: Actor, why: str, head: Anchor | None = None) -> Anchor | None:
    """Add the trail's head (or `head`, read earlier) to the store's anchor history: at every
    export, backup and closing. None for a database in memory, which has nowhere to keep it."""
    path = _history_file(store)
    if path is None:
        return None
    head = head or head_of(store.conn)
    anchor = Anchor(head.id, head.hash, head.at or now_iso(), why)
    add_anchor(path, anchor)
    return anchor


def history_path(store: Store, actor: Actor) -> Path | None:
    """Where the store's anchor history is kept (None: a database in memory keeps none)."""
    require(actor, Action.VIEW_AUDIT)
    return _history_file(store)


def _history_file(store: Store) -> Path | None:
    """Where the store's anchor history is kept, outside the database.

    A database file's history is beside it. A shared (PostgreSQL) database has no file to
    sit beside: its history is kept in each user's data folder, named after the server and
    database it came from (never the user name or password), so every computer that exports
    or closes the app keeps an account of the head it saw.
    """
    if store.path is not None:
        return anchor_path_for(store.path)
    if not store.dialect.is_postgres:
        return None
    from psycopg.conninfo import conninfo_to_dict

    from qos import paths

    given = conninfo_to_dict(store.target)
    where = f"{given.get('host') or 'localhost'}-{given.get('port') or 5432}-" \
            f"{given.get('dbname') or given.get('user') or 'postgres'}"
    name = re.sub(r"[^A-Za-z0-9._-]", "_", where)
    return paths.data_dir() / "anchors" / f"postgresql-{name}.audit-anchor.json"


def read_anchors(path: Path) -> list[Anchor]:
    """Anchors from an anchor file (history or the older single anchor) or a summary workbook.

    Raises AnchorError naming what is wrong; never a traceback for a bad file.
    """
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return [_anchor_from_workbook(path)]
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise AnchorError(f"The anchor file {path} cannot be read ({exc}).") from exc
    if not text.strip():
        raise AnchorError(f"The anchor file {path} is empty: it was cut short or emptied.")
    try:
        data = json.loads(text)
        items = data["anchors"] if isinstance(data, dict) and "anchors" in data else [data]
        anchors = [Anchor(int(a["id"]), str(a["hash"]), str(a.get("at", "")),
                          str(a.get("why", ""))) for a in items]
    except (ValueError, KeyError, TypeError) as exc:
        raise AnchorError(f"The anchor file {path} is garbled: it is not a list of audit "
                          f"anchors ({type(exc).__name__}: {exc}).") from exc
    if any(a.id < 0 or (a.id and len(a.hash) != 64) for a in anchors):
        raise AnchorError(f"The anchor file {path} is garbled: an entry's hash is not a hash.")
    return anchors


def workbook_line(anchor: Anchor) -> str:
    return (f"{WORKBOOK_MARK} entry {anchor.id}, hash {anchor.hash}. Check the database this "
            "came from with: python3 main.py audit verify --anchor THIS-FILE.xlsx")


def _anchor_from_workbook(path: Path) -> Anchor:
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise AnchorError(f"There is no workbook at {path}.") from exc
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise AnchorError(f"{path} is not a readable Excel workbook ({exc}).") from exc
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str) and value.startswith(WORKBOOK_MARK):
                        words = value[len(WORKBOOK_MARK):].replace(",", " ").split()
                        try:
                            anchor = Anchor(int(words[1]), words[3].rstrip("."))
                        except (IndexError, ValueError):
                            break
                        if len(anchor.hash) == 64:
                            return anchor
    finally:
        book.close()
    raise AnchorError(f"{path} does not hold an audit anchor: no '{WORKBOOK_MARK}' line in it "
                      "(it was not exported by this version of QoS Checks, or was edited).")


# -- verify -------------------------------------------------------------------------------------
def verify_audit(store: Store, actor: Actor, anchors: Iterable[Anchor] = ()) -> AuditReport:
    """The chain, every checked table's rows against the trail (qos.store.row_check), and
    each anchor; all read in one snapshot."""
    require(actor, Action.VIEW_AUDIT)
    report = AuditReport()
    expected: dict[str, dict[str, str | None]] = {t: {} for t in HASHED_TABLES}
    by_id: dict[int, str] = {}
    rolled_back: dict[tuple[int, str], str] = {}  # (id, hash) -> the restore that explains it
    previous_hash, previous_id = "", 0
    backups = backup_dir_for(store.path) if store.path is not None else None
    with _read_snapshot(store):
        for row in _entries_of(store.conn):
            report.entries += 1
            report.problems += _link_problems(previous_id, previous_hash, row)
            previous_hash, previous_id = row["hash"], row["id"]
            by_id[row["id"]] = row["hash"]
            if '"row_hash' in row["detail"] or row["action"] == "restore":
                _note_entry(row, expected, rolled_back, report.problems, backups)
        check_rows(store, actor, expected, report)
    for anchor in anchors:
        report.anchors_checked += 1
        _check_anchor(anchor, by_id, previous_id, rolled_back, report)
    return report


@contextmanager
def _read_snapshot(store: Store) -> Iterator[None]:
    """One consistent view of the trail and the rows: saves made by others during the check
    are neither seen in the rows nor missing from the trail. The cycle collector is paused
    meanwhile: a million row tuples would set it off again and again (15% of the time)."""
    collecting = gc.isenabled()
    gc.disable()
    began = not store.conn.in_transaction  # else the caller's own transaction is the snapshot
    if began:
        store.conn.execute(store.dialect.begin_snapshot)
    try:
        yield
    finally:
        if collecting:
            gc.enable()
        if began and store.conn.in_transaction:
            store.conn.execute("ROLLBACK")


def _link_problems(previous_id: int, previous_hash: str, row: dict[str, Any]) -> list[str]:
    """What is wrong with `row` as the entry after (previous_id, previous_hash)."""
    problems = []
    if row["id"] != previous_id + 1:
        problems.append(f"entries {previous_id + 1} to {row['id'] - 1} are missing")
    if row["prev_hash"] != previous_hash:
        problems.append(f"entry {row['id']} does not follow on from entry {previous_id} "
                        "(an entry was removed or inserted)")
    if audit_hash(row["prev_hash"], row) != row["hash"]:
        problems.append(f"entry {row['id']} ({row['action']} {row['entity']}) was changed "
                        "after it was written")
    return problems


def _entries_of(conn: Any, from_id: int = 0) -> Iterator[dict[str, Any]]:
    """The trail's entries from `from_id` on, in order, as dicts (a store's or a copy's)."""
    cursor = conn.execute(
        "SELECT id, at, user_id, username, action, entity, entity_id, detail, prev_hash, hash "
        "FROM audit_log WHERE id >= ? ORDER BY id", [from_id])
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def _note_entry(row: dict[str, Any], expected: dict[str, dict[str, str | None]],
                rolled_back: dict[tuple[int, str], str], problems: list[str],
                backups: Path | None) -> None:
    try:
        detail = json.loads(row["detail"])
    except ValueError:
        return  # a changed entry: the chain check has named it already
    if not isinstance(detail, dict):
        return
    note_hashes(expected, row["entity"], row["entity_id"], detail)
    if row["action"] == "restore":
        what = f"the restore of {detail.get('from', 'a backup')} at {row['at']} (entry {row['id']})"
        unconfirmed = _unconfirmed_restore(row, detail, backups)
        if unconfirmed:
            problems.append(f"entry {row['id']} records a restore that cannot be confirmed: "
                            f"{unconfirmed}. It explains no missing entries.")
            return
        for entry_id, entry_hash in detail.get("rolled_back", []):
            rolled_back[(int(entry_id), str(entry_hash))] = what


def _unconfirmed_restore(row: dict[str, Any], detail: dict[str, Any],
                         backups: Path | None) -> str:
    """Why a restore entry cannot be believed, or "" when the copy it kept bears it out.

    The chain's hash has no key, so anyone able to write to the database could append a
    chain-valid "restore" to excuse entries they cut off. A real restore first copies the
    database it replaces (`kept`), so the entries it threw away are still there to read; a
    restore whose kept copy is missing or lacks them explains nothing.
    """
    kept = detail.get("kept")
    rolled = detail.get("rolled_back", [])
    if not isinstance(kept, str) or not isinstance(rolled, list):
        return "it names no copy of the database it replaced"
    if detail.get("backup_head") != row["id"] - 1:
        return (f"it says the backup ended at entry {detail.get('backup_head')}, but the entry "
                f"before it is {row['id'] - 1}")
    if not Path(kept).is_file() and backups is not None \
            and (backups / Path(kept).name).is_file():
        kept = str(backups / Path(kept).name)  # the folder was moved since, backups with it
    if not Path(kept).is_file():
        return f"the copy it kept of the database it replaced, {kept}, is not there"
    try:
        conn = sqlite3.connect(f"file:{kept}?mode=ro", uri=True)
        try:
            entries = list(_entries_of(conn, row["id"] - 1))
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"the copy it kept, {kept}, cannot be read ({exc})"
    # The copy's trail must be this one up to the backup's head, then carry on as one
    # unbroken chain through exactly the entries the restore says it threw away.
    if not entries or entries[0]["id"] != row["id"] - 1 or entries[0]["hash"] != row["prev_hash"]:
        return (f"the copy it kept, {kept}, does not share this trail up to entry "
                f"{row['id'] - 1}")
    for before, entry in pairwise(entries):
        if _link_problems(before["id"], before["hash"], entry):
            return f"the copy it kept, {kept}, has a broken trail at entry {entry['id']}"
    held = [[e["id"], e["hash"]] for e in entries[1:]]
    if held != [[int(i), str(h)] for i, h in rolled]:
        return (f"the copy it kept, {kept}, does not hold exactly the entries it says were "
                "rolled back")
    return ""


def _check_anchor(anchor: Anchor, by_id: dict[int, str], last_id: int,
                  rolled_back: dict[tuple[int, str], str], report: AuditReport) -> None:
    if anchor.id == 0:
        return
    taken = f" (taken {anchor.at}{', ' + anchor.why if anchor.why else ''})" if anchor.at else ""
    if by_id.get(anchor.id) == anchor.hash:
        return
    explained = rolled_back.get((anchor.id, anchor.hash))
    if explained:
        report.notes.append(f"entry {anchor.id}{taken} was rolled back by {explained}")
    elif anchor.id not in by_id:
        report.problems.append(f"the trail ends at entry {last_id}, but entry {anchor.id} was "
                               f"recorded outside the database{taken}: entries were cut off "
                               "the end")
    else:
        report.problems.append(f"entry {anchor.id} no longer matches the hash recorded outside "
                               f"the database{taken}")


def history_problems(store: Store, actor: Actor, path: Path) -> list[str]:
    """What is wrong with the anchor history kept at `path`, beside the trail it anchors.

    Emptying or deleting the history would otherwise pass unnoticed: the next export starts
    a new one. So a history set aside as damaged is named until someone deals with it, and
    every export that anchored itself (its entry says so) must still have its anchor here.
    Only a database file's history holds every export; a shared database's history is per
    computer, so exports made elsewhere are not looked for.
    """
    require(actor, Action.VIEW_AUDIT)
    problems = [f"the anchor history was found damaged and set aside as {aside.name}: the "
                "anchors it held cannot be checked. Find out who emptied or edited it; keep "
                "the file for the record" for aside in sorted(path.parent.glob(
                    path.name + ".damaged-*"))]
    try:
        history = read_anchors(path)
    except AnchorError as exc:
        return [*problems, f"{exc} The anchors it held cannot be checked."]
    if store.path is None:
        return problems
    anchored = sorted(a.id for a in history if a.why.startswith("export "))
    exports = store.conn.execute(
        "SELECT id, detail FROM audit_log WHERE action = 'export' ORDER BY id").fetchall()
    for index, (entry_id, detail) in enumerate(exports):
        try:
            said = json.loads(detail)
        except ValueError:
            continue  # a changed entry: the chain check names it
        if not isinstance(said, dict) or not said.get("anchored"):
            continue  # exported before exports were anchored
        upto = exports[index + 1][0] if index + 1 < len(exports) else None
        if not any(entry_id <= a and (upto is None or a < upto) for a in anchored):
            problems.append(f"the trail records an export at entry {entry_id} "
                            f"({said.get('file', 'a workbook')}) whose anchor is not in the "
                            f"anchor history {path.name}: the history was removed, emptied or "
                            "replaced")
    return problems


def rolled_back_entries(live: sqlite3.Connection, backup_head: Anchor) -> list[list[Any]]:
    """[id, hash] of every live entry after the backup's head: what a restore throws away."""
    return [[r[0], r[1]] for r in live.execute(
        "SELECT id, hash FROM audit_log WHERE id > ? ORDER BY id", [backup_head.id])]
