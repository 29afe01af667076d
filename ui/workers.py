"""One path for long work (imports, exports): a QThread with its own database connection.

The job is a plain function `job(store, progress)`; results and errors come back only
through signals, so no widget is touched from the worker thread.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from qos.store.core import Store, open_store

Progress = Callable[[int, int], None]
Job = Callable[[Store, Progress], Any]


class _Runner(QObject):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, db_path: Path, job: Job):
        super().__init__()
        self.db_path = db_path
        self.job = job

    def run(self) -> None:
        try:
            store = open_store(self.db_path, check_integrity=False, migrate=False)
            try:
                result = self.job(store, lambda done, total: self.progressed.emit(done, total))
            finally:
                store.close()
        except BaseException as exc:  # reported to the GUI, which decides how to show it
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
        finally:
            self.finished.emit()


class BackgroundJob(QObject):
    """Start with `.start()`; connect to progressed / succeeded / failed first."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, db_path: Path, job: Job, parent: QObject | None = None):
        super().__init__(parent)
        self.thread = QThread()
        self.runner = _Runner(db_path, job)
        self.runner.moveToThread(self.thread)
        self.thread.started.connect(self.runner.run)
        self.runner.progressed.connect(self.progressed)
        self.runner.succeeded.connect(self.succeeded)
        self.runner.failed.connect(self.failed)
        self.runner.finished.connect(self.thread.quit)
        self.thread.finished.connect(self.finished)

    def start(self) -> None:
        self.thread.start()

    def wait(self, ms: int = 60000) -> bool:
        return self.thread.wait(ms)
