"""The volunteer's visit form: large, plain and impossible to lose work in.

Every change is saved as a draft straight away; closing the window keeps it, and the form
opens again where the volunteer left off. Only "Send in" submits.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from qos.errors import QosError
from qos.mystery import open_at
from qos.roles import Actor
from qos.store import mystery
from qos.store.core import Row, Store
from qos.templates import load_template
from ui.date_field import DateTimeField
from ui.style import set_role
from ui.widgets import fit_to_screen, hint_label, scrolling, title_label

CHOICES = (("Y", "Yes"), ("N", "No"), ("X", "Not applicable"))


class VisitForm(QDialog):
    def __init__(self, store: Store, actor: Actor, plan: Row, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor, self.plan = store, actor, plan
        self.submitted = False
        self.setWindowTitle(f"Visit to {plan['counter']}")
        self.setStyleSheet("QWidget { font-size: 13pt; } QRadioButton { padding: 4px 10px; }")
        fit_to_screen(self, 1100, 720)
        scenario = next(s for s in mystery.list_scenarios(store, self.actor,
                                                          include_inactive=True)
                        if s["id"] == plan["scenario_id"])
        self.items = scenario["items"]
        self.hours = mystery.counter_hours(store, actor, plan["id"])
        self.arrived = DateTimeField(dt.datetime.now().replace(second=0, microsecond=0))
        self.arrived.setAccessibleName("Date and time you arrived")
        self.open_yes, self.open_no = QRadioButton("Yes, it was open"), QRadioButton("No")
        self.open_group = QButtonGroup(self)
        for button in (self.open_yes, self.open_no):
            self.open_group.addButton(button)
        self.open_yes.setChecked(True)
        self.hours_note = QLabel("")
        self.hours_note.setWordWrap(True)
        self.waiting = QSpinBox()
        self.waiting.setRange(0, 600)
        self.waiting.setSuffix(" minutes")
        self.waiting.setAccessibleName("How long you waited")
        self.answers: dict[str, QButtonGroup] = {}
        checklist = QGridLayout()
        for row, item in enumerate(self.items):
            text = QLabel(item["text"])
            text.setWordWrap(True)
            checklist.addWidget(text, row, 0)
            group = QButtonGroup(self)
            for col, (code, word) in enumerate(CHOICES, start=1):
                button = QRadioButton(word)
                button.setAccessibleName(f"{item['text']}: {word}")
                button.setProperty("code", code)
                group.addButton(button)
                checklist.addWidget(button, row, col)
            group.buttonToggled.connect(lambda *_: self.schedule_save())
            self.answers[item["key"]] = group
        checklist.setColumnStretch(4, 1)  # answers sit right beside their question
        self.overall = QComboBox()
        self.overall.setAccessibleName("Your overall impression")
        self.overall.addItem("(choose)", None)
        for value, label in enumerate(load_template("callback").scale_labels, start=1):
            self.overall.addItem(label, value)
        self.went_well = QPlainTextEdit()
        self.went_well.setAccessibleName("What went well")
        self.improve = QPlainTextEdit()
        self.improve.setAccessibleName("What should improve")
        for box in (self.went_well, self.improve):
            box.setTabChangesFocus(True)
            box.setFixedHeight(80)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        set_role(self.message, "error")
        self.saved_note = QLabel("")
        send = QPushButton("&Send in this visit")
        set_role(send, "primary")
        send.clicked.connect(self.send_in)
        later = QPushButton("&Close and finish later")
        later.clicked.connect(self.reject)

        for short in (self.arrived, self.waiting, self.overall):
            short.setMaximumWidth(360)
        body = QWidget()
        body.setMaximumWidth(1000)  # short lines are easier to follow than a wide screen
        body.setMinimumWidth(860)
        form = QVBoxLayout(body)
        form.addWidget(title_label(f"{plan['counter']}: {plan['scenario']}"))
        form.addWidget(hint_label(f"What to ask or report: {plan['brief']}"))
        for text, widget in (("When did you arrive?", self.arrived),):
            form.addWidget(QLabel(text))
            form.addWidget(widget)
        form.addWidget(QLabel("Was the counter open?"))
        row = QHBoxLayout()
        row.addWidget(self.open_yes)
        row.addWidget(self.open_no)
        row.addStretch(1)
        form.addLayout(row)
        form.addWidget(self.hours_note)
        form.addWidget(QLabel("How long did you wait to be seen?"))
        form.addWidget(self.waiting)
        form.addWidget(QLabel("What you found:"))
        form.addLayout(checklist)
        form.addWidget(QLabel("Your overall impression:"))
        form.addWidget(self.overall)
        form.addWidget(QLabel("What went well:"))
        form.addWidget(self.went_well)
        form.addWidget(QLabel("What should improve:"))
        form.addWidget(self.improve)
        outer = QWidget()
        centre = QHBoxLayout(outer)
        centre.addWidget(body)
        centre.addStretch(1)
        scroll = scrolling(outer)
        buttons = QHBoxLayout()
        buttons.addWidget(self.saved_note)
        buttons.addStretch(1)
        buttons.addWidget(later)
        buttons.addWidget(send)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.save_timer = QTimer(self)
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(400)
        self.save_timer.timeout.connect(self.save_draft)
        self.restore(mystery.load_draft(store, actor, plan["id"]))
        for signal in (self.arrived.textChanged, self.waiting.valueChanged,
                       self.overall.currentIndexChanged, self.went_well.textChanged,
                       self.improve.textChanged, self.open_group.buttonToggled):
            signal.connect(lambda *_: self.schedule_save())
        self.arrived.date_entered.connect(lambda *_: self.check_hours())
        self.arrived.refused.connect(self.hours_note.setText)
        self.open_group.buttonToggled.connect(lambda *_: self.check_hours())
        self.check_hours()

    # -- drafts ----------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        return {
            "arrived_at": self._arrived_text(),
            "counter_open": self.open_yes.isChecked(),
            "waiting_minutes": self.waiting.value(),
            "answers": {key: group.checkedButton().property("code")
                        for key, group in self.answers.items() if group.checkedButton()},
            "overall": self.overall.currentData(),
            "went_well": self.went_well.toPlainText(),
            "improve": self.improve.toPlainText(),
        }

    def _arrived_text(self) -> str:
        """ISO when typed as a date and time; as typed otherwise, so a draft keeps it."""
        try:
            return self.arrived.date_time().isoformat(timespec="minutes")
        except QosError:
            return self.arrived.text()

    def restore(self, draft: dict[str, Any] | None) -> None:
        if not draft:
            return
        try:
            self.arrived.set_value(dt.datetime.fromisoformat(draft["arrived_at"]))
        except ValueError:
            self.arrived.setText(draft["arrived_at"])  # kept as the volunteer typed it
        (self.open_yes if draft["counter_open"] else self.open_no).setChecked(True)
        self.waiting.setValue(int(draft["waiting_minutes"]))
        for key, code in draft["answers"].items():
            for button in self.answers[key].buttons() if key in self.answers else []:
                if button.property("code") == code:
                    button.setChecked(True)
        self.overall.setCurrentIndex(max(self.overall.findData(draft["overall"]), 0))
        self.went_well.setPlainText(draft["went_well"])
        self.improve.setPlainText(draft["improve"])
        self.saved_note.setText("Your unfinished visit was brought back.")

    def schedule_save(self) -> None:
        self.save_timer.start()

    def save_draft(self) -> None:
        if self.submitted:
            return
        try:
            mystery.save_draft(self.store, self.actor, self.plan["id"], self.values())
        except QosError as exc:
            self.message.setText(f"Could not keep your draft: {exc}")
            return
        self.saved_note.setText(f"Kept at {dt.datetime.now():%H:%M:%S}")

    def check_hours(self) -> None:
        try:
            when = self.arrived.date_time()
        except QosError as exc:
            self.hours_note.setText(str(exc))
            return
        published = open_at(self.hours, when)
        if published and self.open_no.isChecked():
            self.hours_note.setText("The counter should have been open then: this will be "
                                    "recorded as a failure. You need not fill in the checklist.")
        elif not published:
            self.hours_note.setText("The counter's published hours say it is closed at that "
                                    "time.")
        else:
            self.hours_note.setText("The counter's published hours say it is open then.")

    # -- closing ---------------------------------------------------------------------------
    def reject(self) -> None:
        self.save_timer.stop()
        self.save_draft()  # closing keeps everything typed
        super().reject()

    def send_in(self) -> None:
        values = self.values()
        try:
            arrived_at = self.arrived.date_time()  # refused, with a message, unless typed so
            mystery.submit_visit(
                self.store, self.actor, self.plan["id"],
                arrived_at=arrived_at,
                counter_open=values["counter_open"], waiting_minutes=values["waiting_minutes"],
                answers=values["answers"], overall=values["overall"],
                went_well=values["went_well"], to_improve=values["improve"])
        except QosError as exc:
            self.message.setText(str(exc))
            self.save_draft()
            return
        self.submitted = True
        self.save_timer.stop()
        self.accept()
