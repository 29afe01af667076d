"""Every checked table's rows against the hashes the audit trail recorded for them.

Verify reads the trail, then hashes every current row and compares it with the newest hash
the trail holds for that row: one streaming pass per table, the comparison done by dict and
map operations in C, so the cost stays close to reading the rows once.

- Verify runs in one read snapshot (qos.store.audit), so writes made meanwhile by others
  are neither seen in the rows nor missing from the trail.
- A large table of a database file is hashed by several processes, each reading a range of
  ids from the file. They see the file as it is now, not the snapshot, so every row they
  flag, and every row the trail expects that they did not see, is checked again in the
  snapshot before it is named: a save made during verify is never reported.
- A hash recorded before a migration appended a column covers fewer columns (its prefix
  says how many): such a row is rechecked on its own with that many columns.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from itertools import compress, repeat
from multiprocessing import get_context
from operator import itemgetter, ne
from typing import Any, Protocol

from qos.roles import Action, Actor, require
from qos.store.core import Store
from qos.store.hashing import HASHED_TABLES, UNHASHED_SETTINGS, row_hash, row_hashes, slice_hashes

# What a row is called in a report, beside its id.
_LABELS = {"crimes": "crime_ref", "callbacks": "crime_ref", "doorstep_cards": "serial",
           "users": "username", "units": "code", "people": "staff_number",
           "counters": "name", "card_batches": "first_serial"}
MAX_NAMED = 20  # rows named per table and kind of change; the rest are counted
PAGE = 10_000  # rows fetched at a time: memory stays flat on both backends
PARALLEL_FROM = 200_000  # ids in a table before it is split between processes
_MISSING = "missing"


class Findings(Protocol):
    rows_checked: int
    problems: list[str]


def check_rows(store: Store, actor: Actor, expected: dict[str, dict[str, str | None]],
               report: Findings, *, workers: int | None = None) -> None:
    """Name each row changed, inserted or deleted with no matching entry, per table.

    `expected` (table -> key -> newest recorded hash, None for a row the app deleted) is
    consumed. `workers` defaults to the machine's processors (at most 4). Run it inside the
    caller's read snapshot (verify's).
    """
    require(actor, Action.VIEW_AUDIT)
    workers = min(os.cpu_count() or 1, 4) if workers is None else workers
    for table, recorded in expected.items():
        keys, hashes, exact = _current(store, table, workers)
        report.rows_checked += len(keys)
        wanted = list(map(recorded.pop, keys, repeat(_MISSING, len(keys))))
        flagged = list(compress(zip(keys, wanted), map(ne, wanted, hashes)))
        if table == "settings":
            flagged = [f for f in flagged if f[0] not in UNHASHED_SETTINGS]
        # What the trail expects and the scan did not see: deleted, or (seen by a worker
        # after the snapshot) deleted since by the app.
        gone = [(key, hashed) for key, hashed in recorded.items() if hashed is not None]
        if not exact:
            flagged += gone
            gone = []
        changed, inserted, deleted = _recheck(store, table, flagged)
        deleted += [key for key, _ in gone]
        for kind, names in (("changed", changed), ("inserted", inserted), ("deleted", deleted)):
            if names:
                report.problems.append(_rows_problem(table, kind, names))


def _current(store: Store, table: str, workers: int) -> tuple[list[str], list[str], bool]:
    """Every row's key and full-width hash; True when all were read in the snapshot."""
    key = HASHED_TABLES[table]
    if key == "id" and workers > 1 and store.path is not None and not store.dialect.is_postgres:
        low, high = store.conn.execute(f"SELECT MIN(id), MAX(id) FROM {table}").fetchone()
        if low is not None and high - low + 1 >= PARALLEL_FROM:
            return (*_in_processes(store, table, low, high + 1, workers), False)
    keys: list[str] = []
    hashes: list[str] = []
    _scan(store, table, key, keys, hashes)
    return keys, hashes, True


