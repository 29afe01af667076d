"""A supervisor records a remedy for a non-compliant closure with the keyboard (issue 19)."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from qos.roles import Role
from qos.store import crimes
from qos.tabular import read_csv_text
from tests.conftest import make_user

CSV = ("Crime reference,Date recorded,Unit,Offence category,Victim name,Contact phone,Officer,"
       "Suspect arrested,Date crime closed,Victim updated\n"
       "NOR/OK,{d1},NOR,Theft,V,07700900001,,,{d2},{d1}\n"
       "NOR/LATE,{d1},NOR,Theft,V,07700900002,,{d1},{d2},\n"
       "SOU/LATE,{d1},SOU,Theft,V,07700900003,,{d1},{d2},\n")


def test_enter_on_a_closure_records_its_remedy(qtbot, signed_in, store, admin):
    import datetime as dt

    closed = dt.date.today()  # this month, which the page opens on
    reported = closed - dt.timedelta(days=10)
    text = CSV.format(d1=reported.isoformat(), d2=closed.isoformat())
    crimes.import_crimes(store, admin, read_csv_text(text), all_or_nothing=True)
    sgt = make_user(store, admin, "sgt", Role.SUPERVISOR, "NOR")
    window = signed_in(store, sgt)
    page = window.show_page("closures")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.view)
    assert [r["crime_ref"] for r in page.rows()] == ["NOR/LATE"]  # own unit, problems only
    assert page.counts.text() == "2 closure(s) checked, 1 not compliant, 0 remedied."

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, fill_in)
            return
        note = dialog.editors["note"]
        note.setFocus()
        qtbot.keyClicks(note, "Victim told of the arrest")
        qtbot.keyClick(note, Qt.Key.Key_Return)

    QTimer.singleShot(0, fill_in)
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert page.rows()[0]["remedy"] == "Victim told of the arrest"
    assert page.counts.text() == "2 closure(s) checked, 1 not compliant, 1 remedied."
    qtbot.keyClick(page.problems_only, Qt.Key.Key_Space)
    assert sorted(r["crime_ref"] for r in page.rows()) == ["NOR/LATE", "NOR/OK"]
