"""Hide pandas and numpy from the app processes the benchmarks start.

The app does not depend on them, but they sit in .venv for the export baseline, and
sqlite-utils imports both whenever they are installed (half a second and 80 MB at start-up)."""
from __future__ import annotations

import importlib.abc
import sys


class _Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name.split(".")[0] in ("pandas", "numpy"):
            raise ImportError(f"{name} is hidden: the app does not use it")


def hide() -> None:
    sys.meta_path.insert(0, _Hide())
