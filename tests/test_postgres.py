"""What only the shared PostgreSQL store has: many writers at once, a dropped connection, the
copy from a local file, and the server's own roles. (Everything else runs on both backends
through the `store` fixture.)"""
from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest

from qos.errors import ConflictError, StoreError, ValidationError
from qos.roles import Role
from qos.store import bureau, reference, users
from qos.store.audit import verify_audit
from qos.store.copying import copy_store
from qos.store.core import Store, open_store
from qos.store.pgconn import ConnectionLost
from tests.conftest import PASSWORD, PG_SERVER, make_user
from tests.factories import crime_line, import_lines

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def _force(store: Store):  # type: ignore[no-untyped-def]
    return users.setup_force(
        store, "Testshire Police",
        [{"code": "NOR", "name": "North", "kind": "BCU", "monthly_target": 50},
         {"code": "SOU", "name": "South", "kind": "BCU", "monthly_target": 40}],
        "admin", "Ada Admin", PASSWORD)


def _run_threads(count: int, work) -> list[BaseException]:  # type: ignore[no-untyped-def]
    errors: list[BaseException] = []

    def wrapped(n: int) -> None:
        try:
            work(n)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=wrapped, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return errors


def test_concurrent_writers_keep_one_unbroken_audit_chain(pg_url):
    store = open_store(pg_url)
    admin = _force(store)
    before = store.scalar("SELECT COUNT(*) FROM audit_log")
    unit = reference.unit_by_code(store, admin, "NOR")["id"]

    def writer(n: int) -> None:
        mine = open_store(pg_url)
        try:
            for i in range(12):  # each a record insert and its audit entry
                reference.add_person(mine, admin, f"W{n}-{i}", f"Writer {n} {i}", "staff", unit)
        finally:
            mine.close()

    assert _run_threads(8, writer) == []
    # 8 writers x 12 people = 96 new entries, ids 1..N with no gap, one chain.
    assert store.scalar("SELECT COUNT(*) FROM audit_log") == before + 96
    assert store.scalar("SELECT MAX(id) FROM audit_log") == before + 96
    report = verify_audit(store, admin)
    assert report.ok, report.problems
    store.close()


def test_a_stale_edit_from_another_connection_is_refused(pg_url):
    first = open_store(pg_url)
    admin = _force(first)
    second = open_store(pg_url)
    unit = reference.unit_by_code(first, admin, "NOR")
    first.update_record(admin, "units", unit["id"], unit["version"], {"name": "North BCU"})
    with pytest.raises(ConflictError, match="changed by Ada Admin"):
        second.update_record(admin, "units", unit["id"], unit["version"], {"name": "Nord"})
    assert second.scalar("SELECT name FROM units WHERE id = ?", [unit["id"]]) == "North BCU"
    first.close()
    second.close()


def test_ten_callers_claiming_at_once_never_share_a_victim(pg_url):
    store = open_store(pg_url)
    admin = _force(store)
    import_lines(store, admin, [crime_line(f"NOR/Q{i}", "08/11/2026", category="Theft")
                                for i in range(60)])
    callers = [make_user(store, admin, f"caller{n}", Role.BUREAU, "NOR") for n in range(10)]
    claimed: list[list[str]] = [[] for _ in callers]

    def caller(n: int) -> None:
        mine = open_store(pg_url)
        try:
            while (call := bureau.claim_next(mine, callers[n], now=NOW)) is not None:
                claimed[n].append(call["crime_ref"])
        finally:
            mine.close()

    assert _run_threads(10, caller) == []
    every = [ref for refs in claimed for ref in refs]
    assert len(every) == 60 and len(set(every)) == 60  # all 60 handed out, none twice
    assert verify_audit(store, admin).ok
    store.close()


def _kill(store: Store) -> None:
    pid = store.conn.raw.info.backend_pid
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_dropped_connection_reconnects_for_reads(pg_url):
    store = open_store(pg_url)
    _force(store)
    _kill(store)
    assert store.scalar("SELECT COUNT(*) FROM units") == 2  # asked again on a new connection
    store.close()


