"""An exclusive lock on a file, held by the operating system: two processes appending to the
same anchor history take turns instead of each writing back what it read, losing the
other's anchor. The lock is on a separate file beside the history, because the history
itself is replaced by rename at every write."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qos.errors import ValidationError

WINDOWS_TRIES = 6  # msvcrt retries each for 10 s: a minute in all, then a clear message


@contextmanager
def locked_beside(path: Path) -> Iterator[None]:
    """Hold the lock on `<path>.lock` for the duration; it is released if the holder dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+b") as handle:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)  # msvcrt locks bytes from the current position: always byte 0
            for attempt in range(WINDOWS_TRIES):
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    if attempt == WINDOWS_TRIES - 1:
                        raise ValidationError(
                            f"{path} has been locked by another program for a minute; "
                            "close it and try again.") from None
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # waits for the holder
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


