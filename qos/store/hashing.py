"""The hashes behind the audit trail: of each entry (the chain) and of each data row.

Kept apart from core.py so the schema migrations can use them without importing the store.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import partial
from operator import methodcaller
from typing import Any

# The tables checked since migration 0031 (before it an INSERT of victim updates moved the
# due list and verify said intact). The four keyed by several columns were given an id first
# column by 0031, their old key kept UNIQUE.
CHECKED_SINCE_0031 = ("victim_updates", "call_attempts", "official_survey", "templates",
                      "calibration_scores", "import_mappings")
# The tables `audit verify` compares row by row with the trail, and the column naming a row
# (always the first column). Every table holding records or settings is checked; left out:
# - code_duties, code_duties_stale, code_duties_seen: derived from crimes and victim_updates
#   (both checked), rebuilt by the app itself (qos/store/duties.py);
# - visit_drafts: a volunteer's unsaved form, thrown away when the visit is saved;
# - audit_log: the trail itself, checked by its hash chain;
# - _sqlite_migrations: the migration runner's own record (the schema's, not the data's).
HASHED_TABLES: dict[str, str] = {
    table: "id" for table in (
        "units", "people", "counters", "users", "crimes", "sample_draws", "sample_items",
        "callbacks", "debriefs", "card_batches", "doorstep_cards", "bureau_calls",
        "remedial_actions", "pcso_visits", "informal_complaints", "scenarios", "visit_plan",
        "visits", "calibrations",
        # Issue 19's routines (tables made after 0015: empty when first created).
        "closure_remedies", "dip_checks", "dip_check_items", "call_calibrations",
        "call_evaluations", "np_card_batches", "np_card_returns",
        "card_handouts",  # issue 14: Doorstep cards left with victims
        *CHECKED_SINCE_0031)
} | {"settings": "key"}
# Settings the app keeps for itself (not a force's choice), written without an entry.
UNHASHED_SETTINGS = ("code_duties_basis",)


def _tagged(value: object) -> object:
    """A value JSON has no type for (a BLOB written behind the app's back, a date from a
    driver), tagged with its type: it can never read as the same text."""
    return {type(value).__name__: value.hex() if isinstance(value, bytes) else str(value)}


# The row as compact JSON: the same text SQLite's json_array() gives for integers, text and
# NULL (tests/test_audit_rehash.py), so verify can have SQLite write it (row_check.py).
row_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_tagged).encode
_digest = partial(hashlib.blake2b, digest_size=16)


def row_hash(values: Sequence[Any]) -> str:
    """'v2:<columns>:<digest>' of a row as SELECT * returns it.

    The digest is BLAKE2b-128 of the row as compact JSON (`row_json`): JSON reads back to
    exactly the values (floats as Python's shortest exact form), so two different rows never
    give the same text, and SQLite can write that text itself, cheaper than building Python
    objects for every column. Before migration 0026 the hash was sha256 over repr().
    The column count lets a later migration that appends a column keep old hashes valid:
    verify hashes only the first <columns> values. Rows carry a random uuid, so a hash gives
    no way to guess an erased name or phone number.
    """
    return f"v2:{len(values)}:{_digest(row_json(tuple(values)).encode()).hexdigest()}"


def row_hashes(rows: Iterable[tuple[Any, ...]], width: int) -> list[str]:
    """`row_hash` of each of `rows` (all `width` wide)."""
    return json_hashes(map(row_json, rows), width)


def json_hashes(texts: Iterable[str], width: int) -> list[str]:
    """`row_hash` of each row given as its `row_json` text, with no Python code run per
    row: a chain of C-level maps costs about half of a loop."""
    digests = map(methodcaller("hexdigest"), map(_digest, map(methodcaller("encode"), texts)))
    return list(map(f"v2:{width}:".__add__, digests))


def legacy_row_hash(values: Sequence[Any]) -> str:
    """'<columns>:<sha256>' of a row: the hash entries recorded before migration 0026."""
    return f"{len(values)}:{hashlib.sha256(repr(tuple(values)).encode()).hexdigest()[:32]}"


def matches(values: tuple[Any, ...], hashed: object) -> bool:
    """Whether the row is the one `hashed` recorded (in either format), over as many columns
    as it covered. Anything but a hash (an edited entry) matches nothing."""
    if not isinstance(hashed, str):
        return False
    head, _, rest = hashed.partition(":")
    if head == "v2":
        width = rest.partition(":")[0]
        return width.isdigit() and row_hash(values[:int(width)]) == hashed
    return head.isdigit() and legacy_row_hash(values[:int(head)]) == hashed


def note_hashes(expected: dict[str, dict[str, str | None]], entity: str,
                entity_id: str | None, detail: object) -> None:
    """Record in `expected` (table -> key -> newest hash) the row hashes an entry holds."""
    table = expected.get(entity)
    if table is None or not isinstance(detail, dict):
        return
    if "row_hash" in detail and entity_id is not None:
        table[str(entity_id)] = detail["row_hash"]
    if isinstance(detail.get("row_hashes"), dict):
        table.update(detail["row_hashes"])


AUDIT_FIELDS = ("at", "user_id", "username", "action", "entity", "entity_id", "detail")


def audit_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    payload = json.dumps([prev_hash, *[entry[f] for f in AUDIT_FIELDS]], default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def baseline(conn: sqlite3.Connection, at: str, tables: Iterable[str] | None = None) -> None:
    """One 'row hashes baseline' entry per 5,000 existing rows of each checked table (or of
    `tables` among them)."""
    prev = _head(conn)
    wanted = set(HASHED_TABLES if tables is None else tables)
    for table in (t for t in _existing(conn) if t in wanted):
        for rows in _pages(conn, table):
            prev = _append(conn, prev, at, "row hashes baseline", table,
                           {str(r[0]): row_hash(r) for r in rows})


def rehash(conn: sqlite3.Connection, at: str) -> None:
    """Re-record in the v2 format (migration 0026) the hash of every row that matches the
    older hash the trail holds for it, one entry per 5,000 rows.

    Only rows that match: a row changed, inserted or deleted behind the app's back before
    the upgrade keeps its old expectation (or none), so verify still names it.
    """
    expected: dict[str, dict[str, str | None]] = {t: {} for t in HASHED_TABLES}
    for entity, entity_id, detail in conn.execute(
            "SELECT entity, entity_id, detail FROM audit_log WHERE detail LIKE '%\"row_hash%' "
            "ORDER BY id"):
        try:
            note_hashes(expected, entity, entity_id, json.loads(detail))
        except ValueError:
            continue  # a garbled entry: verify names it
    prev = _head(conn)
    for table in _existing(conn):
        recorded = expected[table]
        if not any(isinstance(h, str) and not h.startswith("v2:") for h in recorded.values()):
            continue
        for rows in _pages(conn, table):
            hashes: dict[str, str] = {}
            for row in rows:
                old = recorded.get(str(row[0]))
                if isinstance(old, str) and not old.startswith("v2:") and matches(row, old):
                    hashes[str(row[0])] = row_hash(row)
            if hashes:
                prev = _append(conn, prev, at, "row hashes in the v2 format", table, hashes)


def _head(conn: sqlite3.Connection) -> str:
    return str((conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
                or [""])[0])


def _existing(conn: sqlite3.Connection) -> Iterator[str]:
    """The checked tables this database has (one made by a later migration starts empty)."""
    from qos.store.dialect import dialect_of

    exists = dialect_of(conn).table_exists_sql
    return (t for t in HASHED_TABLES if conn.execute(exists, [t]).fetchone())


def _pages(conn: sqlite3.Connection, table: str) -> Iterator[list[tuple[Any, ...]]]:
    """The table's rows in key order, 5,000 at a time, in keyset pages (PostgreSQL would
    otherwise hold a million rows in memory)."""
    key = HASHED_TABLES[table]
    rows = conn.execute(f"SELECT * FROM {table} ORDER BY {key} LIMIT 5000").fetchall()
    while rows:
        yield rows
        rows = conn.execute(f"SELECT * FROM {table} WHERE {key} > ? ORDER BY {key} LIMIT 5000",
                            [rows[-1][0]]).fetchall()


def _append(conn: sqlite3.Connection, prev: str, at: str, action: str, table: str,
            hashes: dict[str, str]) -> str:
    """Append one entry recording `hashes` after the entry whose hash is `prev`; its hash."""
    entry = {"at": at, "user_id": None, "username": None, "action": action, "entity": table,
             "entity_id": None, "detail": json.dumps({"row_hashes": hashes}, sort_keys=True)}
    entry["prev_hash"] = prev
    entry["hash"] = hashed = audit_hash(prev, entry)
    conn.execute(f"INSERT INTO audit_log ({', '.join(entry)}) "
                 f"VALUES ({', '.join('?' * len(entry))})", list(entry.values()))
    return hashed
