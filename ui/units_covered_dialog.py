"""Which units a supervisor is responsible for, or a bureau user's bureau serves.

A checkable list of every unit (arrow keys move, Space ticks); no unit ticked means the
user's own unit only, as the store reads it. Saved through users.set_responsibility, which
checks the administrator's permission, refuses a stale edit and audits the change.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from qos.errors import QosError
from qos.roles import Actor, Role, unit_scope
from qos.store import users
from qos.store.core import Store
from ui.forms import GuardedDialog
from ui.widgets import error_label, hint_label, save_cancel_buttons

OWN_UNIT_ONLY = "their own unit only"


def covered_ids(user: dict[str, Any]) -> list[int] | None:
    """The unit ids a listed user covers (None: their own unit only)."""
    return users.responsible_unit_ids(user.get("responsible_units"))


def sees_every_unit(user: dict[str, Any]) -> bool:
    """Administrators and the inspectorate see every unit, whatever is set (roles.unit_scope)."""
    return unit_scope(Actor(user_id=user["id"], username="", display_name="",
                            role=Role(user["role"]), unit_id=None)) is None


def covered_text(user: dict[str, Any], codes: dict[int, str]) -> str:
    """"NOR, SOU" for the user list, in the units' own order; the other rules in words."""
    if sees_every_unit(user):
        return "every unit"
    ids = covered_ids(user)
    if ids is None:
        return f"own ({codes[user['unit_id']]})" if user.get("unit_id") in codes else "none"
    return ", ".join(code for unit_id, code in codes.items() if unit_id in ids) or "none"


class UnitsCoveredDialog(GuardedDialog):
    def __init__(self, store: Store, actor: Actor, user: dict[str, Any],
                 units: list[dict[str, Any]], parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor, self.user = store, actor, user
        self.setWindowTitle(f"Units covered by {user['display_name']}")
        self.setMinimumWidth(440)
        chosen = set(covered_ids(user) or [])
        self.units = QListWidget()
        self.units.setAccessibleName("Units covered")
        for unit in units:
            item = QListWidgetItem(f"{unit['code']} - {unit['name']}")
            item.setData(Qt.ItemDataRole.UserRole, unit["id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if unit["id"] in chosen
                               else Qt.CheckState.Unchecked)
            self.units.addItem(item)
        self.units.setCurrentRow(0)
        self._initial = self.chosen()
        label = QLabel("&Units whose victims they may see:")
        label.setBuddy(self.units)
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.units)
        layout.addWidget(hint_label(
            "Space ticks or clears the unit under the cursor. With none ticked they see "
            f"{OWN_UNIT_ONLY}. Force-wide figures on the summary are not limited by this."))
        layout.addWidget(self.error)
        layout.addWidget(save_cancel_buttons(self, self.save))
        self.units.setFocus()

    def chosen(self) -> list[int]:
        return [int(self.units.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.units.count())
                if self.units.item(i).checkState() == Qt.CheckState.Checked]

    def has_unsaved(self) -> bool:
        return self.chosen() != self._initial

    def save(self) -> None:
        ids = self.chosen()
        try:
            users.set_responsibility(self.store, self.actor, self.user["id"],
                                     self.user["version"], ids or None)
        except QosError as exc:
            self.error.setText(str(exc))
            return
        self._initial = ids
        self.accept()
