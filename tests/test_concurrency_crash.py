"""Several processes saving at once, and writers killed mid-save: nothing lost, nothing half."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qos.roles import SYSTEM
from qos.store import reference
from qos.store.audit import verify_audit
from qos.store.core import integrity_problem, open_store

ROOT = Path(__file__).resolve().parent.parent

SAVER = """
import sys
sys.path.insert(0, {root!r})
from qos.errors import StoreError
from qos.roles import SYSTEM
from qos.store import reference
from qos.store.core import open_store
store = open_store({db!r})
unit_id = store.scalar("SELECT id FROM units WHERE code = 'NOR'")
locked = 0
for i in range({saves}):
    try:
        reference.add_person(store, SYSTEM, f"P{worker}-{{i}}", "Worker", "staff", unit_id)
    except StoreError:
        locked += 1
print(locked)
"""


def test_six_processes_saving_at_once_never_hit_a_lock(store, admin, db_path):
    processes, saves = 6, 500
    store.close()
    started = time.perf_counter()
    children = [subprocess.Popen(
        [sys.executable, "-c", SAVER.format(root=str(ROOT), db=str(db_path), saves=saves,
                                            worker=w)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True) for w in range(processes)]
    results = [c.communicate(timeout=300) for c in children]
    elapsed = time.perf_counter() - started
    errors = [err for _, err in results if err.strip()]
    assert not errors, errors[0]
    locked = sum(int(out.strip()) for out, _ in results)
    check = open_store(db_path)
    try:
        saved = check.scalar("SELECT COUNT(*) FROM people")
        audited = check.scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'people'")
        assert verify_audit(check, SYSTEM).ok  # six writers, one unbroken chain
    finally:
        check.close()
    print(f"\n{processes} processes x {saves} saves in {elapsed:.1f} s: "
          f"{locked} 'database is locked', {saved} rows")
    assert locked == 0
    assert saved == audited == processes * saves


def _writer(db_path: Path, report_fd: int) -> None:
    """Child: save people as fast as it can, reporting each committed staff number."""
    store = open_store(db_path)
    unit_id = store.scalar("SELECT id FROM units WHERE code = 'NOR'")
    from qos.roles import SYSTEM

    n = 0
    while True:
        number = f"K{os.getpid()}-{n}"
        reference.add_person(store, SYSTEM, number, "Crash Test", "staff", unit_id)
        os.write(report_fd, (number + "\n").encode())
        n += 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_writers_killed_at_random_moments_lose_nothing_committed(store, admin, db_path):
    kills = int(os.environ.get("QOS_CRASH_KILLS", "500"))
    store.close()
    rng = random.Random(2026)
    reported: list[str] = []
    for _ in range(kills):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child never returns into pytest
            os.close(read_fd)
            try:
                _writer(db_path, write_fd)
            finally:
                os._exit(0)
        os.close(write_fd)
        time.sleep(rng.uniform(0.001, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with os.fdopen(read_fd) as pipe:
            reported += [line for line in pipe.read().splitlines() if line]
    check = open_store(db_path)
    try:
        assert integrity_problem(check) is None  # 0 corrupt databases
        numbers = {r["staff_number"] for r in check.rows(
            "SELECT staff_number FROM people WHERE name = 'Crash Test'")}
        lost = [n for n in reported if n.upper() not in numbers]
        audited = check.scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'people'")
        assert verify_audit(check, SYSTEM).ok
    finally:
        check.close()
    print(f"\n{kills} SIGKILLs: {len(reported)} saves reported committed, {len(lost)} lost, "
          f"{len(numbers)} rows, {audited} audit entries")
    assert lost == []  # 0 lost committed records
    assert audited == len(numbers)  # 0 half-written: every row has its audit entry
    assert len(numbers) >= len(reported)  # a save may commit just before the kill
