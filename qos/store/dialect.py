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
  case-insensitive collation, REAL, WITHOUT ROWID), and triggers, which differ too much to
  render and are written per dialect in the migration that makes them;
- index hints: SQLite's unary `+` that keeps a column's index out of a plan.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

AUDIT_LOCK_KEY = 7_180_001  # pg_advisory_xact_lock key serialising audit appends


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

    # -- DDL ---------------------------------------------------------------------------------
    def ddl(self, statement: str) -> str:
        """A migration's SQLite statement as this backend runs it."""
        return render_for_postgres(statement) if self.is_postgres else statement


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
