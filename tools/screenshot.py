"""Developer aid: open the main window on a database as a given user and save PNGs of every
page, every tab of it, and the forms and dialogs that user's daily work opens.

python tools/screenshot.py DB USER OUTDIR [--size WxH] [page ...]   (under Xvfb or a display)

Each PNG is the whole screen, so a window or form larger than the screen, or placed off it,
shows as such. Forms are opened the way the pages open them and closed unsaved; the bureau
queue's next call is claimed (use a copy of the database you can spare).
"""
from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QTabWidget, QWidget

from qos.settings import setting
from qos.store.core import open_store
from qos.store.users import actor_by_username
from ui.app import make_application
from ui.main_window import MainWindow


def settle(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_filled(page: QWidget) -> None:
    """Pages that fill in the background have a running `job` until they are filled."""
    for _ in range(300):
        if getattr(page, "job", None) is None:
            return
        settle(100)


def every_tab(page: QWidget) -> Iterator[str]:
    """A name for each view worth a picture: every tab of every tab widget, one at a time."""
    yield ""
    for tabs in page.findChildren(QTabWidget):
        for index in range(1, tabs.count()):
            if tabs.isTabVisible(index):
                tabs.setCurrentIndex(index)
                yield tabs.tabText(index)
        tabs.setCurrentIndex(0)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.replace("&", "").lower()).strip("-")


class Shooter:
    def __init__(self, app: QApplication, out: Path):
        self.app, self.out = app, out
        self.saved: list[str] = []

    def screen(self, name: str) -> None:
        screen = self.app.primaryScreen()
        screen.grabWindow(0).save(str(self.out / f"{name}.png"))
        self.saved.append(name)

    def form(self, name: str, opens: Callable[[], object]) -> None:
        """Run `opens` (which shows a form, modal or not), picture the form, close it."""
        def picture() -> None:
            dialog = QApplication.activeModalWidget() or next(
                (w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QDialog) and w.isVisible()), None)
            if dialog is None:
                print(f"{name}: no form opened", file=sys.stderr)
                return
            self.screen(name)
            if isinstance(dialog, QDialog):
                dialog.done(0)  # closes without the "Discard?" question: nothing was typed
        QTimer.singleShot(600, picture)
        opens()
        settle(700)


def forms_of(window: MainWindow, shooter: Shooter) -> None:
    """The forms and dialogs of each page this user sees, opened as a click would."""
    pages = set(window._page_keys)
    if "callbacks" in pages:
        page = window.show_page("callbacks")
        settle(300)
        if page.items.rowCount():  # type: ignore[attr-defined]
            page.items_view.selectRow(0)  # type: ignore[attr-defined]
            shooter.form("form-callback", page.call)  # type: ignore[attr-defined]
        if page.import_button.isVisible():  # type: ignore[attr-defined]
            shooter.form("form-import-crimes", page.import_crimes)  # type: ignore[attr-defined]
    if "bureau" in pages:
        page = window.show_page("bureau")
        settle(300)
        if hasattr(page, "queue_view"):
            shooter.form("form-bureau-call", page.next_call)  # type: ignore[attr-defined]
    if "mystery" in pages:
        page = window.show_page("mystery")
        wait_filled(page)
        if page.plan.rowCount():  # type: ignore[attr-defined]
            shooter.form("form-visit", page.record_visit)  # type: ignore[attr-defined]
    if "call_evaluation" in pages:
        page = window.show_page("call_evaluation")
        settle(300)
        view = getattr(page, "staff_view", None)
        if view is not None and view.isVisible() and view.model().rowCount():
            view.selectRow(0)
            shooter.form("form-call-evaluation", page.evaluate)  # type: ignore[attr-defined]
    if "summary" in pages:
        page = window.show_page("summary")
        wait_filled(page)
        if page.table.rowCount():  # type: ignore[attr-defined]
            shooter.form("form-records-behind-figure",
                         lambda: page.show_records(0))  # type: ignore[attr-defined]


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
    free = app.primaryScreen().availableGeometry()
    window.resize(min(width, free.width()), min(height, free.height()))
    window.show()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    shooter = Shooter(app, out)
    settle(500)
    for number, key in enumerate(pages or list(window._page_keys), start=1):
        page = window.show_page(key)
        wait_filled(page)
        for tab in every_tab(page):
            settle(250)
            shooter.screen(f"{number:02d}-{key}" + (f"-{slug(tab)}" if tab else ""))
    if not pages:
        forms_of(window, shooter)
    print(f"{len(shooter.saved)} pictures in {out}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
