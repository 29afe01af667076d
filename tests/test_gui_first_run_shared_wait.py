"""The shared database's set-up on Finish, on the real PostgreSQL server: it runs in the
background (the window keeps drawing while a slow server works, here one whose migration
lock another PC holds), closing waits for it, and starting with --db on an empty database
makes nothing before Finish, so Cancel leaves it as it was."""
from __future__ import annotations

import time

import psycopg
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWizard

import ui.app
import ui.workers
from qos.paths import remembered_db
from qos.store.core import open_store
from qos.store.dialect import POSTGRES
from qos.store.users import is_set_up
from tests import test_gui_first_run_server as first_run
from tests.conftest import PASSWORD
from ui.first_run_wizard import ADMIN, FORCE, FirstRunWizard
from ui.main_window import MainWindow

# That file's fixtures and steps: the same wizard, the same throwaway databases.
chosen_here, empty_db = first_run.chosen_here, first_run.empty_db
_Ticks, _tables, _wizard = first_run._Ticks, first_run._tables, first_run._wizard
_to_server_page, _type_address = first_run._to_server_page, first_run._type_address

FINISH, BACK, CANCEL = (QWizard.WizardButton.FinishButton, QWizard.WizardButton.BackButton,
                        QWizard.WizardButton.CancelButton)


def _another_pc_migrating(url: str) -> psycopg.Connection:
    """A connection holding the migration lock, as another PC upgrading the database would:
    the set-up waits for it, as it would for a slow server. Rolled back to let it go."""
    conn = psycopg.connect(url)
    conn.execute(POSTGRES.migration_lock)
    return conn


def _fill_in(qtbot, wizard: FirstRunWizard) -> None:
    qtbot.keyClicks(wizard.force_page.name, "Kent Police")
    qtbot.keyClick(wizard.button(QWizard.WizardButton.NextButton), Qt.Key.Key_Space)
    qtbot.keyClick(wizard.button(QWizard.WizardButton.NextButton), Qt.Key.Key_Space)
    assert wizard.currentId() == ADMIN
    page = wizard.admin_page
    qtbot.keyClicks(page.display_name, "Ada Admin")
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.keyClicks(page.confirm, PASSWORD)


def _to_admin_page(qtbot, tmp_path, url: str) -> FirstRunWizard:
    wizard = _wizard(qtbot, tmp_path)
    _to_server_page(qtbot, wizard)
    assert _type_address(qtbot, wizard, url) == ""
    assert wizard.currentId() == FORCE
    _fill_in(qtbot, wizard)
    return wizard


def test_the_window_keeps_working_while_a_slow_server_is_set_up(
        qtbot, tmp_path, chosen_here, empty_db):
    wizard = _to_admin_page(qtbot, tmp_path, empty_db)
    page = wizard.admin_page
    other = _another_pc_migrating(empty_db)
    try:
        qtbot.keyClick(wizard.button(FINISH), Qt.Key.Key_Space)
        assert wizard.setting_up.waiting and page.busy.isVisible()
        assert page.working.text().startswith(
            "Setting up the shared database postgresql://postgres@")
        assert not any(wizard.button(b).isEnabled() for b in (FINISH, BACK, CANCEL))
        assert page.password.isReadOnly()
        seen = _Ticks(page.busy)
        qtbot.keyClick(page.confirm, Qt.Key.Key_Return)  # Finish again: no second set-up
        job = wizard.setting_up.job
        qtbot.wait(1500)
        seen.timer.stop()
        assert seen.ticks >= 15 and seen.paints >= 10  # timers and paints: not frozen
        assert wizard.setting_up.job is job and len(ui.workers._RUNNING) == 1
        assert wizard.isVisible() and _tables(empty_db) == 0  # nothing committed yet
    finally:
        other.rollback()  # the other PC is done
        other.close()
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=30000)
    assert wizard.result() == QWizard.DialogCode.Accepted, page.error.text()
    try:
        assert is_set_up(wizard.store) and wizard.actor.username == "admin"
    finally:
        wizard.store.close()
    assert remembered_db() == empty_db


