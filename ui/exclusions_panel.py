"""Admin: who is never called, chosen separately for the call-back sample and the contact
bureau's queue (a force may route some victims to a specialist team, not the bureau)."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from qos.errors import QosError
from qos.roles import Actor
from qos.settings import setting
from qos.store.core import Store
from qos.store.exclusions import EXCLUSIONS, SETTING, set_exclusions
from ui.widgets import add_button, error_label, hint_label

GROUPS = {"sample": "Call-back sample", "bureau": "Contact bureau queue"}


class ExclusionsPanel(QWidget):
    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label(
            "Tick the victims each list leaves out. Space ticks or clears the box in focus; "
            "Tab moves on. A draw already made keeps the rules it was drawn under."))
        row = QHBoxLayout()
        self.boxes: dict[str, dict[str, QCheckBox]] = {}
        for which, title in GROUPS.items():
            group = QGroupBox(title)
            group.setAccessibleName(title)
            column = QVBoxLayout(group)
            self.boxes[which] = {}
            for key, rule in EXCLUSIONS.items():
                box = QCheckBox(rule.label[0].upper() + rule.label[1:])
                box.setAccessibleName(f"{title}: leave out {rule.label}")
                column.addWidget(box)
                self.boxes[which][key] = box
            row.addWidget(group)
        layout.addLayout(row)
        buttons = QHBoxLayout()
        self.save_button = add_button(buttons, "Sa&ve exclusions", self.save)
        self.status = QLabel("")
        buttons.addWidget(self.status)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.error = error_label()
        layout.addWidget(self.error)
        layout.addStretch(1)

    def refresh(self) -> None:
        for which, boxes in self.boxes.items():
            chosen = set(setting(self.store, SETTING[which]))
            for key, box in boxes.items():
                box.setChecked(key in chosen)
        self.status.setText("")
        self.error.setText("")

    def save(self) -> None:
        try:
            for which, boxes in self.boxes.items():
                set_exclusions(self.store, self.actor, which,
                               [key for key, box in boxes.items() if box.isChecked()])
        except QosError as exc:
            self.error.setText(str(exc))  # the ticks stay as typed
            return
        self.error.setText("")
        self.status.setText("Saved. The next draw and the bureau's queue use these.")
