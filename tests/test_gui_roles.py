"""Each role sees its own work: hidden pages and buttons, the page each role opens on, and
Ctrl+number meaning the same page for everyone."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from qos.roles import Role
from tests.conftest import make_user, open_main_window


def test_bureau_staff_open_on_contact_bureau_and_see_no_change_buttons_on_admin(
        qtbot, store, admin):
    caller = make_user(store, admin, "caller", Role.BUREAU, "NOR")
    window = open_main_window(qtbot, store, caller)
    assert list(window.pages) == ["bureau"]  # the first page built is their own
    assert window.stack.currentWidget().widget() is window.pages["bureau"]
    assert "Call-backs" not in window.page_titles()
    admin_page = window.show_page("admin")
    visible = [b.text() for b in admin_page.findChildren(QPushButton) if b.isVisible()]
    assert not [t for t in visible if t.startswith(("&Add", "&Edit", "&Deactivate", "I&mport"))]


def test_an_administrator_sees_the_change_buttons(qtbot, store, admin):
    window = open_main_window(qtbot, store, admin)
    page = window.show_page("admin")
    visible = {b.text() for b in page.findChildren(QPushButton) if b.isVisible()}
    assert {"&Add unit...", "&Edit...", "&Deactivate / reactivate"} <= visible


def test_ctrl_number_means_the_same_page_for_every_role(qtbot, store, admin):
    caller = make_user(store, admin, "caller", Role.BUREAU, "NOR")
    window = open_main_window(qtbot, store, caller)
    expected = {"2": "due", "3": "bureau", "5": "doorstep", "6": "summary"}
    for digit, key in expected.items():
        qtbot.keyClick(QApplication.focusWidget() or window, digit,
                       Qt.KeyboardModifier.ControlModifier)
        assert window.stack.currentWidget().widget() is window.pages[key], digit
    # Ctrl+1 is Call-backs, which bureau staff do not have: it does nothing.
    qtbot.keyClick(QApplication.focusWidget() or window, "1",
                   Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget().widget() is window.pages["summary"]


def test_ctrl_q_quits(qtbot, store, admin):
    window = open_main_window(qtbot, store, admin)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Q,
                   Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()
