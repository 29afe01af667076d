"""The import dialog's column step: pick columns, save them as a mapping, import in a worker."""
from __future__ import annotations

from unittest import mock

from PySide6.QtCore import Qt

from qos.roles import SYSTEM
from qos.store import crimes, mappings
from ui.import_dialog import NOT_IN_FILE, ImportDialog

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


def test_map_columns_save_the_mapping_and_import_the_good_rows(qtbot, store, admin, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(ODD_LAYOUT, encoding="utf-8")
    dialog = _dialog(qtbot, store, admin)
    dialog.load_file(path)
    assert dialog.column_boxes["crime_ref"].currentText() == NOT_IN_FILE  # nothing matched
    picks = {"crime_ref": "Ref No", "recorded_on": "When", "unit": "Area",
             "offence_category": "Type", "victim_name": "Who", "victim_phone": "Tel",
             "officer_number": "OIC"}
    for key, header in picks.items():
        dialog.column_boxes[key].setCurrentText(header)
    assert dialog.current_mapping() == picks
    with mock.patch("ui.import_dialog.QInputDialog.getText", return_value=("Niche RMS", True)):
        dialog.save_current_mapping()
    assert mappings.get_mapping(store, SYSTEM, "crimes", "Niche RMS") == picks

    dialog.good_only.setChecked(True)
    dialog.start_import()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=20000)
    dialog.job.wait()
    assert dialog.result.inserted == 1
    assert "row 3: unknown unit 'XXX'" in dialog.report.toPlainText()
    assert crimes.crime_by_ref(store, SYSTEM, "NOR/1")["victim_phone"] == "07700900001"

    again = _dialog(qtbot, store, admin)
    again.load_file(path)
    again.saved.setCurrentText("Niche RMS")
    assert again.current_mapping() == picks


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
    path.write_text(ODD_LAYOUT.replace(";XXX;", ";NOR;").replace(";", ","), encoding="utf-8")
    dialog = ImportDialog(
        "Import", "help", store, admin, "crimes", crimes.CRIME_FIELDS,
        lambda s, table, strict, mapping, progress: import_crimes_with_deadlines(
            s, admin, table, all_or_nothing=strict, mapping=mapping, progress=progress))
    qtbot.addWidget(dialog)
    dialog.load_file(path)
    for key, header in {"crime_ref": "Ref No", "recorded_on": "When", "unit": "Area",
                        "offence_category": "Type", "victim_name": "Who",
                        "victim_phone": "Tel", "officer_number": "OIC"}.items():
        dialog.column_boxes[key].setCurrentText(header)
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
