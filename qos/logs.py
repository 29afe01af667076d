"""The app's log: a rotating file in the per-user data folder, for failures a user reports.

It holds what went wrong and where (the kind of error, the traceback), never a victim's
details: the app logs failures only, never record contents, and every line is passed through
`redact`, which masks anything shaped like a phone number or an e-mail address in case an
error message quotes one.
"""
from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path
from typing import Any

from qos.paths import log_dir

LOG_NAME = "qos.log"
MAX_BYTES = 1_000_000
BACKUPS = 4  # qos.log.1 ... qos.log.4: about 5 MB in all

# Nine or more digits, however spaced: a phone number (a date has eight, a time is apart).
_PHONE = re.compile(r"\+?\(?\d(?:[ \-()]{0,2}\d){8,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def redact(text: str) -> str:
    return _EMAIL.sub("[e-mail]", _PHONE.sub("[number]", text))


class RedactingFormatter(logging.Formatter):
    """Redacts the message and the traceback (not the line's own timestamp)."""

    def format(self, record: logging.LogRecord) -> str:
        cached = record.exc_text  # another handler's unredacted traceback text: not reused
        record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = redact(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        return redact(super().formatException(ei))


def configure_logging(folder: Path | None = None) -> Path:
    """Send the app's log records to `folder`/qos.log (default: the per-user data folder).
    Returns the file's path, which messages to the user name. Calling it again replaces the
    file handler rather than adding a second one."""
    path = (folder or log_dir()) / LOG_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(RedactingFormatter(
        "%(asctime)s %(levelname)s %(name)s %(threadName)s: %(message)s"))
    handler.set_name("qos-file")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "qos-file"]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def log_path() -> Path | None:
    """The file the log goes to, once configured."""
    for handler in logging.getLogger().handlers:
        if handler.get_name() == "qos-file" and isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None


def log_failure(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """Log an error with its traceback, once, however many handlers pass it on."""
    if getattr(exc, "_qos_logged", False):
        return
    logger.error("%s: %s", what, type(exc).__name__, exc_info=exc)
    try:
        exc._qos_logged = True  # type: ignore[attr-defined]
    except AttributeError:  # an exception type with __slots__: logged twice at worst
        pass
