"""Every difference between the two backends' SQL, in one place.

The store's queries are written once, in the SQL both SQLite and PostgreSQL accept: `?` and
`:name` parameters (the PostgreSQL connection turns them into psycopg's), `INSERT ...
ON CONFLICT`, `CASE WHEN` instead of summing comparisons, `substr`, ISO dates kept as text
(so no date functions are needed: month and day prefixes are `substr`, and date arithmetic is
done in Python). What cannot be written once is asked of the store's dialect:

- locking: how a write transaction starts, row locks for claim-next and optimistic edits,
  and the lock that keeps the audit chain one unbroken line under concurrent writers;
- JSON: expanding a stored JSON object or list into rows;
- catalogue: whether a table exists, its columns;
- DDL: the migrations' SQLite text rendered for PostgreSQL (identity keys, the
  case-insensitive collation, REAL, WITHOUT ROWID); and, written out for each backend here
  because they differ too much to render, the triggers (the append-only audit log, the
  Victims' Code deadlines), the collation itself and the edit of a CHECK constraint;
- index hints: SQLite's unary `+` that keeps a column's index out of a plan.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

AUDIT_LOCK_KEY = 7_180_001  # pg_advisory_xact_lock key serialising audit appends
MIGRATION_LOCK_KEY = 7_180_000  # and the one that lets one PC at a time apply migrations


def is_server_url(target: object) -> bool:
    """A postgresql:// (or postgres://) URL names the shared database; anything else a file."""
    text = str(target)
    return text.startswith(("postgresql://", "postgres://"))


