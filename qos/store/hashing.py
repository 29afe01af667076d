"""The hashes behind the audit trail: of each entry (the chain) and of each data row.

Kept apart from core.py so the schema migrations can use them without importing the store.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from operator import itemgetter, methodcaller
from typing import Any

# The tables `audit verify` compares row by row with the trail, and the column naming a row
# (always the first column).
# Derived tables (code_duties, victim_updates' deadlines) and drafts are left out: they are
# rebuilt or thrown away by the app itself.
HASHED_TABLES: dict[str, str] = {
    table: "id" for table in (
        "units", "people", "counters", "users", "crimes", "sample_draws", "sample_items",
        "callbacks", "debriefs", "card_batches", "doorstep_cards", "bureau_calls",
        "remedial_actions", "pcso_visits", "informal_complaints", "scenarios", "visit_plan",
        "visits", "calibrations",
        # Issue 19's routines (tables made after 0015: empty when first created).
        "closure_remedies", "dip_checks", "dip_check_items", "call_calibrations",
        "call_evaluations", "np_card_batches", "np_card_returns",
        "card_handouts")  # issue 14: Doorstep cards left with victims
} | {"settings": "key"}
# Settings the app keeps for itself (not a force's choice), written without an entry.
UNHASHED_SETTINGS = ("code_duties_basis",)


def row_hash(values: Sequence[Any]) -> str:
    """'<columns>:<sha256>' of a row as SELECT * returns it.

    The column count lets a later migration that appends a column keep old hashes valid:
    verify hashes only the first <columns> values. Rows carry a random uuid, so a hash gives
    no way to guess an erased name or phone number.
    """
    return f"{len(values)}:{hashlib.sha256(repr(tuple(values)).encode()).hexdigest()[:32]}"


def row_hashes(rows: Sequence[Sequence[Any]], width: int) -> list[str]:
    """`row_hash` of each of `rows` (all `width` wide), with no Python code run per row.

    Verify hashes every checked row: a chain of C-level maps costs about half of a loop.
    """
    digests = map(methodcaller("hexdigest"), map(hashlib.sha256, map(
        methodcaller("encode"), map(repr, rows))))  # rows are tuples on both backends
    return list(map(f"{width}:".__add__, map(itemgetter(slice(0, 32)), digests)))


def slice_hashes(db_file: str, table: str, low: int, high: int) -> tuple[str, str]:
    """Keys and hashes of `table`'s rows with low <= id < high, read from the file itself.

    Run in a worker process by verify on a large table (qos.store.row_check); it opens the
    file read-only. Returned as two newline-joined strings: one cheap copy back, not 2M
    objects pickled.
    """
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        cursor = conn.execute(f"SELECT * FROM {table} WHERE id >= ? AND id < ?", [low, high])
        width = len(cursor.description)
        keys: list[str] = []
        hashes: list[str] = []
        while rows := cursor.fetchmany(10_000):
            keys.extend(map(str, map(itemgetter(0), rows)))
            hashes.extend(row_hashes(rows, width))
    finally:
        conn.close()
    return "\n".join(keys), "\n".join(hashes)


AUDIT_FIELDS = ("at", "user_id", "username", "action", "entity", "entity_id", "detail")


def audit_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    payload = json.dumps([prev_hash, *[entry[f] for f in AUDIT_FIELDS]], default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def baseline(conn: sqlite3.Connection, at: str) -> None:
    """One 'row hashes baseline' entry per 5,000 existing rows of each checked table."""
    from qos.store.dialect import dialect_of

    prev = (conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
            or [""])[0]
    for table in HASHED_TABLES:
        if not conn.execute(dialect_of(conn).table_exists_sql, [table]).fetchone():
            continue  # made by a later migration, so it starts empty
        cursor = conn.execute(f"SELECT * FROM {table} ORDER BY 1")
        while rows := cursor.fetchmany(5000):
            hashes = {str(r[0]): row_hash(r) for r in rows}
            entry = {"at": at, "user_id": None, "username": None,
                     "action": "row hashes baseline", "entity": table, "entity_id": None,
                     "detail": json.dumps({"row_hashes": hashes}, sort_keys=True)}
            entry["prev_hash"] = prev
            entry["hash"] = prev = audit_hash(prev, entry)
            conn.execute(f"INSERT INTO audit_log ({', '.join(entry)}) "
                         f"VALUES ({', '.join('?' * len(entry))})", list(entry.values()))
