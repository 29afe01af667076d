"""Checking the hash-chained audit trail, and the anchor that is kept outside the database.

Each entry's hash covers the previous entry's hash and its own fields, so editing, inserting or
deleting a row breaks the chain. Cutting rows off the end leaves a valid but shorter chain:
the anchor (the last id and hash, written beside the database and with each backup) shows it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from qos.store.core import Store, audit_hash


@dataclass
class AuditReport:
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def anchor_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".audit-anchor.json")


def latest_anchor(store: Store) -> dict[str, object]:
    row = store.row("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
    return {"id": row["id"], "hash": row["hash"]} if row else {"id": 0, "hash": ""}


def write_anchor(store: Store, path: Path) -> Path:
    path.write_text(json.dumps(latest_anchor(store)), encoding="utf-8")
    return path


def verify_audit(store: Store, anchor: dict[str, object] | None = None) -> AuditReport:
    report = AuditReport()
    previous_hash = ""
    previous_id = 0
    by_id: dict[int, str] = {}
    cursor = store.conn.execute(
        "SELECT id, at, user_id, username, action, entity, entity_id, detail, prev_hash, hash "
        "FROM audit_log ORDER BY id")
    names = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        report.entries += 1
        if row["id"] != previous_id + 1:
            report.problems.append(f"entries {previous_id + 1} to {row['id'] - 1} are missing")
        if row["prev_hash"] != previous_hash:
            report.problems.append(f"entry {row['id']} does not follow on from entry "
                                   f"{previous_id} (an entry was removed or inserted)")
        if audit_hash(row["prev_hash"], row) != row["hash"]:
            report.problems.append(f"entry {row['id']} ({row['action']} {row['entity']}) "
                                   "was changed after it was written")
        previous_hash, previous_id = row["hash"], row["id"]
        by_id[row["id"]] = row["hash"]
    if anchor and int(anchor.get("id", 0) or 0):
        anchored_id = int(anchor["id"])  # type: ignore[call-overload]
        if anchored_id not in by_id:
            report.problems.append(f"the trail ends at entry {previous_id}, but entry "
                                   f"{anchored_id} was recorded outside the database: "
                                   "entries were cut off the end")
        elif by_id[anchored_id] != anchor.get("hash"):
            report.problems.append(f"entry {anchored_id} no longer matches the hash recorded "
                                   "outside the database")
    return report


def read_anchor(path: Path) -> dict[str, object] | None:
    if not path.exists():
        return None
    return dict(json.loads(path.read_text(encoding="utf-8")))
