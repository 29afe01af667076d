"""An administrator sets, from the keyboard, which units a supervisor covers; the supervisor
then signs in and sees that unit's worklist and no other's."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from qos.errors import PermissionDenied
from qos.months import recent_months
from qos.roles import SYSTEM, Role
from qos.store import reference, samples, users
from tests.conftest import PASSWORD, keys_ready, open_main_window
from tests.factories import crime_line, import_lines
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow
from ui.units_covered_dialog import UnitsCoveredDialog

ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def three_units(store, admin):
    """NOR (the sergeant's own unit), SOU and EAS, each with a drawn sample last month."""
    reference.add_unit(store, admin, "EAS", "East", "BCU", 30)
    month = recent_months()[1]
    year, mon = month.split("-")
    codes = ("NOR", "SOU", "EAS")
    import_lines(store, admin, [crime_line(f"{code}/{i}", f"05/{mon}/{year}", unit=code)
                                for code in codes for i in range(4)])
    units = {code: reference.unit_by_code(store, SYSTEM, code)["id"] for code in codes}
    draws = {code: samples.draw_for_month(store, admin, uid, month, size=2, seed=1)
             for code, uid in units.items()}
    sergeant = users.create_user(store, admin, "sgtx", "Sgt X", Role.SUPERVISOR, PASSWORD,
                                 unit_id=units["NOR"])
    return {"units": units, "draws": draws, "sergeant": sergeant}


def _when_dialog(qtbot, kind, act) -> list[object]:
    """Run `act(dialog)` once a modal dialog of `kind` is up (exec() blocks the test); a
    failure inside is kept for the test to raise, and the dialog is closed."""
    seen: list[object] = []
    tries = iter(range(500))  # 10 s: a dialog that never comes fails the test, not hangs it

    def poll() -> None:
        # Looked for among the top-level windows: another test's window may still hold the
        # "active modal" place, and the dialog is found all the same.
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, kind) and w.isVisible()), None)
        if dialog is not None:
            seen.append(dialog)
            try:
                # Keys go to the active window: after other tests' windows, make sure it is.
                dialog.activateWindow()
                qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
                act(dialog)
                assert not dialog.isVisible(), "the dialog is still open after its keys"
            except BaseException as exc:  # noqa: BLE001 - raised again by the test
                seen.append(exc)
                dialog.done(0)
        elif next(tries, None) is not None:
            QTimer.singleShot(20, poll)
        else:
            for window in QApplication.topLevelWidgets():  # whatever blocks: give up
                if window.isModal() and window.isVisible():
                    window.close()

    QTimer.singleShot(0, poll)
    return seen


def _key(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def test_admin_gives_a_sergeant_a_unit_and_the_sergeant_sees_only_its_worklist(
        qtbot, store, admin, three_units):
    units = three_units["units"]
    window = open_main_window(qtbot, store, admin)
    page = window.show_page("admin")
    keys_ready(qtbot, window)
    _key(qtbot, Qt.Key.Key_C, ALT)  # User a&ccounts
    assert page.tabs.currentWidget() is page.users
    tab = page.users
    names = [tab.model.row_at(i)["username"] for i in range(tab.model.rowCount())]
    assert names == ["admin", "sgtx"]
    assert [tab.model.row_at(i)["covered"] for i in range(2)] == ["every unit", "own (NOR)"]
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_Home)
    qtbot.keyClick(tab.view, Qt.Key.Key_Down)  # Sgt X
    assert tab.selected()["username"] == "sgtx"

    def tick_sou(dialog: UnitsCoveredDialog) -> None:
        labels = [dialog.units.item(i).text() for i in range(dialog.units.count())]
        assert labels == ["EAS - East", "NOR - North", "SOU - South"]
        assert dialog.focusWidget() is dialog.units and dialog.chosen() == []
        qtbot.keyClick(dialog.units, Qt.Key.Key_End)  # SOU
        qtbot.keyClick(dialog.units, Qt.Key.Key_Space)
        assert dialog.chosen() == [units["SOU"]]
        qtbot.keyClick(dialog.units, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    seen = _when_dialog(qtbot, UnitsCoveredDialog, tick_sou)
    _key(qtbot, Qt.Key.Key_V, ALT)  # Units co&vered...
    qtbot.waitUntil(lambda: bool(seen) and not seen[0].isVisible())
    if len(seen) > 1:
        raise seen[1]
    assert len(seen) == 1 and seen[0].result() == QDialog.DialogCode.Accepted
    stored = store.scalar("SELECT responsible_units FROM users WHERE username = 'sgtx'")
    assert json.loads(stored) == [units["SOU"]]
    assert tab.model.row_at(1)["covered"] == "SOU"
    entry = store.row("SELECT username, action, detail FROM audit_log WHERE entity = 'users' "
                      "AND entity_id = ? ORDER BY id DESC LIMIT 1",
                      [str(three_units["sergeant"])])
    assert (entry["username"], entry["action"]) == ("admin", "change")
    assert json.loads(entry["detail"])["new"] == {"responsible_units": stored}
    window.close()

    login = LoginDialog(store, "Testshire Police")
    qtbot.addWidget(login)
    with qtbot.waitExposed(login):
        login.show()
    qtbot.keyClicks(login.username, "sgtx")
    qtbot.keyClick(login.username, Qt.Key.Key_Tab)
    qtbot.keyClicks(login.password, PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    sergeant = login.actor
    assert sergeant is not None and sergeant.units == frozenset({units["SOU"]})

    own = MainWindow(store, sergeant, "Testshire Police")
    qtbot.addWidget(own)
    callbacks = own.show_page("callbacks")
    assert [callbacks.unit.itemText(i) for i in range(callbacks.unit.count())] == ["SOU - South"]
    refs = {callbacks.items.row_at(i)["crime_ref"] for i in range(callbacks.items.rowCount())}
    assert len(refs) == 2 and all(ref.startswith("SOU/") for ref in refs)
    for other in ("EAS", "NOR"):  # nor can the store be asked for another unit's worklist
        with pytest.raises(PermissionDenied):
            samples.list_items(store, three_units["draws"][other], viewer=sergeant)


def test_clearing_every_unit_goes_back_to_the_own_unit(qtbot, store, admin, three_units):
    units, sergeant = three_units["units"], three_units["sergeant"]
    version = store.scalar("SELECT version FROM users WHERE id = ?", [sergeant])
    users.set_responsibility(store, admin, sergeant, version, [units["SOU"], units["EAS"]])
    row = next(u for u in users.list_users(store, admin) if u["username"] == "sgtx")
    dialog = UnitsCoveredDialog(store, admin, row, reference.list_units(store, admin))
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    assert sorted(dialog.chosen()) == sorted([units["SOU"], units["EAS"]])
    qtbot.keyClick(dialog.units, Qt.Key.Key_Home)  # EAS, ticked: Space clears it
    qtbot.keyClick(dialog.units, Qt.Key.Key_Space)
    qtbot.keyClick(dialog.units, Qt.Key.Key_End)  # SOU
    qtbot.keyClick(dialog.units, Qt.Key.Key_Space)
    qtbot.keyClick(dialog.units, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert store.scalar("SELECT responsible_units FROM users WHERE id = ?", [sergeant]) is None
    assert users.actor_for(store, sergeant).units is None  # NOR, the own unit, again
