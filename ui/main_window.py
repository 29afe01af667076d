"""The main window: navigation on the left, one page at a time, the user and database below."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from qos.roles import Action, Actor, Role, allowed
from qos.store import reference
from qos.store.core import Store
from qos.store.pgconn import redact
from ui.pages.registry import feature_pages, routine_pages
from ui.pages.spec import PageSpec
from ui.style import set_role
from ui.widgets import fit_to_screen, scrolling


def page_specs() -> list[PageSpec]:
    return [*feature_pages(),
            PageSpec("admin", "Admin", (Action.MANAGE_REFERENCE, Action.VIEW_REFERENCE),
                     _admin_page),
            *routine_pages()]


# The page each role starts on, when not the first it may see.
# Control-room staff's own work is their evaluated calls, not the reference lists first in
# the page order.
HOME_PAGE = {Role.BUREAU: "bureau", Role.CONTROL_ROOM: "call_evaluation"}


def home_page(store: Store, actor: Actor, visible: list[str]) -> str | None:
    """The page `actor` starts on: their role's own work; None for the first they may see.
    A supervisor whose units have no call-back target (the control room's line manager)
    has no call-backs to make: their work is scoring their staff's calls."""
    home = HOME_PAGE.get(actor.role)
    if home is None and {"callbacks", "call_evaluation"} <= set(visible):
        units = actor.units if actor.units is not None else {actor.unit_id} - {None}
        if units and not any(reference.unit_target(store, actor, unit) for unit in units):
            home = "call_evaluation"
    return home


def _admin_page(store: Store, actor: Actor) -> QWidget:
    from ui.pages.admin_page import AdminPage  # imported on first visit, like the others

    return AdminPage(store, actor)


class MainWindow(QMainWindow):
    def __init__(self, store: Store, actor: Actor, force_name: str):
        super().__init__()
        self.store, self.actor = store, actor
        self.setWindowTitle(f"QoS Checks - {force_name}")
        fit_to_screen(self, 1280, 800)
        self.navigation = QListWidget()
        set_role(self.navigation, "navigation")
        self.navigation.setAccessibleName("Pages")
        self.navigation.setFixedWidth(220)
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}  # built on first visit
        self._specs: dict[str, PageSpec] = {}
        self._page_keys: list[str] = []
        for number, spec in enumerate(page_specs(), start=1):
            if not any(allowed(actor, need) for need in spec.needs):
                continue  # hidden, and its Ctrl+number does nothing
            # Ctrl+number follows the full page list, so it means the same page for every role.
            item = QListWidgetItem(f"{spec.title}")
            item.setToolTip(f"Ctrl+{number % 10}" if number <= 10 else "")
            self.navigation.addItem(item)
            self._specs[spec.key] = spec
            self._page_keys.append(spec.key)
            self.stack.addWidget(QWidget())  # a placeholder until the page is first opened
            if number <= 10:  # the tenth page is Ctrl+0
                shortcut = QShortcut(QKeySequence(f"Ctrl+{number % 10}"), self)
                shortcut.activated.connect(lambda key=spec.key: self.show_page(key))
        QShortcut(QKeySequence("Ctrl+Q"), self, activated=self.close)
        QShortcut(QKeySequence("F1"), self, activated=self.show_help)
        # The page list from anywhere: Ctrl+number stops at the tenth page, and the later
        # ones (the control-room manager's Call evaluation) were many Shift+Tabs away.
        QShortcut(QKeySequence("F6"), self, activated=self.navigation.setFocus)
        self.navigation.currentRowChanged.connect(self._show_page)
        # A click on a page's name, or Enter on it, goes on into the page.
        self.navigation.itemClicked.connect(lambda _item: self._enter_page())
        self.navigation.activated.connect(lambda _index: self._enter_page())
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        status = QLabel(f"Signed in as {actor.display_name} ({actor.role.label})   |   "
                        f"Database: {store.path or redact(store.target)}")
        status.setAccessibleName("Signed-in user and database")
        self.statusBar().addWidget(status)
        # The first page is built just after the window first paints: the window appears at
        # once and the page follows within a few tens of milliseconds.
        self._first_page_pending = bool(self._page_keys)
        home = home_page(store, actor, self._page_keys)
        self._home_row = self._page_keys.index(home) if home in self._page_keys else 0
        self.navigation.blockSignals(True)
        self.navigation.setCurrentRow(self._home_row)
        self.navigation.blockSignals(False)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._first_page_pending:
            self._first_page_pending = False
            QTimer.singleShot(0, self._open_first_page)

    def _open_first_page(self) -> None:
        # Take the keyboard: without a window manager (a bare X display, a kiosk) nothing
        # else gives the window focus once the sign-in dialog has gone, and every key
        # typed after signing in was lost.
        if QApplication.activeWindow() is None:  # not over a form the user already opened
            self.activateWindow()
        row = self._home_row
        if self.navigation.currentRow() == row and self._page_keys[row] not in self.pages:
            self._show_page(row)
            self._focus_page(row)  # the page list may have taken the keyboard on showing

    def _enter_page(self) -> None:
        self._focus_page(self.navigation.currentRow())

    def show_help(self) -> None:
        from ui.help_dialog import show_help

        show_help(self)

    def page_titles(self) -> list[str]:
        return [self.navigation.item(i).text() for i in range(self.navigation.count())]

    def show_page(self, key: str) -> QWidget:
        self._first_page_pending = False
        row = self._page_keys.index(key)
        if self.navigation.currentRow() == row and key not in self.pages:
            self._show_page(row)  # the first page, not built yet
        else:
            self.navigation.setCurrentRow(row)
        self._focus_page(row)  # Ctrl+number from the page list too
        return self.page(key)

    def page(self, key: str) -> QWidget:
        """The page, built now if this is its first visit (start-up builds none of them)."""
        if key not in self.pages:
            spec = self._specs[key]
            page = spec.build(self.store, self.actor)
            page.setAccessibleName(spec.title)
            index = self._page_keys.index(key)
            placeholder = self.stack.widget(index)
            # Bars only when the window is smaller than the page: at 150% scaling a 1366-pixel
            # screen is 910 pixels wide.
            self.stack.insertWidget(index, scrolling(page, framed=False))
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.pages[key] = page
        return self.pages[key]

    def _show_page(self, row: int) -> None:
        if row < 0:
            return
        page = self.page(self._page_keys[row])
        self.stack.setCurrentIndex(row)
        # Arrowing through the page list (F6), the list keeps the keyboard: when each page
        # passed took it (some take it on refreshing), the next Down moved in that page and
        # Enter logged a complaint nobody meant.
        browsing = self.navigation.hasFocus()
        refresh = getattr(page, "refresh", None)
        if refresh:
            refresh()
        if browsing:
            self.navigation.setFocus()
        else:
            self._focus_page(row)

    def _focus_page(self, row: int) -> None:
        page = self.pages.get(self._page_keys[row]) if row >= 0 else None
        focus = getattr(page, "focus_main_work", None)
        if focus:
            focus()  # each page puts the cursor on its main work when it opens

