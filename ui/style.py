"""The house style from resources/styles/theme.json: fonts and colours by role.

Deliberately no application-wide style sheet: with one, Qt restyles every widget it creates,
which cost about 30 ms of start-up. Text roles are set as fonts and palettes; only widgets
that need borders or backgrounds (navigation, primary buttons, tiles, tables) get a sheet.
"""
from __future__ import annotations

import json
from functools import cache
from typing import Any

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from qos.paths import resource


@cache
def theme() -> dict[str, Any]:
    return json.loads(resource("styles", "theme.json").read_text(encoding="utf-8"))


def apply_app_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    font = app.font()
    font.setPointSizeF(float(theme()["font_pt"]))
    app.setFont(font)
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor(theme()["alternate_row"]))
    app.setPalette(palette)


def set_role(widget: QWidget, role: str) -> None:
    """Give a widget its role's look; calling it again with another role restyles it."""
    widget.setProperty("role", role)
    text = theme()["text_roles"].get(role)
    if text is not None:
        font = QApplication.font()
        if "pt" in text:
            font.setPointSizeF(float(text["pt"]))
        font.setBold(bool(text.get("bold")))
        widget.setFont(font)
        palette = widget.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(text["color"]))
        widget.setPalette(palette)
        return
    widget.setStyleSheet(theme()["sheets"][role])
