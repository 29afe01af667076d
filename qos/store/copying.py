"""Copying a local SQLite store into the force's shared PostgreSQL database, whole.

Every row of every table keeps its id (so the audit trail's entries, which name rows by id,
and every row hash still match): `audit verify` passes on the copy. The target must be new:
copying into a database that already holds a force is refused, never merged.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qos.errors import ValidationError
from qos.roles import Action, Actor, require
from qos.store.core import Store

Progress = Callable[[str, int], None]
# Rows the migrations themselves write into a new database; the copy brings the source's.
_MADE_BY_MIGRATIONS = ("settings", "code_duties_seen", "audit_log")
# Kept up to date by triggers while other tables are copied: copied last, after clearing.
_TRIGGER_FED = ("code_duties_stale",)


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _tables_in_order(source: Store) -> list[str]:
    """Tables ordered so each comes after the tables its foreign keys point at."""
    names = [r[0] for r in source.conn.execute(source.dialect.tables_sql)
             if not str(r[0]).startswith("_")]
    needs = {name: {str(fk[2]) for fk in source.conn.execute(
        f"PRAGMA foreign_key_list({name})")} - {name} for name in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and needs[n] <= set(ordered)]
        if not ready:
            raise ValidationError("The tables' foreign keys form a loop; cannot order the copy.")
        ordered.extend(sorted(ready))
    return ordered


def _self_reference(source: Store, table: str) -> str | None:
    for fk in source.conn.execute(f"PRAGMA foreign_key_list({table})"):
        if fk[2] == table:
            return str(fk[3])
    return None


def _foreign_tables(target: Store, ours: Iterable[str]) -> list[str]:
    """Tables in the target's schema that are not QoS Checks' own (a payroll table...): a
    database in use for something else, which the copy must not add a force to."""
    known = set(ours)
    return sorted(str(r[0]) for r in target.conn.execute(target.dialect.tables_sql)
                  if not str(r[0]).startswith("_") and str(r[0]) not in known)


def _refuse_foreign(target: Store, ours: Iterable[str]) -> None:
    foreign = _foreign_tables(target, ours)
    if foreign:
        raise ValidationError(
            f"{target.target} already holds data: its schema has tables that are not QoS "
            f"Checks' ({', '.join(foreign[:5])}{', ...' if len(foreign) > 5 else ''}). The "
            "copy only goes into a new, empty database (or one server-setup made); ask the "
            "database administrator for one.")


def _holds_data(store: Store) -> bool:
    """Anything beyond what the migrations write into a new database (settings they make,
    and the trail's baseline entries about them) is a force's data."""
    return bool(store.scalar("SELECT 1 FROM users LIMIT 1")
                or store.scalar("SELECT 1 FROM crimes LIMIT 1")
                or store.scalar("SELECT 1 FROM audit_log WHERE user_id IS NOT NULL LIMIT 1"))


def copy_store(source: Store, target: Store, actor: Actor,
               progress: Progress | None = None) -> CopyReport:
    """Copy everything in `source` (SQLite) into the new, empty `target` (PostgreSQL)."""
    require(actor, Action.MANAGE_USERS)
    if source.dialect.is_postgres or not target.dialect.is_postgres:
        raise ValidationError("The copy goes from a local database file to a shared "
                              "PostgreSQL database.")
    tables = _tables_in_order(source)
    _refuse_foreign(target, tables)
    if _holds_data(target):
        raise ValidationError(
            f"{target.target} already holds data. The copy only goes into a new, empty "
            "database, so nothing there is overwritten or mixed; ask the database "
            "administrator for a new one.")
    report = CopyReport()
    target_tables = {r[0] for r in target.conn.execute(target.dialect.tables_sql)}
    missing = [t for t in tables if t not in target_tables]
    if missing:
        raise ValidationError(f"The shared database lacks the tables {', '.join(missing)}: "
                              "is it on an older version of QoS Checks?")
    with target.write():
        # One long statement per table: a force's million crimes take minutes, past the
        # time limit every call has (for this transaction only).
        target.execute("SET LOCAL statement_timeout = 0")
        # The trail is copied entry for entry, ids and all, in place of the new database's
        # own baseline: its append-only and id triggers are off inside this transaction only.
        target.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
        for table in (*_MADE_BY_MIGRATIONS, *_TRIGGER_FED):
            target.execute(f"DELETE FROM {table}")
        for table in [t for t in tables if t not in _TRIGGER_FED] + list(_TRIGGER_FED):
            if table in _TRIGGER_FED:
                target.execute(f"DELETE FROM {table}")
            report.rows[table] = _copy_table(source, target, table)
            if progress:
                progress(table, report.rows[table])
        target.execute("ALTER TABLE audit_log ENABLE TRIGGER USER")
        for table in tables:  # new rows made in the app carry on after the copied ids
            if target.scalar("SELECT 1 FROM information_schema.columns WHERE table_schema = "
                             "current_schema() AND table_name = ? AND column_name = 'id' "
                             "AND is_identity = 'YES'", [table]):
                target.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"GREATEST((SELECT MAX(id) FROM {table}), 1))")
    # Fresh statistics now, not when autovacuum gets round to it: without them the planner
    # guesses at a million rows and the first month's export scans whole tables. VACUUM
    # too: it marks the copied pages all-visible, which the month's index-only reads of
    # code_duties need (else each row is looked up in the table as well).
    target.conn.execute("SET statement_timeout = 0")
    try:
        target.conn.execute("VACUUM (ANALYZE)")
    finally:
        target.conn.execute("RESET statement_timeout")  # back to the session's own limit
    return report


def _copy_table(source: Store, target: Store, table: str) -> int:
    cursor = source.conn.execute(f"SELECT * FROM {table}")
    columns = [d[0] for d in cursor.description]
    parent = _self_reference(source, table)
    rows: Iterable[tuple[Any, ...]] = cursor  # streamed: a million crimes never all in memory
    if parent is not None:  # e.g. people's line managers: managers before their staff
        rows = _parents_first(cursor.fetchall(), columns, parent)
    counted = _Counted(rows)
    # COPY, not INSERTs: a force's million crimes and their deadlines go over in minutes,
    # not an hour. It runs inside the copy's one transaction, triggers and all.
    target.conn.copy_rows(table, columns, counted)
    return counted.n


class _Counted:
    """Rows passed on one by one, counted on the way."""

    def __init__(self, rows: Iterable[tuple[Any, ...]]):
        self.rows, self.n = rows, 0

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for row in self.rows:
            self.n += 1
            yield row


def _parents_first(rows: list[tuple[Any, ...]], columns: list[str],
                   column: str) -> list[tuple[Any, ...]]:
    key, ref = columns.index("id"), columns.index(column)
    placed: set[Any] = set()
    ordered: list[tuple[Any, ...]] = []
    waiting = rows
    while waiting:
        ready = [r for r in waiting if r[ref] is None or r[ref] in placed or r[ref] == r[key]]
        if not ready:
            raise ValidationError(f"Rows of the table refer to each other in a loop ({column}).")
        ordered.extend(ready)
        placed.update(r[key] for r in ready)
        waiting = [r for r in waiting if r[key] not in placed]
    return ordered


def copy_file_to_server(source_path: Path, url: str, actor: Actor) -> CopyReport:
    """The whole copy: `actor` (an administrator of the source, signed in there) copies a
    source whose trail verifies into a new database, and the target's trail then says so
    after the copied entries, so its chain stays one unbroken chain."""
    from qos.store.audit import history_path, read_anchors, verify_audit
    from qos.store.core import open_store
    from qos.store.pgconn import redact

    require(actor, Action.MANAGE_USERS)
    if not source_path.exists():
        raise ValidationError(f"There is no database at {source_path}.")
    source = open_store(source_path)
    try:
        kept = history_path(source, actor)
        verdict = verify_audit(source, actor, read_anchors(kept) if kept is not None else [])
        if not verdict.ok:  # a copy would carry tampered data into the force's one store
            raise ValidationError(
                f"{source_path} fails its audit check, so it is not copied: "
                + "; ".join(verdict.problems[:10])
                + (f" (and {len(verdict.problems) - 10} more)"
                   if len(verdict.problems) > 10 else ""))
        # Looked at before the migrations run: they would add QoS Checks' tables to a
        # database that holds something else.
        probe = open_store(url, migrate=False)
        try:
            _refuse_foreign(probe, _tables_in_order(source))
        finally:
            probe.close()
        target = open_store(url)
        try:
            report = copy_store(source, target, actor)
            with target.write():
                target.audit(actor, "copied from", "database", None, {
                    "from": str(source_path.resolve()), "rows": report.total,
                    "entries": report.rows.get("audit_log", 0), "to": redact(url)})
            return report
        finally:
            target.close()
    finally:
        source.close()
