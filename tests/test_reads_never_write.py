"""Reading the due list or the summary never takes a write lock: deadlines are worked out by
the writers (the crime import, a victim update) and the background catch-up, not by reads."""
from __future__ import annotations

import datetime as dt
import sqlite3

from qos.roles import SYSTEM
from qos.store import agreed_updates, crimes, duties
from qos.store.crime_import import import_crimes_with_deadlines
from qos.store.summary_data import monthly_summary
from qos.store.updates import due_list, record_victim_update
from qos.tabular import read_csv_text
from tests.factories import HEADER, crime_line


def _table(*lines: str):
    return read_csv_text(HEADER + "".join(lines))


def test_due_list_and_summary_read_while_another_program_holds_the_write_lock(
        store, admin, db_path):
    # Imported without the deadline step, as an old version or another tool would leave it.
    crimes.import_crimes(store, admin, _table(crime_line("NOR/1", "02/10/2026")),
                         all_or_nothing=True)
    assert duties.stale_count(store) == 1
    store.conn.execute("PRAGMA busy_timeout = 200")  # a write attempt fails fast, not in 15 s
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # someone else is saving
    try:
        assert due_list(store, SYSTEM, dt.date(2026, 10, 30)) == []  # what is kept: nothing yet
        summary = monthly_summary(store, admin, "2026-10")
        assert summary is not None
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert duties.stale_count(store) == 1  # the reads left the catch-up to its owner
    # The explicit catch-up then brings the crime's regular update onto the list: recorded
    # 2 October, the edition's periodic update every 28 days: 2 + 28 = 30 October.
    assert duties.bring_up_to_date(store) == 1
    due = due_list(store, SYSTEM, dt.date(2026, 10, 30))
    assert [(r["crime_ref"], r["due"]) for r in due] == [("NOR/1", "2026-10-30")]


def test_the_import_operation_works_out_deadlines_with_one_progress_bar(store, admin):
    seen: list[tuple[int, int]] = []
    result = import_crimes_with_deadlines(
        store, admin, _table(crime_line("NOR/9", "01/10/2026")), all_or_nothing=True,
        progress=lambda done, total: seen.append((done, total)))
    assert result.inserted == 1 and duties.stale_count(store) == 0
    assert seen[-1] == (2, 2)  # one bar: the import's half, then the deadlines' half


def test_a_victim_update_works_out_that_crimes_deadlines_at_once(store, admin):
    import_crimes_with_deadlines(store, admin, _table(crime_line("NOR/2", "01/10/2026")),
                                 all_or_nothing=True)
    as_of = dt.date(2026, 10, 30)
    assert [r["crime_ref"] for r in due_list(store, SYSTEM, as_of)] == ["NOR/2"]
    crime_id = store.scalar("SELECT id FROM crimes WHERE crime_ref = 'NOR/2'")
    record_victim_update(store, admin, crime_id, dt.date(2026, 10, 20))
    assert duties.stale_count(store) == 0
    assert due_list(store, SYSTEM, as_of) == []  # updated on the 20th: next due 20 + 28 = 17 November


def test_an_agreed_update_frequency_reworks_that_crimes_deadline_at_once(store, admin):
    import_crimes_with_deadlines(store, admin, _table(crime_line("NOR/3", "02/10/2026")),
                                 all_or_nothing=True)
    crime_id = store.scalar("SELECT id FROM crimes WHERE crime_ref = 'NOR/3'")
    as_of = dt.date(2026, 10, 30)
    assert [r["due"] for r in due_list(store, SYSTEM, as_of)] == ["2026-10-30"]  # 2 Oct + 28 days
    agreed_updates.record_update_frequency(store, admin, crime_id, 7, source="call-back")
    assert duties.stale_count(store) == 0
    assert [r["due"] for r in due_list(store, SYSTEM, as_of)] == ["2026-10-09"]  # 2 Oct + 7 days
