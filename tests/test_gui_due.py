from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from qos.store.crime_import import import_crimes_with_deadlines
from qos.tabular import read_csv_text
from ui.main_window import MainWindow

HEADER = ("Crime reference,Date recorded,Unit,Offence category,Victim name,Contact phone,"
          "Officer,Suspect arrested\n")


def test_due_page_lists_overdue_first_and_marks_an_update(qtbot, store, admin):
    today = dt.date.today()
    arrested = today - dt.timedelta(days=20)
    recent = today - dt.timedelta(days=1)
    import_crimes_with_deadlines(store, admin, read_csv_text(
        HEADER + f"NOR/OLD,{arrested:%d/%m/%Y},NOR,Theft,A,07700900001,,{arrested:%d/%m/%Y}\n"
        + f"SOU/NEW,{recent:%d/%m/%Y},SOU,Theft,B,07700900002,,{recent:%d/%m/%Y}\n"),
        all_or_nothing=True)
    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    page = window.show_page("due")
    assert page.unit.currentData() == "NOR"  # an administrator starts on the first unit
    page.unit.setCurrentIndex(0)  # All units
    page.as_of.clear()
    qtbot.keyClicks(page.as_of, f"{today:%d%m%Y}")  # typed without separators
    qtbot.keyClick(page.as_of, Qt.Key.Key_Return)
    assert page.as_of.text() == f"{today:%d/%m/%Y}"
    qtbot.waitUntil(lambda: page.job is None and page.model.rowCount() > 0, timeout=10000)
    refs = [page.model.row_at(i)["crime_ref"] for i in range(page.model.rowCount())]
    assert refs[0] == "NOR/OLD" and "SOU/NEW" not in refs  # the new arrest is not yet due
    page.view.selectRow(0)
    page.mark_updated()
    qtbot.waitUntil(lambda: page.job is None, timeout=10000)
    remaining = [(page.model.row_at(i)["crime_ref"], page.model.row_at(i)["rule"])
                 for i in range(page.model.rowCount())]
    assert ("NOR/OLD", "Told of the suspect's arrest") not in remaining
    assert store.scalar("SELECT source FROM victim_updates") == "app"


def test_due_page_reads_a_long_list_a_page_at_a_time(qtbot, store, admin):
    from ui.table_model import PAGE

    arrested = dt.date.today() - dt.timedelta(days=20)
    import_crimes_with_deadlines(store, admin, read_csv_text(HEADER + "".join(
        f"NOR/{n},{arrested:%d/%m/%Y},NOR,Theft,V{n},077009{n:05d},,{arrested:%d/%m/%Y}\n"
        for n in range(300))), all_or_nothing=True)
    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    page = window.show_page("due")
    qtbot.waitUntil(lambda: page.job is None and page.model.rowCount() > 0, timeout=10000)
    assert page.model.rowCount() == PAGE  # the first page only
    assert page.count.text() == "300 due, 300 overdue"
    page.model.fetchMore()
    assert page.model.rowCount() == 300
    assert len({page.model.row_at(i)["crime_ref"] for i in range(300)}) == 300


def test_a_newer_question_overtakes_an_older_answer(qtbot, store, admin):
    arrested = dt.date.today() - dt.timedelta(days=20)
    import_crimes_with_deadlines(store, admin, read_csv_text(
        HEADER + f"NOR/1,{arrested:%d/%m/%Y},NOR,Theft,A,07700900001,,{arrested:%d/%m/%Y}\n"
        + f"SOU/1,{arrested:%d/%m/%Y},SOU,Theft,B,07700900002,,{arrested:%d/%m/%Y}\n"),
        all_or_nothing=True)
    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    page = window.show_page("due")
    # Switch units at once, without waiting: only the last choice's rows may be shown.
    page.unit.setCurrentIndex(page.unit.findData("SOU"))
    qtbot.waitUntil(lambda: page.job is None, timeout=10000)
    qtbot.wait(200)  # let any older answer arrive too
    assert {page.model.row_at(i)["unit_code"] for i in range(page.model.rowCount())} == {"SOU"}


def test_only_the_newest_question_is_answered(qtbot, store, db_path):
    import threading

    from PySide6.QtCore import QObject

    from ui.workers import NewestAnswer

    owner = QObject()
    answers = NewestAnswer(owner, db_path)
    release = threading.Event()
    answered: list[str] = []
    failed: list[BaseException] = []

    def slow(store_, progress):
        release.wait(10)
        progress(1, 1)
        return "older"

    older = answers.ask(slow, answered.append, failed.append, lambda d, t: answered.append("p"))
    answers.ask(lambda store_, progress: "newer", answered.append, failed.append)
    qtbot.waitUntil(lambda: answered == ["newer"] and answers.job is None, timeout=10000)
    release.set()  # the older job ends only now, after the newer one was answered
    older.wait()
    qtbot.wait(100)
    assert answered == ["newer"] and failed == []  # its answer and progress were dropped
