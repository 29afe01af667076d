"""One form dialog for every simple record (unit, person, counter, user), built from specs.

Saving calls the page's `save(values)`; a refusal (bad value, someone else's edit) shows in
the dialog in plain words and the typed values stay, so nothing is lost. Closing it with
changes unsaved asks first (ui.forms). Dates are typed in the shared date box.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from qos.errors import QosError
from ui.date_field import DateField
from ui.forms import GuardedDialog
from ui.style import set_role


@dataclass
class FormField:
    key: str
    label: str
    kind: str = "text"  # text | int | choice | password | date
    choices: Sequence[tuple[Any, str]] = field(default_factory=list)
    hint: str = ""
    minimum: int = 0
    maximum: int = 100000
    default: Any = None  # the value a new record starts with


class RecordDialog(GuardedDialog):
    def __init__(self, title: str, fields: Sequence[FormField], values: dict[str, Any],
                 save: Callable[[dict[str, Any]], Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self._save = save
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for spec in fields:
            editor = self._editor(spec, values.get(spec.key, spec.default))
            editor.setAccessibleName(spec.label)
            if spec.hint:
                editor.setToolTip(spec.hint)
                editor.setAccessibleDescription(spec.hint)
            self.editors[spec.key] = editor
            label = QLabel(f"&{spec.label}:")
            label.setBuddy(editor)
            form.addRow(label, editor)
        self.error = QLabel("")
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.saved = False
        self._as_opened = self._typed()
        if fields:
            self.editors[fields[0].key].setFocus()

    def _typed(self) -> list[object]:
        """What the editors hold as typed (a half-typed date included), for has_unsaved."""
        typed: list[object] = []
        for editor in self.editors.values():
            if isinstance(editor, QSpinBox):
                typed.append(editor.value())
            elif isinstance(editor, QComboBox):
                typed.append(editor.currentIndex())
            elif isinstance(editor, QLineEdit):
                typed.append(editor.text())
        return typed

    def has_unsaved(self) -> bool:
        return not self.saved and self._typed() != self._as_opened

    def _editor(self, spec: FormField, value: Any) -> QWidget:
        if spec.kind == "int":
            box = QSpinBox()
            box.setRange(spec.minimum, spec.maximum)
            box.setValue(int(value if value is not None else spec.minimum))
            return box
        if spec.kind == "date":
            return DateField(value if isinstance(value, dt.date) else None)
        if spec.kind == "choice":
            combo = QComboBox()
            for data, text in spec.choices:
                combo.addItem(text, data)
            found = combo.findData(value)
            combo.setCurrentIndex(max(found, 0))
            return combo
        line = QLineEdit("" if value is None else str(value))
        if spec.kind == "password":
            line.setEchoMode(QLineEdit.EchoMode.Password)
        return line

    def values(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, editor in self.editors.items():
            if isinstance(editor, DateField):
                result[key] = editor.date()  # a date not typed as one is refused here
            elif isinstance(editor, QSpinBox):
                result[key] = editor.value()
            elif isinstance(editor, QComboBox):
                result[key] = editor.currentData()
            elif isinstance(editor, QLineEdit):
                result[key] = editor.text()
        return result

    def _on_save(self) -> None:
        try:
            self._save(self.values())
        except QosError as exc:
            self.error.setText(str(exc))
            return
        self.saved = True
        self.accept()


def date_and_note_dialog(parent: QWidget, title: str, date_label: str, note_label: str,
                         save: Callable[[dt.date, str], Any]) -> int:
    """A date (today by default) and a short note, checked by `save`; the dialog's result."""

    return RecordDialog(title, [FormField("on", date_label, "date"),
                                FormField("note", note_label)],
                        {"on": dt.date.today()}, lambda v: save(v["on"], v["note"]),
                        parent).exec()


def text_dialog(parent: QWidget, title: str, label: str, save: Callable[[str], Any],
                value: str = "") -> int:
    """One line of text, checked by `save`; the form rules of every other dialog apply."""
    return RecordDialog(title, [FormField("text", label)], {"text": value},
                        lambda v: save(v["text"]), parent).exec()
