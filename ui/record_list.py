"""A list of records with Add / Edit / Deactivate buttons; used by every admin tab."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qos.errors import QosError
from ui.record_dialog import FormField, RecordDialog
from ui.style import set_role
from ui.table_model import RowsModel
from ui.widgets import add_button, fit_columns, fit_columns_on_reset, show_error

Row = dict[str, Any]


class RecordList(QWidget):
    def __init__(self, noun: str, columns: Sequence[tuple[str, str]],
                 load: Callable[[bool], list[Row]], fields: Callable[[], list[FormField]],
                 add: Callable[[dict[str, Any]], Any] | None,
                 edit: Callable[[Row, dict[str, Any]], Any] | None,
                 set_active: Callable[[Row, bool], Any] | None = None,
                 formatters: dict[str, Callable[[Any], str]] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.noun = noun
        self._load, self._fields = load, fields
        self._add, self._edit, self._set_active = add, edit, set_active
        self.model = RowsModel(columns, self, formatters)
        self.view = QTableView()
        set_role(self.view, "table")
        self.view.setModel(self.model)
        self.view.setAccessibleName(f"{noun.capitalize()} list")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.setTabKeyNavigation(False)
        fit_columns_on_reset(self.view)
        self.view.doubleClicked.connect(lambda _: self.edit_selected())
        bar = QHBoxLayout()
        self.buttons = QHBoxLayout()  # action buttons, left; the inactive toggle sits right
        bar.addLayout(self.buttons)
        bar.addStretch(1)
        if add:
            self.add_button = self._button(f"&Add {noun}...", self.add_new)
        if edit:
            self.edit_button = self._button("&Edit...", self.edit_selected)
        if set_active:
            self.toggle_button = self._button("&Deactivate / reactivate", self.toggle_active)
        self.show_inactive = QCheckBox("Show &inactive")
        self.show_inactive.setAccessibleName(f"Show inactive {noun}s")
        self.show_inactive.toggled.connect(lambda _: self.refresh())
        if set_active:
            bar.addWidget(self.show_inactive)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view)

    def make_read_only(self) -> None:
        """For those who may look but not change: no Add, Edit or Deactivate buttons."""
        self._add = self._edit = self._set_active = None
        for i in range(self.buttons.count()):
            widget = self.buttons.itemAt(i).widget()
            if widget is not None:
                widget.hide()

    def add_button_widget(self, text: str, slot: Callable[[], None]) -> QPushButton:
        return self._button(text, slot)

    def _button(self, text: str, slot: Callable[[], None]) -> QPushButton:
        return add_button(self.buttons, text, slot)

    def refresh(self) -> None:
        self.model.set_rows(self._load(self.show_inactive.isChecked()))
        fit_columns(self.view)

    def selected(self) -> Row | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def add_new(self) -> None:
        assert self._add is not None
        dialog = RecordDialog(f"Add {self.noun}", self._fields(), {}, self._add, self)
        if dialog.exec():
            self.refresh()

    def edit_selected(self) -> None:
        row = self.selected()
        if row is None or self._edit is None:
            return
        edit = self._edit
        dialog = RecordDialog(f"Edit {self.noun}", self._fields(), row,
                              lambda values: edit(row, values), self)
        dialog.exec()
        self.refresh()

    def toggle_active(self) -> None:
        row = self.selected()
        if row is None or self._set_active is None:
            return
        try:
            self._set_active(row, not row["active"])
        except QosError as exc:
            show_error(self, exc)
        self.refresh()

    def select_first(self) -> None:
        if self.model.rowCount():
            self.view.selectRow(0)
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
