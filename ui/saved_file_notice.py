"""After a file is written: say where it is, and offer to open it or its folder.

Opening goes through the desktop (QDesktopServices.openUrl), which can fail quietly (no file
manager, no spreadsheet program): when it returns False the notice says so, names the path and
stays open, so the user can still find the file by hand.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.widgets import hint_label


class SavedFileNotice(QDialog):
    def __init__(self, path: Path, what: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = path
        self.setWindowTitle(f"{what} saved")
        self.message = QLabel(f"{what} was saved as:\n{path}")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setAccessibleName("Where the file was saved")
        self.problem = hint_label("")
        self.problem.setAccessibleName("Why it did not open")
        self.problem.hide()
        self.open_file_button = QPushButton("&Open the file")
        self.open_file_button.clicked.connect(self.open_file)
        self.open_folder_button = QPushButton("Open the &folder")
        self.open_folder_button.clicked.connect(self.open_folder)
        close = QPushButton("&Close")
        close.clicked.connect(self.accept)
        self.open_folder_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.open_file_button, self.open_folder_button, close):
            button.setAccessibleName(button.text().replace("&", ""))
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)

    def open_file(self) -> bool:
        return self._open(self.path, "the file")

    def open_folder(self) -> bool:
        return self._open(self.path.parent, "the folder")

    def _open(self, target: Path, what: str) -> bool:
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(target))):
            self.accept()
            return True
        self.problem.setText(f"Could not open {what} {target}: this computer has no program "
                             "set to open it. Open it yourself from the path above.")
        self.problem.show()
        return False