@dataclass(frozen=True)
class Dialect:
    name: str

    @property
    def is_postgres(self) -> bool:
        return self.name == "postgresql"

    # -- transactions and locks ------------------------------------------------------------
    @property
    def begin_write(self) -> str:
        # SQLite: take the write lock at once (a deferred BEGIN can fail with "locked" when
        # two readers upgrade together). PostgreSQL locks rows as they are written.
        return "BEGIN" if self.is_postgres else "BEGIN IMMEDIATE"

    @property
    def for_update(self) -> str:
        """Suffix locking the rows read, for a read-then-write inside a transaction (SQLite's
        BEGIN IMMEDIATE already holds the only write lock)."""
        return " FOR UPDATE" if self.is_postgres else ""

    def skip_locked(self, table_alias: str) -> str:
        """Suffix for a work queue: lock the row taken, passing over rows another caller holds
        (SQLite: BEGIN IMMEDIATE already lets one caller at a time in)."""
        return f" FOR UPDATE OF {table_alias} SKIP LOCKED" if self.is_postgres else ""

    @property
    def audit_lock(self) -> str | None:
        """Statement run before reading the audit chain's head, so two writers cannot both
        append after the same entry. SQLite has one writer at a time already."""
        if self.is_postgres:
            return f"SELECT pg_advisory_xact_lock({AUDIT_LOCK_KEY})"
        return None

    def connection_settings(self, *, in_memory: bool, busy_timeout_s: float) -> list[str]:
        """Run on each new SQLite connection (PostgreSQL's are set in qos.store.pgconn)."""
        if self.is_postgres:
            return []
        settings = [f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}",
                    "PRAGMA foreign_keys = ON", "PRAGMA secure_delete = ON",
                    "PRAGMA cache_size = -32768"]  # 32 MiB: imports touch many index pages
        if not in_memory:
            # FULL: a committed call-back survives a power cut, at a small cost per commit.
            settings += ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL"]
        return settings

    @property
    def integrity_check(self) -> str | None:
        """A statement reading every page and answering 'ok' or what is wrong; None on
        PostgreSQL, whose server checks its own pages (data checksums)."""
        return None if self.is_postgres else "PRAGMA quick_check"

    @property
    def reclaim_space(self) -> str | None:
        """After erasing personal data: SQLite keeps copies of the old pages in the WAL until
        a checkpoint (TRUNCATE empties it); PostgreSQL's autovacuum reclaims old row
        versions, and its WAL is the server's."""
        return None if self.is_postgres else "PRAGMA wal_checkpoint(TRUNCATE)"

    def columns_sql(self, table: str) -> str:
        """A table's columns: rows whose [1] is the name and [2] the declared type. SQLite
        only: row_check asks it for SQLite's own JSON shortcut, which PostgreSQL does not take."""
        if self.is_postgres:
            raise NotImplementedError("columns_sql is asked on SQLite only")
        return f"PRAGMA table_info({table})"

    @property
    def migration_lock(self) -> str:
        """Run first in each migration's transaction on PostgreSQL: two PCs upgrading at once
        take turns (the second then finds it applied). SQLite: BEGIN IMMEDIATE does this."""
        return f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"

    @property
    def begin_snapshot(self) -> str:
        """A read-only transaction seeing one moment of the database throughout (SQLite's
        deferred BEGIN already reads one snapshot until it ends)."""
        return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if self.is_postgres else "BEGIN"

    def chained_audit_insert(self, fields: Sequence[str]) -> str | None:
        """PostgreSQL: an INSERT appending one entry (`fields`, then `core.audit_hash_tail`
        of it) after the chain's head, its hash worked out by the server as
        `hashing.audit_hash` does in Python (sha256 of the same JSON text). Run as its own
        statement after `audit_lock`, so it reads the head the last writer committed. None
        on SQLite, which has no sha256: there the store hashes in Python."""
        if not self.is_postgres:
            return None
        head = "SELECT COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '')"
        return (f"WITH head AS ({head} AS prev) INSERT INTO audit_log ({', '.join(fields)}, "
                f"prev_hash, hash) VALUES ({', '.join('?' * len(fields))}, "
                "(SELECT prev FROM head), encode(sha256(convert_to("
                "'[\"' || (SELECT prev FROM head) || '\", ' || ?, 'UTF8')), 'hex'))")

    # -- query fragments -------------------------------------------------------------------
    def json_each(self, column: str, alias: str, *, members: str = "object") -> str:
        """FROM item giving `alias.value` (text) for each member of a stored JSON object
        (and its `alias.key`) or, with members="list", of a JSON list."""
        if not self.is_postgres:
            return f"json_each({column}) {alias}"
        if members == "list":
            return f"jsonb_array_elements_text({column}::jsonb) AS {alias}(value)"
        return f"jsonb_each_text({column}::jsonb) AS {alias}(key, value)"

    def json_field(self, column: str) -> str:
        """The JSON member named by one `?` parameter (pass `json_key(name)`), as its JSON
        type: a number comes back as a number on both backends."""
        return f"({column}::jsonb -> ?)" if self.is_postgres else f"json_extract({column}, ?)"

    def json_key(self, name: str) -> str:
        return name if self.is_postgres else f'$."{name}"'

    def no_index(self, expression: str) -> str:
        """SQLite's unary + keeps the planner off the column's index; PostgreSQL plans by
        statistics and has no such hint (and + on text is an error there)."""
        return expression if self.is_postgres else f"+{expression}"

    # -- catalogue -------------------------------------------------------------------------
    @property
    def table_exists_sql(self) -> str:
        if self.is_postgres:
            return ("SELECT 1 FROM information_schema.tables WHERE table_schema = "
                    "current_schema() AND table_name = ?")
        return "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"

    @property
    def tables_sql(self) -> str:
        if self.is_postgres:
            return ("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                    "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")
        return ("SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name")

    def drop_trigger(self, name: str, table: str) -> str:
        return f"DROP TRIGGER {name} ON {table}" if self.is_postgres else f"DROP TRIGGER {name}"

    def reset_identity(self, table: str) -> str:
        """After rows were copied in with their own ids: the next id given follows the
        highest (PostgreSQL's identity sequence does not notice ids supplied to it)."""
        if not self.is_postgres:  # SQLite takes max(rowid) + 1 by itself; a copy goes to a server
            raise NotImplementedError("reset_identity is asked on PostgreSQL only")
        return (f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"GREATEST((SELECT MAX(id) FROM {table}), 1))")

    # -- DDL ---------------------------------------------------------------------------------
    def ddl(self, statement: str) -> str:
        """A migration's SQLite statement as this backend runs it."""
        return render_for_postgres(statement) if self.is_postgres else statement

    def heap_covering_index(self, name: str, table: str, keys: Sequence[str],
                            include: Sequence[str]) -> list[str]:
        """An index answering a range read on `keys` with `include` from the index alone.
        For a table SQLite keeps WITHOUT ROWID, clustered by those keys already, there is
        nothing to add; PostgreSQL's tables are heaps in the order rows were written."""
        if not self.is_postgres:
            return []
        return [(f"CREATE INDEX {name} ON {table} ({', '.join(keys)}) "
                 f"INCLUDE ({', '.join(include)})")]

    def nocase_collation(self) -> list[str]:
        """SQLite has NOCASE built in; PostgreSQL gets an ICU collation ignoring case
        (strength 2), which `render_for_postgres` names for COLLATE NOCASE."""
        if not self.is_postgres:
            return []
        return [("CREATE COLLATION IF NOT EXISTS nocase (provider = icu, "
                 "locale = 'und-u-ks-level2', deterministic = false)")]

    def audit_append_only(self) -> list[str]:
        """Triggers refusing UPDATE and DELETE on the audit log (and TRUNCATE on PostgreSQL,
        as an integrity error there)."""
        if not self.is_postgres:
            return ["""CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
                    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"""]
        return [
            # Ids with no gaps, as SQLite gives (verify checks them): a rolled-back append
            # would burn a sequence number. Appends are serialised by the audit lock.
            "ALTER TABLE audit_log ALTER COLUMN id DROP IDENTITY",
            ("CREATE FUNCTION audit_log_next_id() RETURNS trigger LANGUAGE plpgsql AS $$ "
             "BEGIN IF NEW.id IS NULL THEN NEW.id := COALESCE((SELECT max(id) FROM audit_log), "
             "0) + 1; END IF; RETURN NEW; END $$"),
            ("CREATE TRIGGER audit_log_next_id BEFORE INSERT ON audit_log FOR EACH ROW "
             "EXECUTE FUNCTION audit_log_next_id()"),
            ("CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
             "BEGIN RAISE EXCEPTION 'the audit log is append-only' "
             "USING ERRCODE = 'integrity_constraint_violation'; END $$"),
            *(f"CREATE TRIGGER audit_log_no_{what.lower()} BEFORE {what} ON audit_log FOR EACH "
              f"{'STATEMENT' if what == 'TRUNCATE' else 'ROW'} "
              "EXECUTE FUNCTION audit_log_append_only()"
              for what in ("UPDATE", "DELETE", "TRUNCATE"))]

    def duties_triggers(self, watched: tuple[str, ...]) -> list[str]:
        """Migration 0008's triggers keeping the Victims' Code deadlines current: a change to
        one of a crime's `watched` columns or its victim updates marks it stale, and a
        deleted crime takes its deadlines with it and lowers the seen mark."""
        if not self.is_postgres:
            return [
                self._crimes_changed_sqlite(watched),
                """CREATE TRIGGER crimes_deleted_duties AFTER DELETE ON crimes BEGIN
            DELETE FROM code_duties WHERE crime_id = OLD.id;
            DELETE FROM code_duties_stale WHERE crime_id = OLD.id;
            UPDATE code_duties_seen SET last_crime_id = MIN(last_crime_id, OLD.id - 1); END""",
                """CREATE TRIGGER victim_update_added AFTER INSERT ON victim_updates BEGIN
            INSERT OR IGNORE INTO code_duties_stale (crime_id) VALUES (NEW.crime_id); END""",
                """CREATE TRIGGER victim_update_removed AFTER DELETE ON victim_updates BEGIN
            INSERT OR IGNORE INTO code_duties_stale (crime_id) VALUES (OLD.crime_id); END""",
            ]

        # The delete one runs BEFORE the row goes: PostgreSQL checks the foreign keys of
        # code_duties first otherwise.
        def function(name: str, body: str) -> str:
            return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"{body} END $$")

        return [
            *(function(f"duties_stale_{name}", "INSERT INTO code_duties_stale (crime_id) VALUES "
                       f"({key}) ON CONFLICT DO NOTHING; RETURN NULL;")
              for name, key in (("crime", "NEW.id"), ("added", "NEW.crime_id"),
                                ("removed", "OLD.crime_id"))),
            function("duties_crime_deleted", "DELETE FROM code_duties WHERE crime_id = OLD.id; "
                     "DELETE FROM code_duties_stale WHERE crime_id = OLD.id; "
                     "UPDATE code_duties_seen SET last_crime_id = LEAST(last_crime_id, "
                     "OLD.id - 1); RETURN OLD;"),
            self._crimes_changed_postgres(watched),
            ("CREATE TRIGGER crimes_deleted_duties BEFORE DELETE ON crimes FOR EACH ROW "
             "EXECUTE FUNCTION duties_crime_deleted()"),
            ("CREATE TRIGGER victim_update_added AFTER INSERT ON victim_updates FOR EACH ROW "
             "EXECUTE FUNCTION duties_stale_added()"),
            ("CREATE TRIGGER victim_update_removed AFTER DELETE ON victim_updates FOR EACH ROW "
             "EXECUTE FUNCTION duties_stale_removed()"),
        ]

    def replace_crimes_changed_trigger(self, watched: tuple[str, ...]) -> list[str]:
        """The crime-changed trigger again, watching `watched` (a migration adding columns)."""
        if self.is_postgres:
            return [self.drop_trigger("crimes_changed_duties", "crimes"),
                    self._crimes_changed_postgres(watched)]
        return [self.drop_trigger("crimes_changed_duties", "crimes"),
                self._crimes_changed_sqlite(watched)]

    @staticmethod
    def _crimes_changed_sqlite(watched: tuple[str, ...]) -> str:
        return f"""CREATE TRIGGER crimes_changed_duties AFTER UPDATE OF {', '.join(watched)}
            ON crimes WHEN {' OR '.join(f'NEW.{c} IS NOT OLD.{c}' for c in watched)} BEGIN
            INSERT OR IGNORE INTO code_duties_stale (crime_id) VALUES (NEW.id); END"""

    @staticmethod
    def _crimes_changed_postgres(watched: tuple[str, ...]) -> str:
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in watched)
        return (f"CREATE TRIGGER crimes_changed_duties AFTER UPDATE OF {', '.join(watched)} ON "
                f"crimes FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION duties_stale_crime()")

    def widen_role_check(self, conn: Any, table: str, old: str, new: str) -> None:
        """Change `table`'s role CHECK from `old` to `new`. PostgreSQL: the named constraint,
        replaced in one statement. SQLite: its text edited in place, the way SQLite's ALTER
        TABLE page documents for constraints that change nothing stored (rebuilding `users`
        would need foreign keys switched off, which cannot be done inside the migration's
        transaction)."""
        if self.is_postgres:
            conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_role_check, "
                         f"ADD CONSTRAINT {table}_role_check CHECK (role IN {new})")
            return
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                           [table]).fetchone()[0]
        if old not in sql:
            raise RuntimeError(f"{table}'s CHECK is not the expected one; refusing to edit it")
        version = conn.execute("PRAGMA schema_version").fetchone()[0]
        conn.execute("PRAGMA writable_schema = ON")
        try:
            conn.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         [sql.replace(old, new), table])
            conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
        finally:
            conn.execute("PRAGMA writable_schema = OFF")


SQLITE = Dialect("sqlite")
POSTGRES = Dialect("postgresql")


def dialect_of(conn: object) -> Dialect:
    """The dialect of a raw connection (migrations and hashing get a connection, not a Store)."""
    from qos.store.pgconn import PgConnection

    return POSTGRES if isinstance(conn, PgConnection) else SQLITE

_DDL_RULES: list[tuple[re.Pattern[str], str]] = [
    # A rowid alias becomes an identity column; BY DEFAULT so a copy can keep its ids.
    (re.compile(r"\bINTEGER PRIMARY KEY\b(?!\s*\()", re.IGNORECASE),
     "INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\)\s*WITHOUT ROWID\s*$", re.IGNORECASE), ")"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    # The collation `nocase` is made by migration 0001 on PostgreSQL (ICU, strength 2).
    (re.compile(r"\bCOLLATE NOCASE\b", re.IGNORECASE), "COLLATE nocase"),
]


def render_for_postgres(statement: str) -> str:
    if re.match(r"\s*(CREATE|ALTER)\s+TABLE\b", statement, re.IGNORECASE):
        for pattern, replacement in _DDL_RULES:
            statement = pattern.sub(replacement, statement)
    return statement
