"""Opening the database, write transactions, optimistic edits and the audit trail.

Every write goes through `Store.write()`, which starts with BEGIN IMMEDIATE: a deferred
BEGIN (sqlite-utils' `atomic()`) fails at once with "database is locked" when two processes
upgrade their read locks at the same moment, whatever the busy timeout.
"""
from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qos.clock import now_iso
from qos.errors import (
    ConflictError,
    DatabaseDamaged,
    DatabaseTooNew,
    NetworkShareRefused,
    StoreError,
)
from qos.ids import new_uuid
from qos.roles import Action, Actor, require
from qos.store.dialect import POSTGRES, SQLITE, Dialect, is_server_url
from qos.store.hashing import AUDIT_FIELDS, HASHED_TABLES, audit_hash, row_hash
from qos.store.netshare import network_share_reason

BUSY_TIMEOUT_S = 15.0
PENDING_SPILL_CHARS = 2_000_000  # audit detail held for COMMIT before it is appended early
Row = dict[str, Any]


class Store:
    """One connection to one database: a local SQLite file, or the force's shared PostgreSQL
    database (`dialect` says which; `target` is the path or URL to open it again). Not shared
    between threads: a worker opens its own."""

    def __init__(self, conn: Any, path: Path | None, *, dialect: Dialect = SQLITE,
                 target: str | None = None):
        self.conn = conn
        self.path = path
        self.dialect = dialect
        self.target = target if target is not None else str(path or ":memory:")
        self._db: Any = None
        self._savepoints = 0  # nesting depth of write() inside the open transaction
        # Audit entries of the open transaction, chained and appended just before its COMMIT
        # (see `audit`): the audit lock is then held for the append and the commit only.
        self._pending: list[dict[str, Any]] = []
        self._writing = False  # inside a transaction write() began (and so will commit)
        self._marks: list[int] = []  # len(_pending) as each open savepoint began
        self._pending_chars = 0  # the size of their detail, roughly (see _spill_pending)

    @property
    def db(self) -> Any:
        """sqlite-utils over the same connection, for migrations and bulk inserts; imported
        on first use to keep start-up quick."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    # -- reading -------------------------------------------------------------------------
    def rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Row]:
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]

    def row(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Row | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def scalar(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
        found = self.conn.execute(sql, params).fetchone()
        return None if found is None else found[0]

    # -- writing -------------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Store]:
        """One write transaction (BEGIN IMMEDIATE). A nested call is a SAVEPOINT inside it, as
        sqlite-utils' atomic() does: an inner block that fails is undone on its own, so a
        caller that catches its error keeps the rest and never commits half of the inner."""
        if self.conn.in_transaction:
            with self._savepoint():
                yield self
            return
        try:
            self.conn.execute(self.dialect.begin_write)
        except sqlite3.OperationalError as exc:
            raise StoreError(
                f"The database is busy or locked by another program ({exc}). "
                "Nothing was saved; please try again in a moment."
            ) from exc
        self._pending, self._writing, self._pending_chars = [], True, 0
        try:
            yield self
            self._commit()
        except BaseException:
            self._pending = []
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        finally:
            self._writing = False

    def _commit(self) -> None:
        """Append the transaction's audit entries to the chain, then COMMIT.

        Writers must append one after the other, each after the head the last one committed,
        so on PostgreSQL the audit lock is held from the append to the COMMIT. Here it is
        taken last: the lock, the entries and the COMMIT go in one round trip (libpq's
        pipeline) and the server works out each hash itself, so what other writers wait on
        is the server's own few statements and the commit, with no client work inside."""
        entries, self._pending = self._pending, []
        self._send([*(self._appends(entries) if entries else []), ("COMMIT", ())])

    def _send(self, statements: list[tuple[str, Sequence[Any]]]) -> None:
        """Run `statements` in order: on PostgreSQL in one round trip when there are several."""
        if self.dialect.is_postgres and len(statements) > 1:
            self.conn.run_together(statements)
            return
        for sql, params in statements:
            self.conn.execute(sql, params)

    def _appends(self, entries: list[dict[str, Any]]) -> list[tuple[str, Sequence[Any]]]:
        """The statements appending `entries` to the chain, each hash covering the one before:
        on PostgreSQL the lock, then INSERTs that chain themselves on the server; on SQLite
        (one writer at a time already) INSERTs hashed here after the head read now."""
        stamp = now_iso()
        for entry in entries:
            entry["at"] = stamp
        chained = self.dialect.chained_audit_insert(AUDIT_FIELDS)
        if chained is not None and self.dialect.audit_lock is not None:
            return [(self.dialect.audit_lock, ()),
                    *((chained, [*(entry[f] for f in AUDIT_FIELDS), audit_hash_tail(entry)])
                      for entry in entries)]
        prev = self.scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1") or ""
        statements: list[tuple[str, Sequence[Any]]] = []
        for entry in entries:
            entry["prev_hash"] = prev
            entry["hash"] = prev = audit_hash(prev, entry)
            sql = (f"INSERT INTO audit_log ({', '.join(entry)}) "
                   f"VALUES ({', '.join('?' * len(entry))})")
            statements.append((sql, list(entry.values())))
        return statements

    def _spill_pending(self) -> None:
        """Append the entries waiting for COMMIT now, when they have grown large (a bulk
        import's row hashes: megabytes), so they are not all held in memory to the end. This
        takes the audit lock until COMMIT, as every append once did. Only when every entry
        waiting was made inside the innermost open savepoint: a ROLLBACK TO then undoes
        exactly the entries it drops from the list, never an outer block's."""
        self._pending_chars += len(self._pending[-1]["detail"])
        if self._pending_chars < PENDING_SPILL_CHARS or (self._marks and self._marks[-1] > 0):
            return
        self._pending_chars = 0
        entries, self._pending = self._pending, []
        self._send(self._appends(entries))

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        self._savepoints += 1
        name = f"qos_write_{self._savepoints}"
        pending = len(self._pending)
        self._marks.append(pending)
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            del self._pending[pending:]  # the inner block's entries are undone with it
            self._pending_chars = sum(len(e["detail"]) for e in self._pending)
            if self.conn.in_transaction:  # an error may already have ended the transaction
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
            raise
        else:
            self.conn.execute(f"RELEASE {name}")
        finally:
            self._savepoints -= 1
            self._marks.pop()

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
        if not self.conn.in_transaction:
            raise RuntimeError("writes must run inside Store.write()")
        return self.conn.execute(sql, params)

    def insert_record(self, actor: Actor, table: str, values: Mapping[str, Any],
                      *, audit_values: bool = True) -> int:
        """Insert a row carrying uuid, who/when columns and version 1; audited."""
        stamp = now_iso()
        row = dict(values)
        row.update(uuid=new_uuid(), created_at=stamp, created_by=actor.user_id,
                   updated_at=stamp, updated_by=actor.user_id, version=1)
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self.write():
            cursor = self.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                                  list(row.values()))
            new_id = int(cursor.lastrowid or 0)
            self.audit(actor, "create", table, new_id,
                       {"new": dict(values)} if audit_values else {})
        return new_id

    def update_record(self, actor: Actor, table: str, record_id: int, expected_version: int,
                      changes: Mapping[str, Any]) -> int:
        """Apply `changes` only if nobody saved the row since `expected_version` was read.

        Returns the new version; raises ConflictError naming who changed it and when.
        """
        with self.write():
            current = self.row(f"SELECT * FROM {table} WHERE id = ?{self.dialect.for_update}",
                               [record_id])
            if current is None:
                raise ConflictError(f"That record ({table} {record_id}) no longer exists.")
            if current["version"] != expected_version:
                who = self.user_name(current["updated_by"])
                raise ConflictError(
                    f"This record was changed by {who} at {current['updated_at']} since you "
                    "opened it. Close it, open it again to see their changes, then redo yours."
                )
            changed = {k: v for k, v in changes.items() if current.get(k) != v}
            if not changed:
                return expected_version
            assignments = ", ".join(f"{k} = ?" for k in changed)
            self.execute(
                f"UPDATE {table} SET {assignments}, updated_at = ?, updated_by = ?, "
                "version = version + 1 WHERE id = ?",
                [*changed.values(), now_iso(), actor.user_id, record_id],
            )
            self.audit(actor, "change", table, record_id,
                       {"old": {k: current[k] for k in changed}, "new": changed})
        return expected_version + 1

    def user_name(self, user_id: int | None) -> str:
        if not user_id:
            return "System"
        name = self.scalar("SELECT display_name FROM users WHERE id = ?", [user_id])
        return str(name) if name else f"user {user_id}"

    # -- audit trail ---------------------------------------------------------------------
    def audit(self, actor: Actor | None, action: str, entity: str = "",
              entity_id: int | str | None = None, detail: Mapping[str, Any] | None = None) -> None:
        """Append a hash-chained entry; each hash covers the previous entry's hash.

        An entry about one row of a table that `audit verify` checks also records the hash of
        that row as it now is (call it after the write), so a later edit behind the app's back
        no longer matches the trail. Inside a write the entry is appended when that write
        commits (its `at` is the commit's time), so it is never visible before the data it
        describes, and the lock that chains it is held only at the end.
        """
        if entity in HASHED_TABLES and entity_id is not None and "row_hash" not in (detail or {}):
            key = HASHED_TABLES[entity]
            # An entry may name a row by something else (a crime by its reference): no such
            # id, so no row (PostgreSQL would refuse to compare text with an integer id).
            found = None if key == "id" and not str(entity_id).isdigit() else self.conn.execute(
                f"SELECT * FROM {entity} WHERE {key} = ?", [entity_id]).fetchone()
            detail = {**(detail or {}), "row_hash": None if found is None else row_hash(found)}
        entry = {
            "at": "",  # set when chained, at commit
            "user_id": actor.user_id if actor else None,
            "username": actor.username if actor else None,
            "action": action,
            "entity": entity,
            "entity_id": None if entity_id is None else str(entity_id),
            "detail": json.dumps(detail or {}, sort_keys=True, default=str),
        }
        if self._writing:
            self._pending.append(entry)  # appended by the outermost write() as it commits
            self._spill_pending()
        elif self.conn.in_transaction:  # a transaction begun outside write(): append now
            for sql, params in self._appends([entry]):
                self.execute(sql, params)
        else:
            with self.write():
                self._pending.append(entry)

    def hash_rows(self, actor: Actor | None, table: str, column: str, values: Sequence[Any],
                  action: str = "rows written") -> None:
        """Record the hashes of the rows whose `column` is in `values`, after a bulk write.

        One entry per 5,000 rows: a force-sized import stays a few hundred entries.
        """
        assert table in HASHED_TABLES, table
        with self.write():
            for start in range(0, len(values), 5000):
                hashes: dict[str, str] = {}
                for part in range(start, min(start + 5000, len(values)), 500):
                    chunk = list(values[part:min(part + 500, start + 5000)])
                    marks = ", ".join("?" * len(chunk))
                    for found in self.conn.execute(
                            f"SELECT * FROM {table} WHERE {column} IN ({marks})", chunk):
                        hashes[str(found[0])] = row_hash(found)  # the key is always column 0
                if hashes:
                    self.audit(actor, action, table, None, {"row_hashes": hashes})

    # -- settings ------------------------------------------------------------------------
    def setting(self, key: str, default: Any = None) -> Any:
        raw = self.scalar("SELECT value FROM settings WHERE key = ?", [key])
        return default if raw is None else json.loads(raw)

    def set_setting(self, actor: Actor, key: str, value: Any) -> None:
        """A force's setting (retention, minimum n, ...): administrators only."""
        require(actor, Action.MANAGE_REFERENCE)
        with self.write():
            old = self.setting(key)
            self.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         [key, json.dumps(value)])
            self.audit(actor, "setting", "settings", key, {"old": old, "new": value})

    # -- lifecycle -----------------------------------------------------------------------
    def backup_to(self, target: Path) -> Path:
        """Copy the live database with SQLite's online backup API (safe while in use)."""
        if self.dialect.is_postgres:
            raise StoreError("The shared database is backed up on its server by the force's "
                             "database administrator (pg_dump), not from this app.")
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(str(target))
        try:
            self.conn.backup(dest)
        finally:
            dest.close()
        return target

    def close(self) -> None:
        self.conn.close()


