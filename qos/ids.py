"""Record ids that stay unique across machines and sort by creation time (UUID version 7).

Time-ordered ids go in at the end of the uuid index instead of at random places in it:
a 100,000-row import spent a good part of its time on random uuid4 index inserts.
"""
from __future__ import annotations

import os
import threading
import time

_lock = threading.Lock()
_last_ms = 0
_sequence = 0
_RANDOM_MASK = (1 << 62) - 1


def new_uuid() -> str:
    """RFC 9562 UUIDv7: 48-bit Unix milliseconds, a 12-bit counter within the millisecond
    (so ids made in one process sort in the order they were made), 62 random bits."""
    return new_uuids(1)[0]


def new_uuids(count: int) -> list[str]:
    """`count` UUIDv7s in creation order, with one call for all their random bits."""
    global _last_ms, _sequence
    stamps = []
    with _lock:
        now_ms = time.time_ns() // 1_000_000  # once a batch: the counter orders within it
        for _ in range(count):
            if now_ms > _last_ms:
                _last_ms, _sequence = now_ms, 0
            else:  # the same millisecond (or the clock stepped back): count on
                _sequence += 1
                if _sequence > 0xFFF:
                    _last_ms, _sequence = _last_ms + 1, 0
            stamps.append((_last_ms << 80) | (0x7 << 76) | (_sequence << 64) | (0b10 << 62))
    noise = os.urandom(8 * count)
    made = []
    for n, head in enumerate(stamps):
        value = head | (int.from_bytes(noise[8 * n:8 * n + 8], "big") & _RANDOM_MASK)
        text = f"{value:032x}"
        made.append(f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}")
    return made
