"""Victims' Code updates due: the prompt the inspection asked for, overdue first."""
from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QWidget

from qos.errors import QosError
from qos.roles import Actor
from qos.store import reference
from qos.store.core import Store
from qos.store.updates import due_counts, due_page, record_victim_update
from ui.date_field import DateField
from ui.table_model import PAGE, RowsModel
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
from ui.workers import BackgroundJob, NewestAnswer


class DuePage(QWidget):
    title = "Updates due"

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.answers = NewestAnswer(self, store)
        self.unit = shrinkable(QComboBox())
        self.unit.setAccessibleName("Unit")
        self.unit.addItem("All units", None)
        units = reference.units_for(store, actor)
        for unit in units:
            self.unit.addItem(f"{unit['code']} - {unit['name']}", unit["code"])
        # One unit's list to start with (the user's own, else the first): a whole force's
        # can run to many thousands of lines. "All units" stays one choice away.
        own = next((i for i, u in enumerate(units, start=1) if u["id"] == actor.unit_id),
                   1 if units else 0)
        self.unit.setCurrentIndex(own)
        self.as_of = DateField(dt.date.today())
        self.as_of.setAccessibleName("As of")
        self.unit.currentIndexChanged.connect(lambda _: self.refresh())
        self.as_of.date_entered.connect(lambda _: self.refresh())
        self.as_of.refused.connect(lambda problem: self.count.setText(problem))
        self.model = RowsModel([
            ("crime_ref", "Crime"), ("unit_code", "Unit"), ("officer", "Officer"),
            ("rule", "Why the victim is owed an update"), ("due", "Due"),
            ("overdue_days", "Working days overdue"),
            ("enhanced_reason", "Enhanced service because")], self,
            {"enhanced_reason": lambda e: e or "", "overdue_days":
             lambda d: str(d) if d else "due today"})
        self.view = table_view(self.model, "Victims owed an update")
        updated = QPushButton("Victim updated &today")
        updated.setAccessibleName("Victim updated today")
        updated.clicked.connect(self.mark_updated)
        self.count = QLabel("")
        bar = labelled_bar(("&Unit:", self.unit), ("&As of:", self.as_of))
        bar.addStretch(1)
        bar.addWidget(self.count)
        bar.addWidget(updated)
        page_column(self, "Victims' Code: updates due",
                    "Victims owed an update under the Victims' Code, the most overdue first. "
                    "Deadlines count working days (no weekends or bank holidays), 1 day for "
                    "enhanced victims.", bar, self.view)

    def focus_main_work(self) -> None:
        focus_table(self.view)

    def refresh(self) -> None:
        """The count and first page are read on a worker thread; later pages as the user
        scrolls. The deadlines read are those kept: imports, updates and the background
        catch-up work them out, never this read."""
        try:
            as_of = self.as_of.date()
        except QosError as exc:
            self.count.setText(str(exc))
            return
        unit = self.unit.currentData()

        def first_page(store: Store, progress: Any) -> tuple[tuple[int, int], list[Any]]:
            return (due_counts(store, self.actor, as_of, unit),
                    due_page(store, self.actor, as_of, unit, 0, PAGE))

        self.count.setText("Working out who is due an update...")
        self.answers.ask(first_page, lambda answer: self._show(answer, as_of, unit),
                         lambda exc: show_error(self, exc))

    @property
    def job(self) -> BackgroundJob | None:
        """The list being read, if any."""
        return self.answers.job

    def _show(self, answer: tuple[tuple[int, int], list[dict[str, Any]]], as_of: dt.date,
              unit: str | None) -> None:
        (total, overdue), first = answer
        store = self.store
        self.model.set_fetch(lambda offset, limit: first if offset == 0 else
                             due_page(store, self.actor, as_of, unit, offset, limit))
        fit_columns(self.view)
        self.count.setText(f"{total:,} due, {overdue:,} overdue")

    def mark_updated(self) -> None:
        row = selected_row(self.view)
        if row is None:
            return
        try:
            record_victim_update(self.store, self.actor, row["crime_id"], dt.date.today())
        except QosError as exc:
            show_error(self, exc)
        self.refresh()
