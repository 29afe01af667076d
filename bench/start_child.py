"""Started by bench/app_bench.py: print the wall-clock time of the first paint, then exit.

`bare`: a PySide6 window with one label (the baseline). `app DB`: the QoS Checks main window
on the given database, signed in as the administrator.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import no_pandas

no_pandas.hide()  # as deployed: the app's own dependencies only


def main() -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    class FirstPaint(QObject):
        """Prints the time of the first paint; for the app, then the time its first page is
        built (just after that paint) as a second line."""

        painted = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not self.painted:
                self.painted = True
                print(f"{time.time():.6f}", flush=True)
                if sys.argv[1] == "bare":
                    QApplication.instance().quit()
                else:
                    QTimer.singleShot(0, self.page_ready)
            return False

        def page_ready(self) -> None:
            if window.pages:
                print(f"{time.time():.6f}", flush=True)
                QApplication.instance().quit()
            else:
                QTimer.singleShot(1, self.page_ready)

    if sys.argv[1] == "bare":
        app = QApplication(sys.argv[:1])
        window = QMainWindow()
        window.setCentralWidget(QLabel("Hello"))
    else:
        from qos.settings import setting
        from qos.store.core import open_store
        from qos.store.users import actor_for
        from ui.app import make_application
        from ui.main_window import MainWindow

        app = make_application(sys.argv[:1])
        store = open_store(Path(sys.argv[2]))
        window = MainWindow(store, actor_for(store, 1), str(setting(store, "force_name")))
    probe = FirstPaint()
    window.installEventFilter(probe)
    window.resize(1366, 768)
    window.show()
    app.exec()


if __name__ == "__main__":
    main()
