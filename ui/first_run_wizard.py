"""First run: where the database lives (this PC, or the force's shared PostgreSQL database),
then the force's name, its units and the first administrator account.

Nothing is made until Finish: cancelling leaves no file, no tables and no remembered choice.
A shared database that is already set up skips straight to signing in. Finish on a shared
database sets it up in the background (migrations and force in one transaction, seconds on
a slow server): the window keeps drawing, and a failure keeps everything typed.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from qos.errors import QosError
from qos.passwords import password_problem
from qos.paths import remember_db
from qos.roles import Actor
from qos.store.core import Store, open_store
from qos.store.dialect import is_server_url
from qos.store.pgconn import connect_timeout_s, redact
from qos.store.server_check import ServerState, probe_server
from qos.store.shared_setup import set_up_shared
from qos.store.users import is_set_up, setup_force
from ui.style import set_role
from ui.widgets import hint_label
from ui.workers import NewestAnswer

DEFAULT_UNITS = [("NOR", "North Division", "BCU"), ("SOU", "South Division", "BCU")]


class _WherePage(QWizardPage):
    def __init__(self, local_path: Path) -> None:
        super().__init__()
        self.setTitle("Where QoS Checks keeps its records")
        self.setSubTitle("Choose once; QoS Checks opens the same place every time after.")
        self.local = QRadioButton(f"&This PC only (a file: {local_path})")
        self.shared = QRadioButton("The force's &shared database (PostgreSQL on a server)")
        self.local.setChecked(True)
        group = QButtonGroup(self)  # arrow keys move between the two
        group.addButton(self.local)
        group.addButton(self.shared)
        layout = QVBoxLayout(self)
        layout.addWidget(self.local)
        layout.addWidget(hint_label("For one desk, or to try the app. Needs no server."))
        layout.addWidget(self.shared)
        layout.addWidget(hint_label(
            "For a force: every desk works on the same records and one monthly summary. "
            "Your database administrator gives you its address."))
        layout.addStretch(1)


class _ServerPage(QWizardPage):
    """The shared database's address, tested on Next in the background (the connection may
    wait up to its 10 s timeout on a server that never answers): the window keeps drawing,
    Back and Cancel still work, and the page goes on by itself once the test passes, or
    stays, saying what is wrong."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("The force's shared database")
        self.setSubTitle("Its address, as your database administrator gave it.")
        self.url = QLineEdit()
        self.url.setAccessibleName("Database address")
        self.url.setPlaceholderText("postgresql://user@host:5432/qoschecks?sslmode=verify-full")
        self.url.textEdited.connect(self.forget_test)
        self.error = QLabel("")
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")
        self.testing = QLabel("")
        self.testing.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # no figures to show: a moving bar while the server is asked
        self.busy.setAccessibleName("Testing the connection")
        self.busy.hide()
        self.state: ServerState | None = None
        self.test = NewestAnswer(self, None)
        # A plain column: wrapped labels spanning a form's rows were drawn over each other.
        form = QFormLayout()
        label = QLabel("Database &address:")
        label.setBuddy(self.url)
        form.addRow(label, self.url)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint_label(
            "postgresql://USER@HOST:PORT/DATABASE. TLS and libpq's other settings go after "
            "'?' (sslmode=verify-full&sslrootcert=...). A password is best kept in libpq's "
            "password file (pgpass); one written in the address is remembered on this PC, "
            "readable by you only."))
        layout.addWidget(self.testing)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def validatePage(self) -> bool:
        url = self.url.text().strip()
        if self.state is not None and self.state.url == url:
            return True  # tested: on to the next page
        if self.test.waiting:
            return False  # Next again while the test runs: it is under way already
        self.state = None
        if not is_server_url(url):
            self.error.setText("The address starts with postgresql:// (for example "
                               "postgresql://qos@db.force.local/qoschecks).")
            return False
        self.error.setText("")
        self.testing.setText(f"Testing the connection to {redact(url)} ... A server that "
                             f"does not answer takes up to {connect_timeout_s(url)} seconds; "
                             "Back or Cancel stops waiting.")
        self.busy.show()
        self.test.ask(lambda progress: probe_server(url), self._tested, self._untested)
        return False

    def _tested(self, state: ServerState) -> None:
        self.forget_test()
        self.state = state
        self.wizard().next()  # validatePage again, which now lets it go on

    def _untested(self, exc: BaseException) -> None:
        self.forget_test()
        self.error.setText(str(exc) if isinstance(exc, QosError) else
                           f"The connection could not be tested: {exc}")

    def forget_test(self) -> None:
        """The address changed, or the user went back or cancelled: a test under way no
        longer counts, and a passed one is for another address."""
        self.test.drop()
        self.busy.hide()
        self.testing.setText("")

    def cleanupPage(self) -> None:  # Back
        self.forget_test()
        self.error.setText("")


