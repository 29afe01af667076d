"""A supervisor works the sample with the keyboard only."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from qos.roles import SYSTEM, Role
from qos.store import reference
from tests.conftest import make_user, open_main_window
from tests.factories import crime_line, import_lines
from ui.callback_form import CallbackForm


def _window(qtbot, store, actor):
    window = open_main_window(qtbot, store, actor)
    return window


def test_draw_then_complete_a_call_back_with_the_keyboard_only(qtbot, store, admin):
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    reference.add_person(store, admin, "NOR1001", "PC Officer", "officer", unit["id"])
    from qos.months import recent_months

    month = recent_months()[1]
    day = f"05/{month[5:7]}/{month[:4]}"
    import_lines(store, admin, [crime_line(f"NOR/{i}", day, officer="NOR1001")
                                for i in range(1, 31)]
                 + [crime_line("NOR/NOPHONE", day, phone=""),
                    crime_line("NOR/DECLINED", day, declined="Y")])
    supervisor = make_user(store, admin, "sgt", Role.SUPERVISOR, "NOR")
    window = _window(qtbot, store, supervisor)
    page = window.show_page("callbacks")
    assert page.month.currentText() == month and page.unit.currentData() == unit["id"]

    def accept_draw_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None and dialog.editors["size"].value() == 50  # the unit's target
        qtbot.keyClick(dialog.editors["size"], Qt.Key.Key_Return)

    QTimer.singleShot(0, accept_draw_dialog)
    page.draw_button.click()
    assert page.items.rowCount() == 30  # population smaller than the target of 50
    # The draw record counts what each exclusion left out.
    assert "excluded: 1 declined contact, 1 no phone." in page.draw_info.text()

    page.items_view.selectRow(0)
    item = page.items.row_at(0)
    form = CallbackForm(store, supervisor, item, page)
    qtbot.addWidget(form)
    with qtbot.waitExposed(form):
        form.show()
    presses = 0

    def press(key_text: str) -> None:
        nonlocal presses
        widget = QApplication.focusWidget()
        assert widget is not None
        if key_text == "Tab":
            qtbot.keyClick(widget, Qt.Key.Key_Tab)
        elif key_text == "Enter":
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        else:
            qtbot.keyClicks(widget, key_text)
        presses += 1

    # Six drivers, three Victims' Code and three QoSC items, one digit each.
    for digit in "123012" + "112" + "110":
        press(digit)
    assert QApplication.focusWidget() is form.ethnicity
    press("Tab")   # ethnicity: leave as Not stated
    press("Tab")   # comments: none
    press("2")     # feedback for improvement
    press("Enter")  # save
    assert form.result() == form.DialogCode.Accepted, form.error.text()
    saved = store.row("SELECT * FROM callbacks WHERE item_id = ?", [item["id"]])
    assert json.loads(saved["answers"]) == {
        "ease_of_contact": 1, "arrival": 2, "actions": 3, "follow_up": 0, "treatment": 1,
        "whole_experience": 2, "vc_leaflet": "Y", "vc_next_steps": "Y", "vc_kept_updated": "N",
        "qosc_contact_details": "Y", "qosc_crime_number": "Y", "qosc_response_time": "X"}
    assert saved["feedback"] == "improvement" and saved["ethnicity"] == "NS"
    assert presses == 16
    page.refresh()
    # Progress on the month's sample, named apart from the summary's "checks made in" figure.
    assert page.progress.text().endswith(" sample: 1 of 30 called so far")
    assert page.debriefs.rowCount() == 1


def test_an_unanswered_question_keeps_the_form_open(qtbot, store, admin):
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    import_lines(store, admin, [crime_line("NOR/1", "05/10/2026")])
    from qos.store import samples

    draw_id = samples.draw_for_month(store, admin, unit["id"], "2026-10", seed=1)
    item = samples.list_items(store, draw_id, viewer=admin)[0]
    form = CallbackForm(store, admin, item)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.answers["ease_of_contact"], "1")
    form.save()
    assert "11 question(s) have no answer" in form.error.text()
    assert form.answers["ease_of_contact"].text() == "1"  # nothing typed is lost
    assert store.scalar("SELECT COUNT(*) FROM callbacks") == 0
