"""The command line reports what went wrong in plain words: a database that refuses, and an
import with hundreds of thousands of bad rows."""
from __future__ import annotations

from qos.cli import run
from qos.cli_commands import PROBLEMS_SHOWN
from tests.conftest import PASSWORD
from tests.factories import HEADER, crime_line


def test_a_database_error_is_a_message_naming_the_database(store, admin, db_path, capsys,
                                                           monkeypatch):
    """A table dropped behind the app's back ended `due` (and verify) in a traceback."""
    monkeypatch.setenv("QOS_PASSWORD", PASSWORD)
    with store.write():
        store.execute("DROP TABLE code_duties")
    code = run(["due", "--user", "admin", "--db", str(db_path), "--as-of", "2026-11-20"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"error: the database {db_path} could not be read or changed: ")
    assert "code_duties" in err and "Traceback" not in err and err.count("\n") == 1


def test_an_import_prints_the_first_problems_and_counts_the_rest(store, admin, db_path,
                                                                  tmp_path, capsys, monkeypatch):
    """A wrong file printed 380,000 problem lines."""
    monkeypatch.setenv("QOS_PASSWORD", PASSWORD)
    extract = tmp_path / "wrong.csv"
    extract.write_text(HEADER + "".join(crime_line(f"NOR/{i}", "not a date")
                                        for i in range(350)), encoding="utf-8")
    assert run(["import", "--user", "admin", "crimes", str(extract), "--db", str(db_path)]) == 1
    err = capsys.readouterr().err.splitlines()
    problems = [line for line in err if line.startswith("  row ")]
    assert len(problems) == PROBLEMS_SHOWN == 100
    assert problems[0].startswith("  row 2:") and problems[-1].startswith("  row 101:")
    assert "  ... and 250 more problem rows not shown." in err
    assert store.scalar("SELECT COUNT(*) FROM crimes") == 0
