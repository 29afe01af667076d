"""The call-back form, generated from the versioned question template.

Keyboard-first: each answer is one digit and focus moves on by itself; Ctrl+Enter (or Enter
on the last box) saves. Nothing typed is lost if saving is refused: the message shows and the
form stays open.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from qos.errors import QosError
from qos.roles import Actor
from qos.store.callbacks import record_callback
from qos.store.core import Row, Store
from qos.templates import Template, ethnicity_options, load_template
from ui.agreed_updates_field import LABEL as AGREED_LABEL
from ui.agreed_updates_field import AgreedUpdatesField
from ui.answer_field import DigitAnswer
from ui.forms import GuardedDialog
from ui.widgets import (
    answer_row,
    error_label,
    fit_to_screen,
    hint_label,
    save_cancel_buttons,
    scrolling,
    title_label,
)

YES_NO = {"1": "Yes", "2": "No", "0": "Not applicable / don't know"}
YES_NO_CODES = {"1": "Y", "2": "N", "0": "X"}
FEEDBACK = {"0": "No feedback needed", "1": "Positive feedback", "2": "For improvement"}
FEEDBACK_CODES = {"0": "none", "1": "positive", "2": "improvement"}


class CallbackForm(GuardedDialog):
    def __init__(self, store: Store, actor: Actor, item: Row, parent: QWidget | None = None,
                 template: Template | None = None):
        super().__init__(parent)
        self.store, self.actor, self.item = store, actor, item
        self.template = template or load_template("callback")
        self.callback_id: int | None = None
        self.setWindowTitle(f"Call-back {item['crime_ref']}")
        fit_to_screen(self, 900, 760)
        scale = {str(i): label for i, label in enumerate(self.template.scale_labels, start=1)}
        scale["0"] = "Don't know / not applicable"
        self.answers: dict[str, DigitAnswer] = {}
        grid = QGridLayout()
        grid.setColumnStretch(0, 1)
        row = 0
        for section, questions in self.template.sections:
            heading = QLabel(section)
            heading.setStyleSheet("font-weight: 600; font-size: 12pt; padding-top: 8px;")
            grid.addWidget(heading, row, 0, 1, 3)
            row += 1
            for question in questions:
                options = scale if question.type == "scale7" else YES_NO
                self.answers[question.key] = answer_row(grid, row, question.text, options)
                row += 1
        self.ethnicity = QComboBox()
        self.ethnicity.setAccessibleName("Victim's self-defined ethnicity")
        for option in ethnicity_options():
            self.ethnicity.addItem(f"{option['code']}  {option['label']}", option["code"])
        self.ethnicity.setCurrentIndex(self.ethnicity.findData("NS"))
        self.comments = QPlainTextEdit()
        self.comments.setTabChangesFocus(True)
        self.comments.setAccessibleName("Comments")
        self.comments.setFixedHeight(70)
        self.updated = QCheckBox("I gave the victim an &update on their case during this call")
        self.updated.setAccessibleName("Victim updated during this call")
        self.feedback = DigitAnswer(FEEDBACK)
        self.feedback.setAccessibleName("Officer feedback needed")
        self.feedback_meaning = QLabel("")
        self.feedback.answered.connect(lambda _t: self.feedback_meaning.setText(
            self.feedback.meaning()))
        self.feedback.enter_pressed.connect(self.save)
        self.agreed_days = AgreedUpdatesField()
        for label_text, widget, extra in (
                ("Victim's self-defined &ethnicity (ask; 'Not stated' if they prefer not to say)",
                 self.ethnicity, None),
                ("&Comments in the victim's words", self.comments, None),
                ("Officer &feedback: 0 none, 1 positive, 2 for improvement", self.feedback,
                 self.feedback_meaning),
                (AGREED_LABEL, self.agreed_days, None)):
            label = QLabel(label_text)
            label.setWordWrap(True)
            label.setBuddy(widget)
            grid.addWidget(label, row, 0)
            grid.addWidget(widget, row, 1, 1, 1 if extra else 2)
            if extra:
                grid.addWidget(extra, row, 2)
            row += 1
        grid.addWidget(self.updated, row, 0, 1, 3)
        body = QWidget()
        body.setLayout(grid)
        scroll = scrolling(body)
        self.error = error_label()
        buttons = save_cancel_buttons(self, self.save)
        layout = QVBoxLayout(self)
        name = item.get("victim_name") or "(name withheld)"
        phone = item.get("victim_phone") or ""
        layout.addWidget(title_label(f"{item['crime_ref']}: {name}  {phone}"))
        layout.addWidget(hint_label(
            "Type one digit per answer; the cursor moves on by itself. Satisfaction: "
            "1 completely, 2 very, 3 fairly satisfied, 4 neither, 5 fairly, 6 very, "
            "7 completely dissatisfied, 0 don't know. Yes/no: 1 yes, 2 no, 0 not applicable. "
            "Ctrl+Enter saves."))
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        first = next(iter(self.answers.values()))
        first.setFocus(Qt.FocusReason.OtherFocusReason)
        self.setTabOrder(list(self.answers.values())[-1], self.ethnicity)

    def has_unsaved(self) -> bool:
        return self.callback_id is None and (
            any(box.text() for box in self.answers.values()) or bool(self.feedback.text())
            or bool(self.comments.toPlainText().strip()) or self.updated.isChecked()
            or bool(self.agreed_days.text().strip())
            or self.ethnicity.currentData() != "NS")

    def collected(self) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for question in self.template.questions:
            digit = self.answers[question.key].text()
            if not digit:
                continue
            answers[question.key] = int(digit) if question.type == "scale7" else YES_NO_CODES[digit]
        return answers

    def save(self) -> None:
        missing = [q.text for q in self.template.questions if not self.answers[q.key].text()]
        if missing:
            self.error.setText(f"{len(missing)} question(s) have no answer yet, starting with: "
                               f"{missing[0]} (type 0 for don't know).")
            self.answers[self.template.questions[
                [q.text for q in self.template.questions].index(missing[0])].key].setFocus()
            return
        try:
            self.callback_id = record_callback(
                self.store, self.actor, self.item["id"], self.collected(),
                ethnicity=self.ethnicity.currentData(), comments=self.comments.toPlainText(),
                feedback=FEEDBACK_CODES.get(self.feedback.text() or "0", "none"),
                call_date=dt.date.today(), template=self.template,
                victim_updated=self.updated.isChecked(),
                agreed_update_days=self.agreed_days.days())
        except QosError as exc:
            self.error.setText(str(exc))
            return
        self.accept()
