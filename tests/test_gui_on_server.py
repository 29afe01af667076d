"""The window on the force's shared PostgreSQL database: the pages that fill in the background
reopen the database by its URL in their worker, and no SQLite file is made on the way."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

import ui.app
from qos.store import callbacks
from qos.store.core import open_store
from qos.store.crime_import import import_crimes_with_deadlines
from qos.tabular import read_csv_text
from tests.conftest import set_up_force
from ui.main_window import MainWindow
from ui.workers import reopen_target

CRIMES = ("Crime reference,Date recorded,Unit,Offence category,Victim name,Contact phone,"
          "Officer,Suspect arrested\n")
HISTORY = "Crime reference,Unit,Call date,Outcome,Whole experience\n"


def _stray_files() -> set[str]:
    """SQLite files a URL or a lost path would make in the working folder."""
    here = Path(os.getcwd())
    return {p.name for p in here.iterdir() if p.name.startswith(("None", "postgres"))}


@pytest.fixture
def server_store(pg_url):
    store = open_store(pg_url)
    admin = set_up_force(store)
    yield store, admin
    store.close()


def test_summary_and_due_pages_fill_from_the_shared_database(qtbot, server_store):
    store, admin = server_store
    before = _stray_files()
    assert store.path is None and reopen_target(store) == store.target
    today = dt.date.today()
    arrested = today - dt.timedelta(days=20)
    import_crimes_with_deadlines(store, admin, read_csv_text(CRIMES + "".join(
        f"NOR/{n},{arrested:%d/%m/%Y},NOR,Theft,V{n},077009{n:05d},,{arrested:%d/%m/%Y}\n"
        for n in range(20))), all_or_nothing=True)
    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)

    due = window.show_page("due")
    due.unit.setCurrentIndex(0)  # All units
    qtbot.waitUntil(lambda: due.job is None and due.model.rowCount() > 0, timeout=20000)
    assert {due.model.row_at(i)["crime_ref"] for i in range(due.model.rowCount())} == {
        f"NOR/{n}" for n in range(20)}
    assert due.count.text() == "20 due, 20 overdue"

    summary = window.show_page("summary")
    year, month = summary.month.currentText().split("-")
    result = callbacks.import_history(store, admin, read_csv_text(HISTORY + "".join(
        f"NOR/{n},NOR,{n + 1:02d}/{month}/{year},Completed,{1 if n < 15 else 6}\n"
        for n in range(20))), all_or_nothing=True)
    assert result.inserted == 20
    summary.refresh()
    qtbot.waitUntil(lambda: summary.job is None, timeout=30000)  # figures on a worker
    assert summary.tiles["checks"].value.text() == "20 of 90"
    assert summary.tiles["satisfied"].value.text() == "75%"  # 15 of the 20 satisfied
    assert _stray_files() == before  # the workers opened the server, not a file


@pytest.mark.parametrize("lost", [":memory:", "None"])
def test_a_worker_refuses_a_database_it_cannot_reopen(lost):
    with pytest.raises(ValueError, match="cannot reopen"):
        reopen_target(lost)



def test_the_app_opens_the_window_on_a_url(qtbot, server_store, monkeypatch):
    """run_app on a URL: no "file exists" check on it, the status line names the server
    (never "None"), and its background upkeep reopens the server, not a file."""
    store, admin = server_store
    before = _stray_files()
    status: list[str] = []

    def close_when_shown() -> None:
        window = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, MainWindow) and w.isVisible()), None)
        if window is None:
            QTimer.singleShot(50, close_when_shown)
            return
        status.extend(label.text() for label in window.statusBar().findChildren(QLabel))
        window.close()

    monkeypatch.setattr(ui.app, "sign_in_flow", lambda opened: admin)
    monkeypatch.setattr(ui.app, "configure_logging", lambda: None)
    QTimer.singleShot(0, close_when_shown)
    assert ui.app.run_app(store.target) == 0
    name = store.target.rsplit("/", 1)[1]
    assert status == [("Signed in as Ada Admin (Administrator)   |   "
                       f"Database: postgresql://postgres@127.0.0.1:5432/{name}")]
    assert _stray_files() == before
