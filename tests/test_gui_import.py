"""The import dialog's column step: pick columns, save them as a mapping, import in a worker."""
from __future__ import annotations

from unittest import mock

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


def test_gui_crime_import_job_also_works_out_deadlines(store, admin):
    from qos.store import duties
    from qos.tabular import read_csv_text
    from tests.factories import HEADER, crime_line
    from ui.pages.callbacks_page import _import_crimes_then_deadlines

    seen: list[tuple[int, int]] = []
    table = read_csv_text(HEADER + crime_line("NOR/9", "01/11/2026"))
    result = _import_crimes_then_deadlines(store, admin, table, True, None,
                                           lambda done, total: seen.append((done, total)))
    assert result.inserted == 1 and duties.stale_count(store) == 0
    assert seen[-1] == (2, 2)  # one bar: the import's half, then the deadlines' half
