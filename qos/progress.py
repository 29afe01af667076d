"""The progress callback long store operations take: progress(done, total)."""
from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None]
