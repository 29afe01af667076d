"""Every table reads at 1366x768, every window and form fits 1280x720, and no window or
dialog has two controls sharing an Alt mnemonic: opened on a demo force, for every role."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QGroupBox,
    QLabel,
    QTabBar,
    QTableView,
    QTabWidget,
    QWidget,
)

from qos.demo import build_demo
from qos.months import last_complete_month
from qos.store import bureau, mystery, samples
from qos.store.core import open_store
from qos.store.users import actor_for
from ui.main_window import MainWindow

ROLES = ["admin", "sgt.nor", "bureau1", "volunteer01", "fcc1", "fcc.manager", "inspector"]
SCREENS = [(1366, 768), (1280, 720)]
TASKBAR = 40  # the screen's free area is the screen less a taskbar
SMALL = (1280, 720 - 32 - TASKBAR)  # 1280x720 less a title bar and a taskbar


@pytest.fixture
def screen_of(monkeypatch):
    """Make the (offscreen) screen's free area that of a real WxH screen with a taskbar: the
    window and forms size themselves from it, as they would there."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QScreen

    def use(width: int, height: int) -> QRect:
        free = QRect(0, 0, width, height - TASKBAR)
        monkeypatch.setattr(QScreen, "availableGeometry", lambda self: QRect(free))
        return free

    return use


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("fit") / "demo.db"
    store = open_store(path)
    build_demo(store, seed=3, end_month=last_complete_month(dt.date.today()), months=2,
               crimes_per_unit_month=30, officers=80, volunteers=4)
    store.close()
    return str(path)


@pytest.fixture
def demo(demo_db, tmp_path):
    source = open_store(demo_db)
    source.backup_to(tmp_path / "work.db")
    source.close()
    store = open_store(tmp_path / "work.db")
    yield store
    store.close()


def open_as(qtbot, store, username: str) -> MainWindow:
    """The main window as `username` sees it, shown at the size it opens at."""
    window = MainWindow(store, _actor(store, username), "Demoshire Police")
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    return window


def _actor(store, username):
    return actor_for(store, store_user_id(store, username))


def store_user_id(store, username: str) -> int:
    from qos.store.users import list_users

    admin = actor_for(store, 1)
    return next(u["id"] for u in list_users(store, admin) if u["username"] == username)


