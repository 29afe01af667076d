"""Start the GUI: open the database, run first-time set-up or sign-in, show the main window."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from qos.errors import QosError
from qos.logs import configure_logging, log_failure
from qos.paths import backup_dir_for
from qos.roles import SYSTEM, Actor
from qos.settings import setting
from qos.store.audit import anchor_now
from qos.store.backups import latest_backup, restore
from qos.store.core import Store, open_store
from qos.store.dialect import is_server_url
from qos.store.server_check import probe_server
from qos.store.users import is_set_up
from qos.upkeep import UpkeepReport, daily_upkeep, plain_reason
from ui.failures import install_excepthook, show_failure
from ui.idle_lock import IdleLock
from ui.style import apply_app_style
from ui.workers import BackgroundJob, Reopen, reopen_target, wait_for_background_jobs

log = logging.getLogger(__name__)


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setApplicationName("QoS Checks")
    app.setOrganizationName("QoSChecks")
    apply_app_style(app)
    return app


def sign_in_flow(store: Store) -> Actor | None:
    """First run: the set-up wizard signs the new administrator in. Later: the login dialog."""
    from ui.first_run_wizard import FirstRunWizard

    if not is_set_up(store):
        wizard = FirstRunWizard(store)
        if wizard.exec() != QDialog.DialogCode.Accepted:
            return None  # the caller removes the empty database the wizard was for
        return wizard.actor
    return log_in(store)


def log_in(store: Store) -> Actor | None:
    from ui.login_dialog import LoginDialog

    login = LoginDialog(store, str(setting(store, "force_name")))
    if login.exec() != QDialog.DialogCode.Accepted:
        return None
    return login.actor


def first_run(local_path: Path | None = None, server_url: str | None = None
              ) -> tuple[Store, Actor] | None:
    """The first-run wizard. With `local_path`: nothing chosen yet on this PC, so it asks
    where (this PC, or the force's shared database) and sets it up there; a shared database
    set up already goes on to sign-in. With `server_url`: --db or QOS_DB names an empty
    shared database, whose tables and force it makes in one transaction on Finish, so Cancel
    leaves it as empty as it was (opening it first would have migrated it).
    None: cancelled, and the wizard made nothing."""
    from ui.first_run_wizard import FirstRunWizard

    wizard = FirstRunWizard(None, local_path=local_path, server_url=server_url)
    if wizard.exec() != QDialog.DialogCode.Accepted or wizard.store is None:
        # Closed during a connection test or a set-up: its thread ends before the app does.
        wait_for_background_jobs()
        return None
    actor = wizard.actor or log_in(wizard.store)
    if actor is None:
        wizard.store.close()
        return None
    return wizard.store, actor


def integrity_check_job(window: QWidget, db: Reopen) -> BackgroundJob:
    """The daily upkeep (integrity check, backup, retention, deadline catch-up) in the
    background, on its own connection to the database (`db`: the window's store, or its
    path or URL). Not started. Damage (a SQLite file's) offers the newest backup; any other
    failure is shown and logged (qos.upkeep logs each failed step)."""
    job = BackgroundJob(db, lambda store, progress: daily_upkeep(store), window)
    target = reopen_target(db)  # a file's damage offers its backups; a server keeps its own
    db_path = None if is_server_url(target) else Path(target)

    def report(result: UpkeepReport) -> None:
        if result.damage and db_path is not None:
            offer_restore(window, db_path, result.damage)
        if result.failures:
            show_failure(window, "The daily upkeep did not finish",
                         "\n".join(result.failures))

    def failed(exc: BaseException) -> None:
        log_failure(log, "daily upkeep could not run", exc)
        show_failure(window, "The daily upkeep did not run",
                     f"The daily backup and checks could not run: {plain_reason(exc)}.")

    job.succeeded.connect(report)
    job.failed.connect(failed)
    return job


def offer_restore(window: QWidget, db_path: Path, problem: str) -> None:
    """Say plainly what is wrong and offer the newest backup; the damaged file is kept."""
    newest = latest_backup(db_path)
    box = QMessageBox(QMessageBox.Icon.Critical, "The database is damaged",
                      f"SQLite reports damage in {db_path}: {problem}\n\nStop entering data. "
                      + (f"The newest backup is {newest.name}. Restore it now? The damaged "
                         "file is kept beside the backups." if newest else
                         f"No automatic backup was found in {backup_dir_for(db_path)}; ask "
                         "your administrator."), parent=window)
    restore_button = box.addButton("Restore the newest backup",
                                   QMessageBox.ButtonRole.AcceptRole) if newest else None
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    if newest is None or box.clickedButton() is not restore_button:
        return
    store = open_store(db_path, migrate=False)
    try:
        restore(store, SYSTEM, newest)
    except QosError as exc:
        QMessageBox.critical(window, "The restore did not work", str(exc))
        return
    finally:
        store.close()
    QMessageBox.information(window, "Restored", f"{newest.name} was restored. QoS Checks will "
                            "now close; start it again to carry on.")
    window.close()


def run_app(db_path: Path | str, *, choose_place: bool = False) -> int:
    """The window on a SQLite file (a Path) or the force's shared database (a URL).
    `choose_place`: nothing chose the database (no --db, QOS_DB or earlier choice), so a
    first run asks where it should be before making anything. Started by ui.launch, which
    checks first that Qt's system libraries are there."""
    app = make_application()
    try:
        configure_logging()
    except OSError as exc:  # a read-only profile: run without the file, and say so once
        print(f"QoS Checks cannot write its log file: {exc}", file=sys.stderr)
    install_excepthook(app)
    new_file = not is_server_url(db_path) and not Path(db_path).exists()
    try:
        # Read, not opened: opening an empty shared database would migrate it before the
        # wizard, and Cancel would leave tables and no force.
        empty_server = is_server_url(db_path) and not probe_server(str(db_path)).holds_qos
    except QosError as exc:
        QMessageBox.critical(None, "QoS Checks cannot open its database", str(exc))
        return 1
    if (choose_place and new_file) or empty_server:
        chosen = (first_run(server_url=str(db_path)) if empty_server
                  else first_run(Path(db_path)))
        if chosen is None:
            return 0
        store, actor = chosen
    else:
        try:
            store = open_store(db_path)
        except QosError as exc:
            QMessageBox.critical(None, "QoS Checks cannot open its database", str(exc))
            return 1
        signed_in = sign_in_flow(store)
        if signed_in is None:
            set_up = is_set_up(store)
            store.close()
            if new_file and not set_up:
                # set-up cancelled: no half-made file is left
                from ui.first_run_wizard import remove_unfinished

                remove_unfinished(Path(db_path))
            return 0
        actor = signed_in
    from ui.main_window import MainWindow

    window = MainWindow(store, actor, str(setting(store, "force_name")))
    window.show()
    IdleLock(window, store, actor, float(setting(store, "idle_lock_minutes")))
    integrity_check_job(window, store).start()
    # A window left open for days still gets its daily backup (taken only once a day).
    daily = QTimer(window)
    daily.timeout.connect(lambda: integrity_check_job(window, store).start())
    daily.start(6 * 60 * 60 * 1000)
    code = app.exec()
    wait_for_background_jobs()
    try:  # the trail's head, kept outside the database at every closing
        anchor_now(store, actor, "app closed")
    except OSError:
        pass  # a read-only folder: the backups' anchors still stand
    store.close()
    return code
