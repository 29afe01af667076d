"""The import dialog: a file in another layout is refused until mapped by hand on purpose;
pick its columns with the keyboard, save them as a mapping, import in a worker; the saved
mapping then takes the same layout at once."""
from __future__ import annotations

from unittest import mock

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel

from qos.roles import SYSTEM
from qos.store import crimes, mappings
from ui.help_dialog import HelpDialog
from ui.import_dialog import NOT_IN_FILE, ImportDialog
from ui.main_window import MainWindow

ODD_LAYOUT = ("Ref No;When;Area;Type;Who;Tel;OIC\n"
              "NOR/1;01/10/2026;NOR;Theft;Ann Lee;07700 900001;\n"
              "NOR/2;02/10/2026;XXX;Theft;Bob Lee;07700 900002;\n")


def _dialog(qtbot, store, admin):
    dialog = ImportDialog(
        "Import", "help", store, admin, "crimes", crimes.CRIME_FIELDS,
        lambda s, table, strict, mapping, progress: crimes.import_crimes(
            s, admin, table, all_or_nothing=strict, mapping=mapping, progress=progress))
    qtbot.addWidget(dialog)
    return dialog


def _shown(qtbot, dialog):
    with qtbot.waitExposed(dialog):
        dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def _alt(qtbot, dialog, key) -> None:
    """A mnemonic, pressed where the focus is, as a user would."""
    qtbot.keyClick(QApplication.focusWidget() or dialog, key, Qt.KeyboardModifier.AltModifier)


def _enter_path(qtbot, dialog, path) -> None:
    dialog.path.setFocus()
    dialog.path.clear()
    qtbot.keyClicks(dialog.path, str(path))
    qtbot.keyClick(dialog.path, Qt.Key.Key_Return)


