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

ROLES = ["admin", "sgt.nor", "bureau1", "volunteer01"]
SMALL = (1280, 720 - 32 - 40)  # 1280x720 less a title bar and a taskbar


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
    header = view.horizontalHeader()
    metrics = header.fontMetrics()
    cut = []
    for column in range(header.count()):
        if header.isSectionHidden(column):
            continue
        text = str(view.model().headerData(column, header.orientation()) or "")
        if header.sectionSize(column) < metrics.horizontalAdvance(text):
            cut.append(f"{text!r}: {header.sectionSize(column)} < "
                       f"{metrics.horizontalAdvance(text)}")
    return cut


@pytest.mark.parametrize("username", ROLES)
def test_every_page_at_1366x768_no_header_cut_no_mnemonic_shared(qtbot, demo, username):
    actor = _actor(demo, username)
    window = MainWindow(demo, actor, "Demoshire Police")
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitExposed(window):
        window.show()
    assert window.minimumSizeHint().width() <= SMALL[0]
    assert window.minimumSizeHint().height() <= SMALL[1]
    problems: list[str] = []
    for key in list(window._page_keys):
        page = window.show_page(key)
        qtbot.waitUntil(lambda page=page: getattr(page, "job", None) is None, timeout=20000)
        for where in every_tab(page):
            QApplication.processEvents()
            for clash, texts in mnemonic_clashes(window).items():
                problems.append(f"{key} ({where}): {clash} shared by {texts}")
            for view in page.findChildren(QTableView):
                if view.isVisible():
                    problems += [f"{key} ({where}) {view.accessibleName()}: header {cut}"
                                 for cut in headers_cut(view)]
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
    yield "sign-in", LoginDialog(store, "Demoshire Police")
    yield "help", HelpDialog()
    yield "first-run wizard", FirstRunWizard(open_store(store.path.parent / "new.db"))


def store_draw(store, admin) -> int:
    from qos.store import reference

    unit = reference.unit_by_code(store, admin, "NOR")
    month = last_complete_month(dt.date.today())
    draw = samples.get_draw(store, admin, unit["id"], month)
    return draw["id"]


def test_every_form_fits_1280x720_and_shares_no_mnemonic(qtbot, demo):
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