def mnemonic_clashes(window: QWidget) -> dict[str, list[str]]:
    """Alt+letter -> the visible controls claiming it, where more than one does."""
    claims: dict[str, list[str]] = defaultdict(list)
    for widget in [window, *window.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        texts: list[str] = []
        if isinstance(widget, QAbstractButton) or (
                isinstance(widget, QLabel) and widget.buddy() is not None):
            texts = [widget.text()]
        elif isinstance(widget, QGroupBox):
            texts = [widget.title()]
        elif isinstance(widget, QTabBar):
            texts = [widget.tabText(i) for i in range(widget.count()) if widget.isTabVisible(i)]
        for text in texts:
            key = QKeySequence.mnemonic(text).toString()
            if key:
                claims[key].append(text)
    return {key: texts for key, texts in claims.items() if len(texts) > 1}


def every_tab(page: QWidget):
    """Each combination worth checking: every tab of every tab widget, one at a time."""
    yield "first tabs"
    for tabs in page.findChildren(QTabWidget):
        for index in range(tabs.count()):
            if tabs.isTabVisible(index):
                tabs.setCurrentIndex(index)
                yield f"tab {tabs.tabText(index)}"
        tabs.setCurrentIndex(0)


def headers_cut(view: QTableView) -> list[str]:
    """Headers narrower than their text. The text is measured as drawn: the table's style
    sheet makes headers bold and pads them, which the header's own font does not know (a
    plain-font measure passed 'Scores given' at 100 pixels for 118 drawn)."""
    header = view.horizontalHeader()
    cut = []
    for column in range(header.count()):
        if header.isSectionHidden(column):
            continue
        text = str(view.model().headerData(column, header.orientation()) or "")
        needed = header.sectionSizeHint(column)  # the style's own measure of text + padding
        if header.sectionSize(column) < needed:
            cut.append(f"{text!r}: {header.sectionSize(column)} < {needed}")
    return cut


def squeezed_labels(top: QWidget) -> list[str]:
    """Wrapped labels given less height than their text needs (lines drawn over each other)."""
    found = []
    for label in top.findChildren(QLabel):
        if (label.isVisible() and label.wordWrap() and label.text()
                and label.height() < label.heightForWidth(label.width()) - 2):
            found.append(f"{label.text()[:40]!r}: {label.height()} < "
                         f"{label.heightForWidth(label.width())} px high")
    return found


def cut_placeholders(top: QWidget) -> list[str]:
    """Empty text boxes too narrow for their grey hint (frame and margins take ~12 px)."""
    from PySide6.QtWidgets import QLineEdit

    found = []
    for edit in top.findChildren(QLineEdit):
        hint = edit.placeholderText()
        if edit.isVisible() and hint and not edit.text():
            needed = edit.fontMetrics().horizontalAdvance(hint)
            if edit.width() - 12 < needed:
                found.append(f"{hint!r}: {edit.width() - 12} < {needed} px")
    return found


def elided_combos(top: QWidget) -> list[str]:
    """Combo boxes too narrow for the item shown in them."""
    from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox

    found = []
    for combo in top.findChildren(QComboBox):
        if not combo.isVisible() or not combo.currentText():
            continue
        option = QStyleOptionComboBox()
        combo.initStyleOption(option)
        room = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, combo)
        needed = combo.fontMetrics().horizontalAdvance(combo.currentText())
        if room.width() < needed:
            found.append(f"{combo.accessibleName() or combo.currentText()!r}: "
                         f"{room.width()} < {needed} px")
    return found


def page_scrolls_sideways(window: MainWindow) -> bool:
    from PySide6.QtWidgets import QScrollArea

    area = window.stack.currentWidget()
    return isinstance(area, QScrollArea) and area.horizontalScrollBar().isVisible()


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("username", ROLES)
def test_every_page_fits_the_screen_for_every_role(qtbot, demo, screen_of, username, screen):
    """Every page and tab, as each role sees it, in the window as it opens on the screen:
    the window within the screen's free area with its status bar showing; no header narrower
    than its text; no page wider than the window; no wrapped text squeezed; no combo box
    cutting its own item; no two controls sharing an Alt letter."""
    free = screen_of(*screen)
    window = open_as(qtbot, demo, username)
    assert window.width() <= free.width() and window.height() <= free.height() - 32
    assert window.minimumSizeHint().width() <= SMALL[0]
    assert window.minimumSizeHint().height() <= SMALL[1]
    assert window.statusBar().isVisible()
    status = window.statusBar().findChild(QLabel)
    assert status.geometry().bottom() <= window.statusBar().height()
    assert window.statusBar().geometry().bottom() < window.height()
    problems: list[str] = []
    for key in list(window._page_keys):
        page = window.show_page(key)
        qtbot.waitUntil(lambda page=page: getattr(page, "job", None) is None, timeout=20000)
        for where in every_tab(page):
            QApplication.processEvents()
            at = f"{key} ({where})"
            problems += [f"{at}: {clash} shared by {texts}"
                         for clash, texts in mnemonic_clashes(window).items()]
            for view in page.findChildren(QTableView):
                if view.isVisible():
                    problems += [f"{at} {view.accessibleName()}: header {cut}"
                                 for cut in headers_cut(view)]
            if page_scrolls_sideways(window):
                problems.append(f"{at}: wider than the window ({page.minimumSizeHint().width()}"
                                f" px for {window.stack.width()})")
            problems += [f"{at}: label {cut}" for cut in squeezed_labels(page)]
            problems += [f"{at}: combo box {cut}" for cut in elided_combos(page)]
            problems += [f"{at}: grey hint {cut}" for cut in cut_placeholders(page)]
    assert not problems, "\n".join(problems)


