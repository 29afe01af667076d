"""First run, import and help: the wizard's unit table, a cancelled set-up leaves no file,
Enter in the import path box loads, a file with no recognisable headings is refused at once,
F1 opens the in-app help, and empty pages say what to do next."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QSpinBox

import ui.app
from qos.store import crimes, mystery
from tests.conftest import PASSWORD, keys_ready, make_user, open_main_window
from ui.first_run_wizard import FirstRunWizard
from ui.help_dialog import HelpDialog
from ui.import_dialog import ImportDialog, headings_plausible
from ui.main_window import MainWindow


def test_add_a_unit_puts_the_cursor_in_its_code_cell_and_targets_start_at_50(qtbot, store):
    wizard = FirstRunWizard(store)
    qtbot.addWidget(wizard)
    with qtbot.waitExposed(wizard):
        wizard.show()
    wizard.activateWindow()
    qtbot.keyClicks(wizard.force_page.name, "Kent Police")
    wizard.next()
    page = wizard.units_page
    add = next(b for b in page.findChildren(type(wizard.button(wizard.WizardButton.NextButton)))
               if b.text() == "&Add a unit")
    qtbot.keyClick(add, Qt.Key.Key_Space)
    table = page.table
    assert table.rowCount() == 3 and (table.currentRow(), table.currentColumn()) == (2, 0)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)  # typing goes straight into the new code cell
    qtbot.keyClicks(editor, "CID")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)  # on to the name cell
    assert table.item(2, 0).text() == "CID"
    targets = [table.cellWidget(r, 3) for r in range(3)]
    assert all(isinstance(t, QSpinBox) and t.value() == 50 for t in targets)
    header = table.horizontalHeader()
    for column in range(4):
        label = table.horizontalHeaderItem(column).text()
        assert header.sectionSize(column) >= header.fontMetrics().horizontalAdvance(label)


def test_cancelling_first_run_set_up_leaves_no_database(tmp_path, monkeypatch):
    db = tmp_path / "qos.db"
    monkeypatch.setattr(ui.app, "sign_in_flow", lambda store: None)  # Cancel in the wizard
    monkeypatch.setattr(ui.app, "configure_logging", lambda: None)
    assert ui.app.run_app(db) == 0
    assert not db.exists() and not list(tmp_path.glob("qos.db*"))


def test_cancelling_sign_in_keeps_an_existing_database(tmp_path, monkeypatch, store, admin):
    monkeypatch.setattr(ui.app, "sign_in_flow", lambda opened: None)
    monkeypatch.setattr(ui.app, "configure_logging", lambda: None)
    assert ui.app.run_app(store.path) == 0
    assert store.path.exists()


def _import_dialog(qtbot, store, admin) -> ImportDialog:
    dialog = ImportDialog("Import a crime extract", "help", store, admin, "crimes",
                          crimes.CRIME_FIELDS,
                          lambda s, table, strict, mapping, progress: crimes.import_crimes(
                              s, admin, table, all_or_nothing=strict, mapping=mapping))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_enter_in_the_path_box_loads_the_file(qtbot, store, admin, tmp_path):
    path = tmp_path / "extract.csv"
    path.write_text("Crime reference,Date recorded,Unit,Offence category,Victim name,"
                    "Contact phone,Officer\nNOR/1,01/10/2026,NOR,Theft,Ann,07700900001,\n",
                    encoding="utf-8")
    dialog = _import_dialog(qtbot, store, admin)
    qtbot.keyClicks(dialog.path, str(path))
    qtbot.keyClick(dialog.path, Qt.Key.Key_Return)
    assert dialog.table is not None and len(dialog.table.rows) == 1
    assert dialog.import_button.isEnabled()
    assert "1 data row(s) found" in dialog.report.toPlainText()


def test_a_file_with_no_recognisable_headings_is_refused_at_once(qtbot, store, admin, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("NOR/1,01/10/2026,NOR,Theft\nNOR/2,02/10/2026,NOR,Theft\n",
                    encoding="utf-8")  # no heading row at all
    dialog = _import_dialog(qtbot, store, admin)
    qtbot.keyClicks(dialog.path, str(path))
    qtbot.keyClick(dialog.path, Qt.Key.Key_Return)
    report = dialog.report.toPlainText()
    assert report.startswith("This does not look like a crime extract: none of its headings "
                             "('NOR/1', '01/10/2026', 'NOR', 'Theft')")
    assert dialog.table is None and not dialog.import_button.isEnabled()
    assert dialog.preview.rowCount() == 0  # no garbled preview
    # An odd but real layout is still offered for mapping by hand.
    assert headings_plausible(["Ref No", "When", "Area", "Type"])
    assert not headings_plausible(["just one column"])


def test_f1_opens_help_with_import_formats_method_notes_and_shortcuts(qtbot, store, admin):
    window = open_main_window(qtbot, store, admin)
    keys_ready(qtbot, window)
    seen: dict[str, str] = {}

    def read_and_close(tries: int = 100) -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, HelpDialog):
            seen.update({name: b.toPlainText() for name, b in dialog.browsers.items()})
            qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Escape)
        elif tries:
            QTimer.singleShot(20, lambda: read_and_close(tries - 1))

    QTimer.singleShot(0, read_and_close)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_F1)
    assert list(seen) == ["Importing files", "Method notes", "Keyboard"]
    assert "Crime reference" in seen["Importing files"]  # docs/import-formats.md, as data
    assert "Wilson score interval" in seen["Method notes"]
    assert "Ctrl+N" in seen["Keyboard"] and "Discard?" in seen["Keyboard"]


def test_empty_pages_say_what_to_do_next(qtbot, store, admin):
    window = open_main_window(qtbot, store, admin)
    mystery_page = window.show_page("mystery")
    assert "No visits planned yet: press Plan the next quarter" in mystery_page.plan_empty.text()
    assert mystery_page.plan_empty.isVisible()
    mystery_page.tabs.setCurrentIndex(2)
    assert "No calibration exercise yet" in mystery_page.calibration_empty.text()
    doorstep_page = window.show_page("doorstep")
    doorstep_page.tabs.setCurrentIndex(1)
    assert doorstep_page.stock_empty.isVisible()
    assert "No card stock issued yet" in doorstep_page.stock_empty.text()
    callbacks_page = window.show_page("callbacks")
    assert "No sample drawn" in callbacks_page.draw_info.text()
    volunteer = make_user(store, admin, "vol", __import__("qos.roles").roles.Role.VOLUNTEER)
    mystery.sync_scenarios(store, admin)
    own = MainWindow(store, volunteer, "Testshire Police")
    qtbot.addWidget(own)
    assert "No visits are planned for you yet" in own.show_page("mystery").plan_empty.text()
    assert PASSWORD and dt.date.today()