def audit_hash_tail(entry: Mapping[str, Any]) -> str:
    """What follows the previous hash in the JSON text `hashing.audit_hash` hashes, so the
    server can hash `'["' || prev || '", ' || tail` itself: json.dumps of a list is "[",
    its items joined by ", ", and "]"; a previous hash is hex, which JSON quotes as is."""
    return json.dumps([entry[f] for f in AUDIT_FIELDS], default=str)[1:]


def where_all(clauses: Sequence[str]) -> str:
    """"WHERE a AND b ..." for the conditions given, or "" when there are none."""
    return ("WHERE " + " AND ".join(clauses)) if clauses else ""


def connect(path: Path | str) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN IMMEDIATE ourselves; sqlite-utils then nests
    # its own atomic() blocks as savepoints inside our transaction.
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_S)
    for setting in SQLITE.connection_settings(in_memory=str(path) == ":memory:",
                                              busy_timeout_s=BUSY_TIMEOUT_S):
        conn.execute(setting)
    return conn


def integrity_problem(store: Store) -> str | None:
    """SQLite's quick_check: None when the file is sound, else what is wrong.

    It reads every page (seconds on a force-sized file), so the GUI runs it in the
    background after start-up rather than on every open.
    """
    check = store.dialect.integrity_check
    if check is None:
        return None
    try:
        verdict = store.scalar(check)
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if verdict == "ok" else str(verdict)


