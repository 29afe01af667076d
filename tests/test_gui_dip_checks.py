"""The inspectorate draws a dip check and records findings with one key each (issue 19)."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit

from qos.months import recent_months
from qos.roles import SYSTEM, Role
from qos.store import crimes, reference
from qos.tabular import read_csv_text
from tests.conftest import make_user


def test_draw_then_p_and_f_record_findings_down_the_list(qtbot, signed_in, store, admin):
    month = recent_months()[1]  # the page opens on the last complete month
    text = ("Crime reference,Date recorded,Unit,Offence category,Victim name,Contact phone,"
            f"Officer,Incident type\nNOR/1,{month}-03,NOR,Theft,V,07700900001,,RTC\n")
    crimes.import_crimes(store, admin, read_csv_text(text), all_or_nothing=True)
    reference.add_counter(store, admin, "Northgate", reference.unit_by_code(store, SYSTEM, "NOR")["id"],
                          "mon-fri 08:00-20:00")
    inspector = make_user(store, admin, "insp", Role.INSPECTORATE)
    window = signed_in(store, inspector)
    assert window.page_titles() == ["Summary & export", "Admin", "Informal complaints",
                                    "Dip checks"]
    page = window.show_page("dip_checks")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.draw_button)
    qtbot.keyClick(page.draw_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.view)
    # Northgate (counter), NOR/1 as a collision, NOR/1 among all victims.
    assert [r["test"] for r in page.rows()] == ["counter_open", "rtc_updated", "all_updated"]
    qtbot.keyClick(page.view, Qt.Key.Key_P)

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(20, answer)
            return
        line = box.findChild(QLineEdit)
        qtbot.keyClicks(line, "No update on the file")
        qtbot.keyClick(line, Qt.Key.Key_Return)

    QTimer.singleShot(0, answer)
    qtbot.keyClick(page.view, Qt.Key.Key_F)
    found = [(r["test"], r["result"], r["note"]) for r in page.rows()]
    assert found == [("counter_open", "pass", None),
                     ("rtc_updated", "fail", "No update on the file"),
                     ("all_updated", None, None)]
    assert page.status.text().startswith("2 of 3 item(s) checked")
    assert not page.draw_button.isEnabled()  # one dip check per unit and month
