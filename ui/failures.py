"""Failures are never silent: a plain message for the user, and a line in the log.

`show_failure` is for jobs that fail in the background (the user is doing something else, so
the message does not block them); `install_excepthook` catches any error nothing else handled,
logs it and says so, instead of the app dying or carrying on without a word."""
from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from qos.logs import log_failure, log_path

log = logging.getLogger(__name__)
_shown: set[QMessageBox] = set()


def where_logged() -> str:
    path = log_path()
    return f"The details are in the log file {path}." if path else ""


def show_failure(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    """A message that does not stop the user's work (non-modal), with where the log is."""
    box = QMessageBox(QMessageBox.Icon.Warning, title,
                      f"{text}\n\n{where_logged()} Tell your administrator if it happens "
                      "again.".strip(), QMessageBox.StandardButton.Close, parent)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _shown.add(box)  # with no parent window nothing else holds it while it is open
    box.finished.connect(lambda _result: _shown.discard(box))
    box.show()
    return box


class _Relay(QObject):
    """Carries an error from any thread to the GUI thread, which alone may show a message."""
    raised = Signal(object)


_relay: _Relay | None = None


def unexpected_error(exc: BaseException) -> None:
    log_failure(log, "unexpected error", exc)
    show_failure(QApplication.activeWindow(), "Something went wrong inside QoS Checks",
                 f"An unexpected error happened ({type(exc).__name__}). What you had already "
                 "saved is safe; check the last thing you did and save it again if needed.")


def install_excepthook(app: QApplication) -> None:
    """Errors nobody handled, in the GUI thread or any other: logged, then shown."""
    global _relay
    _relay = _Relay(app)
    _relay.raised.connect(unexpected_error)  # queued when emitted from another thread

    def hook(kind: type[BaseException], exc: BaseException,
             tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        if _relay is not None:
            _relay.raised.emit(exc)

    sys.excepthook = hook
    threading.excepthook = lambda args: hook(
        args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)