def test_closing_during_the_set_up_waits_for_it_and_leaves_it_whole(
        qtbot, tmp_path, chosen_here, empty_db):
    wizard = _to_admin_page(qtbot, tmp_path, empty_db)
    other = _another_pc_migrating(empty_db)
    try:
        qtbot.keyClick(wizard.button(FINISH), Qt.Key.Key_Space)
        assert wizard.setting_up.waiting
        qtbot.keyClick(wizard.admin_page.confirm, Qt.Key.Key_Escape)
        wizard.close()  # the window's close button: the same
        assert wizard.isVisible() and wizard.closing
        assert wizard.admin_page.working.text().startswith("Closing once the set-up ends")
    finally:
        other.rollback()
        other.close()
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=30000)
    assert wizard.result() == QWizard.DialogCode.Rejected and wizard.store is None
    qtbot.waitUntil(lambda: not ui.workers._RUNNING, timeout=5000)
    assert remembered_db() is None  # closed: not chosen on this PC
    opened = open_store(empty_db, migrate=False)  # set up whole: the next run signs in
    try:
        assert is_set_up(opened)
    finally:
        opened.close()


def _drive(qtbot, steps) -> None:
    """Run `steps(wizard_or_window)` from the event loop once each top-level window they
    wait for is shown (run_app's wizard is modal: this test cannot step in otherwise)."""
    def poll() -> None:
        if not steps:
            return
        kind, act = steps[0]
        shown = next((w for w in QApplication.topLevelWidgets()
                      if isinstance(w, kind) and w.isVisible()), None)
        if shown is not None and act(shown) is not False:
            steps.pop(0)
        QTimer.singleShot(50, poll)
    QTimer.singleShot(0, poll)


def test_starting_on_an_empty_server_database_and_cancelling_leaves_it_empty(
        qtbot, chosen_here, empty_db, monkeypatch):
    monkeypatch.setattr(ui.app, "configure_logging", lambda: None)
    seen: list[int] = []

    def cancel(wizard: FirstRunWizard) -> None:
        seen.append(wizard.currentId())
        seen.append(_tables(empty_db))  # nothing made by opening it
        qtbot.keyClick(wizard.force_page.name, Qt.Key.Key_Escape)

    steps = [(FirstRunWizard, cancel)]
    _drive(qtbot, steps)
    assert ui.app.run_app(empty_db) == 0
    assert steps == [] and seen == [FORCE, 0]
    assert _tables(empty_db) == 0 and remembered_db() is None


@pytest.mark.parametrize("made_by", ["the wizard", "server-setup"])
def test_starting_with_db_on_a_server_goes_to_the_force_step_and_sets_it_up(
        qtbot, chosen_here, empty_db, monkeypatch, made_by):
    """Empty: the wizard's Finish makes the tables and the force. Tables made by the DBA
    (`main.py server-setup` migrates as the schema owner) but no force: the same step."""
    monkeypatch.setattr(ui.app, "configure_logging", lambda: None)
    if made_by == "server-setup":
        open_store(empty_db).close()
    tables_before = _tables(empty_db)
    shown: list[str] = []

    def finish(wizard: FirstRunWizard) -> None:
        assert wizard.currentId() == FORCE
        _fill_in(qtbot, wizard)
        qtbot.keyClick(wizard.button(FINISH), Qt.Key.Key_Space)
        assert wizard.setting_up.waiting  # in the background, as from the first-run choice

    def close(window: MainWindow) -> None:
        shown.append(window.windowTitle())
        window.close()

    steps = [(FirstRunWizard, finish), (MainWindow, close)]
    _drive(qtbot, steps)
    started = time.monotonic()
    assert ui.app.run_app(empty_db) == 0
    assert steps == [] and len(shown) == 1 and time.monotonic() - started < 60
    assert (tables_before == 0) == (made_by == "the wizard") and _tables(empty_db) > 30
    opened = open_store(empty_db)
    try:
        assert is_set_up(opened) and opened.scalar("SELECT COUNT(*) FROM users") == 1
    finally:
        opened.close()
    assert remembered_db() is None  # --db chose it for this start only
