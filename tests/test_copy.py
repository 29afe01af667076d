"""`copy` into the shared database: signed in as the source's administrator, never from a
source that fails its audit check, never into a database used for anything else, and the
target's trail says where it came from."""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from qos.cli import run
from qos.roles import Role
from qos.store import users
from qos.store.audit import verify_audit
from qos.store.core import open_store
from tests.conftest import PASSWORD, PG_SERVER, _server_url, make_user, set_up_force
from tests.factories import crime_line, import_lines


def _local(tmp_path: Path) -> Path:
    path = tmp_path / "local.db"
    source = open_store(path)
    admin = set_up_force(source)
    import_lines(source, admin, [crime_line(f"NOR/C{i}", "08/10/2026") for i in range(5)])
    make_user(source, admin, "sgt", Role.SUPERVISOR, "NOR")
    source.close()
    return path


@pytest.fixture
def bare_database() -> Iterator[str]:
    """A new database with nothing in it, not even QoS Checks' tables."""
    name = f"qos_copy_{os.getpid()}"
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    yield _server_url(name)
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _copy(source: Path, url: str, *user: str) -> int:
    return run(["copy", *user, "--from", str(source), "--to", url])


def test_copy_signs_in_as_an_administrator_of_the_source(
        pg_url, tmp_path, monkeypatch, capsys):
    source = _local(tmp_path)
    monkeypatch.setenv("QOS_PASSWORD", PASSWORD)
    assert _copy(source, pg_url) == 1  # no --user: it used to run as the built-in account
    assert "--user" in capsys.readouterr().err
    assert _copy(source, pg_url, "--user", "sgt") == 1
    assert "may not manage user accounts" in capsys.readouterr().err
    target = open_store(pg_url)
    assert target.scalar("SELECT COUNT(*) FROM crimes") == 0  # neither copied anything
    target.close()
    assert _copy(source, pg_url, "--user", "admin") == 0
    target = open_store(pg_url)
    last = target.row("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert (last["action"], last["username"]) == ("copied from", "admin")
    assert str(source.resolve()) in last["detail"]
    admin = users.sign_in(target, "admin", PASSWORD)
    verdict = verify_audit(target, admin)
    assert verdict.ok, verdict.problems  # the entry carries the copied chain on
    target.close()


def test_a_source_that_fails_its_audit_check_is_not_copied(pg_url, tmp_path, monkeypatch,
                                                           capsys):
    source = _local(tmp_path)
    behind_the_back = sqlite3.connect(source)
    behind_the_back.execute("UPDATE crimes SET victim_phone = '07700900000' "
                            "WHERE crime_ref = 'NOR/C1'")
    behind_the_back.commit()
    behind_the_back.close()
    monkeypatch.setenv("QOS_PASSWORD", PASSWORD)
    assert _copy(source, pg_url, "--user", "admin") == 1
    err = capsys.readouterr().err
    assert "fails its audit check, so it is not copied" in err and "crimes" in err
    target = open_store(pg_url)
    assert target.scalar("SELECT COUNT(*) FROM crimes") == 0
    target.close()


def test_a_database_holding_any_other_table_is_refused_untouched(
        bare_database, tmp_path, monkeypatch, capsys):
    with psycopg.connect(bare_database, autocommit=True) as other:
        other.execute("CREATE TABLE payroll (id int PRIMARY KEY, salary numeric)")
    source = _local(tmp_path)
    monkeypatch.setenv("QOS_PASSWORD", PASSWORD)
    assert _copy(source, bare_database, "--user", "admin") == 1
    assert "payroll" in capsys.readouterr().err
    with psycopg.connect(bare_database) as other:  # no QoS tables added beside payroll
        tables = [r[0] for r in other.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()")]
    assert tables == ["payroll"]


def test_a_new_empty_database_takes_the_copy(bare_database, tmp_path, monkeypatch):
    source = _local(tmp_path)
    monkeypatch.setenv("QOS_PASSWORD", PASSWORD)
    assert _copy(source, bare_database, "--user", "admin") == 0
    target = open_store(bare_database)
    assert target.scalar("SELECT COUNT(*) FROM crimes") == 5
    target.close()
