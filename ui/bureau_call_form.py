"""One bureau call, keyboard first: outcome digit, one digit per check, Enter saves.

A typical all-good call is Ctrl+N (next victim), 1 (completed), nine answer digits, Enter.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from qos.errors import QosError
from qos.roles import Actor
from qos.settings import setting
from qos.store import bureau
from qos.store.core import Row, Store
from qos.templates import load_template
from ui.agreed_updates_field import SHORT_LABEL as AGREED_LABEL
from ui.agreed_updates_field import AgreedUpdatesField
from ui.answer_field import DigitAnswer
from ui.callback_form import YES_NO, YES_NO_CODES
from ui.forms import GuardedDialog
from ui.widgets import (
    answer_row,
    error_label,
    fit_placeholder,
    fit_to_screen,
    hint_label,
    save_cancel_buttons,
    scrolling,
    title_label,
)

OUTCOME_DIGITS = {"1": "completed", "2": "no_answer", "3": "wrong_number", "4": "declined",
                  "5": "pcso_visit"}
OUTCOME_WORDS = {"1": "Completed", "2": "No answer: try again later", "3": "Wrong number",
                 "4": "Declined", "5": "Refer for a PCSO visit"}


class BureauCallForm(GuardedDialog):
    def __init__(self, store: Store, actor: Actor, call: Row, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor, self.call = store, actor, call
        self.template = load_template("bureau")
        self.themes = list(setting(store, "bureau_themes"))
        self.saved = False
        self.raised_actions: list[int] = []
        self.setWindowTitle(f"Bureau call {call['crime_ref']}")
        fit_to_screen(self, 900, 760)
        script = QLabel("\n\n".join(self.template.script).replace(
            "<date>", call["recorded_on"]))
        script.setWordWrap(True)
        script.setStyleSheet("background: #fff8dc; padding: 8px; border: 1px solid #e0d090;")
        script.setAccessibleName("Script to read out")
        self.outcome = DigitAnswer(OUTCOME_WORDS)
        self.outcome.setAccessibleName("Outcome of the call")
        self.outcome_meaning = QLabel("")
        self.outcome.answered.connect(self._outcome_chosen)
        self.outcome.enter_pressed.connect(self.save)
        questions = QWidget()
        grid = QGridLayout(questions)
        grid.setColumnStretch(0, 1)
        label = QLabel("&Outcome: 1 completed, 2 no answer, 3 wrong number, 4 declined, "
                       "5 refer for a PCSO visit")
        label.setWordWrap(True)
        label.setBuddy(self.outcome)
        grid.addWidget(label, 0, 0)
        grid.addWidget(self.outcome, 0, 1)
        grid.addWidget(self.outcome_meaning, 0, 2)
        scale = {str(i): text for i, text in enumerate(self.template.scale_labels, start=1)}
        scale["0"] = "Don't know"
        self.answers: dict[str, DigitAnswer] = {}
        for row, question in enumerate(self.template.questions, start=1):
            box = answer_row(grid, row, question.text,
                             scale if question.type == "scale7" else YES_NO)
            box.enter_pressed.connect(self.save)
            if question.type != "scale7":
                box.all_yes.connect(lambda key=question.key: self._yes_from(key))
            self.answers[question.key] = box
        self.theme_numbers = QLineEdit()
        self.theme_numbers.setAccessibleName("Feedback themes, by number")
        self.theme_numbers.setPlaceholderText("e.g. 1 3 (leave blank for none)")
        fit_placeholder(self.theme_numbers)
        self.theme_numbers.returnPressed.connect(self.save)
        self.comments = QLineEdit()
        self.comments.setAccessibleName("Comments")
        self.comments.returnPressed.connect(self.save)
        self.updated = QCheckBox("I gave the victim an &update on their case")
        row = len(self.template.questions) + 1
        themes_label = QLabel("&Themes: " + ", ".join(f"{i} {t}" for i, t in
                                                       enumerate(self.themes, start=1)))
        themes_label.setWordWrap(True)
        themes_label.setBuddy(self.theme_numbers)
        grid.addWidget(themes_label, row, 0)
        grid.addWidget(self.theme_numbers, row, 1, 1, 2)
        comments_label = QLabel("&Comments:")
        comments_label.setBuddy(self.comments)
        grid.addWidget(comments_label, row + 1, 0)
        grid.addWidget(self.comments, row + 1, 1, 1, 2)
        self.agreed_days = AgreedUpdatesField()
        fit_placeholder(self.agreed_days)
        agreed_label = QLabel(AGREED_LABEL)
        agreed_label.setBuddy(self.agreed_days)
        # On the "update" row: the form already fills a 1280x720 screen's height
        last_row = QHBoxLayout()
        last_row.addWidget(self.updated)
        last_row.addStretch(1)
        last_row.addWidget(agreed_label)
        grid.addLayout(last_row, row + 2, 0)
        grid.addWidget(self.agreed_days, row + 2, 1, 1, 2)
        self.error = error_label()
        buttons = save_cancel_buttons(self, self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(f"{call['victim_name'] or '(name erased)'}   "
                                     f"{call['victim_phone'] or ''}"))
        layout.addWidget(hint_label(
            f"Crime {call['crime_ref']} ({call['offence_category']}), reported "
            f"{call['recorded_on']}, {call['unit_code']}, officer "
            f"{call['officer_name'] or call['officer_number'] or 'not recorded'}. "
            "Checks: 1 yes, 2 no, 0 not applicable; Y answers yes to every check from there "
            "on. Enter saves."))
        layout.addWidget(script)
        # The questions scroll on a small screen (1280x720) rather than squeeze their
        # wrapped text into one line's height.
        layout.addWidget(scrolling(questions, framed=False), 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setTabOrder(self.comments, self.agreed_days)  # then the update box, as read
        self.setTabOrder(self.agreed_days, self.updated)
        self.outcome.setFocus(Qt.FocusReason.OtherFocusReason)

    def _outcome_chosen(self, digit: str) -> None:
        self.outcome_meaning.setText(OUTCOME_WORDS.get(digit, ""))
        completed = digit == "1"
        for box in self.answers.values():
            box.setEnabled(completed)  # only a completed call has answers
        if digit and not completed:
            self.comments.setFocus()

    def _yes_from(self, key: str) -> None:
        """Y: this check and every later yes/no check answered yes; on to the next question
        that is not a yes/no (overall satisfaction), so an all-good call takes a few keys."""
        keys = list(self.answers)
        following = keys[keys.index(key):]
        for later in following:
            box = self.answers[later]
            if box.options.get("1") == "Yes" and not box.text():
                box.setText("1")
                box.answered.emit("1")
        rest = [self.answers[k] for k in following if self.answers[k].options.get("1") != "Yes"]
        (rest[0] if rest else self.theme_numbers).setFocus()

    def chosen_themes(self) -> list[str]:
        picked = []
        for token in self.theme_numbers.text().replace(",", " ").split():
            if not token.isdigit() or not 1 <= int(token) <= len(self.themes):
                raise QosError(f"'{token}' is not a theme number (1 to {len(self.themes)}).")
            picked.append(self.themes[int(token) - 1])
        return list(dict.fromkeys(picked))

    def save(self) -> None:
        digit = self.outcome.text()
        if digit not in OUTCOME_DIGITS:
            self.error.setText("Type the outcome first: 1 completed, 2 no answer, 3 wrong "
                               "number, 4 declined, 5 PCSO visit.")
            self.outcome.setFocus()
            return
        answers: dict[str, Any] = {}
        if digit == "1":
            missing = [k for k, box in self.answers.items() if not box.text()]
            if missing:
                self.error.setText("Every check needs an answer (0 if not applicable).")
                self.answers[missing[0]].setFocus()
                return
            for question in self.template.questions:
                value = self.answers[question.key].text()
                if value == "0":
                    continue
                answers[question.key] = int(value) if question.type == "scale7" \
                    else YES_NO_CODES[value]
        try:
            self.raised_actions = bureau.record_call(
                self.store, self.actor, self.call["id"], OUTCOME_DIGITS[digit],
                answers=answers, themes=self.chosen_themes(), comments=self.comments.text(),
                victim_updated=self.updated.isChecked(), template=self.template,
                agreed_update_days=self.agreed_days.days())
        except QosError as exc:
            self.error.setText(str(exc))  # everything typed stays
            return
        self.saved = True
        self.accept()

    def has_unsaved(self) -> bool:
        return not self.saved and (
            bool(self.outcome.text()) or any(box.text() for box in self.answers.values())
            or bool(self.theme_numbers.text().strip()) or bool(self.comments.text().strip())
            or self.updated.isChecked() or bool(self.agreed_days.text().strip()))

    def closing_without_saving(self) -> None:
        if not self.saved:
            bureau.release(self.store, self.actor, self.call["id"])  # back to the queue
