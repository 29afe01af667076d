"""Run by tests/test_gui_real_display.py in a child process on a real X server (Xvfb):
start the app exactly as `main.py` does (ui.launch.launch, xcb platform), sign in with real key
events, check the window against the screen, quit with Ctrl+Q, write what was seen as JSON.

python tests/real_window.py DB USER PASSWORD OUT.json [summary]

With `summary`, Ctrl+6 then opens the Summary page: how far it scrolls, and its table and
charts (Alt+C) as drawn, are measured before quitting.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ui.app
import ui.launch


def main() -> int:
    db, username, password, out = sys.argv[1:5]
    seen: dict[str, Any] = {"stages": [], "summary": sys.argv[5:6] == ["summary"]}
    original = ui.app.make_application

    def make_application(argv: list[str] | None = None) -> Any:
        app = original(argv)
        drive(app, username, password, seen)
        return app

    ui.app.make_application = make_application  # type: ignore[assignment]
    seen["exit_code"] = ui.launch.launch(Path(db))
    Path(out).write_text(json.dumps(seen))
    return 0


def drive(app: Any, username: str, password: str, seen: dict[str, Any]) -> None:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QMainWindow

    from ui.login_dialog import LoginDialog

    seen["platform"] = QApplication.platformName()
    ticks = [0]

    def step() -> None:
        ticks[0] += 1
        if ticks[0] > 300:  # 30 s: something is stuck; give up rather than hang the suite
            seen["stages"].append("timed out")
            QApplication.exit(3)
            return
        modal = QApplication.activeModalWidget()
        if isinstance(modal, LoginDialog) and "signed in" not in seen["stages"]:
            QTest.keyClicks(modal.username, username)
            QTest.keyClicks(modal.password, password)
            QTest.keyClick(modal.password, Qt.Key.Key_Return)
            seen["stages"].append("signed in")
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QMainWindow) and w.isVisible()]
        if windows and windows[0].pages and "measured" not in seen["stages"]:
            window = windows[0]
            window.activateWindow()
            screen = window.screen().availableGeometry()
            frame = window.frameGeometry()
            status = window.statusBar()
            status_bottom = status.mapTo(window, status.rect().bottomLeft()).y()
            seen.update(
                screen=[screen.width(), screen.height()],
                window=[frame.x(), frame.y(), frame.width(), frame.height()],
                status_visible=status.isVisible(),
                status_bottom=status_bottom, window_height=window.height(),
                pages=window.page_titles(), focus=type(QApplication.focusWidget()).__name__,
                opened_on=window.navigation.currentItem().text())
            seen["stages"].append("measured")
            if not seen["summary"]:
                quit_later(window)
        elif windows and "measured" in seen["stages"] and seen["summary"] and (
                "summary" not in seen["stages"]):
            window = windows[0]
            page = window.pages.get("summary")
            if page is None and QApplication.activeWindow() is window:
                # Ctrl+6 (again, if the window took a moment to become active)
                QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_6,
                               Qt.KeyboardModifier.ControlModifier)
            elif page is not None and page.job is None:
                # Measured once the filled page has settled (half a second), as it is seen.
                seen.setdefault("summary_filled_at", ticks[0])
                if ticks[0] - seen["summary_filled_at"] >= 5:
                    measure_summary(window, page, seen)
                    quit_later(window)
        QTimer.singleShot(100, step)

    def quit_later(window: Any) -> None:
        QTimer.singleShot(300, lambda: QTest.keyClick(
            QApplication.focusWidget() or window, Qt.Key.Key_Q,
            Qt.KeyboardModifier.ControlModifier))

    QTimer.singleShot(100, step)


def measure_summary(window: Any, page: Any, seen: dict[str, Any]) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    area = window.stack.currentWidget()
    view = page.view
    seen.update(summary_scrolls=area.verticalScrollBar().maximum(),
                summary_viewport=area.viewport().height(),
                summary_rows_shown=view.viewport().height() // max(1, view.rowHeight(0)),
                summary_units=page.table.rowCount())
    QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_C,
                   Qt.KeyboardModifier.AltModifier)  # &Charts
    QApplication.processEvents()
    seen.update(summary_charts_tab=page.lower.currentIndex() == 1,
                summary_chart_heights=[page.completion_chart.height(),
                                       page.trend_chart.height()])
    seen["stages"].append("summary")


if __name__ == "__main__":
    sys.exit(main())
