"""Doorstep cards: fast keyed entry of returned cards, card stock, return rates, feedback."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qos.doorstep import officer_feedback
from qos.errors import QosError
from qos.excel import write_officer_feedback
from qos.months import recent_months
from qos.roles import Action, Actor, allowed
from qos.settings import setting
from qos.store import doorstep, reference
from qos.store.core import Store
from qos.templates import Template
from ui.answer_field import DigitAnswer
from ui.callback_form import YES_NO, YES_NO_CODES
from ui.date_field import DateField
from ui.record_dialog import FormField
from ui.record_list import RecordList
from ui.style import set_role
from ui.table_model import RowsModel
from ui.widgets import answer_row, fit_columns, hint_label, show_error, table_view, title_label


class CardEntry(QWidget):
    """Serial, Enter, one digit per answer, Enter: the card is saved and the next can start."""

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.saved_count = 0
        self.batch: dict[str, Any] | None = None
        self.template: Template | None = None
        self.answers: dict[str, DigitAnswer] = {}
        self.received = DateField(dt.date.today())
        self.received.setAccessibleName("Date the cards were received")
        self.received.refused.connect(lambda problem: self._say(problem, ok=False))
        self.serial = QLineEdit()
        self.serial.setValidator(QIntValidator(1, 999_999_999, self))
        self.serial.setAccessibleName("Card serial number")
        self.serial.setPlaceholderText("Type the serial printed on the card, then Enter")
        self.serial.returnPressed.connect(self.serial_entered)
        # When the digits typed can only be one issued card, move on without waiting for Enter.
        self.serial.textEdited.connect(self._maybe_complete)
        self.card_info = QLabel("")
        self.card_info.setWordWrap(True)
        self.answer_grid = QGridLayout()
        answers_box = QWidget()
        answers_box.setLayout(self.answer_grid)
        self.incident = QLineEdit()
        self.incident.setAccessibleName("Incident reference, if written on the card")
        self.comments = QLineEdit()
        self.comments.setAccessibleName("Comments written on the card")
        for field in (self.incident, self.comments):
            field.returnPressed.connect(self.save)
        for short in (self.received, self.serial, self.incident):
            short.setMaximumWidth(360)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Card entry message")
        self.counter = QLabel("")
        form = QFormLayout()
        for text, widget in (("Date recei&ved:", self.received), ("Seria&l:", self.serial)):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        form.addRow("", self.card_info)
        form.addRow("Answers:", answers_box)
        for text, widget in (("&Incident reference:", self.incident),
                             ("C&omments:", self.comments)):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        save = QPushButton("S&ave card (Enter)")
        set_role(save, "primary")
        save.clicked.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label(
            "Type the serial (Enter if the form does not move on by itself); the officer and "
            "card design fill in. Then one "
            "digit per answer (1-7 as printed on the card, 0 if left blank; yes/no: 1 yes, "
            "2 no, 0 blank). Enter saves and starts the next card."))
        layout.addLayout(form)
        layout.addWidget(save, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        layout.addWidget(self.counter)
        layout.addStretch(1)

    def _say(self, text: str, ok: bool) -> None:
        self.message.setText(text)
        set_role(self.message, "ok" if ok else "error")

    def _maybe_complete(self, text: str) -> None:
        if doorstep.serial_is_complete(self.store, self.actor, text):
            self.serial_entered()

    def serial_entered(self) -> None:
        if not self.serial.text():
            return
        try:
            self.batch = doorstep.check_serial(self.store, self.actor, int(self.serial.text()))
        except QosError as exc:
            self._clear_answers()
            self._say(str(exc), ok=False)
            self.serial.selectAll()  # the typed number stays, ready to correct
            return
        self.template = doorstep.card_template(self.store, self.actor, self.batch)
        self._build_answers(self.template)
        holder = self.batch["officer"] or f"team {self.batch['team']}"
        self.card_info.setText(f"Issued to {holder} ({self.batch['unit_code']}) on "
                               f"{self.batch['issued_on']}; card design version "
                               f"{self.batch['template_version']}.")
        self._say("", ok=True)
        first = next(iter(self.answers.values()), None)
        (first or self.incident).setFocus()

    def _clear_answers(self) -> None:
        while self.answer_grid.count():
            item = self.answer_grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.answers = {}
        self.card_info.setText("")

    def _build_answers(self, template: Template) -> None:
        self._clear_answers()
        previous: QWidget = self.serial
        for row, question in enumerate(template.questions):
            # Each scale question with its own words ("How reassured" is not satisfaction).
            scale = {str(i): label for i, label in
                     enumerate(template.scale_for(question), start=1)}
            scale["0"] = "Left blank"
            box = answer_row(self.answer_grid, row, question.text,
                             scale if question.type == "scale7" else YES_NO)
            self.setTabOrder(previous, box)
            previous = box
            self.answers[question.key] = box
        self.setTabOrder(previous, self.incident)
        self.setTabOrder(self.incident, self.comments)

    def save(self) -> None:
        if self.batch is None or self.template is None:
            self.serial_entered()
            return
        missing = [k for k, box in self.answers.items() if not box.text()]
        if missing:
            self._say("Every answer needs a digit (0 if the card left it blank).", ok=False)
            self.answers[missing[0]].setFocus()
            return
        answers: dict[str, Any] = {}
        for question in self.template.questions:
            digit = self.answers[question.key].text()
            if digit == "0":
                continue
            answers[question.key] = int(digit) if question.type == "scale7" else \
                YES_NO_CODES[digit]
        serial = int(self.serial.text())
        try:
            received_on = self.received.date()  # refused unless typed as a date
            doorstep.record_card(self.store, self.actor, serial, answers,
                                 received_on=received_on,
                                 incident_ref=self.incident.text(),
                                 comments=self.comments.text())
        except QosError as exc:
            self._say(str(exc), ok=False)  # the card stays on screen
            if self.received.problem():
                self.received.setFocus()  # a date not typed as one: the box to correct
            return
        self.saved_count += 1
        self._say(f"Card {serial} saved.", ok=True)
        self.counter.setText(f"{self.saved_count} card(s) entered in this sitting.")
        self.batch = self.template = None
        self._clear_answers()
        for field in (self.serial, self.incident, self.comments):
            field.clear()
        self.serial.setFocus()


class DoorstepPage(QWidget):
    title = "Doorstep cards"

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.entry = CardEntry(store, actor)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.entry, "Card &entry")
        self.stock: RecordList | None = None
        if allowed(actor, Action.MANAGE_DOORSTEP):
            self.stock = self._stock_tab()
            self.tabs.addTab(self.stock, "Card &stock")
            self.tabs.addTab(self._rates_tab(), "&Return rates")
            self.tabs.addTab(self._feedback_tab(), "Officer &feedback")
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("Operation Doorstep cards"))
        layout.addWidget(self.tabs)

    def refresh(self) -> None:
        if self.stock is not None:
            self.stock.refresh()
            self.refresh_rates()
            self.stock_empty.setVisible(not self.stock.model.rowCount())

    def focus_main_work(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.entry.serial.setFocus()

    def _stock_tab(self) -> RecordList:
        store, actor = self.store, self.actor

        def fields() -> list[FormField]:
            people = [(None, "(a team, named below)")] + [
                (p["id"], f"{p['name']} ({p['staff_number']})")
                for p in reference.list_people(store, self.actor)]
            return [FormField("first_serial", "First serial", "int", minimum=1,
                              maximum=999_999_999),
                    FormField("last_serial", "Last serial", "int", minimum=1,
                              maximum=999_999_999),
                    FormField("issued_on", "Date issued", "date"),
                    FormField("unit_id", "Unit", "choice",
                              [(u["id"], f"{u['code']} - {u['name']}")
                               for u in reference.list_units(store, self.actor)]),
                    FormField("person_id", "Issued to officer", "choice", people),
                    FormField("team", "or to team")]

        def add(values: dict[str, Any]) -> None:
            doorstep.issue_batch(store, actor, values["first_serial"], values["last_serial"],
                                 values["issued_on"], values["unit_id"],
                                 person_id=values["person_id"],
                                 team=values["team"])

        tab = RecordList(
            "card batch", [("first_serial", "First serial"), ("last_serial", "Last serial"),
                           ("cards", "Cards"), ("issued_on", "Issued"), ("unit_code", "Unit"),
                           ("officer", "Officer"), ("team", "Team"),
                           ("template_version", "Card design"), ("returned", "Returned")],
            lambda inactive: doorstep.list_batches(store, self.actor), fields, add, None)
        tab.add_button.setText("&Issue cards...")
        self.stock_empty = hint_label("No card stock issued yet: press Issue cards and give the "
                                      "serial range handed to an officer or team.")
        tab.layout().insertWidget(0, self.stock_empty)
        return tab

    def _rates_tab(self) -> QWidget:
        widget = QWidget()
        self.group_by = QComboBox()
        self.group_by.setAccessibleName("Group return rates by")
        for key, text in (("unit", "Unit"), ("officer", "Officer"), ("team", "Team"),
                          ("month", "Month issued")):
            self.group_by.addItem(text, key)
        self.group_by.currentIndexChanged.connect(lambda _: self.refresh_rates())
        self.rates = RowsModel([("group", "Group"), ("issued", "Cards issued"),
                                ("returned", "Returned"),
                                ("left", "Left with victims"),
                                ("returned_of_left", "Of those, returned"),
                                ("rate", "Return rate"), ("basis", "Rate out of cards"),
                                ("median_lag_days", "Median days to return")], self,
                               {"rate": lambda r: f"{r:.1%}",
                                "median_lag_days": lambda d: "" if d is None else f"{d:g}"})
        self.rates_view = view = table_view(self.rates, "Return rates")
        bar = QHBoxLayout()
        label = QLabel("&Group by:")
        label.setBuddy(self.group_by)
        bar.addWidget(label)
        bar.addWidget(self.group_by)
        bar.addStretch(1)
        layout = QVBoxLayout(widget)
        layout.addLayout(bar)
        layout.addWidget(hint_label("Cards issued in the last 12 months and how many have come "
                                    "back so far."))
        layout.addWidget(view)
        return widget

    def refresh_rates(self) -> None:
        months = recent_months()
        self.rates.set_rows(doorstep.return_rates(self.store, self.actor,
                                                  self.group_by.currentData(),
                                                  months[-1], months[0]))
        fit_columns(self.rates_view)

    def _feedback_tab(self) -> QWidget:
        widget = QWidget()
        self.officer = QComboBox()
        self.officer.setAccessibleName("Officer")
        for person in reference.list_people(self.store, self.actor):
            self.officer.addItem(f"{person['name']} ({person['staff_number']})", person["id"])
        today = dt.date.today()
        back = today.month - 3  # three months back, as a supervisor's review period
        year, month = (today.year, back) if back > 0 else (today.year - 1, back + 12)
        self.feedback_from = DateField(today.replace(year=year, month=month,
                                                     day=min(today.day, 28)))
        self.feedback_to = DateField(today)
        for edit, name in ((self.feedback_from, "From"), (self.feedback_to, "To")):
            edit.setAccessibleName(name)
        write = QPushButton("Save feedback s&heet...")
        write.clicked.connect(self.save_feedback)
        form = QFormLayout(widget)
        form.addRow(hint_label("One page for the officer's supervisor: only that officer's "
                               "cards, comments word for word, and no percentages on fewer "
                               "cards than the minimum. Officers are never ranked."))
        form.addRow("&Officer:", self.officer)
        form.addRow("From:", self.feedback_from)
        form.addRow("To:", self.feedback_to)
        form.addRow(write)
        return widget

    def feedback_for_selected(self) -> Any:
        person_id = self.officer.currentData()
        person = reference.person_with_unit(self.store, self.actor, person_id)
        first = self.feedback_from.date()
        last = self.feedback_to.date()
        cards = doorstep.officer_cards(self.store, self.actor, person_id, first, last)
        return officer_feedback(cards, person["name"], person["unit_code"], first.isoformat(),
                                last.isoformat(), int(setting(self.store, "doorstep_min_cards")))

    def save_feedback(self) -> None:
        try:
            feedback = self.feedback_for_selected()
        except QosError as exc:
            show_error(self, exc, "Cannot make the feedback sheet")
            return
        name, _ = QFileDialog.getSaveFileName(self, "Save the feedback sheet",
                                              f"Doorstep feedback {feedback.officer}.xlsx",
                                              "Excel workbook (*.xlsx)")
        if not name:
            return
        try:
            write_officer_feedback(feedback, Path(name))
        except (QosError, OSError) as exc:
            show_error(self, exc, "Could not save the feedback sheet")
