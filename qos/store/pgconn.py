"""The PostgreSQL connection, shaped like the sqlite3 one the store is written against.

The store calls `conn.execute(sql, params)`, `executemany`, `in_transaction` and reads
`cursor.lastrowid`; this class gives the same over psycopg 3 so there is one set of store code:

- `?` and `:name` parameters become psycopg's `%s` and `%(name)s` (and a literal `%` is
  doubled), outside quoted text only;
- an INSERT into a table with an `id` identity returns the new id as `lastrowid`;
- Python booleans are sent as 0/1 and dates as ISO text, as sqlite3 stores them, and
  PostgreSQL's `numeric` results (AVG, arithmetic with decimals) come back as floats;
- psycopg's errors are raised as subclasses of sqlite3's (IntegrityError, OperationalError,
  DatabaseError), so the store's handlers serve both backends;
- every call has a time limit (connect_timeout, statement_timeout, lock_timeout), so a lost
  server gives a message instead of a frozen window; a read outside a transaction that finds
  the connection dropped reconnects once and runs again; a write whose connection drops is
  never retried (PostgreSQL rolled it back whole) and says so.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from qos.errors import StoreError

CONNECT_TIMEOUT_S = 10
STATEMENT_TIMEOUT_MS = 60_000  # a month's export at force scale takes ~2 s
LOCK_TIMEOUT_MS = 15_000  # as SQLite's busy timeout
IDLE_IN_TRANSACTION_MS = 300_000  # a crashed client never holds locks for long

LOST = ("The connection to the shared database was lost (the server restarted, or the "
        "network dropped).")


class PgIntegrityError(sqlite3.IntegrityError):
    pass


class PgOperationalError(sqlite3.OperationalError):
    pass


class PgDatabaseError(sqlite3.DatabaseError):
    pass


class ConnectionLost(StoreError):
    """The server went away. Reads were retried once already; a write was rolled back."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail or message


class ServerTimeout(StoreError):
    """A statement ran past statement_timeout or waited past lock_timeout: cancelled."""


_TOKENS = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|::|\?|%|:[A-Za-z_]\w*)""")


@lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """sqlite3's parameter style to psycopg's, leaving quoted text and `::` casts alone."""
    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        if token.startswith(":") and token != "::":
            return f"%({token[1:]})s"
        return token

    return _TOKENS.sub(swap, sql)


_INSERT_INTO = re.compile(r"\s*INSERT\s+INTO\s+([A-Za-z_]\w*)", re.IGNORECASE)


def _wrap(exc: Exception) -> Exception:
    import psycopg

    message = str(exc).strip()
    if isinstance(exc, psycopg.errors.QueryCanceled | psycopg.errors.LockNotAvailable):
        return ServerTimeout(  # the first line only: not the CONTEXT naming tuples
            f"The shared database did not finish in time ({message.splitlines()[0]}): "
            "another user may be "
            "saving the same record, or the server is busy. Nothing of the change in "
            "progress was saved; try again in a moment.")
    if isinstance(exc, psycopg.IntegrityError):
        return PgIntegrityError(message)
    if isinstance(exc, psycopg.OperationalError | psycopg.ProgrammingError):
        return PgOperationalError(message)
    return PgDatabaseError(message)


class PgCursor:
    def __init__(self, cursor: Any, lastrowid: int | None = None):
        self._cursor = cursor
        self.lastrowid = lastrowid

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._cursor.fetchall() if self._cursor.description else []

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        return self._cursor.fetchmany(size) if self._cursor.description else []

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.fetchall())


def _adapters(conn: Any) -> None:
    """sqlite3's value conventions on this connection (see the module docstring)."""
    from psycopg.adapt import Dumper
    from psycopg.types.numeric import FloatLoader

    class BoolAsInt(Dumper):
        oid = 23  # int4

        def dump(self, obj: Any) -> bytes:
            return b"1" if obj else b"0"

    class DateAsText(Dumper):
        oid = 25  # text

        def dump(self, obj: Any) -> bytes:
            if isinstance(obj, dt.datetime):
                return obj.isoformat(sep=" ").encode()
            return bytes(obj.isoformat().encode())

    conn.adapters.register_dumper(bool, BoolAsInt)
    conn.adapters.register_dumper(dt.date, DateAsText)
    conn.adapters.register_dumper(dt.datetime, DateAsText)
    conn.adapters.register_loader("numeric", FloatLoader)


def open_connection(url: str) -> Any:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        given = conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise StoreError(f"'{redact(url)}' is not a valid PostgreSQL address ({exc}).") from exc
    extra: dict[str, Any] = {}
    if "connect_timeout" not in given:
        extra["connect_timeout"] = CONNECT_TIMEOUT_S
    options = (f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS}"
               f" -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}")
    # The address's own options come last, so a DBA's `options=-c lock_timeout=...` wins.
    extra["options"] = f"{options} {given.get('options', '')}".strip()
    extra.setdefault("application_name", str(given.get("application_name", "QoS Checks")))
    try:
        conn = psycopg.connect(url, autocommit=True, **extra)
    except psycopg.Error as exc:
        detail = " ".join(str(exc).split())
        raise ConnectionLost(f"Cannot reach the shared database {redact(url)}: {detail}",
                             detail) from exc
    _adapters(conn)
    return conn


def redact(url: str) -> str:
    """The URL with any password blanked, for messages and logs."""
    return re.sub(r"(:/{1,2}[^:/@]+:)[^@]*@", r"\1***@", url)