def test_a_connection_killed_mid_save_leaves_nothing_half_saved(pg_url):
    store = open_store(pg_url)
    admin = _force(store)
    unit = reference.unit_by_code(store, admin, "NOR")["id"]
    entries = store.scalar("SELECT COUNT(*) FROM audit_log")
    with pytest.raises(ConnectionLost, match="Nothing of the change in progress was saved"), \
            store.write():
            reference.add_person(store, admin, "HALF1", "Half Saved", "staff", unit)
            _kill(store)
            reference.add_person(store, admin, "HALF2", "Never Saved", "staff", unit)
    again = open_store(pg_url)
    assert again.scalar("SELECT COUNT(*) FROM people WHERE staff_number LIKE 'HALF%'") == 0
    assert again.scalar("SELECT COUNT(*) FROM audit_log") == entries
    # The same store carries on once the server answers: the next save goes through.
    reference.add_person(store, admin, "AFTER", "Saved After", "staff", unit)
    assert again.scalar("SELECT COUNT(*) FROM people WHERE staff_number = 'AFTER'") == 1
    assert verify_audit(again, admin).ok
    store.close()
    again.close()


def test_a_server_that_does_not_answer_is_named_not_a_traceback():
    with pytest.raises(ConnectionLost, match="Cannot reach the shared database"):
        open_store("postgresql://nobody@127.0.0.1:1/qos?connect_timeout=2")


def test_copy_moves_every_record_id_and_audit_entry_and_refuses_a_second_time(pg_url, tmp_path):
    source = open_store(tmp_path / "local.db")
    admin = _force(source)
    unit = reference.unit_by_code(source, admin, "NOR")["id"]
    boss = reference.add_person(source, admin, "B1", "Boss", "officer", unit)
    reference.add_person(source, admin, "S1", "Staff", "officer", unit, boss)
    import_lines(source, admin, [crime_line(f"NOR/C{i}", "08/11/2026", category="Theft")
                                 for i in range(30)])
    make_user(source, admin, "caller", Role.BUREAU, "NOR")
    target = open_store(pg_url)
    report = copy_store(source, target, admin)
    # The copy lifts the time limit for its own long statements only.
    assert target.scalar("SHOW statement_timeout") == "1min"
    tables = [r[0] for r in source.conn.execute(source.dialect.tables_sql)
              if not r[0].startswith("_")]
    for table in tables:
        assert (source.rows(f"SELECT * FROM {table} ORDER BY 1")
                == target.rows(f"SELECT * FROM {table} ORDER BY 1")), table
    assert report.rows["crimes"] == 30 and report.rows["audit_log"] == source.scalar(
        "SELECT COUNT(*) FROM audit_log")
    copied = verify_audit(target, admin)
    assert copied.ok, copied.problems
    # New rows carry on after the copied ids.
    new_id = reference.add_person(target, admin, "N1", "New", "staff", unit)
    assert new_id == source.scalar("SELECT MAX(id) FROM people") + 1
    with pytest.raises(ValidationError, match="already holds data"):
        copy_store(source, target, admin)
    source.close()
    target.close()


def test_copy_from_the_command_line(pg_url, tmp_path, capsys, monkeypatch):
    from qos.cli import run

    source = open_store(tmp_path / "local.db")
    _force(source)
    source.close()
    monkeypatch.setenv("QOS_PASSWORD", PASSWORD)
    assert run(["copy", "--user", "admin", "--from", str(tmp_path / "local.db"),
                "--to", pg_url]) == 0
    assert "Copied" in capsys.readouterr().out
    assert run(["audit", "verify", "--user", "admin", "--db", pg_url]) == 0
    assert run(["copy", "--user", "admin", "--from", str(tmp_path / "local.db"),
                "--to", pg_url]) == 1
    assert "already holds data" in capsys.readouterr().err


@pytest.fixture
def empty_database() -> str:
    name = f"qos_setup_{os.getpid()}"
    prefix = f"q{os.getpid()}"
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    yield name, prefix
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        for role in ("owner", "app", "report"):
            admin.execute(f"DROP ROLE IF EXISTS {prefix}_{role}")


