"""Developer aid: open the main window on a database as a given user and save PNGs of pages.

python tools/screenshot.py DB USER OUTDIR [--size WxH] [page ...]   (under Xvfb or a display)
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QTimer

from qos.settings import setting
from qos.store.core import open_store
from qos.store.users import actor_by_username
from ui.app import make_application
from ui.main_window import MainWindow


def main() -> int:
    db, username, outdir, *pages = sys.argv[1:]
    width, height = 1366, 768
    if pages[:1] == ["--size"]:
        width, height = (int(n) for n in pages[1].split("x"))
        pages = pages[2:]
    app = make_application()
    store = open_store(db)  # a path or the shared database's URL (a Path would fold its //)
    window = MainWindow(store, actor_by_username(store, username),
                        str(setting(store, "force_name")))
    window.resize(width, height)
    window.show()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    keys = pages or list(window._page_keys)

    def shoot(i: int = 0) -> None:
        if i >= len(keys):
            app.quit()
            return
        page = window.show_page(keys[i])

        def grab_when_filled() -> None:
            if getattr(page, "job", None) is not None:  # pages that fill in the background
                QTimer.singleShot(100, grab_when_filled)
                return
            window.grab().save(str(out / f"{keys[i]}.png"))
            shoot(i + 1)

        QTimer.singleShot(700, grab_when_filled)

    QTimer.singleShot(500, shoot)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
