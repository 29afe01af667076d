"""Import a CSV/XLSX file: pick it, preview it, choose all-or-nothing, run it in the background.

Every bad row is listed by number with its reason. Nothing is half-imported: the store applies
the good rows in one transaction, or none of them.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qos.errors import QosError
from qos.importing import ImportResult
from qos.store.core import Store
from qos.tabular import Table, read_table
from ui.widgets import hint_label, title_label
from ui.workers import BackgroundJob

RunImport = Callable[[Store, Table, bool, Callable[[int, int], None]], ImportResult]


class ImportDialog(QDialog):
    def __init__(self, title: str, help_text: str, db_path: Path, run_import: RunImport,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumSize(760, 560)
        self.db_path = db_path
        self.run_import = run_import
        self.table: Table | None = None
        self.result: ImportResult | None = None
        self.job: BackgroundJob | None = None

        self.path = QLineEdit()
        self.path.setAccessibleName("File to import")
        self.path.setReadOnly(True)
        browse = QPushButton("&Choose file...")
        browse.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.preview = QTableWidget()
        self.preview.setAccessibleName("Preview of the first rows")
        self.all_or_nothing = QRadioButton("Import &nothing if any row has a problem")
        self.good_only = QRadioButton("Import the &good rows and list the bad ones")
        self.all_or_nothing.setChecked(True)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.progress.hide()
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setAccessibleName("Import report")
        self.report.setMaximumHeight(140)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = QPushButton("&Import")
        self.import_button.setProperty("role", "primary")
        self.import_button.setEnabled(False)
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button.clicked.connect(self.start_import)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title_label(title))
        layout.addWidget(hint_label(help_text))
        layout.addLayout(row)
        layout.addWidget(QLabel("Preview:"))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.all_or_nothing)
        layout.addWidget(self.good_only)
        layout.addWidget(self.progress)
        layout.addWidget(self.report)
        layout.addWidget(self.buttons)

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
        self.report.setPlainText(f"{len(self.table.rows)} data row(s) found. Check the preview, "
                                 "choose what to do with bad rows, then press Import.")
        self.import_button.setEnabled(True)

    def start_import(self) -> None:
        if self.table is None:
            return
        table, strict = self.table, self.all_or_nothing.isChecked()
        self.import_button.setEnabled(False)
        self.progress.show()
        self.progress.setRange(0, 0)
        run = self.run_import
        self.job = BackgroundJob(self.db_path, lambda store, progress: run(store, table, strict,
                                                                           progress), self)
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
        lines = [result.summary()] + [f"  {p}" for p in result.bad[:500]]
        if len(result.bad) > 500:
            lines.append(f"  ... and {len(result.bad) - 500} more")
        self.report.setPlainText("\n".join(lines))
        self.import_button.setEnabled(not result.applied)

    def _failed(self, exc: Any) -> None:
        self.progress.hide()
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
