"""Closure compliance: the month's closed crimes that were not Victims' Code or QoS compliant
when they were closed, and the supervisor's remedy for each (Enter on a row)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QPushButton, QWidget

from qos.errors import QosError
from qos.months import recent_months
from qos.roles import Actor
from qos.store import closures, reference
from qos.store.core import Store
from ui.record_dialog import date_and_note_dialog
from ui.table_keys import ENTER, on_keys
from ui.table_model import RowsModel
from ui.widgets import (
    fit_columns,
    focus_table,
    labelled_bar,
    page_column,
    selected_row,
    show_error,
    shrinkable,
    table_view,
)


class ClosuresPage(QWidget):
    title = "Closures"

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.month = QComboBox()
        self.month.setAccessibleName("Month")
        self.month.addItems(recent_months())
        self.unit = shrinkable(QComboBox())
        self.unit.setAccessibleName("Unit")
        for unit in reference.units_for(store, actor):
            self.unit.addItem(f"{unit['code']} - {unit['name']}", unit["id"])
        self.problems_only = QCheckBox("&Only closures that were not compliant")
        self.problems_only.setChecked(True)
        for signal in (self.month.currentIndexChanged, self.unit.currentIndexChanged,
                       self.problems_only.toggled):
            signal.connect(lambda *_: self.refresh())
        self.model = RowsModel([
            ("crime_ref", "Crime"), ("unit_code", "Unit"), ("finalised_on", "Closed on"),
            ("problems", "Outstanding at closure"), ("remedy", "Remedy"),
            ("remedied_on", "Remedied on")], self,
            {"problems": lambda p: "; ".join(p) if p else "Compliant",
             "remedy": lambda r: r or ""})
        self.view = table_view(self.model, "Closures")
        on_keys(self.view, ENTER, lambda _key: self.record_remedy())
        self.remedy_button = QPushButton("Record &remedy... (Enter)")
        self.remedy_button.setAccessibleName("Record remedy")
        self.remedy_button.clicked.connect(self.record_remedy)
        self.counts = QLabel("")
        self.counts.setAccessibleName("Closures checked")
        bar = labelled_bar(("&Month:", self.month), ("&Unit:", self.unit))
        bar.addWidget(self.problems_only)
        bar.addStretch(1)
        bar.addWidget(self.remedy_button)
        page_column(self, "Closure compliance",
                    "Crimes closed in the month with a Victims' Code update or a failed QoS "
                    "check still outstanding on the day they were closed. Record what was "
                    "done to put each right.", bar, self.counts, self.view)

    def rows(self) -> list[dict[str, Any]]:
        return [self.model.row_at(i) for i in range(self.model.rowCount())]

    def record_remedy(self) -> None:
        row = selected_row(self.view)
        if row is None:
            return
        crime_id = row["id"]
        accepted = date_and_note_dialog(
            self, f"Remedy for {row['crime_ref']}", "Date put right", "What was done",
            lambda on, note: closures.record_remedy(self.store, self.actor, crime_id, note, on))
        position = self.view.currentIndex().row()
        self.refresh()
        if accepted and self.model.rowCount():
            self.view.selectRow(min(position, self.model.rowCount() - 1))

    def focus_main_work(self) -> None:
        focus_table(self.view)

    def refresh(self) -> None:
        unit_id = self.unit.currentData()
        if unit_id is None:
            self.model.set_rows([])
            self.counts.setText("You do not cover any unit: ask an administrator.")
            return
        try:
            every = closures.closures_for_month(self.store, self.actor,
                                                self.month.currentText(), unit_id=unit_id)
        except QosError as exc:
            show_error(self, exc)
            return
        bad = [r for r in every if r["problems"]]
        remedied = sum(1 for r in bad if r["remedy"])
        self.counts.setText(f"{len(every)} closure(s) checked, {len(bad)} not compliant, "
                            f"{remedied} remedied.")
        self.model.set_rows(bad if self.problems_only.isChecked() else every)
        fit_columns(self.view)
        if self.model.rowCount() and not self.view.selectionModel().hasSelection():
            self.view.selectRow(0)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
