"""The row hash's JSON, written by SQLite's json_array() when verify reads a file and by
Python everywhere else: the two give the same text, and whatever SQLite cannot write
exactly (a real number, a BLOB) is hashed in Python, so an edit to it is still named."""
from __future__ import annotations

import sqlite3

import pytest

from qos.store import row_check
from qos.store.audit import verify_audit
from qos.store.hashing import HASHED_TABLES, row_json
from tests.factories import crime_line, import_lines
from tests.tamper import raw_sql

ODD_TEXT = ["", "'", '"', "\\", "a\x00b", "".join(map(chr, range(32))) + "\x7f",
            "\u2028é€😀 Zoë", "x" * 5000]
NUMBERS = [0, 1, -1, 2**31, -(2**63), 2**63 - 1]


def test_sqlite_writes_the_same_json_as_python():
    conn = sqlite3.connect(":memory:")
    for values in ([*ODD_TEXT, *NUMBERS, None], ["only text"], [None, None]):
        marks = ", ".join("?" * len(values))
        written = conn.execute(f"SELECT json_array({marks})", values).fetchone()[0]
        assert written == row_json(tuple(values))


def test_a_real_or_a_blob_is_written_exactly_by_python():
    assert row_json((0.30000000000000004, 1e20, b"\x00\xff")) == \
        '[0.30000000000000004,1e+20,{"bytes":"00ff"}]'
    assert row_json(("00ff",)) != row_json((b"\x00\xff",))  # a BLOB never reads as text


@pytest.mark.sqlite_only
def test_both_ways_give_the_same_hashes_for_every_checked_table(store, admin, monkeypatch):
    import_lines(store, admin, [crime_line(f"NOR/{i}", "05/10/2026") for i in range(1, 30)])
    monkeypatch.setattr(row_check, "PAGE", 7)
    by_sqlite = {t: list(row_check._pages(store, t)) for t in HASHED_TABLES}
    assert row_check._json_columns(store, "crimes")  # the fast way was taken for crimes
    monkeypatch.setattr(row_check, "_json_columns", lambda store, table: [])
    assert {t: list(row_check._pages(store, t)) for t in HASHED_TABLES} == by_sqlite


@pytest.mark.sqlite_only
@pytest.mark.parametrize("edit", [
    "UPDATE crimes SET victim_name = victim_name || char(0) || 'hidden' WHERE id = ?",
    "UPDATE crimes SET victim_name = CAST(victim_name AS BLOB) WHERE id = ?",
], ids=["text after a NUL", "text as a BLOB"])
def test_edits_sqlite_cannot_write_as_json_are_still_named(store, admin, db_path, edit):
    import_lines(store, admin, [crime_line(f"NOR/{i}", "05/10/2026") for i in range(1, 6)])
    crime_id = store.scalar("SELECT id FROM crimes WHERE crime_ref = 'NOR/3'")
    raw_sql(store, edit, [crime_id])
    assert verify_audit(store, admin).problems == [
        f"crimes: row {crime_id} (NOR/3) changed outside the app (no matching audit entry)"]


@pytest.mark.sqlite_only
def test_a_real_changed_past_its_15th_digit_is_named(store, admin, db_path):
    """SQLite's JSON writes 0.30000000000000004 as 0.3: had the app recorded 0.3, that edit
    would match. A table holding a real is hashed in Python instead."""
    import_lines(store, admin, [crime_line(f"NOR/{i}", "05/10/2026") for i in range(1, 6)])
    crime_id = store.scalar("SELECT id FROM crimes WHERE crime_ref = 'NOR/3'")
    with store.write():  # the app itself stores a fraction in an INTEGER column
        store.execute("UPDATE crimes SET vulnerable = 0.3 WHERE id = ?", [crime_id])
        store.audit(admin, "change", "crimes", crime_id)
    assert verify_audit(store, admin).ok
    raw_sql(store, "UPDATE crimes SET vulnerable = 0.30000000000000004 WHERE id = ?",
            [crime_id])
    assert verify_audit(store, admin).problems == [
        f"crimes: row {crime_id} (NOR/3) changed outside the app (no matching audit entry)"]
