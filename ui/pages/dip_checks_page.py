"""Inspectorate dip checks: draw a unit's month, then go down the items with one key each
(P passed, F failed, U could not check; F and U ask for a note)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from qos.dip_checks import RESULTS
from qos.errors import QosError
from qos.months import recent_months
from qos.roles import Actor
from qos.store import dipchecks, reference
from qos.store.core import Store
from ui.style import set_role
from ui.table_keys import on_keys
from ui.table_model import RowsModel
from ui.widgets import (
    fit_columns,
    focus_table,
    labelled_bar,
    page_column,
    show_error,
    shrinkable,
    table_view,
)

KEYS = {Qt.Key.Key_P: "pass", Qt.Key.Key_F: "fail", Qt.Key.Key_U: "unable"}


class DipChecksPage(QWidget):
    title = "Dip checks"

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.check_id: int | None = None
        self.unit = shrinkable(QComboBox())
        self.unit.setAccessibleName("Unit")
        for unit in reference.units_for(store, actor):
            self.unit.addItem(f"{unit['code']} - {unit['name']}", unit["id"])
        self.month = QComboBox()
        self.month.setAccessibleName("Month")
        self.month.addItems(recent_months())
        self.month.setCurrentIndex(1)  # the last complete month
        for box in (self.unit, self.month):
            box.currentIndexChanged.connect(lambda *_: self.refresh())
        self.draw_button = QPushButton("&Draw the dip check")
        self.draw_button.setAccessibleName("Draw the dip check")
        set_role(self.draw_button, "primary")
        self.draw_button.clicked.connect(self.draw)
        self.verify_button = QPushButton("Re-run the &selection")
        self.verify_button.setAccessibleName("Re-run the selection")
        self.verify_button.clicked.connect(self.verify)
        self.status = QLabel("")
        self.status.setAccessibleName("Dip check progress")
        # The verdicts before the long evidence, so they show at 1366x768 without scrolling.
        self.model = RowsModel([
            ("test_label", "Test"), ("item", "Crime or counter"), ("suggested", "Suggests"),
            ("result_text", "Finding"), ("records_say", "The records say"),
            ("note", "Note")], self,
            {"suggested": lambda s: RESULTS.get(s or "", "")})
        self.view = table_view(self.model, "Dip check items")
        on_keys(self.view, set(KEYS), lambda key: self.record(KEYS[key]))
        bar = labelled_bar(("&Unit:", self.unit), ("&Month:", self.month))
        bar.addWidget(self.draw_button)
        bar.addWidget(self.verify_button)
        bar.addStretch(1)
        page_column(self, "Inspectorate dip checks",
                    "A random selection from the unit's month: counters open at their published "
                    "times, road traffic collision victims updated within three days, "
                    "vulnerable victims updated, all victims updated in time. On an item press "
                    "P (passed), F (failed) or U (could not check).", bar, self.status, self.view)

    def rows(self) -> list[dict[str, Any]]:
        return [self.model.row_at(i) for i in range(self.model.rowCount())]

    def draw(self) -> None:
        unit_id = self.unit.currentData()
        if unit_id is None:
            return
        try:
            dipchecks.draw_dip_check(self.store, self.actor, unit_id, self.month.currentText())
        except QosError as exc:
            show_error(self, exc, "The dip check was not drawn")
        self.refresh()

    def verify(self) -> None:
        if self.check_id is None:
            return
        found = dipchecks.verify_dip_check(self.store, self.actor, self.check_id)
        words = ("The selection re-runs to the same items."
                 if found["selection_matches"] else
                 "The selection does NOT re-run to the same items.")
        if found["records_changed"]:
            words += (" The records behind these tests have changed since the draw: "
                      + ", ".join(found["records_changed"]) + ".")
        QMessageBox.information(self, "Re-run the selection", words)

    def record(self, result: str) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return
        position = rows[0].row()
        item = self.model.row_at(position)
        note = ""
        if result != "pass":
            note, ok = QInputDialog.getText(self, "What was found",
                                            f"{item['item']}: what was found?")
            if not ok:
                return
        try:
            dipchecks.record_result(self.store, self.actor, item["id"], item["version"], result,
                                    note)
        except QosError as exc:
            show_error(self, exc, "The finding was not saved")
            return
        self.refresh()
        self.view.selectRow(min(position + 1, self.model.rowCount() - 1))

    def focus_main_work(self) -> None:
        if self.check_id is None:
            self.draw_button.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            focus_table(self.view)

    def refresh(self) -> None:
        unit_id = self.unit.currentData()
        month = self.month.currentText()
        found = [c for c in dipchecks.list_dip_checks(self.store, self.actor)
                 if c["unit_id"] == unit_id and c["month"] == month]
        self.check_id = found[0]["id"] if found else None
        self.draw_button.setEnabled(self.check_id is None and unit_id is not None)
        self.verify_button.setEnabled(self.check_id is not None)
        if self.check_id is None:
            self.model.set_rows([])
            self.status.setText("No dip check drawn for this unit and month yet: press Draw."
                                if unit_id is not None else "No units are set up yet.")
            self.draw_button.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.model.set_rows(dipchecks.check_items(self.store, self.actor, self.check_id))
        fit_columns(self.view)
        done = sum(1 for r in self.rows() if r["result"])
        self.status.setText(f"{done} of {self.model.rowCount()} item(s) checked "
                            f"(seed {found[0]['seed']}).")
        if not self.view.selectionModel().hasSelection() and self.model.rowCount():
            self.view.selectRow(0)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