class PgConnection:
    """psycopg 3 connection in autocommit mode; the store issues BEGIN/COMMIT itself."""

    def __init__(self, url: str):
        self.url = url
        self._conn = open_connection(url)
        self._identity: dict[str, bool] = {}

    @property
    def raw(self) -> Any:
        return self._conn

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        # A broken connection's status is UNKNOWN: no transaction is open on it any more
        # (the server rolled it back), and the next call reconnects.
        return bool(not self._conn.closed
                    and self._conn.info.transaction_status != TransactionStatus.IDLE)

    def _has_identity(self, table: str) -> bool:
        if table not in self._identity:
            exists, identity = self._conn.execute(
                "SELECT to_regclass(%s) IS NOT NULL, EXISTS (SELECT 1 FROM "
                "information_schema.columns WHERE table_schema = current_schema() AND "
                "table_name = %s AND column_name = 'id' AND is_identity = 'YES')",
                [table, table]).fetchone()
            if not exists:
                return False  # not made yet (a migration may make it): ask again next time
            # Kept for tables with no identity too (audit_log, settings): a catalogue query
            # per INSERT cost a round trip on every save.
            self._identity[table] = bool(identity)
        return self._identity[table]

    def forget_catalogue(self) -> None:
        """Ask the catalogue again (after migrations, which may add or drop an identity)."""
        self._identity.clear()

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> PgCursor:
        text = translate(sql)
        returning = False
        insert = _INSERT_INTO.match(sql)
        if insert and "RETURNING" not in sql.upper() and self._has_identity(insert.group(1)):
            text += " RETURNING id"
            returning = True
        cursor = self._run(text, params)
        lastrowid = None
        if returning:
            found = cursor.fetchone()
            lastrowid = int(found[0]) if found else None
        return PgCursor(cursor, lastrowid)

    def _run(self, text: str, params: Sequence[Any] | Mapping[str, Any]) -> Any:
        import psycopg

        values = params if isinstance(params, Mapping) else list(params)
        for attempt in (1, 2):
            in_transaction = self._conn.info.transaction_status != 0 and not self._conn.closed
            try:
                return self._conn.execute(text, values or None, prepare=False)
            except psycopg.Error as exc:
                if self._conn.closed or self._conn.broken:
                    if in_transaction or attempt == 2:
                        raise ConnectionLost(
                            f"{LOST} Nothing of the change in progress was saved: the "
                            "server undoes an unfinished change whole. Try again when the "
                            "server is back." if in_transaction else
                            f"{LOST} It did not answer when asked again; try later.") from exc
                    try:
                        self._reconnect()
                    except ConnectionLost as again:
                        raise ConnectionLost(f"{LOST} It does not answer yet ({again.detail}); "
                                             "try again in a moment.") from exc
                    continue
                raise _wrap(exc) from exc
        raise AssertionError("unreachable")

    def run_together(self, statements: Sequence[tuple[str, Sequence[Any]]]
                     ) -> list[list[tuple[Any, ...]]]:
        """Run statements in one round trip (libpq's pipeline), in order, inside the open
        transaction; each one's rows. A failed statement skips the rest and raises, as
        `execute` would. Never retried: it is a write's last steps (see Store._commit)."""
        import psycopg

        failed: psycopg.Error | None = None
        try:
            with self._conn.pipeline() as pipeline:
                try:
                    cursors = [self._conn.execute(translate(sql), list(params) or None,
                                                  prepare=False) for sql, params in statements]
                except psycopg.Error as exc:  # an earlier statement's error, seen early
                    failed = exc
                try:  # to the end of the batch, so the pipeline closes cleanly either way
                    pipeline.sync()
                except psycopg.Error as exc:
                    failed = failed or exc
            if failed is not None:
                raise failed
            return [cursor.fetchall() if cursor.description else [] for cursor in cursors]
        except psycopg.Error as exc:
            if self._conn.closed or self._conn.broken:
                raise ConnectionLost(f"{LOST} Nothing of the change in progress was saved: the "
                                     "server undoes an unfinished change whole. Try again "
                                     "when the server is back.") from exc
            raise _wrap(exc) from exc

    def _reconnect(self) -> None:
        with contextlib.suppress(Exception):  # already broken; the new one is what matters
            self._conn.close()
        self._conn = open_connection(self.url)

    def executemany(self, sql: str, seq: Iterable[Sequence[Any] | Mapping[str, Any]]) -> PgCursor:
        import psycopg

        rows = [row if isinstance(row, Mapping) else list(row) for row in seq]
        cursor = self._conn.cursor()
        try:
            if rows:
                cursor.executemany(translate(sql), rows)
        except psycopg.Error as exc:
            if self._conn.closed or self._conn.broken:
                raise ConnectionLost(f"{LOST} Nothing of the change in progress was saved.") \
                    from exc
            raise _wrap(exc) from exc
        return PgCursor(cursor)

    def copy_rows(self, table: str, columns: Sequence[str],
                  rows: Iterable[Sequence[Any]]) -> None:
        """COPY rows into a table (inside the caller's transaction): many times quicker than
        INSERTs for a whole store's rows."""
        import psycopg

        try:
            with self._conn.cursor() as cursor, cursor.copy(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.Error as exc:
            if self._conn.closed or self._conn.broken:
                raise ConnectionLost(f"{LOST} Nothing of the change in progress was saved.") \
                    from exc
            raise _wrap(exc) from exc

    def close(self) -> None:
        self._conn.close()


def connect_timeout_s(url: str) -> int:
    """How long a connection to `url` waits for a server that does not answer: the address's
    own connect_timeout, else ours."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        given = conninfo_to_dict(url).get("connect_timeout")
        return int(given) if given else CONNECT_TIMEOUT_S
    except (psycopg.ProgrammingError, ValueError):
        return CONNECT_TIMEOUT_S  # the connection itself will name what is wrong
