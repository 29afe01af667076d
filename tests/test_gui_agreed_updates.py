"""The agreed update frequency (2020 Victims' Code) is typed on the call-back and bureau
forms and stored on the crime; blank leaves the Code's default."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from qos.roles import Role
from qos.store import bureau
from tests.conftest import make_user
from tests.test_gui_bureau import _crimes
from tests.test_gui_forms import _callback_item
from ui.bureau_call_form import BureauCallForm
from ui.callback_form import CallbackForm


def _type(qtbot, text: str) -> None:
    for char in text:
        qtbot.keyClick(QApplication.focusWidget(), char)


def test_call_back_form_stores_what_the_victim_agreed(qtbot, store, admin):
    item = _callback_item(store, admin)
    form = CallbackForm(store, admin, item)
    qtbot.addWidget(form)
    with qtbot.waitExposed(form):
        form.show()
    _type(qtbot, "123012" + "112" + "110")  # twelve answers, one digit each
    assert QApplication.focusWidget() is form.ethnicity
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)  # ethnicity: Not stated
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)  # no comments
    _type(qtbot, "0")  # no feedback needed; focus moves on to the agreed frequency
    assert QApplication.focusWidget() is form.agreed_days
    _type(qtbot, "x9")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert "'x9' is not a number of days" in form.error.text()
    assert form.isVisible() and form.answers["arrival"].text() == "2"  # nothing typed lost
    assert store.scalar("SELECT COUNT(*) FROM callbacks") == 0
    form.agreed_days.setFocus()
    qtbot.keyClick(form.agreed_days, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    _type(qtbot, "21")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert form.result() == form.DialogCode.Accepted, form.error.text()
    assert store.scalar("SELECT update_every_days FROM crimes WHERE id = ?",
                        [item["crime_id"]]) == 21


def test_call_back_left_blank_keeps_the_codes_default(qtbot, store, admin):
    item = _callback_item(store, admin)
    form = CallbackForm(store, admin, item)
    qtbot.addWidget(form)
    with qtbot.waitExposed(form):
        form.show()
    _type(qtbot, "111111" + "111" + "111")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    _type(qtbot, "0")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert form.result() == form.DialogCode.Accepted, form.error.text()
    assert store.scalar("SELECT update_every_days FROM crimes WHERE id = ?",
                        [item["crime_id"]]) is None  # NULL: the edition's figure applies


def test_bureau_form_stores_what_the_victim_agreed(qtbot, store, admin):
    _crimes(store, admin, 1)
    caller = make_user(store, admin, "caller", Role.BUREAU, "NOR")
    call = bureau.claim_next(store, caller)
    form = BureauCallForm(store, caller, call)
    qtbot.addWidget(form)
    with qtbot.waitExposed(form):
        form.show()
    _type(qtbot, "1" + "11111112" + "2")  # completed, eight checks, overall very satisfied
    assert QApplication.focusWidget() is form.theme_numbers
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)  # themes: none
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)  # comments: none
    assert QApplication.focusWidget() is form.agreed_days
    _type(qtbot, "14")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert form.saved, form.error.text()
    assert store.scalar("SELECT status FROM bureau_calls") == "completed"
    assert store.scalar("SELECT update_every_days FROM crimes WHERE id = ?",
                        [call["crime_id"]]) == 14
