"""The first-run wizard's choice of place, on the real PostgreSQL server: "this PC only" or
the force's shared database; the connection is tested with a clear message for each failure;
an empty database is set up, one set up already is only signed in to; the choice is
remembered for the next start, and cancelling makes nothing."""
from __future__ import annotations

import itertools
import os
import socket
import time

import psycopg
import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWizard

import qos.paths
import qos.store.shared_setup
import ui.workers
from qos.errors import ValidationError
from qos.paths import remembered_db, resolve_db_path
from qos.store.core import open_store
from qos.store.shared_setup import set_up_shared
from qos.store.users import is_set_up, setup_force
from tests.conftest import PASSWORD, PG_SERVER, pg_unavailable
from tests.test_gui_fit import mnemonic_clashes
from ui.first_run_wizard import ADMIN, FORCE, READY, SERVER, UNITS, WHERE, FirstRunWizard

ALT = Qt.KeyboardModifier.AltModifier
_names = itertools.count(1)


@pytest.fixture
def chosen_here(tmp_path, monkeypatch):
    """This test's own per-user folder, so the real user's remembered choice is untouched."""
    monkeypatch.setattr(qos.paths, "data_dir", lambda: tmp_path / "QoSChecks")
    monkeypatch.delenv("QOS_DB", raising=False)
    return tmp_path / "QoSChecks"


@pytest.fixture
def empty_db():
    """A new, empty database of this test's own on the shared server, dropped afterwards."""
    why = pg_unavailable()
    if why:
        pytest.skip(f"PostgreSQL tests skipped: {why}")
    name = f"qos_h4wiz_{os.getpid()}_{next(_names)}"
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield PG_SERVER.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _tables(url: str) -> int:
    with psycopg.connect(url) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM information_schema.tables "
                                "WHERE table_schema = current_schema()").fetchone()[0])


def _wizard(qtbot, tmp_path) -> FirstRunWizard:
    wizard = FirstRunWizard(None, local_path=tmp_path / "qos.db")
    qtbot.addWidget(wizard)
    with qtbot.waitExposed(wizard):
        wizard.show()
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    return wizard


def _press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def _next(qtbot, wizard) -> None:
    assert mnemonic_clashes(wizard) == {}, wizard.currentPage().title()
    qtbot.keyClick(wizard.button(QWizard.WizardButton.NextButton), Qt.Key.Key_Space)


def _to_server_page(qtbot, wizard) -> None:
    assert wizard.currentId() == WHERE and wizard.where_page.local.isChecked()
    _press(qtbot, Qt.Key.Key_S, ALT)  # The force's &shared database (a click, animated)
    qtbot.waitUntil(wizard.where_page.shared.isChecked)
    _next(qtbot, wizard)
    assert wizard.currentId() == SERVER


def _type_address(qtbot, wizard, url: str) -> str:
    field = wizard.server_page.url
    field.clear()
    qtbot.keyClicks(field, url)
    _next(qtbot, wizard)
    qtbot.waitUntil(lambda: not wizard.server_page.test.waiting, timeout=15000)
    return wizard.server_page.error.text()


