"""The scorecard shows the same figures as the workbook, and exports in the background."""
from __future__ import annotations

import openpyxl

from qos.roles import SYSTEM
from tests.conftest import open_main_window
from tests.factories import import_history_text
from ui.main_window import MainWindow

HEADER = "Crime reference,Unit,Call date,Outcome,Whole experience,Vc leaflet,Ethnicity\n"


def _load(store, admin, month: str) -> None:
    year, mon = month.split("-")
    lines = [f"NOR/{i},NOR,{i + 1:02d}/{mon}/{year},Completed,{2 if i < 15 else 6},Y,W1\n"
             for i in range(20)]
    lines += [f"SOU/{i},SOU,{i + 1:02d}/{mon}/{year},Completed,1,N,A1\n" for i in range(12)]
    result = import_history_text(store, admin, HEADER + "".join(lines))
    assert result.inserted == 32


def test_scorecard_tiles_table_and_click_through(qtbot, store, admin):
    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    page = window.show_page("summary")
    month = page.month.currentText()
    _load(store, admin, month)
    page.refresh()
    qtbot.waitUntil(lambda: page.job is None, timeout=20000)  # figures on a worker
    assert page.tiles["checks"].value.text() == "32 of 90"
    assert page.tiles["satisfied"].value.text() == "84%"  # (15 + 12) / 32
    rows = {page.table.row_at(i)["code"]: page.table.row_at(i)
            for i in range(page.table.rowCount())}
    assert rows["NOR"]["completed"] == 20 and rows["NOR"]["rag"] == "Red"
    assert rows["NOR"]["satisfied"].startswith("75% (")
    assert rows["SOU"]["code_met"].startswith("0% (")  # 0 of 12 given the leaflet
    page.unit.setCurrentIndex(page.unit.findData(
        store.scalar("SELECT id FROM units WHERE code = 'SOU'")))
    assert page.tiles["checks"].value.text() == "12 of 40"

    nor_row = next(i for i in range(page.table.rowCount()) if page.table.row_at(i)["code"] == "NOR")
    page.show_records(nor_row)
    records = page.records.model
    assert records.rowCount() == 20
    assert {records.row_at(i)["unit_code"] for i in range(20)} == {"NOR"}
    assert "victim_name" not in records.row_at(0)


