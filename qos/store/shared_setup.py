"""The first-run wizard's set-up of the force's shared database, whole or not at all.

The tables (the migrations) and the force, its units and first administrator go in one
transaction: PostgreSQL's DDL is transactional, so a set-up that fails part way (a refused
password, a lost connection) leaves the database exactly as it was, not a table-full but
force-less database that the next run's wizard would take as its own and carry on in. A
database whose tables the DBA made already (`main.py server-setup`) gets only the force.
"""
from __future__ import annotations

from typing import Any

from qos.errors import DatabaseTooNew, ValidationError
from qos.roles import Actor
from qos.store.core import Store, open_store
from qos.store.pgconn import redact
from qos.store.schema import MIGRATIONS
from qos.store.users import setup_force


def set_up_shared(url: str, force_name: str, units: list[dict[str, Any]],
                  admin_username: str, admin_display_name: str, admin_password: str
                  ) -> tuple[Store, Actor]:
    """The open, set-up store and its first administrator; on any failure nothing is kept."""
    if not force_name.strip():  # the cheap refusals before any connection
        raise ValidationError("Please give the force's name.")
    store = open_store(url, migrate=False)
    try:
        with store.write():
            # Held to the end: another PC opening this database waits for the whole set-up,
            # then finds every migration applied (apply_postgres takes the same lock).
            store.conn.execute(store.dialect.migration_lock)
            _refuse_newer(store, url)
            MIGRATIONS.apply_postgres(store.conn)  # inside this transaction
            store.conn.forget_catalogue()  # as on opening: the tables are new
            actor = setup_force(store, force_name, units, admin_username,
                                admin_display_name, admin_password)
    except BaseException:
        store.close()
        raise
    return store, actor


def _refuse_newer(store: Store, url: str) -> None:
    if not store.scalar(store.dialect.table_exists_sql, ["_sqlite_migrations"]):
        return
    applied = {r["name"] for r in store.rows(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATIONS.name])}
    unknown = sorted(applied - set(MIGRATIONS.names()))
    if unknown:
        raise DatabaseTooNew(
            f"The shared database {redact(url)} was made by a newer version of QoS Checks (it "
            f"has changes {', '.join(unknown)} this version does not know). Update the app.")
