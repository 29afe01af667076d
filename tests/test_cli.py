from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from qos.cli import run
from qos.store.core import open_store

ROOT = Path(__file__).resolve().parent.parent


def test_help_lists_the_subcommands(capsys):
    try:
        run(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    for command in ("demo", "import", "backup"):
        assert command in out


def test_demo_builds_a_force_and_prints_sign_ins(tmp_path, capsys):
    db = tmp_path / "demo.db"
    assert run(["demo", "--db", str(db), "--seed", "7", "--end-month", "2026-10", "--months", "2"]) == 0
    out = capsys.readouterr().out
    assert "sgt.nor" in out and "demo-pass-2026" in out
    store = open_store(db)
    try:
        assert store.scalar("SELECT COUNT(*) FROM units WHERE kind = 'BCU'") == 6
        # RPU, CID, PPU and the control room (FCC, issue 19)
        assert store.scalar("SELECT COUNT(*) FROM units WHERE kind = 'department'") == 4
        # 400 officers, PCSOs and staff, and the control room's 12 (issue 19)
        assert 380 + 12 <= store.scalar("SELECT COUNT(*) FROM people") <= 400 + 12
        assert store.scalar("SELECT COUNT(*) FROM users WHERE role = 'volunteer'") == 40
        assert store.scalar("SELECT COUNT(*) FROM counters") == 12
        names = [r["name"] for r in store.rows("SELECT name FROM people ORDER BY id LIMIT 5")]
    finally:
        store.close()
    # Same seed, same force.
    db2 = tmp_path / "demo2.db"
    assert run(["demo", "--db", str(db2), "--seed", "7", "--end-month", "2026-10", "--months", "2"]) == 0
    again = open_store(db2)
    try:
        assert [r["name"] for r in again.rows("SELECT name FROM people ORDER BY id LIMIT 5")] == names
    finally:
        again.close()


def test_demo_refuses_a_database_that_has_data(tmp_path, capsys):
    db = tmp_path / "demo.db"
    assert run(["demo", "--db", str(db), "--months", "1"]) == 0
    assert run(["demo", "--db", str(db), "--months", "1"]) == 1
    assert "already holds data" in capsys.readouterr().err


def test_bad_database_path_is_a_clear_error(tmp_path, capsys):
    assert run(["backup", "--user", "admin", "--db", str(tmp_path), "--out", str(tmp_path / "b.db")]) == 1
    assert "is a folder" in capsys.readouterr().err


def test_bad_month_is_refused_by_the_parser(tmp_path, capsys):
    try:
        run(["demo", "--db", str(tmp_path / "x.db"), "--end-month", "2026-13"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "not a month" in capsys.readouterr().err


def test_db_from_environment_variable(tmp_path, monkeypatch, capsys):
    db = tmp_path / "env.db"
    monkeypatch.setenv("QOS_DB", str(db))
    assert run(["demo", "--months", "1"]) == 0
    assert db.exists()


def test_gui_without_a_display_says_so_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["QOS_NO_VENV"] = "1"
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(tmp_path / "a.db")],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    if sys.platform.startswith("linux"):
        assert done.returncode == 2
        assert done.stderr.strip().count("\n") == 0
        assert "no display" in done.stderr and "main.py --help" in done.stderr


def test_import_crimes_works_out_their_code_deadlines_too(store, admin, db_path, tmp_path):
    from qos.store import duties
    from tests.factories import HEADER

    extract = tmp_path / "extract.csv"
    extract.write_text(HEADER.rstrip("\n") + ",Suspect arrested\n"
                       "NOR/1,02/11/2026,NOR,Theft,Ann,07700900001,,Y,N,N,N,03/11/2026\n"
                       "NOR/2,02/11/2026,NOR,Theft,Bob,07700900002,,N,N,N,N,\n", encoding="utf-8")
    assert run(["import", "--user", "admin", "crimes", str(extract), "--db", str(db_path)]) == 0
    assert store.scalar("SELECT count(*) FROM crimes") == 2
    assert duties.stale_count(store) == 0  # caught up by the import, not left for the app
    rules = {r["rule"] for r in store.rows("SELECT rule FROM code_duties")}
    assert rules == {"arrest", "periodic"}

