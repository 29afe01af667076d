"""Failures are never silent: a failing background job or an unexpected error shows a plain
message and writes a log line (qos/upkeep.py, qos/logs.py, ui/failures.py)."""
from __future__ import annotations

import logging
import sys
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from qos import logs, upkeep
from qos.store import crimes, duties
from qos.tabular import read_csv_text
from tests.factories import HEADER, crime_line
from ui.app import integrity_check_job
from ui.main_window import MainWindow


@pytest.fixture
def log_file(tmp_path):
    path = logs.configure_logging(tmp_path / "logs")
    yield path
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "qos-file"]:
        root.removeHandler(handler)
        handler.close()


def _boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()]


def _run_upkeep(qtbot, store, admin, db_path):
    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    job = integrity_check_job(window, db_path)
    job.start()
    qtbot.waitUntil(lambda: bool(_boxes()), timeout=20000)
    job.wait()
    return _boxes()[0]


def _raise(exc):
    def fail(*args, **kwargs):
        raise exc
    return fail


@pytest.mark.parametrize("target, words", [
    ("automatic_backup", "Could not take the daily backup"),
    ("erase_expired_contacts", "Could not erase contact details past their retention period"),
    ("bring_up_to_date", "Could not work out the Victims' Code deadlines"),
    ("integrity_problem", "Could not check the database for damage"),
])
def test_each_failing_upkeep_step_is_shown_and_logged_and_the_others_still_run(
        qtbot, store, admin, db_path, log_file, monkeypatch, target, words):
    # A crime whose deadlines are not worked out yet: the catch-up step has work to do.
    crimes.import_crimes(store, admin, read_csv_text(HEADER + crime_line("NOR/1", "01/10/2026")),
                         all_or_nothing=True)
    owner = duties if target == "bring_up_to_date" else upkeep
    monkeypatch.setattr(owner, target, _raise(OSError("No space left on device")))
    box = _run_upkeep(qtbot, store, admin, db_path)
    assert box.windowTitle() == "The daily upkeep did not finish"
    assert f"{words}: an unexpected error (OSError)." in box.text()
    assert str(log_file) in box.text()
    logged = log_file.read_text(encoding="utf-8")
    assert f"daily upkeep: {words[0].lower()}{words[1:]}" in logged.replace(
        "daily upkeep: the integrity check failed", "daily upkeep: could not check the database "
        "for damage")
    assert "OSError: No space left on device" in logged  # the traceback, for the report
    assert "Traceback (most recent call last)" in logged
    if target != "bring_up_to_date":
        assert duties.stale_count(store) == 0  # a failed step did not stop the catch-up
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert not _boxes()


def test_an_upkeep_job_that_cannot_start_says_so(qtbot, store, admin, tmp_path, log_file):
    folder = tmp_path / "not-a-database"
    folder.mkdir()
    box = _run_upkeep(qtbot, store, admin, folder)
    assert box.windowTitle() == "The daily upkeep did not run"
    assert "is a folder, not a database file" in box.text()


def test_a_sound_file_and_working_steps_show_nothing(qtbot, store, admin, db_path, log_file):
    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    results: list[upkeep.UpkeepReport] = []
    job = integrity_check_job(window, db_path)
    job.succeeded.connect(results.append)
    job.start()
    qtbot.waitUntil(lambda: bool(results), timeout=20000)
    job.wait()
    assert results[0].damage is None and results[0].failures == []
    assert not _boxes()


def test_an_unhandled_error_is_logged_without_victim_details_and_shown(
        qtbot, log_file, monkeypatch):
    from ui.failures import install_excepthook

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    install_excepthook(QApplication.instance())
    try:
        raise KeyError("victim phone 07700 900123, ann.lee@example.org")
    except KeyError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    qtbot.waitUntil(lambda: bool(_boxes()), timeout=5000)
    box = _boxes()[0]
    assert box.windowTitle() == "Something went wrong inside QoS Checks"
    assert "An unexpected error happened (KeyError)" in box.text()
    logged = log_file.read_text(encoding="utf-8")
    assert "unexpected error: KeyError" in logged and "test_gui_failures.py" in logged
    assert "07700" not in logged and "900123" not in logged and "ann.lee" not in logged
    assert "victim phone [number], [e-mail]" in logged
    box.close()
