"""The command line signs in: each command runs with that user's role and units, audited."""
from __future__ import annotations

import pytest

from qos.cli import run
from qos.demo import DEMO_PASSWORD
from qos.roles import Role
from tests.conftest import PASSWORD, make_user
from tests.factories import crime_line, import_lines


@pytest.fixture
def force(store, admin):
    import_lines(store, admin, [crime_line("NOR/1", "05/10/2026"),
                                crime_line("SOU/1", "05/10/2026", unit="SOU")])
    make_user(store, admin, "sgt", Role.SUPERVISOR, "NOR")
    make_user(store, admin, "vol", Role.VOLUNTEER)
    store.close()
    return store.path


def test_a_command_without_a_user_is_refused(force, capsys, tmp_path):
    for argv in (["due"], ["export", "--month", "2026-10", "--out", str(tmp_path / "s.xlsx")],
                 ["backup", "--out", str(tmp_path / "b.db")],
                 ["restore", "--from", str(tmp_path / "b.db")], ["audit", "verify"]):
        assert run([*argv, "--db", str(force)]) == 1, argv
        assert "sign in with --user NAME" in capsys.readouterr().err
    assert not (tmp_path / "s.xlsx").exists() and not (tmp_path / "b.db").exists()


def test_a_wrong_password_is_refused_and_counted(force, capsys, monkeypatch):
    monkeypatch.setenv("QOS_PASSWORD", "not the password")
    assert run(["due", "--user", "sgt", "--db", str(force)]) == 1
    err = capsys.readouterr().err
    assert "do not match an active account" in err and "not the password" not in err
    from qos.store.core import open_store

    store = open_store(force)
    try:
        assert store.scalar("SELECT failed_logins FROM users WHERE username = 'sgt'") == 1
    finally:
        store.close()


def test_the_password_is_asked_for_when_not_in_the_environment(force, capsys, monkeypatch):
    monkeypatch.delenv("QOS_PASSWORD")
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt, stream=None: (asked.append(prompt),
                                                                       PASSWORD)[1])
    assert run(["due", "--user", "sgt", "--db", str(force), "--as-of", "2026-11-10"]) == 0
    assert asked == ["Password for sgt: "]


def test_commands_run_with_the_users_role_and_units_and_are_audited_as_them(
        force, capsys, tmp_path):
    assert run(["due", "--user", "sgt", "--db", str(force), "--as-of", "2026-11-10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert {line.split("\t")[1] for line in lines} == {"NOR"}  # not SOU's victims
    assert run(["due", "--user", "admin", "--db", str(force), "--as-of", "2026-11-10"]) == 0
    assert {line.split("\t")[1] for line in capsys.readouterr().out.splitlines()} == {"NOR",
                                                                                       "SOU"}
    assert run(["due", "--user", "sgt", "--db", str(force), "--unit", "SOU"]) == 1
    assert "not responsible" in capsys.readouterr().err
    # A volunteer may not back up (anywhere) or restore.
    assert run(["backup", "--user", "vol", "--db", str(force),
                "--out", str(tmp_path / "copy.db")]) == 1
    assert "may not back up" in capsys.readouterr().err
    assert not (tmp_path / "copy.db").exists()
    assert run(["export", "--user", "sgt", "--db", str(force), "--month", "2026-10",
                "--out", str(tmp_path / "s.xlsx")]) == 0
    from qos.store.core import open_store

    store = open_store(force)
    try:
        entry = store.row("SELECT username FROM audit_log WHERE action = 'export'")
        signed = store.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'sign-in' "
                              "AND username = 'sgt'")
    finally:
        store.close()
    assert entry["username"] == "sgt" and signed == 3  # due, due, export


def test_the_demo_needs_no_user_and_its_password_shows_only_in_its_own_output(tmp_path,
                                                                               capsys,
                                                                               monkeypatch):
    db = tmp_path / "demo.db"
    assert run(["demo", "--db", str(db), "--seed", "2", "--end-month", "2026-10",
                "--months", "1"]) == 0
    assert DEMO_PASSWORD in capsys.readouterr().out
    monkeypatch.setenv("QOS_PASSWORD", "wrong")
    assert run(["due", "--user", "admin", "--db", str(db)]) == 1
    assert run(["demo", "--db", str(db)]) == 1  # a file that holds data
    err = capsys.readouterr().err
    assert err and DEMO_PASSWORD not in err