def test_server_setup_gives_the_app_an_append_only_audit_log_and_a_read_only_reporter(
        empty_database, tmp_path):
    from qos.cli import run

    name, prefix = empty_database
    base = PG_SERVER.rsplit("/", 1)[0]
    assert run(["server-setup", "--db", f"{base}/{name}", "--prefix", prefix]) == 0
    as_app = f"postgresql://{prefix}_app@127.0.0.1:5432/{name}"
    store = open_store(as_app)  # migrations already applied by the owner: nothing to create
    admin = _force(store)  # the app writes data and audit entries
    assert verify_audit(store, admin).ok
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log",
                      "TRUNCATE audit_log"):
        with pytest.raises(Exception, match="permission denied"):
            store.conn.execute(statement)
    store.close()
    reporter = psycopg.connect(f"postgresql://{prefix}_report@127.0.0.1:5432/{name}",
                               autocommit=True)
    assert reporter.execute("SELECT COUNT(*) FROM units").fetchone()[0] == 2
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        reporter.execute("INSERT INTO settings (key, value) VALUES ('x', '1')")
    # Figures, yes; victims' names and phones, password hashes and the phone-hash key, no.
    assert reporter.execute("SELECT COUNT(*), COUNT(DISTINCT unit_id) FROM crimes").fetchone()
    assert reporter.execute("SELECT username, role FROM users").fetchall()
    for secret in ("SELECT victim_name FROM crimes", "SELECT victim_phone FROM crimes",
                   "SELECT phone_hmac FROM crimes", "SELECT * FROM crimes",
                   "SELECT password_hash FROM users", "SELECT value FROM settings",
                   "CREATE TEMP TABLE t (x int)"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            reporter.execute(secret)
    reporter.close()
    owner = psycopg.connect(f"postgresql://{prefix}_owner@127.0.0.1:5432/{name}")
    assert owner.execute("SELECT current_schema()").fetchone()[0] == prefix
    owner.close()


def _demo_workbook(target: Path | str, out: Path) -> list[tuple[str, int, int, object]]:
    """Every cell of the demo force's October workbook, built from seed 7 in `target`."""
    from openpyxl import load_workbook

    from qos.demo import build_demo
    from qos.store.exports import export_summary

    store = open_store(target)
    try:
        build_demo(store, 7, "2026-10", months=2, crimes_per_unit_month=40, officers=60,
                   volunteers=6)
        book = load_workbook(export_summary(store, users.actor_for(store, 1), "2026-10", out))
    finally:
        store.close()
    return [(sheet, r, c, _without_timestamps(value))
            for sheet in book.sheetnames
            for r, row in enumerate(book[sheet].iter_rows(values_only=True), 1)
            for c, value in enumerate(row, 1)]


def _without_timestamps(value: object) -> object:
    """The times a workbook was produced, and the audit head's hash (it covers each entry's
    time), blanked; the audit head's entry number is kept."""
    if not isinstance(value, str):
        return value
    value = re.sub(r"Produced by QoS Checks on .*\.", "Produced by QoS Checks on (time).", value)
    return re.sub(r"hash [0-9a-f]{64}", "hash (hash)", value)


def test_same_demo_gives_the_same_workbook_on_both_backends(pg_url, tmp_path, monkeypatch):
    """Every cell, timestamps aside. A third build on SQLite returns every unordered result in
    reverse (SQLite's reverse_unordered_selects): a read feeding the demo's random draws or a
    figure's order without an ORDER BY shows up here even when both servers happen to agree."""
    from qos.store import core

    sqlite_cells = _demo_workbook(tmp_path / "demo.db", tmp_path / "sqlite.xlsx")
    pg_cells = _demo_workbook(pg_url, tmp_path / "postgresql.xlsx")
    plain_connect = core.connect

    def reversed_connect(path: Path | str) -> sqlite3.Connection:
        conn = plain_connect(path)
        conn.execute("PRAGMA reverse_unordered_selects = ON")
        return conn

    monkeypatch.setattr(core, "connect", reversed_connect)
    reversed_cells = _demo_workbook(tmp_path / "reversed.db", tmp_path / "reversed.xlsx")
    assert len(sqlite_cells) > 9000
    assert sum(1 for cell in sqlite_cells if isinstance(cell[3], int | float)) > 2000
    for other in (pg_cells, reversed_cells):
        differing = [(a, b) for a, b in zip(sqlite_cells, other, strict=True) if a != b]
        assert differing == [], differing[:10]


def test_no_postgresql_server_means_one_skip_line_or_a_failure_in_ci(tmp_path):
    """conftest's pg_template: skip with one reason locally, fail when CI=true."""
    import subprocess
    import sys

    probe = tmp_path / "test_probe.py"
    probe.write_text("def test_a(store):\n    pass\n\ndef test_b(store):\n    pass\n")
    root = Path(__file__).resolve().parent.parent
    for ci, expected in (("", "2 passed, 2 deselected"), ("true", "2 passed, 2 error")):
        env = dict(os.environ, QOS_TEST_PG="postgresql://nobody@127.0.0.1:1/postgres",
                   CI=ci, PYTHONPATH=str(root))
        out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                              "--rootdir", str(root), "-c", str(root / "pyproject.toml"),
                              str(probe), "-p", "tests.conftest"],
                             capture_output=True, text=True, env=env, cwd=root, check=False)
        assert expected in out.stdout, out.stdout[-2000:]
        if not ci:  # one visible line, naming the server and the reason
            assert out.stdout.count("PostgreSQL tests skipped: 2, no server answers at "
                                    "postgresql://nobody@127.0.0.1:1/postgres") == 1


