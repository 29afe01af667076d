"""qos/ids.py: record ids are UUIDv7, unique, and sort in the order they were made."""
from __future__ import annotations

import threading
import time
import uuid

from qos import ids
from qos.ids import new_uuid, new_uuids


def test_record_ids_are_uuid7_unique_and_in_creation_order():
    made = [new_uuid() for _ in range(10_000)] + new_uuids(10_000)  # many per millisecond
    assert len(set(made)) == len(made)
    assert made == sorted(made)
    parsed = uuid.UUID(made[0])
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122


def test_the_first_48_bits_are_the_unix_time_in_milliseconds():
    before = time.time_ns() // 1_000_000
    made = uuid.UUID(new_uuid())
    after = time.time_ns() // 1_000_000
    assert before <= made.int >> 80 <= after + 1  # +1: a counter overflow may borrow a ms


def test_more_than_4096_in_one_millisecond_borrow_the_next_and_stay_ordered(monkeypatch):
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_800_000_000_000 * 1_000_000)
    monkeypatch.setattr(ids, "_last_ms", 0)
    made = new_uuids(5000)  # the 12-bit counter holds 4096 a millisecond
    stamps = [uuid.UUID(u).int >> 80 for u in made]
    assert stamps[0] == 1_800_000_000_000 and stamps[4095] == 1_800_000_000_000
    assert stamps[4096] == 1_800_000_000_001 and stamps[-1] == 1_800_000_000_001
    assert made == sorted(made) and len(set(made)) == 5000


def test_a_clock_stepping_back_does_not_break_the_order(monkeypatch):
    clock = iter([2_000_000_000_000, 1_999_999_999_000])  # ms; the second is a second earlier
    monkeypatch.setattr(ids.time, "time_ns", lambda: next(clock) * 1_000_000)
    monkeypatch.setattr(ids, "_last_ms", 0)
    first, second = new_uuid(), new_uuid()
    assert first < second


def test_ids_made_on_several_threads_are_all_different():
    out: list[list[str]] = [[] for _ in range(4)]
    threads = [threading.Thread(target=lambda o=o: o.extend(new_uuids(2000))) for o in out]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [u for o in out for u in o]
    assert len(set(everything)) == 8000