@pytest.fixture
def never_answers():
    """An address where something listens but never answers: the kernel completes the TCP
    connection into the listen queue, so only libpq's connect timeout (2 s here) ends it."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(8)
        port = listening.getsockname()[1]
        yield f"postgresql://postgres@127.0.0.1:{port}/qos?connect_timeout=2"


class _Ticks(QObject):
    """What the window's thread does while the server is asked: timer ticks, and paints of
    the progress bar (a thread blocked in connect() gives neither)."""

    def __init__(self, bar) -> None:
        super().__init__()
        self.ticks = self.paints = 0
        self.timer = QTimer()
        self.timer.timeout.connect(self.tick)
        self.timer.start(50)
        bar.installEventFilter(self)

    def tick(self) -> None:
        self.ticks += 1

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def test_a_server_that_never_answers_keeps_the_window_working_and_says_so(
        qtbot, tmp_path, chosen_here, never_answers):
    wizard = _wizard(qtbot, tmp_path)
    _to_server_page(qtbot, wizard)
    page = wizard.server_page
    qtbot.keyClicks(page.url, never_answers)
    _next(qtbot, wizard)
    # The test runs in the background, its wait shown; the window's thread goes on working.
    assert page.test.waiting and page.busy.isVisible() and page.error.text() == ""
    assert page.testing.text().startswith("Testing the connection to postgresql://postgres@")
    assert "takes up to 2 seconds" in page.testing.text()  # the address's own timeout
    seen = _Ticks(page.busy)
    started = time.monotonic()
    qtbot.waitUntil(lambda: page.error.text() != "", timeout=15000)
    waited = time.monotonic() - started
    seen.timer.stop()
    assert waited > 1.5  # it did wait for the timeout ...
    assert seen.ticks >= 0.5 * waited / 0.05 and seen.paints >= 10  # ... drawing all along
    assert page.error.text().startswith(
        f"No PostgreSQL server answered at {never_answers.split('?')[0]}")
    assert "(connection timeout expired)" in page.error.text()
    assert not page.busy.isVisible() and page.testing.text() == ""
    assert wizard.currentId() == SERVER and page.state is None

    # Back while it waits goes back at once, and the test's late answer is dropped.
    _next(qtbot, wizard)
    assert page.test.waiting and page.busy.isVisible()
    _press(qtbot, Qt.Key.Key_B, ALT)  # < &Back (a click, animated)
    qtbot.waitUntil(lambda: wizard.currentId() == WHERE, timeout=1000)
    assert not page.test.waiting and not page.busy.isVisible()
    started = time.monotonic()
    qtbot.waitUntil(lambda: not _running(), timeout=15000)
    assert time.monotonic() - started > 1  # the answer came after going back ...
    assert wizard.currentId() == WHERE and page.error.text() == ""  # ... and moved nothing

    # Cancel (Escape) while it waits closes the wizard at once, with nothing made.
    _next(qtbot, wizard)
    assert wizard.currentId() == SERVER and page.url.text() == never_answers
    _next(qtbot, wizard)
    assert page.test.waiting
    started = time.monotonic()
    _press(qtbot, Qt.Key.Key_Escape)
    assert wizard.result() == QWizard.DialogCode.Rejected and not wizard.isVisible()
    assert time.monotonic() - started < 1
    qtbot.waitUntil(lambda: not _running(), timeout=15000)
    assert wizard.store is None and remembered_db() is None


def _running() -> bool:
    return bool(ui.workers._RUNNING)


def test_shared_choice_tests_the_connection_sets_up_an_empty_database_and_is_remembered(
        qtbot, tmp_path, chosen_here, empty_db):
    wizard = _wizard(qtbot, tmp_path)
    _to_server_page(qtbot, wizard)
    base, name = empty_db.rsplit("/", 1)
    # Each failure stays on the page and says what is wrong, in words to act on.
    said = _type_address(qtbot, wizard, "http://db.force.local/qos")
    assert said.startswith("The address starts with postgresql://")
    said = _type_address(qtbot, wizard, f"{base}/{name}_typo")
    assert said.startswith(f"The server answered, but it has no database called '{name}_typo'")
    said = _type_address(qtbot, wizard, "postgresql://postgres@127.0.0.1:1/" + name)
    assert said.startswith("No PostgreSQL server answered at postgresql://postgres@127.0.0.1:1/")
    said = _type_address(qtbot, wizard, empty_db.replace("postgres@", "nobody_h4@"))
    assert said.startswith("The server refused to let the user 'nobody_h4' in")
    said = _type_address(qtbot, wizard, empty_db + "?sslmode=require")  # libpq's TLS setting
    assert said.startswith("The secure (TLS) connection the address asks for could not be made")
    assert wizard.currentId() == SERVER and _tables(empty_db) == 0
    # The right address: an empty database, so on to set the force up there.
    assert _type_address(qtbot, wizard, empty_db) == ""
    assert wizard.currentId() == FORCE and _tables(empty_db) == 0  # nothing made yet
    qtbot.keyClicks(wizard.force_page.name, "Kent Police")
    _next(qtbot, wizard)
    assert wizard.currentId() == UNITS
    _next(qtbot, wizard)
    assert wizard.currentId() == ADMIN
    page = wizard.admin_page
    qtbot.keyClicks(page.display_name, "Ada Admin")
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.keyClicks(page.confirm, PASSWORD)
    assert mnemonic_clashes(wizard) == {}
    qtbot.keyClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.Key.Key_Space)
    _wait_for_set_up(qtbot, wizard)
    assert wizard.result() == QWizard.DialogCode.Accepted, page.error.text()
    store = wizard.store
    try:
        assert store.target == empty_db and store.path is None
        assert is_set_up(store) and wizard.actor.username == "admin"
        assert [u["code"] for u in store.rows("SELECT code FROM units ORDER BY code")] == [
            "NOR", "SOU"]
    finally:
        store.close()
    assert _tables(empty_db) > 30  # the schema, by the migrations
    assert not (tmp_path / "qos.db").exists()  # no local file on the way
    # python3 main.py (no --db, no QOS_DB) opens the shared database from now on.
    assert remembered_db() == empty_db and resolve_db_path(None) == empty_db
    assert oct((chosen_here / "database.json").stat().st_mode & 0o777) == "0o600"


def _finish_set_up(qtbot, wizard, username: str) -> None:
    page = wizard.admin_page
    page.username.clear()
    qtbot.keyClicks(page.username, username)
    if not page.password.text():
        qtbot.keyClicks(page.display_name, "Ada Admin")
        qtbot.keyClicks(page.password, PASSWORD)
        qtbot.keyClicks(page.confirm, PASSWORD)
    qtbot.keyClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.Key.Key_Space)
    _wait_for_set_up(qtbot, wizard)


def _wait_for_set_up(qtbot, wizard) -> None:
    """The shared set-up runs in the background: its answer, whatever it is."""
    qtbot.waitUntil(lambda: not wizard.setting_up.waiting, timeout=30000)


def test_a_set_up_that_fails_after_the_migrations_leaves_the_shared_database_empty(
        qtbot, tmp_path, chosen_here, empty_db, monkeypatch):
    made_before_failing: list[int] = []
    real_setup_force = qos.store.shared_setup.setup_force

    def counting(store, *args):  # the tables the migrations made, seen inside the transaction
        made_before_failing.append(store.scalar(
            "SELECT COUNT(*) FROM information_schema.tables "
            "WHERE table_schema = current_schema()"))
        return real_setup_force(store, *args)

    monkeypatch.setattr(qos.store.shared_setup, "setup_force", counting)
    wizard = _wizard(qtbot, tmp_path)
    _to_server_page(qtbot, wizard)
    assert _type_address(qtbot, wizard, empty_db) == ""
    qtbot.keyClicks(wizard.force_page.name, "Kent Police")
    _next(qtbot, wizard)
    _next(qtbot, wizard)
    # A user name the store refuses (the page checks only that there is one): the set-up
    # fails after the migrations, the force's name and its units were written.
    _finish_set_up(qtbot, wizard, "ada admin")
    assert wizard.isVisible() and wizard.currentId() == ADMIN
    assert wizard.admin_page.error.text() == (
        "A user name must be 1 to 64 characters with no spaces.")
    # Nothing typed is lost, and the buttons work again to put it right.
    assert wizard.force_page.name.text() == "Kent Police"
    assert [u["code"] for u in wizard.units_page.units()] == ["NOR", "SOU"]
    page = wizard.admin_page
    assert (page.username.text(), page.display_name.text()) == ("ada admin", "Ada Admin")
    assert page.password.text() == page.confirm.text() == PASSWORD
    assert not page.username.isReadOnly() and not page.busy.isVisible()
    assert all(wizard.button(b).isEnabled() for b in (
        QWizard.WizardButton.BackButton, QWizard.WizardButton.FinishButton,
        QWizard.WizardButton.CancelButton))
    assert made_before_failing[0] > 30
    assert _tables(empty_db) == 0 and remembered_db() is None  # as empty as it was
    # So the next try (or the next run's wizard) sets up an empty database, whole.
    _finish_set_up(qtbot, wizard, "ada")
    assert wizard.result() == QWizard.DialogCode.Accepted, wizard.admin_page.error.text()
    try:
        assert is_set_up(wizard.store) and wizard.actor.username == "ada"
        assert wizard.store.scalar("SELECT COUNT(*) FROM units") == 2
    finally:
        wizard.store.close()
    assert _tables(empty_db) == made_before_failing[1] == made_before_failing[0]


def test_a_failed_set_up_keeps_the_tables_server_setup_made(empty_db):
    """The DBA made the tables (server-setup runs the migrations as the owner): a failed
    set-up keeps them, and leaves no force in them."""
    open_store(empty_db).close()
    made = _tables(empty_db)
    with pytest.raises(ValidationError, match="no spaces"):
        set_up_shared(empty_db, "Kent Police", [{"code": "NOR", "name": "North"}],
                      "ada admin", "Ada Admin", PASSWORD)
    assert _tables(empty_db) == made
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM settings WHERE key = 'force_name'"
                            ).fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM units").fetchone()[0] == 0
    store, actor = set_up_shared(empty_db, "Kent Police", [{"code": "NOR", "name": "North"}],
                                 "ada", "Ada Admin", PASSWORD)
    try:
        assert is_set_up(store) and actor.username == "ada" and _tables(empty_db) == made
    finally:
        store.close()


def test_a_shared_database_set_up_already_is_only_signed_in_to(
        qtbot, tmp_path, chosen_here, empty_db):
    existing = open_store(empty_db)
    setup_force(existing, "Kent Police", [{"code": "NOR", "name": "North"}], "admin",
                "Ada Admin", PASSWORD)
    existing.close()
    wizard = _wizard(qtbot, tmp_path)
    _to_server_page(qtbot, wizard)
    assert _type_address(qtbot, wizard, empty_db) == ""
    assert wizard.currentId() == READY
    assert "already set up for Kent Police" in wizard.ready_page.note.text()
    qtbot.keyClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.Key.Key_Space)
    assert wizard.result() == QWizard.DialogCode.Accepted
    assert wizard.actor is None  # the sign-in dialog comes next
    try:
        assert wizard.store.scalar("SELECT COUNT(*) FROM users") == 1  # no second admin
    finally:
        wizard.store.close()
    assert remembered_db() == empty_db


def test_a_database_of_another_program_is_refused(qtbot, tmp_path, chosen_here, empty_db):
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
    wizard = _wizard(qtbot, tmp_path)
    _to_server_page(qtbot, wizard)
    said = _type_address(qtbot, wizard, empty_db)
    assert said.startswith(f"The database '{empty_db.rsplit('/', 1)[1]}' already holds other "
                           "tables (invoices, ...)")
    assert wizard.currentId() == SERVER and _tables(empty_db) == 1


def test_cancelling_after_a_good_connection_test_makes_nothing(
        qtbot, tmp_path, chosen_here, empty_db):
    wizard = _wizard(qtbot, tmp_path)
    _to_server_page(qtbot, wizard)
    assert _type_address(qtbot, wizard, empty_db) == ""
    qtbot.keyClicks(wizard.force_page.name, "Kent Police")
    _press(qtbot, Qt.Key.Key_Escape)
    assert wizard.result() == QWizard.DialogCode.Rejected and wizard.store is None
    assert _tables(empty_db) == 0 and remembered_db() is None
    assert list(tmp_path.iterdir()) == []  # no file, no remembered choice, no folder


def test_this_pc_only_makes_the_local_file_and_remembers_it(qtbot, tmp_path, chosen_here):
    wizard = _wizard(qtbot, tmp_path)
    _next(qtbot, wizard)  # "This PC only" is the default
    assert wizard.currentId() == FORCE
    qtbot.keyClicks(wizard.force_page.name, "Kent Police")
    _next(qtbot, wizard)
    _next(qtbot, wizard)
    page = wizard.admin_page
    qtbot.keyClicks(page.display_name, "Ada Admin")
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.keyClicks(page.confirm, PASSWORD)
    qtbot.keyClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.Key.Key_Space)
    assert wizard.result() == QWizard.DialogCode.Accepted, page.error.text()
    try:
        assert wizard.store.path == tmp_path / "qos.db" and is_set_up(wizard.store)
    finally:
        wizard.store.close()
    assert remembered_db() == str(tmp_path / "qos.db")
    assert resolve_db_path(None) == tmp_path / "qos.db"


def test_the_window_asks_where_only_when_nothing_chose_the_database(
        chosen_here, monkeypatch):
    import main
    import ui.app
    from qos.cli import parse
    from qos.paths import remember_db

    opened: list[tuple[object, bool]] = []
    monkeypatch.setattr(ui.app, "run_app", lambda target, *, choose_place=False: opened.append(
        (target, choose_place)) or 0)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert main.open_window(parse(["gui"])) == 0  # a first run: the wizard asks
    monkeypatch.setenv("QOS_DB", "postgresql://qos@db.force.local/qos")
    main.open_window(parse(["gui"]))
    monkeypatch.delenv("QOS_DB")
    main.open_window(parse(["gui", "--db", "postgresql://qos@db2/qos"]))
    remember_db("postgresql://qos@db3/qos")
    main.open_window(parse(["gui"]))
    assert opened == [(chosen_here / "qos.db", True),
                      ("postgresql://qos@db.force.local/qos", False),
                      ("postgresql://qos@db2/qos", False),
                      ("postgresql://qos@db3/qos", False)]