def test_map_columns_save_the_mapping_and_import_the_good_rows(qtbot, store, admin, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(ODD_LAYOUT, encoding="utf-8")
    dialog = _shown(qtbot, _dialog(qtbot, store, admin))
    _enter_path(qtbot, dialog, path)
    # Plausible headings, only two known (Tel, OIC): refused at once, not offered for
    # mapping as if fine.
    report = dialog.report.toPlainText()
    assert report.startswith(
        "This does not look like a crime extract: its headings ('Ref No', 'When', 'Area', "
        "'Type', 'Who', 'Tel', 'OIC') have no column for Crime reference, Date recorded, Unit, "
        "Offence category, Victim name.")
    assert "press Map columns by hand" in report
    assert dialog.table is None and not dialog.import_button.isEnabled()
    assert dialog.preview.rowCount() == 0
    assert dialog.by_hand.isVisible()
    _alt(qtbot, dialog, Qt.Key.Key_P)  # Map by hand (a mnemonic clicks after a short flash)
    qtbot.waitUntil(lambda: dialog.table is not None)
    assert not dialog.by_hand.isVisible()
    assert "Mapping by hand" in dialog.report.toPlainText()
    assert {k: b.currentText() for k, b in dialog.column_boxes.items()
            if b.currentText() != NOT_IN_FILE} == {"victim_phone": "Tel", "officer_number": "OIC"}
    assert dialog.column_boxes["crime_ref"].hasFocus()  # the first column still to choose
    typed = {"crime_ref": "Ref No", "recorded_on": "When", "unit": "Area",
             "offence_category": "Type", "victim_name": "Who"}
    picks = {**typed, "victim_phone": "Tel", "officer_number": "OIC"}
    for number, (key, header) in enumerate(typed.items()):
        box = dialog.column_boxes[key]
        box.setFocus()
        qtbot.keyClicks(box, header)  # a closed combo box selects by the letters typed
        assert box.currentText() == header
        # Import waits until every required column has been chosen.
        assert dialog.import_button.isEnabled() == (number == len(typed) - 1)
    assert dialog.current_mapping() == picks
    with mock.patch("ui.import_dialog.QInputDialog.getText", return_value=("Niche RMS", True)):
        dialog.save_current_mapping()
    assert mappings.get_mapping(store, SYSTEM, "crimes", "Niche RMS") == picks

    dialog.good_only.setChecked(True)
    dialog.import_button.setFocus()
    qtbot.keyClick(dialog.import_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=20000)
    dialog.job.wait()
    assert dialog.result.inserted == 1
    assert "row 3: unknown unit 'XXX'" in dialog.report.toPlainText()
    assert crimes.crime_by_ref(store, SYSTEM, "NOR/1")["victim_phone"] == "07700900001"

    # Next time: the saved mapping takes the same layout at once, whichever is chosen first.
    again = _shown(qtbot, _dialog(qtbot, store, admin))
    _enter_path(qtbot, again, path)
    assert again.table is None
    again.saved.setFocus()
    qtbot.keyClicks(again.saved, "Niche")
    assert again.saved.currentText() == "Niche RMS"
    assert again.table is not None and again.current_mapping() == picks
    assert again.import_button.isEnabled() and not again.by_hand.isVisible()
    assert again.report.toPlainText().startswith("2 data row(s) found.")
    first = _shown(qtbot, _dialog(qtbot, store, admin))
    first.saved.setCurrentText("Niche RMS")
    _enter_path(qtbot, first, path)
    assert first.table is not None and first.current_mapping() == picks


def test_a_file_missing_some_required_columns_names_them(qtbot, store, admin, tmp_path):
    path = tmp_path / "partial.csv"
    path.write_text("Crime reference,Unit,When,Type\nNOR/1,NOR,01/10/2026,Theft\n",
                    encoding="utf-8")
    dialog = _shown(qtbot, _dialog(qtbot, store, admin))
    _enter_path(qtbot, dialog, path)
    assert dialog.report.toPlainText().startswith(
        "This does not look like a crime extract: its headings ('Crime reference', 'Unit', "
        "'When', 'Type') have no column for Date recorded, Offence category, Victim name, "
        "Contact phone, Officer.")
    assert dialog.table is None and not dialog.import_button.isEnabled()
    _alt(qtbot, dialog, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: dialog.table is not None)
    # By hand, what was recognised is kept and the cursor waits on the first missing column.
    assert dialog.column_boxes["crime_ref"].currentText() == "Crime reference"
    assert dialog.column_boxes["unit"].currentText() == "Unit"
    assert dialog.column_boxes["recorded_on"].hasFocus()
    assert not dialog.import_button.isEnabled()


def test_a_known_layout_is_taken_at_once_with_its_columns_matched(qtbot, store, admin, tmp_path):
    path = tmp_path / "extract.csv"
    path.write_text("CRIME-REFERENCE;date recorded;BCU;Offence;Victim;Tel;OIC\n"
                    "NOR/1;01/10/2026;NOR;Theft;Ann Lee;07700 900001;\n", encoding="utf-8")
    dialog = _shown(qtbot, _dialog(qtbot, store, admin))
    _enter_path(qtbot, dialog, path)
    assert dialog.table is not None and dialog.import_button.isEnabled()
    assert dialog.current_mapping() == {
        "crime_ref": "CRIME-REFERENCE", "recorded_on": "date recorded", "unit": "BCU",
        "offence_category": "Offence", "victim_name": "Victim", "victim_phone": "Tel",
        "officer_number": "OIC"}
    assert dialog.preview.rowCount() == 1 and not dialog.by_hand.isVisible()


def test_unreadable_file_is_reported_and_import_stays_disabled(qtbot, store, admin, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    dialog = _dialog(qtbot, store, admin)
    dialog.load_file(path)
    assert "not a readable Excel workbook" in dialog.report.toPlainText()
    assert not dialog.import_button.isEnabled()


def test_deadlines_failing_after_the_import_says_the_crimes_were_saved(
        qtbot, store, admin, tmp_path, monkeypatch):
    from qos.store import duties
    from qos.store.crime_import import import_crimes_with_deadlines

    def broken(*args, **kwargs):
        raise OSError("disk I/O error")

    monkeypatch.setattr(duties, "bring_up_to_date", broken)
    path = tmp_path / "good.csv"
    path.write_text(ODD_LAYOUT.replace(";XXX;", ";NOR;").replace(";", ",").replace(
        "Ref No,When,Area,Type,Who,Tel,OIC", "Crime reference,Date recorded,Unit,"
        "Offence category,Victim name,Contact phone,Officer"), encoding="utf-8")
    dialog = ImportDialog(
        "Import", "help", store, admin, "crimes", crimes.CRIME_FIELDS,
        lambda s, table, strict, mapping, progress: import_crimes_with_deadlines(
            s, admin, table, all_or_nothing=strict, mapping=mapping, progress=progress))
    qtbot.addWidget(dialog)
    dialog.load_file(path)
    dialog.import_button.setFocus()
    qtbot.keyClick(dialog.import_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "saved" in dialog.report.toPlainText(), timeout=20000)
    dialog.job.wait()
    report = dialog.report.toPlainText()
    assert "Nothing was imported" not in report
    assert report.startswith("Imported 2 new and updated 0 existing row(s).")
    assert "working out their Victims' Code deadlines then failed (OSError: disk I/O error)" \
        in report
    assert store.scalar("SELECT count(*) FROM crimes") == 2  # the import itself is kept
    assert not dialog.import_button.isEnabled()  # importing again would not be the fix


NO_HEADINGS = "NOR/1,01/10/2026,NOR,Theft\nNOR/2,02/10/2026,NOR,Theft\n"


@pytest.mark.parametrize(("page_key", "opener", "noun", "expected"), [
    ("callbacks", "import_crimes", "crime extract", "Crime reference, Date recorded"),
    ("callbacks", "import_history", "call-back spreadsheet", "Crime reference, Unit, Call date"),
    ("admin", "import_people", "list of people", "Collar or staff number, Name, Unit code"),
])
def test_every_import_dialog_refuses_a_file_with_no_headings_and_points_to_f1(
        qtbot, store, admin, tmp_path, page_key, opener, noun, expected):
    """Each import the app offers, opened from its page as a user would: Enter in the path
    box loads the file; a file with no heading row is refused at once, naming what it holds
    and what was expected; the help points to F1 (which opens the import formats), never to
    a file in the source tree."""
    path = tmp_path / "data.csv"
    path.write_text(NO_HEADINGS, encoding="utf-8")
    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    page = window.show_page(page_key)
    seen: dict[str, object] = {}

    def close_help(tries: int = 200) -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, HelpDialog):
            seen["help tab"] = modal.tabs.tabText(modal.tabs.currentIndex())
            qtbot.keyClick(modal.focusWidget() or modal, Qt.Key.Key_Escape)
        elif tries:
            QTimer.singleShot(20, lambda: close_help(tries - 1))

    def use_the_dialog(tries: int = 200) -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ImportDialog):
            if tries:
                QTimer.singleShot(20, lambda: use_the_dialog(tries - 1))
            return
        seen["hints"] = " ".join(label.text() for label in dialog.findChildren(QLabel))
        seen["buttons"] = [b.text() for b in dialog.buttons.buttons() if b.isVisible()]
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        _enter_path(qtbot, dialog, path)
        seen["report"] = dialog.report.toPlainText()
        seen["refused"] = (dialog.table is None and not dialog.import_button.isEnabled()
                           and dialog.preview.rowCount() == 0 and not dialog.by_hand.isVisible())
        QTimer.singleShot(0, close_help)
        qtbot.keyClick(dialog.path, Qt.Key.Key_F1)
        qtbot.keyClick(dialog.path, Qt.Key.Key_Escape)

    QTimer.singleShot(0, use_the_dialog)
    getattr(page, opener)()
    assert str(seen["report"]).startswith(
        f"This does not look like a {noun}: none of its headings ('NOR/1', '01/10/2026', "
        f"'NOR', 'Theft') matches a column expected ({expected}")
    assert "looks like data, not headings" in str(seen["report"])
    assert seen["refused"] is True
    assert seen["help tab"] == "&Importing files"
    assert "Help (F1)" in seen["buttons"]  # the way to the import formats, on every dialog
    hints = str(seen["hints"])
    assert "docs/" not in hints and ".md" not in hints and "resources/" not in hints