ROOT = Path(__file__).resolve().parent.parent
_NOT_THE_CHECKOUT = {".git", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache",
                     ".ruff_cache", ".hypothesis", "data"}


def _checkout_files() -> set[Path]:
    """Every file of the repository's folder, caches and bench/data aside."""
    found = set()
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [s for s in subfolders if s not in _NOT_THE_CHECKOUT]
        found.update(Path(folder, name).relative_to(ROOT) for name in files)
    return found


def test_a_url_folded_into_a_path_or_a_missing_target_is_never_opened_as_a_file(
        pg_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for wrong in (Path(pg_url), str(Path(pg_url)), "None", None, ""):
        with pytest.raises(StoreError, match="an address, not a database file|No database"):
            open_store(wrong)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="address") as refused:
        open_store("postgresql:/app:secret@db.force.local/qos")
    assert "secret" not in str(refused.value)  # the password is blanked in the message
    assert list(tmp_path.iterdir()) == []  # no file was made for any of them
    store = open_store(pg_url)
    again = open_store(store.target)  # how a worker reopens the same store: by its target
    assert again.dialect.is_postgres and again.path is None
    store.close()
    again.close()


def test_cli_and_copy_on_the_shared_database_leave_no_file_in_the_checkout(
        pg_url, tmp_path, monkeypatch, capsys):
    """A test run once left SQLite files named "None" and "postgresql:/postgres@..." in the
    repository: a PostgreSQL store's missing path and its URL opened as file paths. Run the
    commands a force uses on the shared database from the checkout, and look."""
    from qos.cli import run

    monkeypatch.chdir(ROOT)  # where a relative stray file would land
    monkeypatch.setenv("QOS_PASSWORD", PASSWORD)
    before = _checkout_files()
    source = open_store(tmp_path / "local.db")
    admin = _force(source)
    import_lines(source, admin, [crime_line(f"NOR/S{i}", "08/10/2026", category="Theft")
                                 for i in range(20)])
    source.close()
    assert run(["copy", "--user", "admin", "--from", str(tmp_path / "local.db"),
                "--to", pg_url]) == 0
    assert run(["audit", "--user", "admin", "verify", "--db", pg_url]) == 0
    assert run(["export", "--db", pg_url, "--user", "admin", "--month", "2026-10",
                "--out", str(tmp_path / "october.xlsx")]) == 0
    assert run(["--db", pg_url, "due", "--user", "admin", "--as-of", "2026-11-20"]) == 0
    assert run(["backup", "--db", pg_url, "--user", "admin",
                "--out", str(tmp_path / "b.db")]) == 1  # the server's own tools back it up
    assert (tmp_path / "october.xlsx").exists()
    # What made the stray files: a PostgreSQL store's path (None) and its URL through Path(),
    # handed on as --db. Refused with a message; no file is made.
    capsys.readouterr()
    for wrong, why in (("None", "No database was named"),
                       (str(Path(pg_url)), "an address, not a database file")):
        assert run(["--db", wrong, "due", "--user", "admin"]) == 1
        assert why in capsys.readouterr().err
    capsys.readouterr()
    assert _checkout_files() - before == set()
