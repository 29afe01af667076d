"""Informal complaints taken on the phone (control room and others): logged in a few keys.

Unit, Commitment item and resolved / passed on are combo boxes that select as you type, so a
complaint is: a letter or two for the unit, Tab, a letter for the item, Tab, R or P, Enter.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from qos.commitment import commitment_items
from qos.errors import QosError
from qos.roles import Action, Actor, allowed
from qos.store import complaints, reference
from qos.store.core import Store
from ui.style import set_role
from ui.table_model import RowsModel
from ui.widgets import error_label, fit_columns, page_column, shrinkable, table_view


class ComplaintsPage(QWidget):
    title = "Informal complaints"

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.unit = shrinkable(QComboBox())
        for unit in reference.list_units(store, self.actor):
            self.unit.addItem(f"{unit['code']} - {unit['name']}", unit["id"])
        self.item = QComboBox()
        for item in commitment_items():
            self.item.addItem(item.label, item.key)
        self.resolution = QComboBox()
        for key, text in complaints.RESOLUTIONS.items():
            self.resolution.addItem(text, key)
        self.kind = QComboBox()
        self.kind.addItem("Complaint", "complaint")
        self.kind.addItem("Compliment", "compliment")
        self.crime_ref = QLineEdit()
        self.summary = QLineEdit()
        self.summary.setPlaceholderText("optional: what was said, in a line")
        form = QFormLayout()
        for text, widget in (("&Unit", self.unit), ("Commitment &item", self.item),
                             ("&Resolved or passed on", self.resolution), ("&Kind", self.kind),
                             ("Crime reference (if an&y)", self.crime_ref),
                             ("W&hat was said", self.summary)):
            label = QLabel(f"{text}:")
            label.setBuddy(widget)
            widget.setAccessibleName(text.replace("&", ""))
            form.addRow(label, widget)
        self.save_button = QPushButton("&Log it (Enter)")
        self.save_button.setAccessibleName("Log it")
        set_role(self.save_button, "primary")
        self.save_button.clicked.connect(self.save)
        self.error = error_label()
        self.done = QLabel("")
        self.done.setAccessibleName("Last logged")
        bar = QHBoxLayout()
        bar.addWidget(self.save_button)
        bar.addWidget(self.done, 1)
        # Enter anywhere in the form logs it: the combos take no Enter of their own.
        for key in ("Return", "Enter", "Ctrl+Return"):
            QShortcut(QKeySequence(key), self, activated=self.save,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        own = not allowed(actor, Action.VIEW_SUMMARY)
        self.model = RowsModel([("raised_on", "Date"), ("unit_code", "Unit"),
                                ("item", "Commitment item"),
                                ("resolution_text", "Resolved or passed on"),
                                ("kind", "Kind"), ("summary", "What was said")], self)
        self.view = table_view(self.model, "This month's informal complaints")
        page_column(self, "Informal complaints",
                    "Complaints the public make on the phone, even when you resolve them there "
                    "and then, so the force can see where it falls short of the Quality of "
                    "Service Commitment. Type to choose in each box; Enter logs it.",
                    form, bar, self.error,
                    QLabel("The ones you logged this month:" if own else "Logged this month:"),
                    self.view)

    def save(self) -> None:
        if self.unit.currentData() is None:
            self.error.setText("No units are set up yet: ask an administrator.")
            return
        try:
            complaints.log_informal_complaint(
                self.store, self.actor, unit_id=self.unit.currentData(),
                qosc_item=self.item.currentData(), resolution=self.resolution.currentData(),
                kind=self.kind.currentData(), crime_ref=self.crime_ref.text(),
                summary=self.summary.text())
        except QosError as exc:
            self.error.setText(str(exc))  # what was typed stays, to be put right
            return
        self.error.setText("")
        self.done.setText(f"Logged: {self.unit.currentText()}, {self.item.currentText()}, "
                          f"{self.resolution.currentText().lower()}.")
        self.crime_ref.clear()
        self.summary.clear()
        self.refresh()
        self.unit.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_main_work(self) -> None:
        self.unit.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self) -> None:
        month = dt.date.today().isoformat()[:7]
        self.model.set_rows(complaints.list_informal_complaints(self.store, self.actor, month))
        fit_columns(self.view)
        if not self.unit.hasFocus():
            self.unit.setFocus(Qt.FocusReason.OtherFocusReason)