class _ReadyPage(QWizardPage):
    """The shared database is set up already: nothing to set up, only sign in."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Connected")
        self.note = QLabel("")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addStretch(1)

    def initializePage(self) -> None:
        wizard = self.wizard()
        assert isinstance(wizard, FirstRunWizard)
        state = wizard.server_page.state
        self.note.setText(
            f"This shared database is already set up for {state.force_name if state else ''}. "
            "Press Finish, then sign in with the account your administrator gave you. "
            "QoS Checks will open this database from now on.")


class _ForcePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Your force")
        self.setSubTitle("QoS Checks keeps one database per force. What is the force called?")
        self.name = QLineEdit()
        self.name.setAccessibleName("Force name")
        self.name.setPlaceholderText("e.g. Kent Police")
        form = QFormLayout(self)
        label = QLabel("&Force name:")
        label.setBuddy(self.name)
        form.addRow(label, self.name)
        self.registerField("force_name*", self.name)


class _UnitsPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Units")
        self.setSubTitle("List the BCUs and departments that must each do their monthly QoS "
                         "checks. You can add more, or change them, later under Admin.")
        self.table = QTableWidget(0, 4)
        set_role(self.table, "table")
        self.table.setAccessibleName("Units")
        self.table.setHorizontalHeaderLabels(["Code", "Name", "Kind", "Checks a month"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(90)
        self.table.verticalHeader().setDefaultSectionSize(34)  # room for the boxes' frames
        for code, name, kind in DEFAULT_UNITS:
            self.add_row(code, name, kind)
        add = QPushButton("&Add a unit")
        add.clicked.connect(self.add_unit)
        remove = QPushButton("&Remove the selected unit")
        remove.clicked.connect(lambda: self.table.removeRow(self.table.currentRow()))
        self.error = QLabel("")
        set_role(self.error, "error")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(add)
        layout.addWidget(remove)
        layout.addWidget(self.error)

    def add_unit(self) -> None:
        """A new row, with the cursor in its code cell ready to type."""
        self.add_row("", "", "BCU")
        row = self.table.rowCount() - 1
        self.table.setFocus()
        self.table.setCurrentCell(row, 0)
        self.table.editItem(self.table.item(row, 0))

    def add_row(self, code: str, name: str, kind: str) -> None:
        from PySide6.QtWidgets import QTableWidgetItem

        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(code))
        self.table.setItem(row, 1, QTableWidgetItem(name))
        combo = QComboBox()
        combo.addItems(["BCU", "department"])
        combo.setCurrentText(kind)
        combo.setAccessibleName("Kind of unit")
        self.table.setCellWidget(row, 2, combo)
        target = QSpinBox()
        target.setRange(0, 10000)
        target.setValue(50)
        target.setAccessibleName("Checks a month")
        self.table.setCellWidget(row, 3, target)

    def units(self) -> list[dict[str, object]]:
        result = []
        for row in range(self.table.rowCount()):
            code_item, name_item = self.table.item(row, 0), self.table.item(row, 1)
            code = code_item.text().strip() if code_item else ""
            name = name_item.text().strip() if name_item else ""
            if not code and not name:
                continue
            kind = self.table.cellWidget(row, 2)
            target = self.table.cellWidget(row, 3)
            assert isinstance(kind, QComboBox) and isinstance(target, QSpinBox)
            result.append({"code": code, "name": name, "kind": kind.currentText(),
                           "monthly_target": target.value()})
        return result

    def validatePage(self) -> bool:
        units = self.units()
        if not units:
            self.error.setText("Add at least one unit.")
            return False
        if any(not u["code"] or not u["name"] for u in units):
            self.error.setText("Every unit needs both a code and a name.")
            return False
        codes = [str(u["code"]).upper() for u in units]
        if len(set(codes)) != len(codes):
            self.error.setText("Two units have the same code.")
            return False
        self.error.setText("")
        return True


class _AdminPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("First administrator")
        self.setSubTitle("This account sets up the others. Keep its password safe.")
        self.username = QLineEdit("admin")
        self.display_name = QLineEdit()
        self.password = QLineEdit()
        self.confirm = QLineEdit()
        for editor, name in ((self.username, "User name"), (self.display_name, "Your name"),
                             (self.password, "Password"), (self.confirm, "Password again")):
            editor.setAccessibleName(name)
        for editor in (self.password, self.confirm):
            editor.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel("")
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        for text, editor in (("&User name:", self.username), ("Your &name:", self.display_name),
                             ("&Password:", self.password), ("Password &again:", self.confirm)):
            label = QLabel(text)
            label.setBuddy(editor)
            form.addRow(label, editor)
        form.addRow(hint_label("At least 8 characters."))
        form.addRow(self.error)
        self.working = QLabel("")
        self.working.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # the server gives no figures: a moving bar while it works
        self.busy.setAccessibleName("Setting up the shared database")
        self.busy.hide()
        form.addRow(self.working)
        form.addRow(self.busy)

    def validatePage(self) -> bool:
        problem = password_problem(self.password.text())
        if not self.username.text().strip() or not self.display_name.text().strip():
            problem = "Please give a user name and your name."
        elif self.password.text() != self.confirm.text():
            problem = "The two passwords are not the same."
        self.error.setText(problem or "")
        return problem is None


WHERE, SERVER, READY, FORCE, UNITS, ADMIN = range(6)


def remove_unfinished(db_path: Path) -> None:
    """The database file (and SQLite's side files) made for a set-up that did not finish."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


class FirstRunWizard(QWizard):
    """`store`: set up that database (its place was chosen already, by --db or QOS_DB).
    `server_url`: set up that empty shared database (chosen by --db or QOS_DB), nothing of it
    made before Finish. Neither: first ask where, with `local_path` as "this PC only"; Finish
    makes the store there and remembers the choice. After Finish, `self.store` is the open
    store and `self.actor` the new administrator, or None when a shared database was set up
    already and the user must sign in."""

    def __init__(self, store: Store | None, parent: QWidget | None = None, *,
                 local_path: Path | None = None, server_url: str | None = None):
        super().__init__(parent)
        self.store = store
        self.local_path = local_path
        self.server_url = server_url
        self.asks_where = store is None and server_url is None
        self.actor: Actor | None = None
        self.setWindowTitle("Set up QoS Checks")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setMinimumSize(640, 460)
        self.where_page = _WherePage(local_path or Path("qos.db"))
        self.server_page = _ServerPage()
        self.ready_page = _ReadyPage()
        self.force_page = _ForcePage()
        self.units_page = _UnitsPage()
        self.admin_page = _AdminPage()
        if self.asks_where:
            self.setPage(WHERE, self.where_page)
            self.setPage(SERVER, self.server_page)
            self.setPage(READY, self.ready_page)
        self.setPage(FORCE, self.force_page)
        self.setPage(UNITS, self.units_page)
        self.setPage(ADMIN, self.admin_page)
        self.setStartId(WHERE if self.asks_where else FORCE)
        self.setting_up = NewestAnswer(self, None)  # the shared set-up, under way
        self.closing = False  # closed during the set-up: closes once it ends

    @property
    def shared(self) -> bool:
        if self.server_url is not None:
            return True
        return self.asks_where and self.where_page.shared.isChecked()

    def nextId(self) -> int:
        current = self.currentId()
        if current == WHERE:
            return SERVER if self.shared else FORCE
        if current == SERVER:
            state = self.server_page.state
            return READY if state is not None and state.ready else FORCE
        if current == READY:
            return -1
        return super().nextId()

    def accept(self) -> None:
        if self.setting_up.waiting:
            return  # Finish again (Enter) while the set-up runs: it is under way already
        # Finish normally validates the page first, but accept() can also be reached directly.
        if self.currentId() != READY and not self.admin_page.validatePage():
            return
        target = self._target()
        setting_up = self.currentId() != READY
        if setting_up and is_server_url(target):
            self._set_up_shared(target)
            return
        opened = self.store is None
        new_file = opened and not is_server_url(target) and not Path(target).exists()
        try:
            store = self.store if self.store is not None else open_store(target)
        except QosError as exc:
            self._show_error(str(exc))
            return
        actor: Actor | None = None
        try:
            if setting_up or not is_set_up(store):
                actor = setup_force(store, *self._force_details())
            if self.asks_where:
                remember_db(target)  # python3 main.py opens it from now on
        except (QosError, OSError) as exc:
            if opened:
                store.close()
            if new_file:
                remove_unfinished(Path(target))  # a file this Finish made goes again
            self._show_error(str(exc))
            return
        self.store, self.actor = store, actor
        super().accept()

    def _set_up_shared(self, url: str) -> None:
        """Its tables and the force in one transaction (set_up_shared), in the background: a
        failure leaves the shared database as it was, not half set up for the next run to
        carry on in, and the window keeps drawing while a slow server works."""
        details = self._force_details()
        keep_ours = self.store is not None  # --db on a database with tables: keep that store

        def work(progress: object) -> tuple[Store | None, Actor]:
            store, actor = set_up_shared(url, *details)
            if keep_ours:
                store.close()
                return None, actor
            return store, actor

        self._busy(f"Setting up the shared database {redact(url)} ... On a slow server this "
                   "takes a while; closing the window waits until it ends.")
        self.setting_up.ask(work, self._shared_done, self._shared_failed)

    def _busy(self, text: str) -> None:
        page = self.admin_page
        page.error.setText("")
        page.working.setText(text)
        page.busy.setVisible(bool(text))
        for button in (QWizard.WizardButton.BackButton, QWizard.WizardButton.FinishButton,
                       QWizard.WizardButton.CancelButton):
            self.button(button).setEnabled(not text)
        for field in (page.username, page.display_name, page.password, page.confirm):
            field.setReadOnly(bool(text))  # kept as typed; not changed under a running set-up

    def _shared_done(self, result: tuple[Store | None, Actor]) -> None:
        self._busy("")
        store, actor = result
        if store is not None:
            try:
                if self.asks_where and not self.closing:
                    remember_db(self._target())  # python3 main.py opens it from now on
            except OSError as exc:
                store.close()
                self._show_error(f"The shared database is set up, but this PC could not "
                                 f"remember it: {exc}")
                return
            if self.closing:
                store.close()  # closed meanwhile: set up whole, signed in to next time
                store = None
        if self.closing:
            super().reject()
            return
        self.store = store if store is not None else self.store
        self.actor = actor
        super().accept()

    def _shared_failed(self, exc: BaseException) -> None:
        self._busy("")
        if self.closing:
            super().reject()
            return
        self._show_error(str(exc) if isinstance(exc, QosError) else
                         f"The shared database could not be set up: {exc}")

    def reject(self) -> None:
        if self.setting_up.waiting:
            # A half-done transaction cannot be left mid-way from here: close once it ends.
            self.closing = True
            self.admin_page.working.setText(
                "Closing once the set-up ends (it cannot be stopped half way) ...")
            return
        super().reject()

    def _force_details(self) -> tuple[str, list[dict[str, object]], str, str, str]:
        return (self.force_page.name.text(), self.units_page.units(),
                self.admin_page.username.text(), self.admin_page.display_name.text(),
                self.admin_page.password.text())

    def done(self, result: int) -> None:
        self.server_page.forget_test()  # a late answer must not move a closed wizard on
        super().done(result)

    def _target(self) -> str:
        if self.store is not None:
            return self.store.target
        if self.server_url is not None:
            return self.server_url
        if self.shared:
            return self.server_page.url.text().strip()
        return str(self.local_path or Path("qos.db"))

    def _show_error(self, text: str) -> None:
        page = self.currentPage()
        label = getattr(page, "error", None)
        if isinstance(label, QLabel):
            label.setText(text)
        else:
            self.ready_page.note.setText(text)


__all__ = ["FirstRunWizard", "QWidget"]
