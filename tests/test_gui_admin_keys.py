"""Every Admin tab is reachable from the keyboard: its own Alt letter, and Ctrl+Page Down /
Ctrl+Page Up (or Ctrl+Tab) from wherever the cursor is in the tab before."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from tests.conftest import keys_ready, open_main_window

CTRL = Qt.KeyboardModifier.ControlModifier


def _admin_page(qtbot, store, admin):
    window = open_main_window(qtbot, store, admin)
    page = window.show_page("admin")
    keys_ready(qtbot, window)
    return window, page


def test_each_admin_tab_has_its_own_alt_letter(qtbot, store, admin):
    _window, page = _admin_page(qtbot, store, admin)
    tabs = page.tabs
    letters = [QKeySequence.mnemonic(tabs.tabText(i)).toString() for i in range(tabs.count())]
    assert tabs.count() == 6 and all(letters) and len(set(letters)) == 6
    for index in [*range(tabs.count() - 1, -1, -1), 3]:
        letter = letters[index].split("+")[-1]
        qtbot.keyClick(QApplication.focusWidget(), getattr(Qt.Key, f"Key_{letter}"),
                       Qt.KeyboardModifier.AltModifier)
        assert tabs.currentIndex() == index, tabs.tabText(index)


def test_ctrl_page_down_and_up_walk_the_tabs_from_inside_them(qtbot, store, admin):
    _window, page = _admin_page(qtbot, store, admin)
    tabs = page.tabs
    page.focus_main_work()  # the cursor in the units table, which takes Page Down itself
    seen = [tabs.currentIndex()]
    for _ in range(tabs.count()):
        focus = QApplication.focusWidget()
        assert focus is tabs.currentWidget() or tabs.currentWidget().isAncestorOf(focus)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageDown, CTRL)
        seen.append(tabs.currentIndex())
    assert seen == [0, 1, 2, 3, 4, 5, 0]  # round to the first again
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageUp, CTRL)
    assert tabs.currentIndex() == 5
