"""A one-keystroke answer box: a digit picks the answer and focus moves on by itself."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget


class DigitAnswer(QLineEdit):
    answered = Signal(str)
    enter_pressed = Signal()
    all_yes = Signal()  # Y in a yes/no box: the form may answer the later checks yes too

    def __init__(self, options: dict[str, str], parent: QWidget | None = None):
        """`options` maps the digit typed to the meaning shown beside the box."""
        super().__init__(parent)
        self.options = options
        self.setMaxLength(1)
        self.setFixedWidth(44)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setToolTip(", ".join(f"{k} = {v}" for k, v in options.items()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if text in ("y", "Y") and self.options.get("1") == "Yes":
            self.all_yes.emit()
            return
        if text in self.options:
            self.setText(text)
            self.answered.emit(text)
            self.focusNextChild()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter_pressed.emit()
            if self.text():
                self.focusNextChild()
            return
        if event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.clear()
            self.answered.emit("")
            return
        if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) or event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            super().keyPressEvent(event)
            return
        # Any other key leaves the box as it is (it only ever holds a valid answer) and goes
        # on to the form: Escape then reaches the dialog, which asks before discarding.
        event.ignore()

    def meaning(self) -> str:
        return self.options.get(self.text(), "")
