"""Keying returned Doorstep cards with the keyboard only."""
from __future__ import annotations

import datetime as dt
import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from qos.roles import SYSTEM
from qos.store import doorstep, reference


def test_twenty_cards_keyed_with_the_keyboard_only(qtbot, signed_in, store, admin):
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    pc = reference.add_person(store, admin, "NOR7", "PC Jo Bloggs", "officer", unit["id"])
    doorstep.issue_batch(store, admin, 5001, 5100, dt.date.today() - dt.timedelta(days=30),
                         unit["id"], person_id=pc, template_version=2)
    window = signed_in(store, admin)
    page = window.show_page("doorstep")
    entry = page.entry
    presses = 0

    def type_keys(text: str) -> None:
        nonlocal presses
        for char in text:
            widget = QApplication.focusWidget()
            assert widget is not None
            if char == "\n":
                qtbot.keyClick(widget, Qt.Key.Key_Return)
            else:
                qtbot.keyClick(widget, char)
            presses += 1

    entry.serial.setFocus()
    answers = "123121"  # overall 1, treatment 2, reassured 3, next steps yes, crime no, VC yes
    for serial in range(5001, 5021):
        type_keys(f"{serial}")  # no batch reaches 50010, so 4 digits are enough to move on
        assert "PC Jo Bloggs" in entry.card_info.text(), entry.message.text()
        type_keys(f"{answers}\n")
        assert entry.message.text() == f"Card {serial} saved.", entry.message.text()
    assert entry.saved_count == 20, entry.message.text()
    print(f"\nkey presses per card: {presses / 20:g}")
    assert presses / 20 == 4 + 6 + 1  # serial, six answers, Enter: nothing more
    stored = store.rows("SELECT serial, answers, template_version FROM doorstep_cards "
                        "ORDER BY serial")
    assert [r["serial"] for r in stored] == list(range(5001, 5021))
    assert json.loads(stored[0]["answers"]) == {"overall": 1, "treatment": 2, "reassured": 3,
                                                "next_steps": "Y", "crime_number": "N",
                                                "victims_code": "Y"}

    # A card typed twice, and an unknown serial: refused at once, the number stays on screen.
    entry.serial.clear()
    type_keys("5001\n")
    assert "already entered" in entry.message.text() and entry.serial.text() == "5001"
    entry.serial.clear()
    type_keys("9999\n")
    assert "never issued" in entry.message.text() and entry.serial.text() == "9999"
    assert store.scalar("SELECT COUNT(*) FROM doorstep_cards") == 20
