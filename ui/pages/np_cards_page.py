"""NP comment cards: cards put out by place, returned strips keyed in fast (place, date, area,
theme numbers, comment, Enter), and each comment's action and outcome ("you said, we did")."""
from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from qos.errors import QosError
from qos.roles import Actor
from qos.settings import setting
from qos.store import np_cards, reference
from qos.store.core import Store
from ui.record_dialog import FormField, RecordDialog
from ui.style import set_role
from ui.table_model import RowsModel
from ui.widgets import (
    error_label,
    hint_label,
    page_column,
    selected_row,
    show_error,
    shrinkable,
    table_view,
)


def _date(text: str) -> dt.date:
    value = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise QosError(f"'{text}' is not a date like {dt.date.today():%d/%m/%Y}.")


class NpCardsPage(QWidget):
    title = "NP comment cards"

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.place = shrinkable(QComboBox(), 30)
        self.place.currentIndexChanged.connect(lambda *_: self._area_of_place())
        self.area = shrinkable(QComboBox())
        for unit in reference.units_for(store, actor):
            self.area.addItem(f"{unit['code']} - {unit['name']}", unit["id"])
        self.received = QLineEdit(dt.date.today().strftime("%d/%m/%Y"))
        themes = setting(store, "np_card_themes")
        self.themes = QLineEdit()
        self.themes.setPlaceholderText("numbers, e.g. 1 3")
        self.themes.setToolTip(", ".join(f"{n} {t}" for n, t in enumerate(themes, start=1)))
        self.comment = QLineEdit()
        form = QFormLayout()
        for text, widget in (("&Place", self.place), ("&Date received", self.received),
                             ("A&rea", self.area), ("&Themes", self.themes),
                             ("&Comment", self.comment)):
            label = QLabel(f"{text}:")
            label.setBuddy(widget)
            widget.setAccessibleName(text.replace("&", ""))
            form.addRow(label, widget)
        # Wrapped: on one line the list made the page wider than a 1366-pixel screen.
        form.addRow(QLabel("Theme numbers:"), hint_label(
            "; ".join(f"{n} {t}" for n, t in enumerate(themes, start=1))))
        self.error = error_label()
        self.done = QLabel("")
        for key in ("Return", "Enter"):
            QShortcut(QKeySequence(key), self.comment, activated=self.save,
                      context=Qt.ShortcutContext.WidgetShortcut)
        save = QPushButton("&Log the card (Enter in Comment)")
        save.setAccessibleName("Log the card")
        set_role(save, "primary")
        save.clicked.connect(self.save)
        self.open_only = QCheckBox("Only comments still &open")
        self.open_only.setChecked(True)
        self.open_only.toggled.connect(lambda _: self.refresh())
        self.returns = RowsModel([
            ("received_on", "Received"), ("place", "Place"), ("unit_code", "Area"),
            ("themes", "Themes"), ("comment", "Comment"), ("action", "Action"),
            ("outcome", "Outcome"), ("closed_on", "Closed")], self)
        self.returns_view = table_view(self.returns, "Returned comment cards")
        self.returns_view.setTabKeyNavigation(False)
        bar = QHBoxLayout()
        bar.addWidget(save)
        bar.addWidget(self.done, 1)
        actions = QHBoxLayout()
        for text, slot in (("Put cards o&ut...", self.put_out),
                           ("Set the &action...", self.set_action),
                           ("Close &with the outcome...", self.close_return)):
            button = QPushButton(text)
            button.setAccessibleName(text.replace("&", "").rstrip("."))
            button.clicked.connect(slot)
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.open_only)
        page_column(self, "NP comment cards",
                    "Key each returned reply-paid strip; each comment goes to the area's "
                    "neighbourhood team for an action, and closes only with its outcome (\"you "
                    "said, we did\").", form, bar, self.error, actions, self.returns_view)

    def _area_of_place(self) -> None:
        batch = self.place.currentData()
        if batch:
            self.area.setCurrentIndex(max(self.area.findData(batch["unit_id"]), 0))

    def rows(self) -> list[dict[str, Any]]:
        return [self.returns.row_at(i) for i in range(self.returns.rowCount())]

    def save(self) -> None:
        batch = self.place.currentData()
        if batch is None:
            self.error.setText("Put cards out first: no place has any yet.")
            return
        try:
            np_cards.record_return(self.store, self.actor, batch["id"], self.comment.text(),
                                   theme_codes=self.themes.text(),
                                   unit_id=self.area.currentData(),
                                   received_on=_date(self.received.text()))
        except QosError as exc:
            self.error.setText(str(exc))  # what was typed stays
            return
        self.error.setText("")
        self.done.setText(f"Logged: {batch['place']}.")
        self.themes.clear()
        self.comment.clear()
        self.refresh()
        self.themes.setFocus(Qt.FocusReason.OtherFocusReason)  # next strip, same place

    def put_out(self) -> None:
        store, actor = self.store, self.actor
        fields = [
            FormField("place_kind", "Kind of place", "choice", list(np_cards.PLACE_KINDS.items())),
            FormField("place", "Place"),
            FormField("unit_id", "Area", "choice",
                      [(u["id"], f"{u['code']} - {u['name']}")
                       for u in reference.units_for(store, actor)]),
            FormField("cards", "Cards put out", "int", minimum=1, maximum=100000),
        ]
        RecordDialog("Put cards out", fields, {"cards": 50},
                     lambda v: np_cards.put_out(store, actor, v["place_kind"], v["place"],
                                                v["unit_id"], v["cards"]), self).exec()
        self.refresh()

    def set_action(self) -> None:
        row = selected_row(self.returns_view)
        if row is None:
            return
        text, ok = QInputDialog.getText(self, "The team's action",
                                        "What will the neighbourhood team do?",
                                        text=row["action"] or "")
        if ok:
            try:
                np_cards.set_action(self.store, self.actor, row["id"], row["version"], text)
            except QosError as exc:
                show_error(self, exc)
        self.refresh()

    def close_return(self) -> None:
        row = selected_row(self.returns_view)
        if row is None:
            return
        text, ok = QInputDialog.getText(self, "You said, we did",
                                        "What was done (the outcome)?")
        if ok:
            try:
                np_cards.close_return(self.store, self.actor, row["id"], row["version"], text)
            except QosError as exc:
                show_error(self, exc)
        self.refresh()

    def focus_main_work(self) -> None:
        self.place.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self) -> None:
        chosen = self.place.currentData()
        self.place.blockSignals(True)
        self.place.clear()
        for batch in np_cards.list_batches(self.store, self.actor):
            self.place.addItem(f"{batch['place']} ({batch['kind'].lower()}, {batch['unit_code']},"
                               f" {batch['returned']} of {batch['cards']} back)", batch)
        if chosen:
            found = next((i for i in range(self.place.count())
                          if self.place.itemData(i)["id"] == chosen["id"]), 0)
            self.place.setCurrentIndex(found)
        self.place.blockSignals(False)
        if not chosen:
            self._area_of_place()
        self.returns.set_rows(np_cards.list_returns(self.store, self.actor,
                                                    open_only=self.open_only.isChecked()))
        self.returns_view.resizeColumnsToContents()
        if not self.comment.hasFocus() and not self.themes.hasFocus():
            self.place.setFocus(Qt.FocusReason.OtherFocusReason)
