"""Unit boxes list only the units the signed-in user covers (reference.units_for)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from qos.roles import SYSTEM, Role
from qos.store import reference, users
from tests.conftest import open_main_window

PASSWORD = "correct horse battery"


def _items(box) -> list[str]:
    return [box.itemText(i) for i in range(box.count())]


def _sou_supervisor(store, admin):
    """A supervisor whose own unit is NOR but who is made responsible for SOU alone, so the
    box must follow the responsibility an administrator set, not the home unit."""
    nor = reference.unit_by_code(store, SYSTEM, "NOR")["id"]
    sou = reference.unit_by_code(store, SYSTEM, "SOU")["id"]
    user_id = users.create_user(store, admin, "insp", "Insp Sou", Role.SUPERVISOR, PASSWORD,
                                unit_id=nor)
    version = store.scalar("SELECT version FROM users WHERE id = ?", [user_id])
    users.set_responsibility(store, admin, user_id, version, [sou])
    return users.actor_for(store, user_id)


def _callbacks_box(qtbot, store, actor):
    window = open_main_window(qtbot, store, actor)
    page = window.show_page("callbacks")
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    # Alt+U (the "&Unit:" label's buddy) puts the cursor in the unit box.
    qtbot.keyClick(QApplication.focusWidget() or page, Qt.Key.Key_U,
                   Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.unit)
    return window, page


def test_a_one_unit_supervisor_sees_only_that_unit_in_the_callbacks_box(qtbot, store, admin):
    supervisor = _sou_supervisor(store, admin)
    window, page = _callbacks_box(qtbot, store, supervisor)
    assert _items(page.unit) == ["SOU - South"]
    qtbot.keyClick(page.unit, Qt.Key.Key_Down)  # nothing else to move to
    assert page.unit.currentText() == "SOU - South"
    # The other unit boxes the supervisor can open follow the same rule. (Complaint forms
    # keep every unit: the control room logs complaints about any unit, covering none.)
    assert _items(window.show_page("np_cards").area) == ["SOU - South"]


def test_an_administrator_sees_every_unit_in_the_callbacks_box(qtbot, store, admin):
    window, page = _callbacks_box(qtbot, store, admin)
    assert _items(page.unit) == ["NOR - North", "SOU - South"]
    page.unit.setCurrentIndex(0)
    qtbot.keyClick(page.unit, Qt.Key.Key_Down)
    assert page.unit.currentText() == "SOU - South"
    assert _items(window.show_page("np_cards").area) == ["NOR - North", "SOU - South"]
