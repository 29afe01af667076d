"""One rule for every form: closing with unsaved answers asks "Discard?" (default No) or keeps
a draft; every date box reads the date as typed or refuses it with a message."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from qos.errors import ValidationError
from qos.roles import SYSTEM, Role
from qos.store import bureau, doorstep, reference, samples
from tests.conftest import make_user
from tests.factories import crime_line, import_lines
from tests.test_gui_bureau import _crimes
from ui.bureau_call_form import BureauCallForm
from ui.callback_form import CallbackForm
from ui.date_field import parse_date, parse_date_time
from ui.record_dialog import date_and_note_dialog


def answer_discard_box(qtbot, replies: list[str], seen: list[str]) -> None:
    """When the "Discard?" box comes up, note its default and answer it with a key."""
    def answer(tries: int = 100) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.windowTitle() == "Discard?":
            seen.append(box.defaultButton().text().replace("&", ""))
            reply = replies.pop(0)
            if reply == "Enter":  # the default
                qtbot.keyClick(box, Qt.Key.Key_Return)
            else:  # Tab to "Discard them", then Space
                discard = box.button(QMessageBox.StandardButton.Yes)
                for _ in range(4):
                    if discard.hasFocus():
                        break
                    qtbot.keyClick(QApplication.focusWidget() or box, Qt.Key.Key_Tab)
                qtbot.keyClick(discard, Qt.Key.Key_Space)
            if box.isVisible():
                seen.append(f"{reply} did not answer the box")
                box.reject()
            if replies:
                QTimer.singleShot(0, answer)
        elif tries:
            QTimer.singleShot(10, lambda: answer(tries - 1))
    QTimer.singleShot(0, answer)


def _callback_item(store, admin):
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    import_lines(store, admin, [crime_line("NOR/1", "05/10/2026")])
    draw_id = samples.draw_for_month(store, admin, unit["id"], "2026-10", seed=1)
    return samples.list_items(store, draw_id, viewer=admin)[0]


def test_escape_on_the_call_back_form_asks_before_typed_answers_go(qtbot, store, admin):
    form = CallbackForm(store, admin, _callback_item(store, admin))
    qtbot.addWidget(form)
    with qtbot.waitExposed(form):
        form.show()
    qtbot.keyClicks(form.answers["ease_of_contact"], "1")
    seen: list[str] = []
    answer_discard_box(qtbot, ["Enter"], seen)
    qtbot.keyClick(QApplication.focusWidget() or form, Qt.Key.Key_Escape)
    assert seen == ["Keep typing"]  # No is the default: Enter keeps the form
    assert form.isVisible() and form.answers["ease_of_contact"].text() == "1"
    answer_discard_box(qtbot, ["Discard"], seen)
    qtbot.keyClick(QApplication.focusWidget() or form, Qt.Key.Key_Escape)
    assert not form.isVisible() and form.result() == form.DialogCode.Rejected
    assert store.scalar("SELECT COUNT(*) FROM callbacks") == 0


def test_escape_on_an_untouched_call_back_form_closes_it_without_asking(qtbot, store, admin):
    form = CallbackForm(store, admin, _callback_item(store, admin))
    qtbot.addWidget(form)
    with qtbot.waitExposed(form):
        form.show()
    qtbot.keyClick(QApplication.focusWidget() or form, Qt.Key.Key_Escape)
    assert not form.isVisible()


def test_the_bureau_form_hears_escape_and_asks_then_the_call_goes_back(qtbot, store, admin):
    _crimes(store, admin, 1)
    caller = make_user(store, admin, "caller", Role.BUREAU, "NOR")
    call = bureau.claim_next(store, caller)
    form = BureauCallForm(store, caller, call)
    qtbot.addWidget(form)
    with qtbot.waitExposed(form):
        form.show()
    qtbot.keyClick(form.outcome, "1")  # completed; focus moves to the first check
    seen: list[str] = []
    answer_discard_box(qtbot, ["Enter"], seen)
    qtbot.keyClick(QApplication.focusWidget() or form, Qt.Key.Key_Escape)
    assert seen == ["Keep typing"] and form.isVisible() and form.outcome.text() == "1"
    assert store.scalar("SELECT status FROM bureau_calls") == "claimed"
    answer_discard_box(qtbot, ["Discard"], seen)
    qtbot.keyClick(QApplication.focusWidget() or form, Qt.Key.Key_Escape)
    assert not form.isVisible()
    assert store.scalar("SELECT status FROM bureau_calls") == "retry"  # back in the queue


def test_record_dialogs_ask_too_and_read_typed_dates_as_typed(qtbot, store, admin):
    saved: list[tuple[dt.date, str]] = []
    seen: list[str] = []

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        date_box, note = dialog.editors["on"], dialog.editors["note"]
        date_box.clear()
        qtbot.keyClicks(date_box, "31/02/2026")
        qtbot.keyClick(note, Qt.Key.Key_Return)  # Enter saves: refused, nothing lost
        assert "not a date in the calendar" in dialog.error.text()
        assert date_box.text() == "31/02/2026" and dialog.isVisible()
        qtbot.keyClicks(note, "Spoke to PC Bloggs")
        answer_discard_box(qtbot, ["Enter"], seen)
        qtbot.keyClick(note, Qt.Key.Key_Escape)
        assert dialog.isVisible() and note.text() == "Spoke to PC Bloggs"
        date_box.clear()
        qtbot.keyClicks(date_box, "01/01/2027")
        qtbot.keyClick(note, Qt.Key.Key_Return)

    QTimer.singleShot(0, lambda: QTimer.singleShot(50, fill_in))
    assert date_and_note_dialog(QApplication.activeWindow(), "Debrief", "Date", "Note",
                                lambda on, note: saved.append((on, note)))
    assert saved == [(dt.date(2027, 1, 1), "Spoke to PC Bloggs")] and seen == ["Keep typing"]


def test_doorstep_date_received_is_read_as_typed_or_refused(qtbot, signed_in, store, admin):
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    today = dt.date.today()
    doorstep.issue_batch(store, admin, 5001, 5100, today - dt.timedelta(days=30),
                         unit["id"], template_version=2, team="A")
    window = signed_in(store, admin)
    entry = window.show_page("doorstep").entry
    next_year = f"01/01/{today.year + 1}"
    entry.received.setFocus()
    entry.received.clear()
    qtbot.keyClicks(entry.received, next_year)
    qtbot.keyClick(entry.received, Qt.Key.Key_Tab)
    assert entry.received.text() == next_year  # not silently turned into another date
    qtbot.keyClicks(entry.serial, "5001")
    for digit in "123121":
        qtbot.keyClick(QApplication.focusWidget(), digit)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert "cannot be in the future" in entry.message.text()
    assert store.scalar("SELECT COUNT(*) FROM doorstep_cards") == 0
    assert entry.answers["overall"].text() == "1"  # the card stays on screen
    ten_days_ago = today - dt.timedelta(days=10)
    entry.received.setFocus()
    entry.received.clear()
    qtbot.keyClicks(entry.received, f"{ten_days_ago:%d%m%Y}")  # no separators
    qtbot.keyClick(entry.received, Qt.Key.Key_Tab)
    assert entry.received.text() == f"{ten_days_ago:%d/%m/%Y}"
    entry.save()
    assert store.scalar("SELECT received_on FROM doorstep_cards") == ten_days_ago.isoformat()
    entry.received.setFocus()
    entry.received.clear()
    qtbot.keyClicks(entry.received, "1/13/2026")
    qtbot.keyClick(entry.received, Qt.Key.Key_Tab)
    assert "not a date in the calendar" in entry.message.text()


@pytest.mark.parametrize("typed, day", [
    ("01/01/2027", dt.date(2027, 1, 1)), ("1/1/2027", dt.date(2027, 1, 1)),
    ("01012027", dt.date(2027, 1, 1)), ("31.12.2026", dt.date(2026, 12, 31)),
    ("05-11-2026", dt.date(2026, 11, 5)), (" 2026-11-05 ", dt.date(2026, 11, 5)),
    ("29/02/2028", dt.date(2028, 2, 29))])
def test_dates_are_read_as_typed(typed, day):
    assert parse_date(typed) == day


@pytest.mark.parametrize("typed, words", [
    ("01/01/27", "four-figure year"), ("0101", "four-figure year"), ("", "Type a date"),
    ("29/02/2027", "not a date in the calendar"), ("13/13/2026", "month 13"),
    ("tomorrow", "'tomorrow' is not a date")])
def test_anything_else_is_refused_naming_it(typed, words):
    with pytest.raises(ValidationError, match=words):
        parse_date(typed)


def test_date_and_time_in_one_box():
    assert parse_date_time("06/10/2026 10:15") == dt.datetime(2026, 10, 6, 10, 15)
    assert parse_date_time("06102026 0915") == dt.datetime(2026, 10, 6, 9, 15)
    with pytest.raises(ValidationError, match="not a time of day"):
        parse_date_time("06/10/2026 25:00")
    with pytest.raises(ValidationError, match="dd/mm/yyyy hh:mm"):
        parse_date_time("06/10/2026")