def _dialogs_of_every_kind(store, qtbot):
    """One of each form and dialog, built as the pages build them."""
    from ui.bureau_call_form import BureauCallForm
    from ui.callback_form import CallbackForm
    from ui.first_run_wizard import FirstRunWizard
    from ui.help_dialog import HelpDialog
    from ui.import_dialog import ImportDialog
    from ui.login_dialog import LoginDialog
    from ui.record_dialog import FormField, RecordDialog
    from ui.visit_form import VisitForm

    admin = actor_for(store, 1)
    caller = _actor(store, "bureau1")
    volunteer = _actor(store, "volunteer01")
    draw = store_draw(store, admin)
    item = next(i for i in samples.list_items(store, draw, viewer=admin)
                if i["status"] in ("to_call", "attempted"))
    yield "call-back form", CallbackForm(store, admin, item)
    call = bureau.claim_next(store, caller)
    if call is not None:
        yield "bureau form", BureauCallForm(store, caller, call)
    plans = mystery.list_plan(store, volunteer)
    if plans:
        yield "visit form", VisitForm(store, volunteer, plans[0])
    from qos.store import crimes
    yield "import dialog", ImportDialog("Import a crime extract", "help", store, admin,
                                        "crimes", crimes.CRIME_FIELDS,
                                        lambda *a: None)  # type: ignore[arg-type]
    yield "record dialog", RecordDialog("Add", [FormField("a", "Code"), FormField(
        "b", "Date", "date"), FormField("c", "Kind", "choice", [(1, "One")])], {},
        lambda v: None)
    from ui.call_evaluation_form import CallEvaluationForm
    from ui.pages.summary_page import RecordsDialog

    yield "call evaluation form", CallEvaluationForm("Dev Shah", lambda *a: 0)
    yield "records behind a figure", RecordsDialog(
        [{"crime_ref": "NOR/26/000001", "unit_code": "NOR", "call_date": "2026-10-01",
          "outcome": "completed", "answers": "{}", "ethnicity": "", "source": "app"}],
        "NOR, October 2026: checks made", {"whole": "Whole experience"})
    yield "sign-in", LoginDialog(store, "Demoshire Police")
    yield "help", HelpDialog()
    yield "first-run wizard", FirstRunWizard(open_store(store.path.parent / "new.db"))


def store_draw(store, admin) -> int:
    from qos.store import reference

    unit = reference.unit_by_code(store, admin, "NOR")
    month = last_complete_month(dt.date.today())
    draw = samples.get_draw(store, admin, unit["id"], month)
    return draw["id"]


def test_every_form_fits_1280x720_and_shares_no_mnemonic(qtbot, demo, screen_of):
    screen_of(1280, 720)
    problems: list[str] = []
    for name, dialog in _dialogs_of_every_kind(demo, qtbot):
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        hint = dialog.minimumSizeHint()
        if hint.width() > SMALL[0] or hint.height() > SMALL[1]:
            problems.append(f"{name}: needs at least {hint.width()}x{hint.height()}")
        free = dialog.screen().availableGeometry()
        if dialog.width() > free.width() or dialog.height() > free.height():
            problems.append(f"{name}: opens at {dialog.width()}x{dialog.height()}, larger "
                            f"than the screen's {free.width()}x{free.height()}")
        problems += [f"{name}: label {cut}" for cut in squeezed_labels(dialog)]
        problems += [f"{name}: grey hint {cut}" for cut in cut_placeholders(dialog)]
        pages = [dialog]
        if hasattr(dialog, "pageIds"):  # the wizard: each page in turn
            pages = [dialog.page(i) for i in dialog.pageIds()]
        for page in pages:
            if page is not dialog:
                dialog.setStartId(0) if False else None
            for clash, texts in mnemonic_clashes(dialog).items():
                problems.append(f"{name}: {clash} shared by {texts}")
            if hasattr(dialog, "next") and page is not pages[-1]:
                dialog.next() if dialog.currentPage().isComplete() else None
        if isinstance(dialog, QDialog):
            dialog.done(0)
    assert not problems, "\n".join(problems)


