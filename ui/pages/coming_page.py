"""A page whose feature has not landed yet says so plainly."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.widgets import hint_label, title_label


class ComingPage(QWidget):
    def __init__(self, title: str, what: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(title))
        layout.addWidget(hint_label(f"Coming soon: {what}"))
        layout.addStretch(1)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)

    def refresh(self) -> None:
        pass
