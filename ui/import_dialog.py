"""Import a CSV/XLSX file: pick it, map its columns, preview it, run it in the background.

A file is taken only when every required column is found by its heading or by the saved
mapping chosen (qos.importing.recognise); otherwise it is refused at once, naming the headings
it has and the columns expected, with no preview. A file in another system's layout can then
be mapped by hand, on purpose (Map columns by hand), and the mapping saved under the name of
that system, to be picked next time (or from the CLI's --mapping).

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
from qos.importing import (
    Field,
    ImportResult,
    Recognition,
    headings_plausible,
    not_recognised,
    recognise,
)
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
        self.loaded: Table | None = None  # the file as read, before it is recognised
        self.table: Table | None = None  # the file accepted for import
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
        self.saved.currentIndexChanged.connect(lambda _: self.check_file())
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
            box.currentIndexChanged.connect(lambda _: self._update_import_button())
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
        self.by_hand = QPushButton("Ma&p columns by hand...")
        self.by_hand.setToolTip("Say which column holds what, for a file in another layout")
        self.by_hand.clicked.connect(lambda: self.check_file(by_hand=True))
        self.by_hand.hide()
        help_button = QPushButton("Help (F1)")
        help_button.clicked.connect(lambda: show_help(self, "Importing files"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.addButton(help_button, QDialogButtonBox.ButtonRole.HelpRole)
        self.import_button = QPushButton("&Import")
        set_role(self.import_button, "primary")
        self.import_button.setEnabled(False)
        self.buttons.addButton(self.by_hand, QDialogButtonBox.ButtonRole.ActionRole)
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
        self.loaded = None
        try:
            self.loaded = read_table(path)
        except QosError as exc:
            self._show_table(None)
            self.report.setPlainText(str(exc))
            return
        self.check_file()

    def check_file(self, by_hand: bool = False) -> None:
        """Take the file read if its headings give every required column (by name or by the
        saved mapping chosen); else refuse it at once. `by_hand`: the user chose to map a file
        in another layout themselves: the columns recognised are kept, and Import waits until
        every required one has been chosen."""
        self.by_hand.hide()
        if self.loaded is None:
            return
        headers = self.loaded.headers
        try:
            mapping = (get_mapping(self.store, self.actor, self.kind, self.saved.currentText())
                       if self.saved.currentIndex() > 0 else None)
        except QosError as exc:
            self.report.setPlainText(str(exc))
            return
        recognition = recognise(headers, self.fields, mapping)
        if not recognition.complete and not by_hand:
            self._show_table(None)
            text = not_recognised(self.noun, headers, self.fields, recognition)
            if headings_plausible(headers):
                self.by_hand.show()
                text += (" Check you chose the right file. If it is one in another system's "
                         "layout, pick that system's saved mapping, or press Map columns by "
                         "hand. F1 lists the headings expected.")
            else:
                text += (" Its first row looks like data, not headings: check you chose the "
                         "right file, and that it starts with a heading row (F1 lists them).")
            self.report.setPlainText(text)
            return
        self._show_table(self.loaded, recognition)
        rows = f"{len(self.loaded.rows)} data row(s) found."
        if by_hand and not recognition.complete:
            self.report.setPlainText(
                f"{rows} Mapping by hand: choose the column for each field marked *; Import is "
                "available once each has one. Save these columns under the system's name to "
                "use them next time.")
            self.steps.setCurrentIndex(0)
            self.column_boxes[recognition.missing[0].key].setFocus()
        else:
            self.report.setPlainText(
                f"{rows} Check which column holds what and the preview, choose what to do "
                "with bad rows, then press Import." + (
                    " This file has no column called " + ", ".join(
                        f"'{a}'" for a in recognition.absent)
                    + ", which the saved mapping expects." if recognition.absent else ""))

    def _show_table(self, table: Table | None, recognition: Recognition | None = None) -> None:
        """The preview and column boxes for an accepted file, or all cleared (None)."""
        self.table = table
        self.preview.clear()
        headers = table.headers if table is not None else []
        shown = table.rows[:20] if table is not None else []
        self.preview.setColumnCount(len(headers))
        self.preview.setHorizontalHeaderLabels(headers)
        self.preview.setRowCount(len(shown))
        for r, (_, cells) in enumerate(shown):
            for c, text in enumerate(cells[:len(headers)]):
                self.preview.setItem(r, c, QTableWidgetItem(text))
        found = recognition.found if recognition is not None else {}
        for key, box in self.column_boxes.items():
            box.blockSignals(True)
            box.clear()
            box.addItem(NOT_IN_FILE)
            box.addItems([h for h in headers if h])
            box.setCurrentText(found.get(key, NOT_IN_FILE))
            box.blockSignals(False)
        self._update_import_button()

    def _update_import_button(self) -> None:
        """Import only a file taken, with a column chosen for every required field."""
        self.import_button.setEnabled(self.table is not None and all(
            self.column_boxes[spec.key].currentText() != NOT_IN_FILE
            for spec in self.fields if spec.required))

    def current_mapping(self) -> Mapping:
        return {key: box.currentText() for key, box in self.column_boxes.items()
                if box.currentText() != NOT_IN_FILE}

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
        lines = [result.summary()] + [f"  {p}" for p in result.bad[:500]]
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