def test_call_evaluation_form_opened_from_its_page_shows_every_item_whole(qtbot, demo,
                                                                          screen_of):
    """Opened from the worklist with Enter, the form is wide enough for each item's text:
    left to size itself, its ten wrapped item texts were squeezed into one line's height
    each and drawn over each other (seen on a real display at 1366x768)."""
    from PySide6.QtCore import Qt, QTimer

    from ui.call_evaluation_form import CallEvaluationForm

    screen_of(1366, 768)
    window = open_as(qtbot, demo, "fcc.manager")
    page = window.show_page("call_evaluation")
    seen: list[str] = []

    def look() -> None:
        form = QApplication.activeModalWidget()
        assert isinstance(form, CallEvaluationForm)
        seen.extend(squeezed_labels(form))
        seen.append(f"size {form.width()}x{form.height()}")
        form.done(0)

    QTimer.singleShot(300, look)
    qtbot.keyClick(page.staff_view, Qt.Key.Key_Return)
    assert seen and seen[-1].startswith("size"), seen
    assert seen[:-1] == []
    width, height = (int(n) for n in seen[-1].split()[1].split("x"))
    assert 700 <= width <= 1366 and height <= 768 - TASKBAR


def test_calibration_comparison_reads_before_any_exercise_is_chosen(qtbot, demo, screen_of):
    """The item-by-item table under the exercises shows its headers whole while still empty
    ('Scores given' was cut to 100 pixels) and says what to do to fill it."""
    screen_of(1366, 768)
    window = open_as(qtbot, demo, "fcc.manager")
    page = window.show_page("call_evaluation")
    page.tabs.setCurrentIndex(1)
    assert page.comparison.rowCount() == 0
    assert headers_cut(page.comparison_view) == []
    assert page.calibrations.rowCount() == 1  # the demo's one exercise, not chosen yet
    assert page.comparison_summary.text() == (
        "Choose an exercise above to compare the managers' scores item by item.")
    assert page.comparison_summary.isVisible()


def test_dip_check_verdicts_show_without_scrolling_at_1366x768(qtbot, demo, screen_of):
    """The suggested and recorded findings come before the long evidence column, so they are
    on screen (they were the last columns, beyond the right edge)."""
    from PySide6.QtCore import Qt

    screen_of(1366, 768)
    window = open_as(qtbot, demo, "inspector")
    page = window.show_page("dip_checks")
    if not page.model.rowCount():
        qtbot.keyClick(page.draw_button, Qt.Key.Key_Space)
    assert page.model.rowCount() > 0
    header = page.view.horizontalHeader()
    titles = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(header.count())]
    for title in ("Suggests", "Finding"):
        column = titles.index(title)
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        assert right <= page.view.viewport().width(), (title, right)