def _scan(store: Store, table: str, key: str, keys: list[str], hashes: list[str],
          below: int | None = None) -> None:
    """Keys and hashes of the rows (those with key < `below`), in keyset pages: PostgreSQL
    would otherwise hold the whole table in memory."""
    last: Any = None
    while True:
        where = [f"{key} > ?"] * (last is not None) + [f"{key} < ?"] * (below is not None)
        params = [last] * (last is not None) + [below] * (below is not None)
        cursor = store.conn.execute(
            f"SELECT * FROM {table}{' WHERE ' if where else ''}{' AND '.join(where)} "
            f"ORDER BY {key} LIMIT {PAGE}", params)
        rows = cursor.fetchall()
        if not rows:
            return
        keys.extend(map(str, map(itemgetter(0), rows)))
        hashes.extend(row_hashes(rows, len(cursor.description)))
        last = rows[-1][0]


def _in_processes(store: Store, table: str, low: int, high: int,
                  workers: int) -> tuple[list[str], list[str]]:
    """The first range read here (in the snapshot), the others by worker processes."""
    step = -(-(high - low) // workers)
    starts = range(low + step, high, step)
    keys: list[str] = []
    hashes: list[str] = []
    if not starts:  # too few ids to share out
        _scan(store, table, "id", keys, hashes)
        return keys, hashes
    # spawn, not fork: the app may have threads running (a fork copies their locks).
    with ProcessPoolExecutor(len(starts), mp_context=get_context("spawn")) as pool:
        parts = pool.map(slice_hashes, repeat(str(store.path)), repeat(table), starts,
                         [min(s + step, high) for s in starts])
        _scan(store, table, "id", keys, hashes, below=low + step)
        for joined_keys, joined_hashes in parts:
            if joined_keys:
                keys += joined_keys.split("\n")
                hashes += joined_hashes.split("\n")
    return keys, hashes


def _recheck(store: Store, table: str, flagged: list[tuple[str, str | None]]
             ) -> tuple[list[str], list[str], list[str]]:
    """The flagged rows looked at one by one in the snapshot: changed, inserted, deleted."""
    changed: list[str] = []
    inserted: list[str] = []
    deleted: list[str] = []
    key = HASHED_TABLES[table]
    label = _LABELS.get(table)
    for start in range(0, len(flagged), 500):
        part = dict(flagged[start:start + 500])
        # An id that is not a number (an edited entry) names no row: asked for as -1.
        cursor = store.conn.execute(
            f"SELECT * FROM {table} WHERE {key} IN ({', '.join('?' * len(part))})",
            [(int(k) if k.isdigit() else -1) if key == "id" else k for k in part])
        names = [d[0] for d in cursor.description]
        label_at = names.index(label) if label in names else None
        found = {str(values[0]): values for values in cursor.fetchall()}
        for found_key, hashed in part.items():  # in the order flagged: the table's order
            values = found.get(found_key)
            if values is None:  # deleted, or inserted by the app after the snapshot
                if hashed not in (None, _MISSING):
                    deleted.append(found_key)
                continue
            name = f"{found_key} ({values[label_at]})" if label_at is not None else found_key
            if hashed == _MISSING:
                inserted.append(name)
            elif not _matches(values, hashed):
                changed.append(name)
    return changed, inserted, deleted


def _matches(values: tuple[Any, ...], hashed: object) -> bool:
    """Whether the row is the one `hashed` recorded, over as many columns as it covered.
    Anything but a '<columns>:<hash>' string (an edited entry) matches nothing."""
    width, _, _ = str(hashed).partition(":")
    return (isinstance(hashed, str) and width.isdigit()
            and row_hash(values[:int(width)]) == hashed)


def _rows_problem(table: str, kind: str, rows: list[str]) -> str:
    shown = ", ".join(rows[:MAX_NAMED])
    more = f" and {len(rows) - MAX_NAMED:,} more" if len(rows) > MAX_NAMED else ""
    plural = "row" if len(rows) == 1 else "rows"
    return (f"{table}: {plural} {shown}{more} {kind} outside the app "
            "(no matching audit entry)")
