"""Keys pressed on a table that act on its current row (Enter to open, letters to record)."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QTableView

ENTER = {Qt.Key.Key_Return, Qt.Key.Key_Enter}


class _Keys(QObject):
    def __init__(self, view: QTableView, keys: set[Qt.Key], act: Callable[[Qt.Key], None]):
        super().__init__(view)
        self.keys, self.act = keys, act
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in self.keys
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            self.act(Qt.Key(event.key()))
            return True
        return False


def on_keys(view: QTableView, keys: set[Qt.Key], act: Callable[[Qt.Key], None]) -> None:
    """`act(key)` for each of `keys` pressed on the table without Ctrl, Alt or Shift; the key
    goes no further (Enter does not also press a default button)."""
    _Keys(view, keys, act)
