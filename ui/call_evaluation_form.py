"""The line manager's call evaluation form, built from the versioned evaluation template.

Call reference, call time, then one digit per item (1 met, 2 not met, 0 not applicable);
focus moves on by itself, to Save after the last item, so Enter then saves. A refusal keeps everything typed;
closing with answers typed asks before throwing them away.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from qos.call_evaluation import MET, NOT_APPLICABLE, NOT_MET, evaluation_template
from qos.errors import QosError
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

DIGITS = {"1": "Met", "2": "Not met", "0": "Not applicable"}
CODES = {"1": MET, "2": NOT_MET, "0": NOT_APPLICABLE}
Save = Callable[[str, dt.datetime, dict[str, str]], int]


def parse_call_time(text: str) -> dt.datetime:
    """'dd/mm/yyyy hh:mm' (or yyyy-mm-dd hh:mm), read as typed or refused."""
    value = " ".join(text.split())
    for pattern in ("%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"):
        try:
            return dt.datetime.strptime(value, pattern)
        except ValueError:
            continue
    raise QosError(f"'{text}' is not a call time like 05/10/2026 14:30.")


class CallEvaluationForm(GuardedDialog):
    def __init__(self, staff_name: str, save: Save, parent: QWidget | None = None, *,
                 call_ref: str = "", call_at: dt.datetime | None = None):
        super().__init__(parent)
        self._save = save
        self.saved_id: int | None = None
        self.template = evaluation_template()
        self.setWindowTitle(f"Call evaluation: {staff_name}")
        # Wide enough for each item on one line: left to size itself, the wrapped item texts
        # were squeezed into one line's height and overlapped.
        fit_to_screen(self, 860, 640)
        self.call_ref = QLineEdit(call_ref)
        self.call_ref.setAccessibleName("Call reference")
        self.call_at = QLineEdit(call_at.strftime("%d/%m/%Y %H:%M") if call_at else "")
        self.call_at.setAccessibleName("Call time")
        self.call_at.setPlaceholderText("dd/mm/yyyy hh:mm")
        fixed = bool(call_ref)  # a calibration call: the same call for every manager
        self.call_ref.setReadOnly(fixed)
        self.call_at.setReadOnly(fixed)
        top = QFormLayout()
        top.addRow("Call &reference:", self.call_ref)
        top.addRow("Call &time:", self.call_at)
        items = QWidget()
        grid = QGridLayout(items)
        grid.setColumnStretch(0, 1)
        self.answers: dict[str, DigitAnswer] = {}
        for row, item in enumerate(self.template.items):
            box = answer_row(grid, row, f"{item.text} (weight {item.weight:g})", DIGITS)
            self.answers[item.key] = box
        last = self.answers[self.template.items[-1].key]
        last.enter_pressed.connect(self.save)
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(self.template.title))
        layout.addWidget(hint_label("One digit per item: 1 met, 2 not met, 0 not applicable "
                                    "(left out of the score). After the last item, Enter "
                                    "saves (Ctrl+Enter saves from anywhere)."))
        layout.addLayout(top)
        layout.addWidget(scrolling(items, framed=False), 1)
        layout.addWidget(self.error)
        buttons = save_cancel_buttons(self, self.save)
        layout.addWidget(buttons)
        # After the last digit, focus lands on Save, so Enter saves.
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)
        QWidget.setTabOrder(last, self.save_button)
        (self.answers[self.template.items[0].key] if fixed else self.call_ref).setFocus()

    def typed(self) -> dict[str, str]:
        return {key: CODES[box.text()] for key, box in self.answers.items() if box.text()}

    def save(self) -> None:
        try:
            when = parse_call_time(self.call_at.text())
            self.saved_id = self._save(self.call_ref.text(), when, self.typed())
        except QosError as exc:
            self.error.setText(str(exc))  # everything typed stays
            return
        self.accept()

    def has_unsaved(self) -> bool:
        return self.saved_id is None and bool(self.typed())
