"""The shell of the app: first-run wizard, sign-in, and every page reachable by keyboard."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget, QWizard

from qos.roles import SYSTEM, Role
from qos.store import reference
from qos.store.users import is_set_up
from tests.conftest import PASSWORD, make_user
from ui.first_run_wizard import FirstRunWizard
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow


def test_first_run_wizard_sets_up_force_units_and_admin(qtbot, store):
    wizard = FirstRunWizard(store)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.keyClicks(wizard.force_page.name, "Kent Police")
    wizard.next()
    wizard.next()
    page = wizard.admin_page
    qtbot.keyClicks(page.display_name, "Chris Admin")
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.keyClicks(page.confirm, PASSWORD + "x")
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    finish.click()
    assert "not the same" in page.error.text()
    assert not is_set_up(store) and wizard.actor is None
    wizard.accept()  # the direct route is guarded too
    assert not is_set_up(store) and wizard.actor is None
    page.confirm.setText(PASSWORD)
    finish.click()
    assert wizard.actor is not None and wizard.actor.role is Role.ADMIN
    assert is_set_up(store)
    assert store.setting("force_name") == "Kent Police"
    assert {u["code"] for u in reference.list_units(store, SYSTEM)} == {"NOR", "SOU"}


def test_login_then_walk_every_page_by_keyboard(qtbot, signed_in, store, admin):
    login = LoginDialog(store, "Testshire Police")
    qtbot.addWidget(login)
    login.show()
    qtbot.keyClicks(login.username, "admin")
    qtbot.keyClicks(login.password, "wrong password")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    assert "do not match" in login.error.text() and login.actor is None
    qtbot.keyClicks(login.password, PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    assert login.actor is not None

    window = signed_in(store, login.actor)
    # The first page is built just after the window first paints.
    qtbot.waitUntil(lambda: "callbacks" in window.pages)
    assert window.stack.currentWidget().widget() is window.pages["callbacks"]
    window.activateWindow()
    window.navigation.setFocus()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    titles = window.page_titles()
    assert titles == ["Call-backs", "Updates due", "Contact bureau", "Mystery shopping",
                      "Doorstep cards", "Summary & export", "Admin", "Informal complaints",
                      "Closures", "Dip checks", "Call evaluation",
                      "NP comment cards"]
    for number, _ in enumerate(titles[:10], start=1):  # Ctrl+1 .. Ctrl+9, Ctrl+0
        qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key(Qt.Key.Key_0 + number % 10), Qt.KeyboardModifier.ControlModifier)
        current = window.stack.currentWidget().widget()  # inside its scroll area
        assert current is window.pages[window._page_keys[number - 1]]
        assert current.isVisible()
    from PySide6.QtWidgets import QLabel

    status = " ".join(label.text() for label in window.statusBar().findChildren(QLabel))
    assert "Signed in as Ada Admin (Administrator)" in status and str(store.path) in status


def test_volunteer_sees_only_mystery_shopping(qtbot, store, admin):
    volunteer = make_user(store, admin, "vol", Role.VOLUNTEER)
    window = MainWindow(store, volunteer, "Testshire Police")
    qtbot.addWidget(window)
    assert window.page_titles() == ["Mystery shopping"]


def test_admin_page_lists_reference_data_and_adds_a_unit(qtbot, store, admin):
    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    page = window.show_page("admin")
    units = page.units
    assert units.model.rowCount() == 2
    assert page.templates.toPlainText().startswith("QoS call-back")
    reference.add_unit(store, admin, "CID", "Crime Investigation", "department", 25)
    units.refresh()
    codes = [units.model.row_at(i)["code"] for i in range(units.model.rowCount())]
    assert "CID" in codes


def test_every_control_on_the_admin_page_has_an_accessible_name(qtbot, store, admin):
    from PySide6.QtWidgets import QAbstractButton, QLineEdit, QTableView

    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    page = window.show_page("admin")
    for widget in page.findChildren(QWidget):
        if isinstance(widget, (QAbstractButton, QLineEdit, QTableView)) and widget.isVisible():
            assert widget.accessibleName() or widget.text(), widget


def test_idle_window_locks_and_unlocks_with_the_password(qtbot, store, admin):
    from ui.idle_lock import IdleLock

    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    window.show()
    now = [1000.0]
    lock = IdleLock(window, store, admin, minutes=10, clock=lambda: now[0])
    now[0] += 9 * 60
    lock.check()
    assert not lock.locked
    now[0] += 61
    lock.check()
    assert lock.locked and not window.centralWidget().isVisible()
    dialog = lock.dialog
    assert dialog.username.text() == "admin" and dialog.username.isReadOnly()
    qtbot.keyClicks(dialog.password, "wrong")
    dialog.try_sign_in()
    assert lock.locked and "do not match" in dialog.error.text()
    qtbot.keyClicks(dialog.password, PASSWORD)
    dialog.try_sign_in()
    assert not lock.locked and window.centralWidget().isVisible()


def test_window_fits_a_small_screen_and_pages_scroll_instead(qtbot, store, admin):
    # 1366x768 at 150% scaling is 910x512: the window must go that small.
    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("callbacks")
    window.resize(900, 500)
    qtbot.waitUntil(lambda: window.width() <= 900)
    area = window.stack.currentWidget()
    assert area.widget() is page
    assert area.horizontalScrollBar().maximum() > 0  # the page scrolls, nothing is cut off
    window.resize(1600, 900)
    qtbot.waitUntil(lambda: window.width() == 1600)
    assert area.horizontalScrollBar().maximum() == 0  # no bars when there is room
