"""Every checked table's rows against the hashes the audit trail recorded for them.

Verify reads the trail, then hashes every current row and compares it with the newest hash
the trail holds for that row: one streaming pass per table in keyset pages, the hashing and
the comparison done by map operations in C, so the cost stays close to reading the rows once
(bench/audit_verify.py: 4.7 s at a million crimes against 2.9 s for a plain read). One
process: splitting a table between two processes took 6.0 s against 7.9 s in one with
the older hash, for much extra code; the v2 row hash (migration 0026) and having SQLite
write each row's JSON gained more.

- Verify runs in one read snapshot (qos.store.audit), so writes made meanwhile by others
  are neither seen in the rows nor missing from the trail.
- A hash recorded before a migration appended a column covers fewer columns (its prefix
  says how many), and one recorded before 0026 is in the older format: such a row is
  rechecked on its own.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from itertools import compress, repeat
from operator import itemgetter, ne
from typing import Any, Protocol

from qos.roles import Action, Actor, require
from qos.store.core import Store
from qos.store.hashing import (
    HASHED_TABLES,
    UNHASHED_SETTINGS,
    json_hashes,
    matches,
    row_hashes,
)

# What a row is called in a report, beside its id.
_LABELS = {"crimes": "crime_ref", "callbacks": "crime_ref", "doorstep_cards": "serial",
           "users": "username", "units": "code", "people": "staff_number",
           "counters": "name", "card_batches": "first_serial"}
MAX_NAMED = 20  # rows named per table and kind of change; the rest are counted
PAGE = 10_000  # rows fetched at a time: memory stays flat on both backends
_MISSING = "missing"


class Findings(Protocol):
    rows_checked: int
    problems: list[str]


def check_rows(store: Store, actor: Actor, expected: dict[str, dict[str, str | None]],
               report: Findings) -> None:
    """Name each row changed, inserted or deleted with no matching entry, per table.

    `expected` (table -> key -> newest recorded hash, None for a row the app deleted) is
    consumed. Run it inside the caller's read snapshot (verify's).
    """
    require(actor, Action.VIEW_AUDIT)
    exists = store.dialect.table_exists_sql
    for table, recorded in expected.items():
        # Every checked table exists once migrated: a missing one was dropped behind the
        # app's back. Asked first: a failed read would end PostgreSQL's snapshot.
        if not store.conn.execute(exists, [table]).fetchone():
            gone = sum(hashed is not None for hashed in recorded.values())
            report.problems.append(f"{table}: the table is missing (dropped outside the app); "
                                   f"the trail records {gone:,} row{'' if gone == 1 else 's'} "
                                   "in it")
            continue
        flagged: list[tuple[str, str | None]] = []
        for keys, hashes in _pages(store, table):
            report.rows_checked += len(keys)
            wanted = list(map(recorded.pop, keys, repeat(_MISSING, len(keys))))
            flagged += compress(zip(keys, wanted), map(ne, wanted, hashes))
        if table == "settings":
            flagged = [f for f in flagged if f[0] not in UNHASHED_SETTINGS]
        changed, inserted = _recheck(store, table, flagged)
        # What the trail expects and the scan did not see, unless the app deleted it.
        deleted = [key for key, hashed in recorded.items() if hashed is not None]
        for kind, names in (("changed", changed), ("inserted", inserted), ("deleted", deleted)):
            if names:
                report.problems.append(_rows_problem(table, kind, names))


def _pages(store: Store, table: str) -> Iterator[tuple[list[str], list[str]]]:
    """Keys and hashes of the table's rows, a page at a time, in keyset pages: PostgreSQL
    would otherwise hold the whole table in memory.

    On SQLite, each row's JSON is written by json_array() and its key cast to text in SQL:
    two Python objects a row instead of one per column, about 40% cheaper than SELECT *.
    Not for a table that may hold a real number (`_json_columns`), nor for a page holding a
    BLOB (json_array refuses it): those are read as rows and written as JSON in Python,
    which gives the same hashes.
    """
    key = HASHED_TABLES[table]
    columns = _json_columns(store, table)
    last: Any = None
    while True:
        after = "" if last is None else f" WHERE {key} > ?"
        params = [] if last is None else [last]
        rows: list[Any] = []
        if columns:
            try:
                rows = store.conn.execute(
                    f"SELECT CAST({key} AS TEXT), json_array({', '.join(columns)}) "
                    f"FROM {table}{after} ORDER BY {key} LIMIT {PAGE}", params).fetchall()
            except sqlite3.OperationalError:  # a BLOB: this page is read as rows
                rows = []
            else:
                if not rows:
                    return
                keys = list(map(itemgetter(0), rows))
                yield keys, json_hashes(map(itemgetter(1), rows), len(columns))
                last = int(keys[-1]) if key == "id" else keys[-1]
                continue
        rows, names = _read(store, f"SELECT * FROM {table}{after} ORDER BY {key} LIMIT {PAGE}",
                            params)
        if not rows:
            return
        yield list(map(str, map(itemgetter(0), rows))), row_hashes(rows, len(names))
        last = rows[-1][0]


def _read(store: Store, sql: str, params: list[Any]) -> tuple[list[Any], list[str]]:
    """The rows and their column names. Text that is not UTF-8 can only have been written
    behind the app's back (it writes valid text alone) and stops SQLite's reader: such a
    page is read again with U+FFFD for the bad bytes, so its row is named as changed instead."""
    def fetch() -> tuple[list[Any], list[str]]:
        cursor = store.conn.execute(sql, params)
        return cursor.fetchall(), [d[0] for d in cursor.description]

    try:
        return fetch()
    except sqlite3.OperationalError as exc:
        if "decode" not in str(exc) or store.dialect.is_postgres:
            raise
    plain = store.conn.text_factory
    store.conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
    try:
        return fetch()
    finally:
        store.conn.text_factory = plain


def _json_columns(store: Store, table: str) -> list[str]:
    """The table's columns, quoted, when SQLite can write its rows' JSON exactly; else none.

    Only columns of INTEGER or TEXT affinity, and no real number in them (a TEXT column
    turns numbers into text; an INTEGER one keeps a fraction as a real). SQLite writes a
    real to 15 digits, so a change past them would not show.
    """
    if store.dialect.is_postgres:
        return []
    info = store.conn.execute(store.dialect.columns_sql(table)).fetchall()
    quoted = {str(c[1]): '"' + str(c[1]).replace('"', '""') + '"' for c in info}
    integer = [quoted[str(c[1])] for c in info if "INT" in str(c[2]).upper()]
    text = [c for c in info if any(t in str(c[2]).upper() for t in ("CHAR", "CLOB", "TEXT"))]
    if len(integer) + len(text) < len(info):
        return []
    # Any real makes the sum real (so does an overflow: then Python hashes, needlessly but
    # right); a third cheaper than asking each column's type.
    total = " + ".join(f"coalesce({column}, 0)" for column in integer)
    if total and store.conn.execute(
            f"SELECT 1 FROM {table} WHERE typeof({total}) = 'real' LIMIT 1").fetchone():
        return []
    return list(quoted.values())


def _recheck(store: Store, table: str, flagged: list[tuple[str, str | None]]
             ) -> tuple[list[str], list[str]]:
    """The flagged rows looked at one by one: changed (no hash recorded matches, in either
    format or over fewer columns) and inserted (none recorded)."""
    changed: list[str] = []
    inserted: list[str] = []
    key = HASHED_TABLES[table]
    label = _LABELS.get(table)
    for start in range(0, len(flagged), 500):
        part = dict(flagged[start:start + 500])
        rows, names = _read(store, f"SELECT * FROM {table} WHERE {key} IN "
                        f"({', '.join('?' * len(part))})",
                        [int(k) if key == "id" else k for k in part])
        label_at = names.index(label) if label in names else None
        found = {str(values[0]): values for values in rows}
        for found_key, hashed in part.items():  # in the order flagged: the table's order
            values = found[found_key]  # the same snapshot as the scan: still there
            name = f"{found_key} ({values[label_at]})" if label_at is not None else found_key
            if hashed == _MISSING:
                inserted.append(name)
            elif not matches(values, hashed):
                changed.append(name)
    return changed, inserted


def _rows_problem(table: str, kind: str, rows: list[str]) -> str:
    shown = ", ".join(rows[:MAX_NAMED])
    more = f" and {len(rows) - MAX_NAMED:,} more" if len(rows) > MAX_NAMED else ""
    plural = "row" if len(rows) == 1 else "rows"
    return (f"{table}: {plural} {shown}{more} {kind} outside the app "
            "(no matching audit entry)")
