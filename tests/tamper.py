"""What an insider with the database and a SQL shell would do, for the audit tests."""
from __future__ import annotations

import sqlite3

from qos.store.core import Store


def untrigger(store: Store) -> None:
    """Drop the triggers that refuse UPDATE and DELETE on the trail, as an insider could."""
    with store.write():
        store.execute(store.dialect.drop_trigger("audit_log_no_update", "audit_log"))
        store.execute(store.dialect.drop_trigger("audit_log_no_delete", "audit_log"))


def raw_sql(store: Store, sql: str, params: list[object] | tuple[object, ...] = ()) -> None:
    """One statement run behind the app's back: on a file with the sqlite3 shell (the app
    closed), on a shared database through a connection of its own."""
    if store.path is None:
        from qos.store.core import open_store

        other = open_store(store.target)
        try:
            with other.write():
                other.execute(sql, params)
        finally:
            other.close()
        return
    conn = sqlite3.connect(store.path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()
