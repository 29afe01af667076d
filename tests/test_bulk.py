"""qos/bulk.py: the garbage collector paused during bulk work, and always given back."""
from __future__ import annotations

import gc
import threading

import pytest

from qos.bulk import gc_paused


def test_gc_pause_nests_and_restores_the_collector():
    assert gc.isenabled()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()


def test_a_failure_inside_still_restores_the_collector():
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("a failed import")
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_pauses_on_two_threads_share_one_pause():
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with gc_paused():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    inside.wait(10)
    with gc_paused():
        pass
    assert not gc.isenabled()  # the other thread's pause is still open
    release.set()
    thread.join()
    assert gc.isenabled()
