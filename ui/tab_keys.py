"""Ctrl+Page Down / Ctrl+Page Up move through a tab widget's tabs from anywhere inside it.

Qt's own handling only works while the tab bar itself has the cursor: a table inside a tab
takes Page Down for itself, so without these the later tabs were a long Shift+Tab away.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QTabWidget, QWidget


def walk_tabs_by_keyboard(tabs: QTabWidget) -> None:
    for keys, step in (("Ctrl+PgDown", 1), ("Ctrl+PgUp", -1)):
        shortcut = QShortcut(QKeySequence(keys), tabs)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda step=step: _step(tabs, step))


def _step(tabs: QTabWidget, step: int) -> None:
    """The next (or previous) visible, enabled tab, round from the last to the first."""
    count = tabs.count()
    index = tabs.currentIndex()
    for _ in range(count):
        index = (index + step) % count
        if tabs.isTabVisible(index) and tabs.isTabEnabled(index):
            tabs.setCurrentIndex(index)
            _focus_inside(tabs.currentWidget())
            return


def _focus_inside(page: QWidget) -> None:
    """The cursor into the tab just shown: the page itself, else its first control."""
    def takes_tab(widget: QWidget) -> bool:
        return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.isEnabled()

    target = page if takes_tab(page) else next(
        (w for w in page.findChildren(QWidget) if takes_tab(w) and w.isVisible()), page)
    target.setFocus(Qt.FocusReason.TabFocusReason)