def test_supervisor_asking_for_another_units_records_is_told_not_crashed(qtbot, demo,
                                                                         screen_of,
                                                                         monkeypatch):
    """A supervisor sees every unit's figures; Enter on another unit's row said 'Something
    went wrong inside QoS Checks' (an uncaught refusal). Now the refusal is explained."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda parent, title, text, *a: told.append(f"{title}: {text}"))
    monkeypatch.setattr(QMessageBox, "critical",
                        lambda parent, title, text, *a: told.append(f"DEFECT {text}"))
    screen_of(1366, 768)
    window = open_as(qtbot, demo, "sgt.nor")
    page = window.show_page("summary")
    qtbot.waitUntil(lambda: getattr(page, "job", None) is None and page.table.rowCount() > 1,
                    timeout=20000)
    rows = [page.table.row_at(r)["code"] for r in range(page.table.rowCount())]
    other = next(r for r, code in enumerate(rows) if code != "NOR")
    window.activateWindow()
    page.view.setFocus()
    qtbot.waitUntil(page.view.hasFocus)
    page.view.setCurrentIndex(page.table.index(other, 1))
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert len(told) == 1 and told[0].startswith("Cannot show these records: ")
    assert "not responsible for the unit" in told[0]
    own = rows.index("NOR")
    page.view.setCurrentIndex(page.table.index(own, 1))
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert len(told) == 1 and page.records.isVisible()
    page.records.close()


def test_f6_walks_the_page_list_without_the_pages_taking_the_keyboard(qtbot, demo,
                                                                      screen_of):
    """F6 puts the keyboard on the page list; Down opens each page in turn and the list
    keeps the keyboard (pages that take it on refreshing made the next Down move inside
    them); Enter then goes into the page, on its main work."""
    from PySide6.QtCore import Qt

    screen_of(1366, 768)
    window = open_as(qtbot, demo, "fcc.manager")
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    qtbot.keyClick(window, Qt.Key.Key_F6)
    assert window.navigation.hasFocus()
    titles = window.page_titles()
    assert titles[window.navigation.currentRow()] == "Call evaluation"  # their own work
    qtbot.keyClick(window.navigation, Qt.Key.Key_Home)
    assert window.navigation.currentRow() == 0 and window.navigation.hasFocus()
    for row in range(1, len(titles)):
        qtbot.keyClick(window.navigation, Qt.Key.Key_Down)
        assert window.navigation.currentRow() == row
        assert window.stack.currentIndex() == row
        assert window.navigation.hasFocus(), f"{titles[row]} took the keyboard"
    while titles[window.navigation.currentRow()] != "Call evaluation":
        qtbot.keyClick(window.navigation, Qt.Key.Key_Up)
    assert window.navigation.hasFocus()
    qtbot.keyClick(window.navigation, Qt.Key.Key_Return)
    page = window.pages["call_evaluation"]
    assert page.staff_view.hasFocus()
    assert page.staff_view.currentIndex().row() == 0


def test_the_window_takes_the_keyboard_when_it_first_paints(qtbot, demo, monkeypatch):
    """With no window manager nothing else activates the main window after the sign-in
    dialog goes, and every key typed was lost (seen under Xvfb): it asks for itself."""
    asked: list[str] = []
    monkeypatch.setattr(MainWindow, "activateWindow", lambda self: asked.append("asked"))
    # As on a bare X display: nothing active once the sign-in dialog has gone.
    monkeypatch.setattr(QApplication, "activeWindow", staticmethod(lambda: None))
    window = MainWindow(demo, _actor(demo, "bureau1"), "Demoshire Police")
    qtbot.addWidget(window)
    assert asked == []
    window.show()
    qtbot.waitUntil(lambda: "bureau" in window.pages)
    assert asked == ["asked"]
    # A form already up (the user was quick) keeps the keyboard: the window does not ask.
    monkeypatch.setattr(QApplication, "activeWindow", staticmethod(lambda: window.pages["bureau"]))
    second = MainWindow(demo, _actor(demo, "bureau1"), "Demoshire Police")
    qtbot.addWidget(second)
    second.show()
    qtbot.waitUntil(lambda: "bureau" in second.pages)
    assert asked == ["asked"]


def test_control_room_staff_open_on_their_evaluations_and_acknowledge_by_key(qtbot, demo):
    """Control-room staff opened on Admin's read-only unit list; their work is their own
    evaluated calls: the list has the keyboard and A acknowledges the call it is on."""
    from PySide6.QtCore import Qt

    window = open_as(qtbot, demo, "fcc1")
    window.activateWindow()
    qtbot.waitUntil(lambda: "call_evaluation" in window.pages)
    page = window.pages["call_evaluation"]
    assert window.stack.currentWidget().widget() is page
    qtbot.waitUntil(page.own_view.hasFocus)
    pending = next(r for r in range(page.own.rowCount())
                   if page.own.row_at(r)["acknowledgement"] == "pending")
    page.own_view.selectRow(pending)
    call = page.own.row_at(pending)["call_ref"]
    qtbot.keyClick(page.own_view, Qt.Key.Key_A)
    after = {page.own.row_at(r)["call_ref"]: page.own.row_at(r)["acknowledgement"]
             for r in range(page.own.rowCount())}
    assert after[call] == "acknowledged"
