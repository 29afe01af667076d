"""Import a CSV/XLSX file: pick it, map its columns, preview it, run it in the background.

The column step is pre-filled from the headers; a mapping can be saved under the name of
the system the file comes from, and picked again next time (or from the CLI's --mapping).

Every bad row is listed by number with its reason. Nothing is half-imported: the store applies
the good rows in one transaction, or none of them.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qos.errors import QosError, SavedThenFailed
from qos.importing import Field, ImportResult, guess_columns
from qos.roles import Actor
from qos.store.core import Store
from qos.store.mappings import get_mapping, mapping_names, save_mapping
from qos.tabular import Table, read_table
from ui.help_dialog import show_help
from ui.style import set_role
from ui.widgets import fit_to_screen, hint_label, scrolling, title_label
from ui.workers import BackgroundJob, reopen_target

Mapping = dict[str, str]
RunImport = Callable[[Store, Table, bool, Mapping, Callable[[int, int], None]], ImportResult]
NOT_IN_FILE = "(not in this file)"
NOUNS = {"crimes": "crime extract", "people": "list of people",
         "callbacks": "call-back spreadsheet"}


def headings_plausible(headers: list[str]) -> bool:
    """Could these be a layout the user maps by hand ('Ref No', 'When', ...)? Not when there
    is a single column (the wrong file or separator) or most 'headings' are data: numbers,
    dates, references or blanks (a file with no heading row, or not a table at all)."""
    import re

    if len(headers) < 2:
        return False
    data = [h for h in headers if not h.strip() or len(h) > 60 or re.search(r"\d\d", h)
            or (re.search(r"\d", h) and re.search(r"[/:.-]", h))]  # 07700.., 01/10, NOR/1
    return len(data) * 2 < len(headers)


class ImportDialog(QDialog):
    def __init__(self, title: str, help_text: str, store: Store, actor: Actor, kind: str,
                 fields: list[Field], run_import: RunImport, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        fit_to_screen(self, 900, 640)
        self.store, self.actor, self.kind, self.fields = store, actor, kind, fields
        self.db_path = reopen_target(store)
        self.noun = NOUNS.get(kind, f"{kind} file")
        QShortcut(QKeySequence("F1"), self, activated=lambda: show_help(self, "Importing files"))
        self.run_import = run_import
        self.table: Table | None = None
        self.result: ImportResult | None = None
        self.job: BackgroundJob | None = None

        self.path = QLineEdit()
        self.path.setAccessibleName("File to import")
        self.path.setPlaceholderText("Type or paste the file's path and press Enter, or Choose")
        self.path.installEventFilter(self)  # Enter here loads the file typed
        browse = QPushButton("C&hoose file...")
        browse.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.saved = QComboBox()
        self.saved.setAccessibleName("Saved column mapping")
        self.saved.addItem("(match the column headings)")
        self.saved.addItems(mapping_names(store, self.actor, kind))
        self.saved.currentIndexChanged.connect(lambda _: self.apply_saved_mapping())
        save_mapping_button = QPushButton("&Save these columns as...")
        save_mapping_button.clicked.connect(self.save_current_mapping)
        saved_row = QHBoxLayout()
        saved_label = QLabel("Saved &mapping:")
        saved_label.setBuddy(self.saved)
        saved_row.addWidget(saved_label)
        saved_row.addWidget(self.saved, 1)
        saved_row.addWidget(save_mapping_button)
        self.column_boxes: dict[str, QComboBox] = {}
        columns_form = QFormLayout()
        for spec in fields:
            box = QComboBox()
            box.setAccessibleName(f"Column for {spec.label}")
            box.addItem(NOT_IN_FILE)
            self.column_boxes[spec.key] = box
            columns_form.addRow(f"{spec.label}{' *' if spec.required else ''}:", box)
        columns_widget = QWidget()
        columns_widget.setLayout(columns_form)
        columns_scroll = scrolling(columns_widget)
        self.preview = QTableWidget()
        set_role(self.preview, "table")
        self.preview.setAccessibleName("Preview of the first rows")
        self.steps = QTabWidget()
        self.steps.addTab(columns_scroll, "&Columns (* = required)")
        self.steps.addTab(self.preview, "Pre&view")
        self.all_or_nothing = QRadioButton("Import &nothing if any row has a problem")
        self.good_only = QRadioButton("Import the &good rows and list the bad ones")
        self.all_or_nothing.setChecked(True)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.progress.hide()
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setAccessibleName("Import report")
        self.report.setMaximumHeight(90)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = QPushButton("&Import")
        set_role(self.import_button, "primary")
        self.import_button.setEnabled(False)
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button.clicked.connect(self.start_import)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title_label(title))
        layout.addWidget(hint_label(help_text))
        layout.addLayout(row)
        layout.addLayout(saved_row)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.all_or_nothing)
        layout.addWidget(self.good_only)
        layout.addWidget(self.progress)
        layout.addWidget(self.report)
        layout.addWidget(self.buttons)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.path and event.type() == QEvent.Type.KeyPress and isinstance(
                event, QKeyEvent) and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.path.text().strip():
                self.load_file(Path(self.path.text().strip()))
            return True  # not on to the dialog's buttons (Choose file would open)
        return super().eventFilter(watched, event)

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Choose a file to import", "",
                                              "Spreadsheets (*.csv *.xlsx *.txt);;All files (*)")
        if name:
            self.load_file(Path(name))

    def load_file(self, path: Path) -> None:
        self.path.setText(str(path))
        try:
            self.table = read_table(path)
        except QosError as exc:
            self.table = None
            self.report.setPlainText(str(exc))
            self.import_button.setEnabled(False)
            return
        shown = self.table.rows[:20]
        self.preview.setColumnCount(len(self.table.headers))
        self.preview.setHorizontalHeaderLabels(self.table.headers)
        self.preview.setRowCount(len(shown))
        for r, (_, cells) in enumerate(shown):
            for c, text in enumerate(cells[:len(self.table.headers)]):
                self.preview.setItem(r, c, QTableWidgetItem(text))
        guess = guess_columns(self.table.headers, self.fields)
        if not guess and not self.saved.currentIndex() and not headings_plausible(
                self.table.headers):
            # Refused at once, not after a garbled preview: nothing in it is recognisable.
            headings = ", ".join(f"'{h}'" for h in self.table.headers[:8] if h) or "none"
            self.table = None
            self.preview.clear()
            self.preview.setRowCount(0)
            self.preview.setColumnCount(0)
            self.import_button.setEnabled(False)
            self.report.setPlainText(
                f"This does not look like a {self.noun}: none of its headings ({headings}) is "
                "one QoS Checks knows. Check you chose the right file, or pick a saved column "
                "mapping for it; F1 lists the headings expected.")
            return
        for key, box in self.column_boxes.items():
            box.blockSignals(True)
            box.clear()
            box.addItem(NOT_IN_FILE)
            box.addItems([h for h in self.table.headers if h])
            box.setCurrentText(guess.get(key, NOT_IN_FILE))
            box.blockSignals(False)
        self.apply_saved_mapping()
        self.report.setPlainText(f"{len(self.table.rows)} data row(s) found. Check which column "
                                 "holds what and the preview, choose what to do with bad rows, "
                                 "then press Import.")
        self.import_button.setEnabled(True)

    def current_mapping(self) -> Mapping:
        return {key: box.currentText() for key, box in self.column_boxes.items()
                if box.currentText() != NOT_IN_FILE}

    def apply_saved_mapping(self) -> None:
        if self.saved.currentIndex() <= 0 or self.table is None:
            return
        try:
            saved = get_mapping(self.store, self.actor, self.kind, self.saved.currentText())
        except QosError as exc:
            self.report.setPlainText(str(exc))
            return
        missing = [header for header in saved.values() if header not in self.table.headers]
        for key, header in saved.items():
            if key in self.column_boxes and header in self.table.headers:
                self.column_boxes[key].setCurrentText(header)
        if missing:
            self.report.setPlainText("This file has no column called "
                                     + ", ".join(f"'{m}'" for m in missing)
                                     + ", which the saved mapping expects. Check the columns.")

    def save_current_mapping(self) -> None:
        name, ok = QInputDialog.getText(self, "Save column mapping",
                                        "Name of the system these files come from:",
                                        text=self.saved.currentText()
                                        if self.saved.currentIndex() > 0 else "")
        if not ok:
            return
        try:
            save_mapping(self.store, self.actor, self.kind, name, self.current_mapping())
        except QosError as exc:
            self.report.setPlainText(str(exc))
            return
        if self.saved.findText(name.strip()) < 0:
            self.saved.addItem(name.strip())
        self.saved.blockSignals(True)
        self.saved.setCurrentText(name.strip())
        self.saved.blockSignals(False)
        self.report.setPlainText(f"Column mapping saved as '{name.strip()}'.")

    def start_import(self) -> None:
        if self.table is None:
            return
        table, strict, mapping = self.table, self.all_or_nothing.isChecked(), self.current_mapping()
        self.import_button.setEnabled(False)
        self.progress.show()
        self.progress.setRange(0, 0)
        run = self.run_import
        self.job = BackgroundJob(
            self.db_path, lambda store, progress: run(store, table, strict, mapping, progress),
            self)
        self.job.progressed.connect(self._progress)
        self.job.succeeded.connect(self._done)
        self.job.failed.connect(self._failed)
        self.job.start()

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _done(self, result: Any) -> None:
        self.result = result
        self.progress.hide()
        lines = ([result.summary()] + [f"  {p}" for p in result.bad[:500]]
                 + [f"  note: {p}" for p in result.notes[:500]])
        if len(result.bad) > 500:
            lines.append(f"  ... and {len(result.bad) - 500} more")
        self.report.setPlainText("\n".join(lines))
        self.import_button.setEnabled(not result.applied)

    def _failed(self, exc: Any) -> None:
        self.progress.hide()
        if isinstance(exc, SavedThenFailed):  # the file is in: say so, and what did not happen
            self.report.setPlainText(str(exc))
            return
        if isinstance(exc, QosError):
            self.report.setPlainText(f"Nothing was imported. {exc}")
        else:
            self.report.setPlainText(f"Nothing was imported: an unexpected error "
                                     f"({type(exc).__name__}: {exc}). Please report it.")
        self.import_button.setEnabled(True)

    def done(self, code: int) -> None:
        if self.job is not None:
            self.job.wait()  # never close while the worker still writes
        super().done(code)
