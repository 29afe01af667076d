"""A manager scores a control-room call with the keyboard; the staff member acknowledges it
with one key (issue 19)."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from qos.roles import Role
from qos.store import reference, users
from tests.conftest import PASSWORD


def test_enter_on_a_staff_member_scores_a_call_and_they_acknowledge_it(qtbot, signed_in, store, admin):
    unit = reference.add_unit(store, admin, "FCC", "Force Control Centre", "department")
    manager_person = reference.add_person(store, admin, "M1", "Mo Manager", "staff", unit)
    ann_person = reference.add_person(store, admin, "A1", "Ann Able", "staff", unit,
                                      manager_person)
    manager = users.actor_for(store, users.create_user(
        store, admin, "mo", "Mo Manager", Role.SUPERVISOR, PASSWORD, unit_id=unit,
        person_id=manager_person))
    window = signed_in(store, manager)
    page = window.show_page("call_evaluation")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.staff_view)
    names = [page.staff.row_at(i)["name"] for i in range(page.staff.rowCount())]
    page.staff_view.selectRow(names.index("Ann Able"))
    when = (dt.datetime.now() - dt.timedelta(days=1)).strftime("%d/%m/%Y 14:30")
    saved: list[str] = []

    def fill_in() -> None:
        form = page.form
        if form is None or QApplication.focusWidget() is not form.call_ref:
            QTimer.singleShot(20, fill_in)  # until the form is up and has the keyboard
            return
        qtbot.keyClicks(form.call_ref, "c-101")
        qtbot.keyClick(form.call_ref, Qt.Key.Key_Tab)
        qtbot.keyClicks(QApplication.focusWidget(), when)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        for digit in "1111121110":  # see the items below
            qtbot.keyClick(QApplication.focusWidget(), digit)
        assert QApplication.focusWidget() is form.save_button
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        saved.append(form.error.text())
        if form.isVisible():  # refused: close it so the test reports instead of waiting
            QDialog.done(form, 0)

    QTimer.singleShot(0, fill_in)
    qtbot.keyClick(page.staff_view, Qt.Key.Key_Return)
    assert saved == [""]
    row = store.row("SELECT call_ref, score, answers FROM call_evaluations")
    # Items in order: greeting, needs, location, risk, grading, reference (2: not met),
    # expectations, courtesy, advice, closing (0: not applicable): (18 - 1 - 1) / (18 - 1).
    assert row["call_ref"] == "C-101" and abs(row["score"] - 16 / 17) < 1e-9
    rows = [page.staff.row_at(i) for i in range(page.staff.rowCount())]
    assert next(r for r in rows if r["name"] == "Ann Able")["done"] == 1

    ann = users.actor_for(store, users.create_user(
        store, admin, "ann", "Ann Able", Role.CONTROL_ROOM, PASSWORD, person_id=ann_person))
    own_window = signed_in(store, ann)
    own = own_window.show_page("call_evaluation")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is own.own_view)
    assert "You do not yet meet the standard" in own.standard.text()
    qtbot.keyClick(own.own_view, Qt.Key.Key_A)
    assert store.scalar("SELECT acknowledgement FROM call_evaluations") == "acknowledged"
