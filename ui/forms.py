"""One rule for closing every form: unsaved answers are never thrown away without asking.

A form that keeps a draft (the visit form) keeps it; any other form with unsaved answers
asks "Discard?", with No as the default, so Escape or a stray click loses nothing.
"""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget


def confirm_discard(parent: QWidget) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, "Discard?",
                      "Discard the answers typed in this form? They have not been saved.",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.button(QMessageBox.StandardButton.Yes).setText("&Discard them")
    box.button(QMessageBox.StandardButton.No).setText("&Keep typing")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


class GuardedDialog(QDialog):
    """A dialog whose Escape, Cancel and close button ask before unsaved answers go."""

    def has_unsaved(self) -> bool:
        return False

    def reject(self) -> None:
        if self.has_unsaved() and not confirm_discard(self):
            return
        self.closing_without_saving()
        super().reject()

    def closing_without_saving(self) -> None:
        """What to tidy when the form is left unsaved (a claimed call goes back)."""
