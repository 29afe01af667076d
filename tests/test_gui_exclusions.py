"""An administrator changes who the sample and the bureau leave out, keyboard only."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from qos.roles import Role
from qos.settings import DEFAULTS, setting
from tests.conftest import make_user
from ui.main_window import MainWindow


def test_admin_lets_the_bureau_call_domestic_abuse_victims_with_keys(qtbot, signed_in, store, admin):
    window = signed_in(store, admin)
    page = window.show_page("admin")
    page.tabs.setCurrentWidget(page.exclusions)
    panel = page.exclusions
    bureau_da = panel.boxes["bureau"]["domestic_abuse"]
    sample_da = panel.boxes["sample"]["domestic_abuse"]
    assert bureau_da.isChecked() and sample_da.isChecked()  # the defaults are shown
    bureau_da.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)  # clear the tick
    assert not bureau_da.isChecked()
    # Tab from the bureau's last rule reaches Save: every control is on the keyboard path
    last = list(panel.boxes["bureau"].values())[-1]
    last.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is panel.save_button
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert panel.error.text() == ""
    expected = [k for k in DEFAULTS["bureau_exclusions"] if k != "domestic_abuse"]
    assert setting(store, "bureau_exclusions") == expected
    assert setting(store, "sample_exclusions") == DEFAULTS["sample_exclusions"]  # untouched
    # a fresh page reads the saved choice back
    page.refresh()
    assert not bureau_da.isChecked() and sample_da.isChecked()


def test_exclusions_are_not_offered_to_a_supervisor(qtbot, store, admin):
    supervisor = make_user(store, admin, "sup", Role.SUPERVISOR, "NOR")
    window = MainWindow(store, supervisor, "Testshire Police")
    qtbot.addWidget(window)
    page = window.show_page("admin")
    assert not hasattr(page, "exclusions")
