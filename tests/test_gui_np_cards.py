"""A returned NP comment card keyed from the keyboard, then its action and outcome (issue 19)."""
from __future__ import annotations

import datetime as dt
import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit

from qos.roles import Role
from qos.store import np_cards, reference
from tests.conftest import make_user


def _answer(qtbot, text: str) -> None:
    box = QApplication.activeModalWidget()
    if box is None:
        QTimer.singleShot(20, lambda: _answer(qtbot, text))
        return
    line = box.findChild(QLineEdit)
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


def test_a_strip_is_keyed_and_closed_with_its_outcome(qtbot, signed_in, store, admin):
    nor = reference.unit_by_code(store, admin, "NOR")["id"]
    np_cards.put_out(store, admin, "library", "Eastfield library", nor, 20,
                     dt.date.today() - dt.timedelta(days=5))
    sergeant = make_user(store, admin, "sgt", Role.SUPERVISOR, "NOR")
    window = signed_in(store, sergeant)
    page = window.show_page("np_cards")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.place)
    for key in ("Tab", "Tab", "Tab", "13", "Tab", "More patrols on the estate please"):
        widget = QApplication.focusWidget()
        if key == "Tab":
            qtbot.keyClick(widget, Qt.Key.Key_Tab)
        else:
            qtbot.keyClicks(widget, key)
    assert QApplication.focusWidget() is page.comment
    qtbot.keyClick(page.comment, Qt.Key.Key_Return)
    assert page.error.text() == ""
    row = store.row("SELECT unit_id, themes, comment, received_on FROM np_card_returns")
    assert row == {"unit_id": nor, "themes": json.dumps(["Visible patrols",
                                                        "Speeding and parking"]),
                   "comment": "More patrols on the estate please",
                   "received_on": dt.date.today().isoformat()}
    assert QApplication.focusWidget() is page.themes  # ready for the next strip
    page.returns_view.selectRow(0)
    QTimer.singleShot(0, lambda: _answer(qtbot, "Evening foot patrols"))
    page.set_action()
    page.returns_view.selectRow(0)
    QTimer.singleShot(0, lambda: _answer(qtbot, "Patrols twice a week since"))
    page.close_return()
    closed = store.row("SELECT action, outcome, closed_on FROM np_card_returns")
    assert closed["outcome"] == "Patrols twice a week since" and closed["closed_on"]
    assert page.rows() == []  # only open comments are listed by default
