"""Small shared widgets and helpers: titles, hints, error boxes."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from qos.errors import QosError


def title_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "title")
    label.setAccessibleName(text)
    return label


def hint_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label


def show_error(parent: QWidget | None, exc: BaseException, what: str = "That did not work") -> None:
    """Known problems in plain words; anything else is a defect and says so."""
    if isinstance(exc, QosError):
        QMessageBox.warning(parent, what, str(exc))
    else:
        QMessageBox.critical(
            parent, what,
            f"Something went wrong inside QoS Checks ({type(exc).__name__}: {exc}).\n"
            "Nothing was half-saved. Please report this to your administrator.")
