"""Faults on the shared database: a server restart, a save waiting on a lock, a call that runs
too long. A clear message each time, no call that waits without limit, reads reconnect by
themselves, and a save is whole or absent.

The restart needs a server of the test's own (the one on 5432 is shared by everyone): it is
started from the installed binaries by .ci/postgres.sh, the same script .ci/run falls back
on, on a free port; so this also exercises that fallback. Without the binaries these tests
skip with one reason; with CI=true they fail instead.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from qos.store import reference, users
from qos.store.audit import verify_audit
from qos.store.core import Store, open_store
from qos.store.pgconn import ConnectionLost, ServerTimeout
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "postgres.sh"


@dataclass
class OwnServer:
    port: int
    folder: Path

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _script(self, *args: str) -> None:
        done = subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True,
                              timeout=120, check=False)
        assert done.returncode == 0, done.stderr[-2000:]

    def start(self) -> None:
        self._script("start", str(self.port), str(self.folder))

    def stop(self) -> None:
        self._script("stop", str(self.folder))

    def resume(self) -> None:
        self._script("resume", str(self.folder))

    def restart(self) -> None:
        """Stop (fast: open transactions are rolled back) and start again, data kept."""
        self.stop()
        self.resume()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _binaries_missing() -> str | None:
    found = subprocess.run(["bash", "-c", f'source "{SCRIPT}"; pg_bin_dir'],
                           capture_output=True, text=True, check=False)
    return None if found.returncode == 0 else found.stderr.strip() or "no initdb"


@pytest.fixture(scope="module")
def own_server() -> Iterator[OwnServer]:
    """A PostgreSQL server of this module's own, on a free port, stopped and removed after."""
    why = _binaries_missing()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL fault tests cannot run in CI: {why}", pytrace=False)
        pytest.skip(f"PostgreSQL fault tests skipped: {why}")
    # Not under pytest's tmp_path: the server runs as `postgres` when the tests run as root,
    # and must be able to reach its folder.
    server = OwnServer(_free_port(), Path(tempfile.mkdtemp(prefix="qos-fault-pg.")))
    try:
        server.start()
        yield server
        server.stop()
    finally:
        shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture
def fault_url(own_server: OwnServer) -> Iterator[str]:
    """A fresh database on the module's own server; the address sets short time limits."""
    name = f"qos_fault_{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(own_server.url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield (f"postgresql://postgres@127.0.0.1:{own_server.port}/{name}?connect_timeout=3"
           "&options=-c%20lock_timeout%3D1500%20-c%20statement_timeout%3D3000")
    with psycopg.connect(own_server.url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _force(store: Store):  # type: ignore[no-untyped-def]
    return users.setup_force(
        store, "Testshire Police",
        [{"code": "NOR", "name": "North", "kind": "BCU", "monthly_target": 50}],
        "admin", "Ada Admin", PASSWORD)


def test_the_time_limits_in_the_address_are_the_ones_used(fault_url):
    store = open_store(fault_url)
    assert store.scalar("SELECT current_setting('lock_timeout')") == "1500ms"
    assert store.scalar("SELECT current_setting('statement_timeout')") == "3s"
    assert store.scalar("SELECT current_setting('idle_in_transaction_session_timeout')") == "5min"
    store.close()


def test_a_server_restart_gives_a_message_then_reads_and_saves_carry_on(own_server, fault_url):
    store = open_store(fault_url)
    admin = _force(store)
    unit = reference.unit_by_code(store, admin, "NOR")["id"]
    own_server.stop()
    try:
        started = time.monotonic()
        with pytest.raises(ConnectionLost, match="connection to the shared database was lost"):
            store.scalar("SELECT COUNT(*) FROM units")
        with pytest.raises(ConnectionLost, match="shared database"):
            reference.add_person(store, admin, "DOWN", "While Down", "staff", unit)
        assert time.monotonic() - started < 15  # connect_timeout=3 bounds each try
    finally:
        own_server.resume()
    # The same store, no reopening: the read reconnects by itself, the save goes through.
    assert store.scalar("SELECT COUNT(*) FROM units") == 1
    reference.add_person(store, admin, "UP", "After Restart", "staff", unit)
    assert store.scalar("SELECT COUNT(*) FROM people WHERE staff_number IN ('DOWN', 'UP')") == 1
    assert verify_audit(store, admin).ok
    store.close()


def test_a_restart_in_the_middle_of_a_save_leaves_nothing_half_saved(own_server, fault_url):
    store = open_store(fault_url)
    admin = _force(store)
    unit = reference.unit_by_code(store, admin, "NOR")["id"]
    people = store.scalar("SELECT COUNT(*) FROM people")
    entries = store.scalar("SELECT COUNT(*) FROM audit_log")
    with pytest.raises(ConnectionLost, match="Nothing of the change in progress was saved"), \
            store.write():
        reference.add_person(store, admin, "HALF1", "Half Saved", "staff", unit)
        own_server.restart()  # fast shutdown: the open transaction is rolled back
        reference.add_person(store, admin, "HALF2", "Never Saved", "staff", unit)
    assert store.scalar("SELECT COUNT(*) FROM people") == people  # read: reconnected
    assert store.scalar("SELECT COUNT(*) FROM audit_log") == entries
    assert verify_audit(store, admin).ok
    store.close()


def test_a_save_waiting_on_a_locked_record_gives_up_with_a_message(fault_url):
    store = open_store(fault_url)
    admin = _force(store)
    unit = reference.unit_by_code(store, admin, "NOR")
    holder = psycopg.connect(fault_url.split("?")[0])  # another desk, mid-save on the row
    holder.execute("SELECT * FROM units WHERE id = %s FOR UPDATE", [unit["id"]])
    started = time.monotonic()
    with pytest.raises(ServerTimeout, match="did not finish in time.*Nothing of the change"):
        store.update_record(admin, "units", unit["id"], unit["version"], {"name": "Nord"})
    assert 1.0 < time.monotonic() - started < 10  # lock_timeout=1500ms, not a frozen window
    holder.rollback()
    holder.close()
    assert store.scalar("SELECT name FROM units WHERE id = ?", [unit["id"]]) == "North"
    store.update_record(admin, "units", unit["id"], unit["version"], {"name": "Nord"})
    store.close()


def test_a_call_that_runs_too_long_is_cancelled_with_a_message(fault_url):
    store = open_store(fault_url)
    started = time.monotonic()
    with pytest.raises(ServerTimeout, match="did not finish in time"):
        store.scalar("SELECT pg_sleep(30)")
    assert time.monotonic() - started < 10  # statement_timeout=3s
    assert store.scalar("SELECT 1") == 1  # the connection is still usable
    store.close()
