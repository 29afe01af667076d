"""F1: in-app help. The import formats and the keyboard shortcuts are the markdown files in
docs/, read as data; the method notes are the workbook's own "How calculated" text, so the
help and the circulated workbook never disagree."""
from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui.widgets import fit_to_screen

DOCS = Path(__file__).resolve().parent.parent / "docs"
SECTIONS = (("&Importing files", "import-formats.md"), ("&Keyboard", "keyboard.md"))


def doc_text(name: str) -> str:
    path = DOCS / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return f"The help file {name} is missing from this installation ({path})."


def method_notes() -> str:
    from qos.excel import HOW_CALCULATED  # openpyxl: loaded only when help is opened

    words = {"min_n": "the minimum your administrator set", "too_few": "too few to report",
             "comparisons": "all the comparisons made"}
    notes = [re.sub(r"\{(\w+)\}", lambda m: words.get(m.group(1), m.group(1)), text)
             for text in HOW_CALCULATED]
    return "# How the figures are worked out\n\n" + "\n\n".join(notes)


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, start: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Help - QoS Checks")
        fit_to_screen(self, 900, 640)
        self.tabs = QTabWidget()
        self.browsers: dict[str, QTextBrowser] = {}
        pages = [(title, doc_text(name)) for title, name in SECTIONS]
        pages.insert(1, ("&Method notes", method_notes()))
        for title, text in pages:
            browser = QTextBrowser()
            browser.setOpenExternalLinks(True)
            browser.setMarkdown(text)
            browser.setAccessibleName(title.replace("&", ""))
            self.browsers[title.replace("&", "")] = browser
            self.tabs.addTab(browser, title)
        if start:
            names = list(self.browsers)
            self.tabs.setCurrentIndex(names.index(start) if start in names else 0)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(close)
        self.tabs.currentWidget().setFocus()


def show_help(parent: QWidget | None, start: str | None = None) -> None:
    HelpDialog(parent, start).exec()
