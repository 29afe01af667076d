"""Lock the window after a spell without keyboard or mouse input (victims' details on screen).

The signed-in user unlocks with their password; the page and anything typed stay as they were.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow

from qos.roles import Actor
from qos.store.core import Store

if TYPE_CHECKING:  # the dialog itself is imported when the window first locks
    from ui.login_dialog import LoginDialog

INPUT_EVENTS = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                QEvent.Type.Wheel}


class IdleLock(QObject):
    def __init__(self, window: QMainWindow, store: Store, actor: Actor, minutes: float,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(window)
        self.window, self.store, self.actor = window, store, actor
        self.limit = minutes * 60
        self.clock = clock
        self.last_input = clock()
        self.locked = False
        self.dialog: LoginDialog | None = None
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(15_000)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS and not self.locked:
            self.last_input = self.clock()
        return False

    def check(self) -> None:
        if not self.locked and self.limit > 0 and self.clock() - self.last_input >= self.limit:
            self.lock()

    def lock(self) -> None:
        self.locked = True
        central = self.window.centralWidget()
        if central is not None:
            central.hide()  # nothing on screen while nobody is at the desk
        from ui.login_dialog import LoginDialog

        self.dialog = LoginDialog(self.store, "Locked: sign in again to carry on", self.window)
        self.dialog.username.setText(self.actor.username)
        self.dialog.username.setReadOnly(True)
        self.dialog.password.setFocus()
        self.dialog.finished.connect(self._unlock_attempted)
        self.dialog.open()

    def _unlock_attempted(self, result: int) -> None:
        dialog = self.dialog
        same_user = dialog is not None and dialog.actor is not None and \
            dialog.actor.user_id == self.actor.user_id
        if result == QDialog.DialogCode.Accepted and same_user:
            self.locked = False
            self.last_input = self.clock()
            central = self.window.centralWidget()
            if central is not None:
                central.show()
            return
        self.window.close()  # Cancel on the lock screen signs out
