"""The summary is built from what each template version declares, across versions."""
from __future__ import annotations

import json
import shutil

import pytest

from qos.summary import SummaryInputs, UnitRow, build_summary
from qos.templates import load_template, parse_template

V1 = load_template("callback", 1)


def version_2() -> str:
    """Version 1 with one Victims' Code question added (told of an arrest), one renamed (the
    'kept updated' question now asks about the frequency the victim agreed, but measures the
    same item) and one dropped (the QoSC response-time question)."""
    body = json.loads(V1.body)
    body["version"] = 2
    code = next(s for s in body["sections"] if s["title"] == "Victims' Code")["questions"]
    renamed = next(q for q in code if q["key"] == "vc_kept_updated")
    renamed.update(key="vc_updated_as_agreed", figure="vc_kept_updated",
                   text="Have you been updated as often as you agreed?")
    code.append({"key": "vc_told_arrest", "type": "yes_no", "measures": "victims_code",
                 "label": "Told of an arrest", "text": "Were you told of the arrest?"})
    qosc = next(s for s in body["sections"] if s["title"].startswith("Quality"))["questions"]
    qosc[:] = [q for q in qosc if q["key"] != "qosc_response_time"]
    return json.dumps(body)


def check(n: int, version: int, answers: dict[str, object]) -> dict[str, object]:
    return {"id": n, "unit_id": 1, "month": "2026-10", "outcome": "completed",
            "answers": json.dumps(answers), "ethnicity": "W1", "template_version": version,
            "offence_category": None}


def test_version_2_adds_renames_and_drops_questions():
    v2 = parse_template(version_2())
    rows = (
        # Version 1: 4 checks. kept updated Y,Y,N,Y; response time Y,N,Y,Y.
        [check(i, 1, {"vc_kept_updated": k, "qosc_response_time": r, "whole_experience": 2})
         for i, (k, r) in enumerate(zip("YYNY", "YNYY", strict=True))]
        # Version 2: 3 checks under the renamed key (Y, N, N) and the new question (Y, Y, N).
        + [check(10 + i, 2, {"vc_updated_as_agreed": k, "vc_told_arrest": a,
                             "whole_experience": 6})
           for i, (k, a) in enumerate(zip("YNN", "YYN", strict=True))])
    summary = build_summary(SummaryInputs("Testshire", [UnitRow(1, "NOR", "North", "BCU", 50)],
                                          rows, {1: V1, 2: v2}), "2026-10")
    nor = summary.units[0]
    items = {i.key: i for i in nor.victims_code}
    # Renamed: one figure across versions, 3 of 4 (v1) + 1 of 3 (v2) = 4 of 7.
    assert (items["vc_kept_updated"].rate.hits, items["vc_kept_updated"].rate.valid) == (4, 7)
    assert "vc_updated_as_agreed" not in items
    # Added: reported from version 2's answers, 2 of 3, under the template's label.
    assert (items["vc_told_arrest"].rate.hits, items["vc_told_arrest"].rate.valid) == (2, 3)
    assert items["vc_told_arrest"].label == "Told of an arrest"
    # Dropped: version 1's answers are still reported (3 of 4), after the current items.
    qosc = {i.key: i for i in nor.qosc}
    assert (qosc["qosc_response_time"].rate.hits, qosc["qosc_response_time"].rate.valid) == (3, 4)
    assert [i.key for i in nor.qosc][-1] == "qosc_response_time"
    # Victims met the Code when every item they were asked was yes: v1 3 of 4 (one N);
    # v2: (Y,Y) met, (N,Y) not, (N,N) not -> 1 of 3. Together 4 of 7 victims.
    assert (nor.victims_code_overall.hits, nor.victims_code_overall.valid) == (4, 7)
    whole = nor.driver("whole_experience").month
    assert (whole.hits, whole.valid) == (4, 7)  # satisfied in v1 (2), not in v2 (6)


@pytest.fixture
def installed_v2(tmp_path, monkeypatch):
    """A copy of resources/ with a callback template version 2 installed."""
    from qos import templates
    from qos.paths import RESOURCES

    copy = tmp_path / "resources"
    shutil.copytree(RESOURCES, copy)
    (copy / "templates" / "callback" / "v2.json").write_text(version_2(), encoding="utf-8")
    monkeypatch.setattr(templates, "resource", lambda *parts: copy.joinpath(*parts))
    load_template.cache_clear()
    yield
    load_template.cache_clear()


def test_history_import_names_its_template_version(installed_v2, store, admin, tmp_path):
    from qos.cli import run
    from qos.store.summary_data import monthly_summary
    from tests.factories import crime_line, import_lines

    import_lines(store, admin, [crime_line("NOR/1", "01/01/2020", category="Theft"),
                                crime_line("NOR/2", "01/01/2020", category="Theft")])
    store.close()
    csv = tmp_path / "history.csv"
    csv.write_text("Crime reference,Unit,Call date,Outcome,Whole experience,"
                   "Vc updated as agreed,Vc told arrest\n"
                   "NOR/1,NOR,03/10/2026,Completed,1,Y,N\n"
                   "NOR/2,NOR,04/10/2026,Completed,5,N,Y\n", encoding="utf-8")
    db = store.target
    assert run(["import", "--user", "admin", "callbacks", str(csv), "--db", db, "--template-version", "2"]) == 0
    from qos.store.core import open_store

    reopened = open_store(store.target)
    try:
        assert reopened.scalar("SELECT DISTINCT template_version FROM callbacks") == 2
        nor = next(u for u in monthly_summary(reopened, admin, "2026-10").units
                   if u.code == "NOR")
    finally:
        reopened.close()
    items = {i.key: i.rate for i in nor.victims_code}
    assert (items["vc_kept_updated"].hits, items["vc_kept_updated"].valid) == (1, 2)
    assert (items["vc_told_arrest"].hits, items["vc_told_arrest"].valid) == (1, 2)
    # A version that is not installed is refused with a message, nothing imported.
    assert run(["import", "--user", "admin", "callbacks", str(csv), "--db", db, "--template-version", "7"]) == 1


def test_history_import_dialog_asks_which_version(installed_v2, qtbot, store, admin):
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QComboBox, QInputDialog

    from ui.import_dialog import ImportDialog
    from ui.main_window import MainWindow

    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    page = window.show_page("callbacks")
    seen: list[list[str]] = []

    def choose_version_2() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QInputDialog):
            QTimer.singleShot(20, choose_version_2)
            return
        combo = box.findChild(QComboBox)
        qtbot.keyClick(combo, Qt.Key.Key_Down)
        qtbot.keyClick(combo, Qt.Key.Key_Return)
        QTimer.singleShot(20, read_the_columns)

    def read_the_columns() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ImportDialog):
            QTimer.singleShot(20, read_the_columns)
            return
        seen.append([f.key for f in dialog.fields])
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    QTimer.singleShot(0, choose_version_2)
    page.import_history()
    assert seen and "vc_told_arrest" in seen[0] and "vc_updated_as_agreed" in seen[0]
    assert "qosc_response_time" not in seen[0]  # dropped in version 2
