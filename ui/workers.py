"""One path for long work (imports, exports): a QThread with its own database connection.

The job is a plain function `job(store, progress)`; results and errors come back only
through signals, so no widget is touched from the worker thread. A job with no store of ours
to open (the first-run wizard's connection test, before there is one) is `job(progress)`,
started with `db=None`.

A worker opens the database again by the store's target, its file's path or the shared
database's URL (`reopen_target`, the one place that decides): never by `store.path`, which is
None on PostgreSQL and once made a SQLite file called "None".
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from qos.errors import QosError
from qos.logs import log_failure
from qos.progress import Progress
from qos.store.core import Store, open_store

log = logging.getLogger(__name__)

Job = Callable[[Store, Progress], Any]
Task = Callable[[Progress], Any]  # a job that opens no store (db=None)
# What a worker is given to open: the page's own store, or its target (a path or a URL).
Reopen = Store | Path | str


def reopen_target(db: Reopen) -> str:
    """The path or URL a worker opens for its own connection to `db`'s database."""
    target = db.target if isinstance(db, Store) else str(db)
    if target in (":memory:", "", "None"):
        # An in-memory store cannot be reached from another connection; "None" is a lost path.
        raise ValueError(f"A background job cannot reopen the database {target!r}.")
    return target


class _Runner(QObject):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, work: Task):
        super().__init__()
        self.work = work

    def run(self) -> None:
        try:
            result = self.work(lambda done, total: self.progressed.emit(done, total))
        except BaseException as exc:  # noqa: BLE001 (reported to the GUI, which shows it)
            if not isinstance(exc, QosError):  # a defect: logged here, whoever listens
                log_failure(log, "background job failed", exc)
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
        finally:
            self.finished.emit()
            # Quit from inside the worker: a queued quit() would wait for the GUI's event
            # loop, which may not be running (at exit, or between tests).
            QThread.currentThread().quit()


def _on_own_connection(target: str, job: Job) -> Task:
    """The job on a connection the worker thread opens (and closes) itself."""
    def work(progress: Progress) -> Any:
        store = open_store(target, check_integrity=False, migrate=False)
        try:
            return job(store, progress)
        finally:
            store.close()
    return work


_RUNNING: set[BackgroundJob] = set()


def wait_for_background_jobs(ms: int = 60000) -> None:
    """Let running jobs finish (at exit, and after each GUI test): a QThread must never be
    destroyed while it runs."""
    for job in list(_RUNNING):
        job.wait(ms)


class BackgroundJob(QObject):
    """Start with `.start()`; connect to progressed / succeeded / failed first. `db`: the
    store (or its path or URL) the worker opens again for `job(store, progress)`; None for a
    `job(progress)` that opens no store of ours.

    The job is not a Qt child of `parent`: closing a page must not destroy a running thread.
    If the parent goes first, the job finishes quietly and its results go nowhere.
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, db: Reopen | None, job: Job | Task, parent: QObject | None = None):
        super().__init__(None)
        if parent is not None:
            parent.destroyed.connect(self._orphaned)
        self.thread = QThread()
        work = job if db is None else _on_own_connection(reopen_target(db), job)
        self.runner = _Runner(work)
        self.runner.moveToThread(self.thread)
        self.thread.started.connect(self.runner.run)
        self.parent_gone = False
        self.runner.progressed.connect(lambda done, total: self._forward(
            self.progressed, done, total))
        self.runner.succeeded.connect(lambda result: self._forward(self.succeeded, result))
        self.runner.failed.connect(lambda exc: self._forward(self.failed, exc))
        self.thread.finished.connect(lambda: self._forward(self.finished))
        self.thread.finished.connect(lambda: _RUNNING.discard(self))

    def _orphaned(self) -> None:
        self.parent_gone = True

    def _forward(self, signal: Any, *args: Any) -> None:
        if not self.parent_gone:  # the page that asked is gone: nobody to tell
            signal.emit(*args)

    def start(self) -> None:
        _RUNNING.add(self)
        self.thread.start()

    def wait(self, ms: int = 60000) -> bool:
        return self.thread.wait(ms)


class NewestAnswer:
    """Background questions of which only the newest counts (a page's figures for the unit
    or month now chosen). Asking again never waits for an older job, which may still be
    catching up; its answer, error or progress is dropped when it comes."""

    def __init__(self, owner: QObject, db: Reopen | None):
        self.owner = owner
        self.target = None if db is None else reopen_target(db)  # None: jobs are Tasks
        self.job: BackgroundJob | None = None  # the newest question, while unanswered

    @property
    def waiting(self) -> bool:
        return self.job is not None

    def drop(self) -> None:
        """Forget the question asked (the user went back or cancelled): its answer is dropped."""
        self.job = None

    def ask(self, work: Job | Task, answered: Callable[[Any], None],
            failed: Callable[[BaseException], None],
            progressed: Callable[[int, int], None] | None = None) -> BackgroundJob:
        job = BackgroundJob(self.target, work, self.owner)

        def newest(handler: Callable[..., None], done: bool) -> Callable[..., None]:
            def deliver(*args: Any) -> None:
                if job is self.job:
                    if done:
                        self.job = None
                    handler(*args)
            return deliver

        job.succeeded.connect(newest(answered, True))
        job.failed.connect(newest(failed, True))
        if progressed is not None:
            job.progressed.connect(newest(progressed, False))
        self.job = job
        job.start()
        return job