def _applied_migrations(store: Store) -> set[str]:
    from qos.store.schema import MIGRATIONS

    if not store.scalar(store.dialect.table_exists_sql, ["_sqlite_migrations"]):
        return set()
    return {r[0] for r in store.conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATIONS.name])}


# "scheme:/..." of two letters or more: an address, never a file (a Windows drive is one
# letter). pathlib folds a URL's "//", so a postgresql:// URL that went through Path() on its
# way here reaches this as "postgresql:/host/db" and is no longer seen as the server's.
_ADDRESS = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")


def _refuse_non_file(path: object) -> None:
    """Never create a SQLite file named after a lost target: "None" (a PostgreSQL store has no
    file path), "" or a URL folded by Path(), which would leave a stray database in the
    current folder and hide that the shared database was not used."""
    text = str(path)
    if path is None or text in ("", "None"):
        raise StoreError("No database was named (a PostgreSQL store has no file path: pass "
                         "its target, the URL, to open it again).")
    if _ADDRESS.match(text):
        from qos.store.pgconn import redact

        raise StoreError(f"'{redact(text)}' is an address, not a database file. A shared "
                         "database's URL begins postgresql:// (two slashes); a local "
                         "database is a file path.")


def open_store(path: Path | str, *, check_integrity: bool = False, migrate: bool = True) -> Store:
    """Open (creating if needed) and upgrade the database, refusing unsafe situations.

    Opening always reads the schema, which refuses a file that is not a database at all;
    `check_integrity` adds the full page-by-page check before anything is migrated.
    """
    from qos.store.schema import MIGRATIONS

    if is_server_url(path):
        return _open_server(str(path), migrate=migrate)
    _refuse_non_file(path)
    db_path = Path(path)
    if str(path) != ":memory:":
        reason = network_share_reason(db_path)
        if reason:
            raise NetworkShareRefused(
                f"QoS Checks will not open a database on a network share ({reason}). "
                "SQLite cannot lock files reliably there, so two people saving at once could "
                "corrupt it. Keep the database on this computer's own disk."
            )
        if db_path.is_dir():
            raise StoreError(f"{db_path} is a folder, not a database file.")
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the folder for the database {db_path}: {exc}") from exc
    try:
        conn = connect(db_path)
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamaged(f"{db_path} is not a QoS Checks database or is damaged ({exc}).") from exc
    store = Store(conn, None if str(path) == ":memory:" else db_path)
    try:
        store.scalar(SQLITE.tables_sql)  # not a database: DatabaseError
        if check_integrity:
            problem = integrity_problem(store)
            if problem:
                raise DatabaseDamaged(f"The database {db_path} is damaged: {problem}")
        if migrate:
            applied = _applied_migrations(store)
            unknown = applied - set(MIGRATIONS.names())
            if unknown:
                raise DatabaseTooNew(
                    f"The database {db_path} was written by a newer version of QoS Checks "
                    f"(it has changes {', '.join(sorted(unknown))} this version does not know). "
                    "Update the app; this version will not touch the file."
                )
            pending = [n for n in MIGRATIONS.names() if n not in applied]
            if pending and applied:
                problem = integrity_problem(store)  # never upgrade a damaged file
                if problem:
                    raise DatabaseDamaged(f"The database {db_path} is damaged: {problem}")
            if pending and applied and store.path is not None:
                # Like Vorta: keep a copy from before the upgrade, in case it goes wrong.
                stamp = now_iso().replace(":", "")
                store.backup_to(store.path.parent / "backups" / f"before-upgrade-{stamp}.db")
            if pending:
                with store.write():
                    MIGRATIONS.apply(store.db)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DatabaseDamaged(f"{db_path} is not a QoS Checks database or is damaged ({exc}).") from exc
    except BaseException:
        conn.close()
        raise
    return store


def _open_server(url: str, *, migrate: bool) -> Store:
    """The force's shared PostgreSQL database: migrations run one transaction each, under an
    advisory lock so two PCs opening a new version at once do not both apply them."""
    from qos.store.pgconn import PgConnection, redact
    from qos.store.schema import MIGRATIONS

    conn = PgConnection(url)
    store = Store(conn, None, dialect=POSTGRES, target=url)
    try:
        if migrate:
            unknown = _applied_migrations(store) - set(MIGRATIONS.names())
            if unknown:
                raise DatabaseTooNew(
                    f"The shared database {redact(url)} was written by a newer version of QoS "
                    f"Checks (it has changes {', '.join(sorted(unknown))} this version does not "
                    "know). Update the app; this version will not touch it.")
            MIGRATIONS.apply_postgres(conn)
            conn.forget_catalogue()
    except BaseException:
        conn.close()
        raise
    return store
