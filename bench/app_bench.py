"""The app's own benchmarks on force-scale data: cold start, list pages, saving a record.

Each figure is printed beside a baseline measured in the same run. Runs offscreen.
"""
from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _first_paint(args: list[str]) -> list[float]:
    """Seconds from starting the process to each time the child printed (see start_child)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.time()
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "start_child.py"), *args],
                         capture_output=True, text=True, env=env, timeout=120, check=True)
    return [float(line) - started for line in out.stdout.strip().splitlines()[-2:]
            if line.replace(".", "").isdigit()]


def cold_start(db: Path, repeats: int = 5) -> tuple[float, float, float]:
    """Medians: the app's first paint, its first page built, and a bare window's paint."""
    app, page, bare = [], [], []
    for _ in range(repeats):  # alternate, so machine noise hits both alike
        bare.append(_first_paint(["bare"])[-1])
        painted, page_ready = _first_paint(["app", str(db)])
        app.append(painted)
        page.append(page_ready)
    return statistics.median(app), statistics.median(page), statistics.median(bare)


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def page_opening(db: Path) -> tuple[dict[str, float], float, float]:
    """Seconds from choosing each page to its rows being there; a plain table as baseline."""
    from PySide6.QtWidgets import QApplication, QTableView

    from qos.store.core import open_store
    from qos.store.users import actor_for
    from ui.app import make_application
    from ui.main_window import MainWindow
    from ui.table_model import RowsModel

    app = make_application()
    store = open_store(db)
    window = MainWindow(store, actor_for(store, 1), "Bench")
    window.resize(1366, 768)
    window.show()
    QApplication.processEvents()
    timings = {}
    for key in window._page_keys:
        started = time.perf_counter()
        page = window.show_page(key)
        QApplication.processEvents()
        while getattr(page, "job", None) is not None:  # pages that fill in the background
            QApplication.processEvents()
            time.sleep(0.005)
        timings[key] = time.perf_counter() - started
    started = time.perf_counter()
    model = RowsModel([("crime_ref", "Crime"), ("recorded_on", "Recorded")])
    model.set_rows(store.rows("SELECT crime_ref, recorded_on FROM crimes LIMIT 200"))
    view = QTableView()
    view.setModel(model)
    view.show()
    QApplication.processEvents()
    baseline = time.perf_counter() - started
    memory = rss_mib()
    window.close()
    store.close()
    del app
    return timings, baseline, memory


def saving(db: Path, count: int = 100) -> dict[str, tuple[float, float, float]]:
    """Median and 95th percentile of saving a call-back and a Doorstep card, and the baseline:
    one plain row insert in a write transaction on the same connection."""
    from qos.roles import SYSTEM
    from qos.store import doorstep, samples
    from qos.store.callbacks import record_callback
    from qos.store.core import open_store

    work = db.with_name("save-bench.db")
    source = open_store(db)
    source.backup_to(work)
    source.close()
    store = open_store(work)
    answers = {"ease_of_contact": 1, "arrival": 2, "actions": 3, "follow_up": 2,
               "treatment": 1, "whole_experience": 2, "vc_leaflet": "Y"}
    unit_id = store.scalar("SELECT id FROM units WHERE code = 'NOR'")
    draw_id = samples.draw_for_month(store, SYSTEM, unit_id, "2026-09", size=count, seed=5)
    items = samples.list_items(store, draw_id, viewer=SYSTEM)[:count]
    callback_times = []
    for item in items:
        started = time.perf_counter()
        record_callback(store, SYSTEM, item["id"], answers, ethnicity="W1",
                        call_date=dt.date(2026, 10, 20))
        callback_times.append(time.perf_counter() - started)
    unit = store.row("SELECT id FROM units LIMIT 1")
    first = 9_000_001
    doorstep.issue_batch(store, SYSTEM, first, first + count, dt.date(2026, 10, 1), unit["id"],
                         team="Bench")
    card_times = []
    for serial in range(first, first + count):
        started = time.perf_counter()
        doorstep.record_card(store, SYSTEM, serial, {"overall": 2},
                             received_on=dt.date(2026, 10, 9))
        card_times.append(time.perf_counter() - started)
    store.conn.execute("CREATE TABLE IF NOT EXISTS bench_scratch (n INTEGER, t TEXT)")
    plain = []
    for n in range(count):
        started = time.perf_counter()
        with store.write():
            store.execute("INSERT INTO bench_scratch VALUES (?, ?)", [n, "x" * 200])
        plain.append(time.perf_counter() - started)
    store.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)

    def p95(values: list[float]) -> float:
        return sorted(values)[int(len(values) * 0.95) - 1]

    base = statistics.median(plain)
    return {"call-back": (statistics.median(callback_times), p95(callback_times), base),
            "Doorstep card": (statistics.median(card_times), p95(card_times), base)}


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(ROOT / "bench"))
    import no_pandas

    no_pandas.hide()  # as deployed: the app's own dependencies only
    if sys.argv[1] == "pages":  # in its own process, so memory is this page set's alone
        pages, plain_table, memory = page_opening(Path(sys.argv[2]))
        print(json.dumps({"pages": pages, "baseline": plain_table, "rss_mib": memory}))