def _export_by_keys(qtbot, store, admin, tmp_path, monkeypatch):
    """Ctrl+E on the page, the save dialog answered with a path under tmp_path."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFileDialog

    window = open_main_window(qtbot, store, admin)
    page = window.show_page("summary")
    _load(store, admin, page.month.currentText())
    target = tmp_path / "out" / "summary"  # no suffix typed: .xlsx is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    qtbot.keyClick(page.month, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.export_notice is not None, timeout=30000)
    page.export_job.wait()
    notice = page.export_notice
    qtbot.waitExposed(notice)
    notice.activateWindow()
    qtbot.waitUntil(lambda: notice.isActiveWindow())
    return notice, tmp_path / "out" / "summary.xlsx"


def _stand_in_open(monkeypatch, answer: bool) -> list[str]:
    from PySide6.QtGui import QDesktopServices

    asked: list[str] = []

    def open_url(url):
        asked.append(url.toLocalFile())
        return answer

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    return asked


def test_export_says_where_the_workbook_is_and_opens_its_folder(qtbot, store, admin, tmp_path,
                                                                monkeypatch):
    from PySide6.QtCore import Qt

    asked = _stand_in_open(monkeypatch, True)
    notice, written = _export_by_keys(qtbot, store, admin, tmp_path, monkeypatch)
    assert notice.isVisible()
    assert str(written) in notice.message.text()
    assert asked == []  # nothing opened unasked
    book = openpyxl.load_workbook(written)
    completed = {r[0]: r[4] for r in book["Overview"].iter_rows(min_row=5, values_only=True)}
    assert completed["NOR"] == 20 and completed["SOU"] == 12 and completed["FORCE"] == 32
    assert store.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'export'") == 1
    # Alt+F: Open the &folder (a mnemonic click is animated for a moment, hence the wait)
    qtbot.keyClick(notice.focusWidget(), Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: asked == [str(written.parent)])
    assert not notice.isVisible()  # opened: the notice has done its job


def test_export_notice_says_plainly_when_the_file_cannot_be_opened(qtbot, store, admin,
                                                                   tmp_path, monkeypatch):
    from PySide6.QtCore import Qt

    asked = _stand_in_open(monkeypatch, False)
    notice, written = _export_by_keys(qtbot, store, admin, tmp_path, monkeypatch)
    qtbot.keyClick(notice.focusWidget(), Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: asked == [str(written)])  # Alt+O: &Open the file
    assert notice.isVisible()  # stays up so the path can still be read
    assert not notice.problem.isHidden()
    assert notice.problem.text().startswith(f"Could not open the file {written}")
    qtbot.keyClick(notice.focusWidget(), Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: asked == [str(written), str(written.parent)])
    assert f"Could not open the folder {written.parent}" in notice.problem.text()


def test_scorecard_shows_doorstep_cards_as_their_own_series(qtbot, store, admin):
    import datetime as dt

    from qos.store import doorstep, reference

    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    page = window.show_page("summary")
    month = page.month.currentText()
    first_day = dt.date.fromisoformat(month + "-01")
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    doorstep.issue_batch(store, admin, 1, 40, first_day, unit["id"], team="A")
    for serial in range(1, 13):
        doorstep.record_card(store, admin, serial, {"overall": 2 if serial <= 9 else 7},
                             received_on=first_day + dt.timedelta(days=3))
    page.refresh()
    qtbot.waitUntil(lambda: page.job is None, timeout=20000)  # figures on a worker
    tile = page.tiles["doorstep"]
    assert tile.value.text() == "12 back"
    assert "12 of 40 issued to officers this month returned" in tile.detail.text()
    assert "Satisfied overall: 75% of 12." in tile.detail.text()
    assert page.tiles["satisfied"].value.text() == "too few"  # no call-backs: not pooled


def test_tiles_go_to_two_rows_on_a_narrow_window(qtbot, store, admin):
    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("summary")
    qtbot.waitUntil(lambda: page.job is None, timeout=20000)
    window.resize(1600, 900)
    qtbot.waitUntil(lambda: page.tile_columns == 6)
    window.resize(900, 500)
    qtbot.waitUntil(lambda: page.tile_columns == 3)
    positions = {page.tile_grid.getItemPosition(page.tile_grid.indexOf(t))[:2]
                 for t in page.tiles.values()}
    assert positions == {(r, c) for r in (0, 1) for c in (0, 1, 2)}


def test_bar_chart_ticks_are_whole_numbers_evenly_spaced():
    from ui.pages.summary_page import count_axis

    # 50 checks: steps of 10 -> 0, 10, 20, 30, 40, 50 (six ticks, all the same distance).
    assert count_axis(50) == (50, 10)
    assert count_axis(47) == (50, 10)
    assert count_axis(51) == (60, 20)   # 51/20 rounds up to 3 steps: 0, 20, 40, 60
    assert count_axis(3) == (3, 1)      # 0, 1, 2, 3
    assert count_axis(0) == (1, 1)
    # 1234: steps of 100 or 200 need more than six ticks; 500 -> 0, 500, 1000, 1500.
    assert count_axis(1234) == (1500, 500)
    for highest in range(0, 3000, 7):
        top, step = count_axis(highest)
        assert top >= highest and top % step == 0 and top // step + 1 <= 6


def test_grade_line_keeps_each_basis_as_written():
    """'QoS checks' stays 'QoS' (it once read 'qoS'), and each basis is its own sentence."""
    from types import SimpleNamespace

    from qos.grading import Grade
    from ui.pages.summary_page import grades_text

    def graded(label: str, grade: str, basis: str) -> Grade:
        return Grade(label.lower(), label, grade, "", basis, None, None)

    unit = SimpleNamespace(code="NOR", grades=[
        graded("Ease of contact", "Meets", "QoS checks, last 3 months"),
        graded("Treatment", "Not graded", "QoS checks, last 3 months"),
        graded("Whole experience", "Exceeds", "User satisfaction survey 2026-Q4")])
    assert grades_text(unit) == (
        "Grades for NOR. QoS checks, last 3 months: Ease of contact meets, Treatment not graded. "
        "User satisfaction survey 2026-Q4: Whole experience exceeds.")
