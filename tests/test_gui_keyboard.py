"""Every path from the keyboard: focus on each page's main work, the call-backs worklist,
the bureau's Ctrl+N anywhere (an all-good call in at most 10 real key presses), the visit
form's single date-time stop, arrow keys in its radio groups and its mnemonics."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QRadioButton

from qos.roles import Role
from qos.store import reference, samples
from tests.conftest import make_user, open_main_window
from tests.factories import crime_line, import_lines
from tests.test_gui_bureau import _crimes
from tests.test_gui_mystery import _setup as _visits
from ui.callback_form import CallbackForm
from ui.visit_form import VisitForm


def _focus() -> object:
    return QApplication.focusWidget()


def test_call_backs_worklist_to_call_first_enter_opens_tab_leaves(qtbot, store, admin):
    unit = reference.unit_by_code(store, admin, "NOR")
    import_lines(store, admin, [crime_line(f"NOR/{i}", "05/10/2026") for i in range(1, 6)])
    draw_id = samples.draw_for_month(store, admin, unit["id"], "2026-10", size=4, seed=1)
    items = samples.list_items(store, draw_id, viewer=admin)
    samples.record_attempt(store, admin, items[0]["id"], "declined")
    samples.record_attempt(store, admin, items[1]["id"], "no_answer")
    window = open_main_window(qtbot, store, admin)
    page = window.show_page("callbacks")
    page.unit.setCurrentIndex(page.unit.findData(unit["id"]))
    page.month.setCurrentText("2026-10")
    window.show_page("due")
    qtbot.keyClick(_focus() or window, "1", Qt.KeyboardModifier.ControlModifier)
    assert _focus() is page.items_view  # the worklist, not 13 Tabs away
    statuses = [page.items.row_at(i)["status"] for i in range(page.items.rowCount())]
    assert statuses == ["to_call", "to_call", "attempted", "declined"]
    opened: list[str] = []

    def close_form() -> None:
        form = QApplication.activeModalWidget()
        if isinstance(form, CallbackForm):
            opened.append(form.item["crime_ref"])
            qtbot.keyClick(form.focusWidget() or form, Qt.Key.Key_Escape)  # untouched: closes
        else:
            QTimer.singleShot(20, close_form)

    qtbot.keyClick(page.items_view, Qt.Key.Key_Down)
    QTimer.singleShot(0, close_form)
    qtbot.keyClick(page.items_view, Qt.Key.Key_Return)
    assert opened == [page.items.row_at(1)["crime_ref"]]
    QTimer.singleShot(0, close_form)
    qtbot.keyClick(page.items_view, Qt.Key.Key_Enter)  # the keypad's Enter too
    assert len(opened) == 2
    qtbot.keyClick(page.items_view, Qt.Key.Key_Tab)
    assert _focus() is not page.items_view  # Tab left the table instead of walking cells


def test_all_good_bureau_call_in_ten_key_presses_from_opening_the_page(qtbot, store, admin):
    _crimes(store, admin, 3)
    caller = make_user(store, admin, "caller", Role.BUREAU, "NOR")
    window = open_main_window(qtbot, store, caller)  # bureau staff open on Contact bureau
    page = window.pages["bureau"]
    assert _focus() is page.queue_view
    presses = 0
    seen: list[str] = []

    def key(widget, *args) -> None:
        nonlocal presses
        qtbot.keyClick(widget, *args)
        presses += 1

    def fill_in(tries: int = 200) -> None:
        form = page.form
        if form is None or not form.isVisible() or form.focusWidget() is not form.outcome:
            if tries:
                QTimer.singleShot(10, lambda: fill_in(tries - 1))
            return
        key(form.focusWidget(), "1")   # completed
        key(form.focusWidget(), "y")   # yes to every check from here
        seen.append(type(form.focusWidget()).__name__ + ":" + form.focusWidget().accessibleName())
        key(form.focusWidget(), "2")   # overall: very satisfied
        key(form.focusWidget(), Qt.Key.Key_Return)  # saves
        seen.append(form.error.text())

    # Ctrl+N works from anywhere on the page: here from the Remedial actions tab.
    key(page.tabs, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert page.tabs.currentIndex() == 1
    QTimer.singleShot(0, fill_in)
    key(_focus() or page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert seen[1] == "", seen
    assert seen[0].startswith("DigitAnswer") and "overall" in seen[0].lower() or seen
    print(f"\nkey presses for an all-good bureau call from opening the page: {presses}")
    assert presses <= 10 and presses == 6
    call = store.row("SELECT * FROM bureau_calls WHERE status = 'completed'")
    answers = json.loads(call["answers"])
    assert answers.pop("overall") == 2 and set(answers.values()) == {"Y"}
    assert store.scalar("SELECT COUNT(*) FROM remedial_actions") == 0
    # Straight after a save, Ctrl+N again takes the next victim. (With no window manager
    # offscreen, the window is handed back the activation a desktop would give it.)
    window.activateWindow()
    qtbot.waitUntil(lambda: _focus() is page.queue_view)
    QTimer.singleShot(0, fill_in)
    qtbot.keyClick(_focus(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert store.scalar("SELECT COUNT(*) FROM bureau_calls WHERE status = 'completed'") == 2


def test_a_failed_check_tells_the_caller_a_remedial_action_was_raised(qtbot, store, admin):
    _crimes(store, admin, 1)
    caller = make_user(store, admin, "caller", Role.BUREAU, "NOR")
    window = open_main_window(qtbot, store, caller)
    page = window.pages["bureau"]

    def fill_in(tries: int = 200) -> None:
        form = page.form
        if form is None or not form.isVisible() or form.focusWidget() is not form.outcome:
            if tries:
                QTimer.singleShot(10, lambda: fill_in(tries - 1))
            return
        for typed in ("1", "2", "y", "2"):  # completed, first check failed, rest yes, overall
            qtbot.keyClick(form.focusWidget(), typed)
        qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Return)

    QTimer.singleShot(0, fill_in)
    qtbot.keyClick(_focus() or page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    raised = store.scalar("SELECT COUNT(*) FROM remedial_actions")
    assert raised == 1
    assert "raised 1 remedial action(s)" in page.tally.text()


def test_doorstep_opens_on_the_serial_box(qtbot, store, admin):
    window = open_main_window(qtbot, store, admin)
    qtbot.keyClick(_focus() or window, "5", Qt.KeyboardModifier.ControlModifier)
    assert _focus() is window.pages["doorstep"].entry.serial


def test_visit_form_date_time_one_tab_stop_arrows_in_radio_groups_and_mnemonics(
        qtbot, store, admin):
    volunteer = _visits(store, admin)[0]
    window = open_main_window(qtbot, store, volunteer)
    page = window.pages["mystery"]
    assert _focus() is page.plan_view
    plan = page.plan.row_at(0)
    form = VisitForm(store, volunteer, plan)
    qtbot.addWidget(form)
    with qtbot.waitExposed(form):
        form.show()
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form)
    form.arrived.setFocus()
    qtbot.waitUntil(lambda: _focus() is form.arrived)
    qtbot.keyClick(form.arrived, Qt.Key.Key_Tab)
    assert _focus() is form.open_yes  # one Tab from the date-time to the next question
    qtbot.keyClick(form.open_yes, Qt.Key.Key_Right)
    assert form.open_no.isChecked() and _focus() is form.open_no
    qtbot.keyClick(form.open_no, Qt.Key.Key_Left)
    assert form.open_yes.isChecked()
    first = form.answers[form.items[0]["key"]].buttons()
    first[0].setFocus()
    qtbot.keyClick(first[0], Qt.Key.Key_Space)  # an unanswered item: Space picks Yes
    assert first[0].isChecked()
    qtbot.keyClick(first[0], Qt.Key.Key_Right)
    assert first[1].isChecked() and first[1].property("code") == "N"
    labels = {b.text() for b in form.findChildren(QRadioButton)}
    assert labels  # every group answered by arrows, as above
    closed: list[bool] = []
    form.rejected.connect(lambda: closed.append(True))
    qtbot.keyClick(form.focusWidget(), Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: closed == [True])  # Alt+C: Close and finish later (a click
    # by mnemonic is animated for a moment); the draft is kept
    assert store.scalar("SELECT COUNT(*) FROM visit_drafts") == 1
