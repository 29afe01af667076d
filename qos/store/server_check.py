"""Before the first-run wizard uses a shared database: can we reach it, and what is in it?

Answers in the words a force's staff can act on: no server answers (the host or port, or the
network), the server has no such database, the server refused the user or the secure (TLS)
connection, or the database holds something other than QoS Checks. Nothing is written.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from qos.errors import StoreError
from qos.store.pgconn import open_connection, redact

# The server's words (libpq's, in English) for each kind of refusal, in the order asked.
_NO_DATABASE = ("does not exist",)
_REFUSED_USER = ("password authentication failed", "no password supplied", "pg_hba.conf",
                 "authentication failed", "role \"", "permission denied")
_TLS = ("ssl", "tls", "certificate")
# Another program on that port (a web server, say) answers libpq's first message with
# something else: asked before the TLS words, which its message also contains.
_NOT_POSTGRES = ("received invalid response to ssl negotiation",
                 "expected authentication request from server")


class ServerUnreachable(StoreError):
    """No PostgreSQL server answered at that host and port."""


class NoSuchDatabase(StoreError):
    """The server answered, but holds no database of that name."""


class SignInRefused(StoreError):
    """The server refused the user (password, role, pg_hba.conf) or the TLS settings."""


class NotAQosDatabase(StoreError):
    """The database holds tables of some other program."""


@dataclass(frozen=True)
class ServerState:
    url: str
    holds_qos: bool  # QoS Checks' tables are there
    force_name: str | None  # set up: the force whose store this is

    @property
    def ready(self) -> bool:
        """Set up already: the wizard only signs in."""
        return self.force_name is not None


def probe_server(url: str) -> ServerState:
    """Connect to `url` (libpq's settings honoured: sslmode, sslrootcert, passfile, ...),
    read what the database holds and disconnect. Raises one of the errors above."""
    try:
        conn = open_connection(url)
    except StoreError as exc:
        raise _plain(url, exc) from exc
    try:
        return _state(url, conn)
    finally:
        conn.close()


def _state(url: str, conn: Any) -> ServerState:
    tables = {row[0] for row in conn.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema()").fetchall()}
    if not tables:
        return ServerState(url, holds_qos=False, force_name=None)
    if "_sqlite_migrations" not in tables or "users" not in tables:
        shown = ", ".join(sorted(tables)[:3])
        raise NotAQosDatabase(
            f"The database {_name(url)} already holds other tables ({shown}, ...): it is not "
            "a QoS Checks database. Use an empty database made for QoS Checks.")
    force = conn.execute("SELECT value FROM settings WHERE key = 'force_name'").fetchone()
    admin = conn.execute(
        "SELECT 1 FROM users WHERE role = 'admin' AND active = 1 LIMIT 1").fetchone()
    name = json.loads(force[0]) if force and admin else None
    return ServerState(url, holds_qos=True, force_name=str(name) if name else None)


def _plain(url: str, exc: StoreError) -> StoreError:
    said = " ".join(str(exc.__cause__ or exc).split())
    lowered = said.lower()
    where = redact(url)
    if "database \"" in lowered and any(w in lowered for w in _NO_DATABASE):
        return NoSuchDatabase(
            f"The server answered, but it has no database called {_name(url)}. Check the "
            f"name in {where}, or ask the database administrator to create it. ({said})")
    if any(w in lowered for w in _REFUSED_USER):
        return SignInRefused(
            f"The server refused to let {_user(url)} in: check the user name and password "
            f"(or ask the database administrator to allow this user). ({said})")
    if any(w in lowered for w in _NOT_POSTGRES):
        return ServerUnreachable(
            f"Something answered at {where}, but it is not a PostgreSQL server: check the "
            "port (PostgreSQL's is usually 5432) and the host name with the database "
            f"administrator. ({said})")
    if any(w in lowered for w in _TLS):
        return SignInRefused(
            "The secure (TLS) connection the address asks for could not be made: check "
            f"sslmode and the certificates in {where} with the database administrator. "
            f"({said})")
    return ServerUnreachable(
        f"No PostgreSQL server answered at {where}. Check the host name and port, and that "
        f"this PC can reach the server (network, VPN, firewall). ({said})")


def _conninfo(url: str) -> dict[str, Any]:
    from psycopg.conninfo import conninfo_to_dict

    try:
        return dict(conninfo_to_dict(url))
    except Exception:  # noqa: BLE001 - the address is checked on connecting; here only words
        return {}


def _name(url: str) -> str:
    return f"'{_conninfo(url).get('dbname', '?')}'"


def _user(url: str) -> str:
    user = _conninfo(url).get("user")
    return f"the user '{user}'" if user else "this PC's user"
