"""Control-room staff log an informal complaint from the keyboard alone (issue 19)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from qos.roles import Role
from tests.conftest import make_user


def test_a_complaint_is_logged_in_six_keys_and_the_form_is_ready_for_the_next(qtbot, signed_in, store,
                                                                              admin):
    fcc = make_user(store, admin, "fcc1", Role.CONTROL_ROOM)
    window = signed_in(store, fcc)
    assert "Informal complaints" in window.page_titles()
    page = window.show_page("complaints")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.unit)
    presses = 0

    def key(text: str) -> None:
        nonlocal presses
        widget = QApplication.focusWidget()
        if text == "Tab":
            qtbot.keyClick(widget, Qt.Key.Key_Tab)
        elif text == "Enter":
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        else:
            qtbot.keyClicks(widget, text)
        presses += 1

    for text in ("S", "Tab", "K", "Tab", "P", "Enter"):  # South, Kept informed, Passed on
        key(text)
    assert page.error.text() == ""
    row = store.row("SELECT u.code, i.qosc_item, i.resolution, i.kind, i.source, i.created_by "
                    "FROM informal_complaints i JOIN units u ON u.id = i.unit_id")
    assert row == {"code": "SOU", "qosc_item": "informed", "resolution": "passed_on",
                   "kind": "complaint", "source": "control_room", "created_by": fcc.user_id}
    assert presses == 6
    assert page.model.rowCount() == 1 and page.model.row_at(0)["unit_code"] == "SOU"
    assert QApplication.focusWidget() is page.unit  # ready for the next call
    assert "Logged: SOU" in page.done.text()


def test_a_refused_complaint_keeps_what_was_typed(qtbot, signed_in, store, admin):
    fcc = make_user(store, admin, "fcc1", Role.CONTROL_ROOM)
    window = signed_in(store, fcc)
    page = window.show_page("complaints")
    page.crime_ref.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.crime_ref)
    qtbot.keyClicks(page.crime_ref, "NOR/404")
    qtbot.keyClicks(page.summary, "Nobody rang back")
    qtbot.keyClick(page.summary, Qt.Key.Key_Return)
    assert page.error.text() == "There is no crime NOR/404."
    assert page.summary.text() == "Nobody rang back" and page.crime_ref.text() == "NOR/404"
    assert store.scalar("SELECT COUNT(*) FROM informal_complaints") == 0
