"""A bureau caller logs a call with the keyboard alone; big queues load lazily."""
from __future__ import annotations

import datetime as dt
import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from qos.roles import Role
from qos.store import crimes
from qos.tabular import Table
from tests.conftest import make_user
from ui.main_window import MainWindow


def _crimes(store, admin, count: int) -> None:
    day = (dt.date.today() - dt.timedelta(days=5)).isoformat()
    table = Table(headers=["Crime reference", "Date recorded", "Unit", "Offence category",
                           "Victim name", "Contact phone", "Officer"])
    table.rows = [(i + 2, [f"NOR/B{i:06d}", day, "NOR", "Theft", f"Victim {i}",
                           f"07700{i:06d}", ""]) for i in range(count)]
    assert crimes.import_crimes(store, admin, table, all_or_nothing=True).inserted == count


def test_an_all_good_call_logged_with_the_keyboard_alone(qtbot, signed_in, store, admin):
    _crimes(store, admin, 3)
    caller = make_user(store, admin, "caller", Role.BUREAU, "NOR")
    window = signed_in(store, caller)
    page = window.show_page("bureau")
    page.queue_view.setFocus()
    presses = 0
    typed: list[str] = []

    def when_the_form_is_up(action, tries: int = 200) -> None:
        form = page.form
        if form is not None and form.isVisible() and QApplication.focusWidget() is form.outcome:
            action()
        elif tries:
            QTimer.singleShot(20, lambda: when_the_form_is_up(action, tries - 1))
        elif form is not None:
            typed.append("the call form never took the keyboard focus")
            form.reject()

    def fill_in_the_call() -> None:
        nonlocal presses
        form = page.form
        for char in "1" + "11111112" + "2":  # completed, eight checks, overall very satisfied
            qtbot.keyClick(QApplication.focusWidget(), char)
            presses += 1
        assert QApplication.focusWidget() is form.theme_numbers
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        presses += 1
        typed.append(form.error.text())

    QTimer.singleShot(0, lambda: when_the_form_is_up(fill_in_the_call))
    qtbot.keyClick(page.queue_view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    presses += 1
    assert typed == [""], typed
    print(f"\nkey presses for an all-good bureau call: {presses}")
    assert presses == 12 and presses <= 15
    call = store.row("SELECT * FROM bureau_calls WHERE status = 'completed'")
    assert json.loads(call["answers"])["vs_accepted"] == "N"
    assert json.loads(call["answers"])["overall"] == 2
    assert store.scalar("SELECT COUNT(*) FROM remedial_actions") == 0  # a "no" to accepting
    assert page.queue.rowCount() == 2  # Victim Support is the victim's choice, not a failure


def test_cancelled_call_goes_back_to_the_queue(qtbot, store, admin):
    _crimes(store, admin, 1)
    caller = make_user(store, admin, "caller", Role.BUREAU, "NOR")
    window = MainWindow(store, caller, "Testshire Police")
    qtbot.addWidget(window)
    page = window.show_page("bureau")
    QTimer.singleShot(0, lambda: page.form.reject())
    page.next_call()
    assert store.scalar("SELECT status FROM bureau_calls") == "retry"
    assert page.queue.rowCount() == 1


def test_fifty_thousand_queued_victims_load_lazily(qtbot, store, admin):
    _crimes(store, admin, 50_000)
    caller = make_user(store, admin, "caller", Role.BUREAU, "NOR")
    window = MainWindow(store, caller, "Testshire Police")
    qtbot.addWidget(window)
    page = window.show_page("bureau")
    assert page.queue.rowCount() == 200  # one page, not 50,000 rows
    assert page.queue.canFetchMore()
    page.queue.fetchMore()
    assert page.queue.rowCount() == 400
    refs = [page.queue.row_at(i)["crime_ref"] for i in range(400)]
    assert refs == sorted(refs) and len(set(refs)) == 400  # pages join without gaps
