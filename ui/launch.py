"""The window's one way in: main.py, and tests/real_window.py, which starts it the same way.

No Qt import here: the system libraries Qt needs are checked first, before PySide6 loads,
since without them its very import fails (libglib) or Qt aborts naming the wrong library.
"""
from __future__ import annotations

import sys
from pathlib import Path


def launch(db: Path | str, *, choose_place: bool = False) -> int:
    """ui.app.run_app(db, choose_place=...) once Qt can start; else the install advice, 2."""
    from ui.xcb_libraries import check

    if advice := check():
        print(advice, file=sys.stderr)
        return 2
    from ui.app import run_app

    return run_app(db, choose_place=choose_place)
