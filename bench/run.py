"""Benchmarks, each printed against a baseline measured in the same run, as a ratio.

python3 dev.py bench [--crimes N]   (default 1,000,000 stored crimes; built once in bench/data/)
Not part of the test run.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlite_utils

sys.path.insert(0, str(ROOT / "bench"))
import app_bench
import force_data
import pandas_rest

from qos.excel import write_summary_workbook
from qos.months import month_bounds, months_back, shift_month
from qos.roles import SYSTEM
from qos.sampling import draw_sample
from qos.store import crimes, samples
from qos.store.core import open_store
from qos.store.summary_data import monthly_summary
from qos.store.users import setup_force
from qos.summary import DRIVER_LABELS
from qos.tabular import read_table

DATA = ROOT / "bench" / "data"
UNITS = ["NOR", "EAS", "SOU", "WES", "CEN", "COA", "RPU", "CID", "PPU"]
HEADER = ["Crime reference", "Date recorded", "Unit", "Offence category", "Victim name",
          "Contact phone", "Officer"]
rows_out: list[tuple[str, str, str, str, str]] = []


def report(name: str, figure: float, baseline: float, unit: str, target: str) -> None:
    ratio = figure / baseline if baseline else float("inf")
    rows_out.append((name, f"{figure:.4f} {unit}", f"{baseline:.4f} {unit}", f"{ratio:.2f}",
                     target))


def write_extract(path: Path, count: int, start: int, months: int = 36) -> None:
    rng = random.Random(start)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(start, start + count):
            month_index = (i // len(UNITS)) % months  # every unit has crimes every month
            year, month = 2024 + month_index // 12, month_index % 12 + 1
            writer.writerow([f"CR{i:08d}", f"{rng.randrange(1, 28):02d}/{month:02d}/{year}",
                             UNITS[i % len(UNITS)], rng.choice(["Theft", "Burglary", "Damage"]),
                             f"Victim {i}", f"07700 9{i % 100000:05d}", f"P{i % 4000:05d}"])


def fresh_store(path: Path):  # type: ignore[no-untyped-def]
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    store = open_store(path)
    setup_force(store, "Bench", [{"code": c, "name": c} for c in UNITS], "admin", "Admin",
                "bench-password")
    return store


def _time_our_import(extract: Path, rows: int) -> float:
    store = fresh_store(DATA / "import.db")
    started = time.perf_counter()
    result = crimes.import_crimes(store, SYSTEM, read_table(extract), all_or_nothing=True)
    elapsed = time.perf_counter() - started
    assert result.inserted == rows
    store.close()
    return elapsed


def _time_baseline(extract: Path) -> float:
    """The same rows straight into a bare table with sqlite-utils' insert_all."""
    base_path = DATA / "baseline.db"
    base_path.unlink(missing_ok=True)
    db = sqlite_utils.Database(base_path)
    started = time.perf_counter()
    with extract.open(encoding="utf-8") as handle:
        db["crimes"].insert_all(csv.DictReader(handle), batch_size=5000)
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def bench_import(rows: int, repeats: int = 3) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    extract = DATA / f"extract-{rows}.csv"
    if not extract.exists():
        write_extract(extract, rows, 0)
    ours, baseline = [], []
    for _ in range(repeats):  # alternate, so machine noise hits both alike
        ours.append(_time_our_import(extract, rows))
        baseline.append(_time_baseline(extract))
    report(f"import {rows:,}-row CSV (median of {repeats})", statistics.median(ours),
           statistics.median(baseline), "s", "ratio <= 2")


def ensure_big_store(total: int) -> Path:
    """The shared force-scale database whose crime count is `total` (see force_data)."""
    return force_data.build(total / force_data.FULL["crimes"])


def bench_sampling(total: int) -> None:
    store = open_store(ensure_big_store(total))
    unit_id = store.scalar("SELECT id FROM units WHERE code = 'NOR'")
    timings, baseline = [], []
    for month in ("2025-03", "2025-04", "2025-05", "2025-06", "2025-07"):
        started = time.perf_counter()
        population = samples.eligible_population(store, SYSTEM, unit_id, month,
                                                 samples.current_criteria(store, SYSTEM))
        draw_sample(population, 50, 1)
        timings.append(time.perf_counter() - started)
        start, end = month_bounds(month)
        started = time.perf_counter()
        store.conn.execute("SELECT id FROM crimes WHERE unit_id = ? AND recorded_on >= ? "
                           "AND recorded_on < ?", [unit_id, start, end]).fetchall()
        baseline.append(time.perf_counter() - started)
    store.close()
    report(f"draw a sample from {total:,} crimes (median of 5)", statistics.median(timings),
           statistics.median(baseline), "s", "< 0.2 s")


def _pandas_summary(path: Path, month: str, out: Path) -> None:
    """The baseline: the same figures with pandas groupby, written with to_excel.

    Per unit and for the force: completion, each driver's month, year-ago, rest-of-force,
    rolling 3 and 12 months against the 12 before (counts, Wilson interval, z-test), the
    Victims' Code and QoSC items, and the white/minority gap over 12 months; then the
    sheets of bench/pandas_rest.py (trend, debriefs, Code timeliness, bureau, mystery
    shopping, Doorstep), so both sides compute the same workbook's figures.
    """
    import json
    import sqlite3

    import numpy as np
    import pandas as pd

    from qos.summary import QOSC_ITEMS, VICTIMS_CODE_ITEMS

    conn = sqlite3.connect(path)
    start, _ = month_bounds(shift_month(month, -26))
    _, end = month_bounds(month)
    frame = pd.read_sql_query(
        "SELECT unit_id, substr(call_date, 1, 7) AS month, outcome, answers, ethnicity "
        "FROM callbacks WHERE call_date >= ? AND call_date < ?", conn, params=[start, end])
    units = pd.read_sql_query("SELECT id, code, monthly_target FROM units", conn)
    frame = frame[frame["outcome"] == "completed"]
    answers = pd.json_normalize(frame["answers"].map(json.loads).tolist()).set_index(frame.index)
    counts = pd.DataFrame({"unit_id": frame["unit_id"], "month": frame["month"],
                           "completed": 1})
    missing = pd.Series(index=answers.index, dtype=object)  # a question nobody was asked
    for key in DRIVER_LABELS:
        values = pd.to_numeric(answers.get(key, missing), errors="coerce")
        counts[f"{key}_hits"] = values.between(1, 3).astype(int)
        counts[f"{key}_valid"] = values.between(1, 7).astype(int)
    for key in [*VICTIMS_CODE_ITEMS, *QOSC_ITEMS]:
        values = answers.get(key, missing)
        counts[f"{key}_hits"] = (values == "Y").astype(int)
        counts[f"{key}_valid"] = values.isin(["Y", "N"]).astype(int)
    white = frame["ethnicity"].str.startswith("W")
    minority = ~white & (frame["ethnicity"] != "NS")
    for name, mask in (("white", white), ("minority", minority)):
        counts[f"{name}_hits"] = counts["whole_experience_hits"] * mask
        counts[f"{name}_valid"] = counts["whole_experience_valid"] * mask
    by = counts.groupby(["unit_id", "month"]).sum()

    def window(months: list[str]) -> pd.DataFrame:
        picked = by[by.index.get_level_values("month").isin(months)]
        per_unit = picked.groupby(level="unit_id").sum().reindex(units["id"], fill_value=0)
        per_unit.loc["FORCE"] = per_unit.sum()
        return per_unit

    def wilson(hits: pd.Series, valid: pd.Series) -> tuple[pd.Series, pd.Series]:
        z = 1.959963984540054
        p = hits / valid
        centre = (p + z * z / (2 * valid)) / (1 + z * z / valid)
        half = z / (1 + z * z / valid) * np.sqrt(p * (1 - p) / valid + z * z / (4 * valid ** 2))
        return centre - half, centre + half

    def z_test(h1: pd.Series, n1: pd.Series, h2: pd.Series, n2: pd.Series) -> pd.Series:
        pooled = (h1 + h2) / (n1 + n2)
        return (h1 / n1 - h2 / n2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))

    now, year_ago = window([month]), window([shift_month(month, -12)])
    r3, prior3 = window(months_back(month, 3)), window(months_back(shift_month(month, -3), 12))
    r12 = window(months_back(month, 12))
    prior12 = window(months_back(shift_month(month, -12), 12))
    rest = now.loc["FORCE"] - now
    sheets: dict[str, pd.DataFrame] = {}
    for key in DRIVER_LABELS:
        h, n = now[f"{key}_hits"], now[f"{key}_valid"]
        low, high = wilson(h, n)
        sheets[key[:31]] = pd.DataFrame({
            "satisfied": h, "answers": n, "rate": h / n, "low": low, "high": high,
            "z year ago": z_test(h, n, year_ago[f"{key}_hits"], year_ago[f"{key}_valid"]),
            "z rest": z_test(h, n, rest[f"{key}_hits"], rest[f"{key}_valid"]),
            "rolling 3": r3[f"{key}_hits"] / r3[f"{key}_valid"],
            "z 3 vs 12": z_test(r3[f"{key}_hits"], r3[f"{key}_valid"],
                                prior3[f"{key}_hits"], prior3[f"{key}_valid"]),
            "rolling 12": r12[f"{key}_hits"] / r12[f"{key}_valid"],
            "z 12 vs 12": z_test(r12[f"{key}_hits"], r12[f"{key}_valid"],
                                 prior12[f"{key}_hits"], prior12[f"{key}_valid"])})
    compliance = {k: now[f"{k}_hits"] / now[f"{k}_valid"]
                  for k in [*VICTIMS_CODE_ITEMS, *QOSC_ITEMS]}
    sheets["compliance"] = pd.DataFrame(compliance)
    sheets["ethnicity"] = pd.DataFrame({
        "white": r12["white_hits"] / r12["white_valid"],
        "minority": r12["minority_hits"] / r12["minority_valid"],
        "z": z_test(r12["white_hits"], r12["white_valid"], r12["minority_hits"],
                    r12["minority_valid"])})
    sheets["completion"] = pd.DataFrame({"completed": now["completed"]})
    sheets.update(pandas_rest.other_sheets(conn, month, by, units, dt.date.today()))
    conn.close()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=name)


def _our_summary(path: Path, month: str, out: Path) -> None:
    store = open_store(path)
    write_summary_workbook(monthly_summary(store, SYSTEM, month), out)
    store.close()


def _timed(fn: Any, *args: Any) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def _peak_mib(fn: Any, *args: Any) -> float:
    """Peak Python allocation; measured in its own run, as tracing slows Python code down."""
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def _check_same_figures(ours_out: Path, pandas_out: Path) -> None:
    """The race is only fair if both sides computed the same numbers."""
    import openpyxl

    ours = {(r[0], r[1]): r for r in openpyxl.load_workbook(ours_out)["Satisfaction"].iter_rows(
        min_row=5, values_only=True)}
    theirs = openpyxl.load_workbook(pandas_out)
    for key, label in DRIVER_LABELS.items():
        force = next(r for r in theirs[key[:31]].iter_rows(values_only=True) if r[0] == "FORCE")
        mine = ours[("FORCE", label)]
        assert (mine[2], mine[3]) == (force[1], force[2]), (label, mine, force)
    mine_book = openpyxl.load_workbook(ours_out)

    def ours_by_unit(sheet: str, *columns: int) -> dict[str, tuple]:
        """The sheet's first table, one row a unit, without the force row."""
        found = {}
        for r in mine_book[sheet].iter_rows(min_row=5, values_only=True):
            if not r[0]:
                break
            if r[0] != "FORCE":
                found[r[0]] = tuple(r[c] for c in columns)
        return found

    def theirs_by_unit(sheet: str, *columns: int) -> dict[str, tuple]:
        return {r[0]: tuple(r[c] for c in columns)
                for r in theirs[sheet].iter_rows(min_row=2, values_only=True)}

    last = theirs["bureau"].max_column - 1  # attempted, made, actions raised, actions closed
    made = theirs_by_unit("bureau", last - 3, last - 2)
    assert ours_by_unit("Contact bureau", 1, 2) == made
    door = theirs_by_unit("doorstep", 1, 2)
    assert ours_by_unit("Doorstep cards", 1, 4) == {u: (i or 0, r or 0)
                                                   for u, (i, r) in door.items()}
    in_time = {(r[0], r[1]): (r[3], r[2]) for r in theirs["timeliness"].iter_rows(
        min_row=2, values_only=True)}
    mine_in_time = [r for r in mine_book["Victims Code timeliness"].iter_rows(
        min_row=5, values_only=True) if r[0] and r[0] != "FORCE"]
    assert sum(v[0] for v in in_time.values()) == sum(r[2] for r in mine_in_time)
    assert sum(v[1] for v in in_time.values()) == sum(r[3] for r in mine_in_time)


def bench_export(total: int) -> None:
    path = ensure_big_store(total)
    store = open_store(path)
    records = store.scalar(
        "SELECT (SELECT COUNT(*) FROM crimes) + (SELECT COUNT(*) FROM callbacks) + "
        "(SELECT COUNT(*) FROM bureau_calls) + (SELECT COUNT(*) FROM doorstep_cards) + "
        "(SELECT COUNT(*) FROM visits)")
    store.close()
    ours_out, pandas_out = DATA / "ours.xlsx", DATA / "pandas.xlsx"
    ours, theirs = [], []
    for _ in range(5):
        ours.append(_timed(_our_summary, path, "2026-09", ours_out))
        theirs.append(_timed(_pandas_summary, path, "2026-09", pandas_out))
    _check_same_figures(ours_out, pandas_out)
    report(f"export one month, {records:,} records (median of 5)", statistics.median(ours),
           statistics.median(theirs), "s", "<= pandas, < 2 s")
    report("export: peak Python memory", _peak_mib(_our_summary, path, "2026-09", ours_out),
           _peak_mib(_pandas_summary, path, "2026-09", pandas_out), "MiB", "report only")


def bench_pages(scale: float) -> dict[str, float]:
    path = force_data.build(scale)
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "app_bench.py"), "pages",
                          str(path)], capture_output=True, text=True, check=True,
                         env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), timeout=600)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    slowest = max(result["pages"], key=lambda k: result["pages"][k])
    report(f"open each list page @{scale:.0%} (slowest: {slowest})",
           result["pages"][slowest], result["baseline"], "s", "< 0.3 s")
    report(f"whole app resident memory @{scale:.0%}", result["rss_mib"],
           bare_rss_mib(), "MiB", "< 300 MiB")
    return dict(result["pages"])


def bare_rss_mib() -> float:
    code = ("from PySide6.QtWidgets import QApplication, QLabel; app = QApplication([]); "
            "w = QLabel('x'); w.show(); app.processEvents(); "
            "print([int(l.split()[1]) for l in open('/proc/self/status') "
            "if l.startswith('VmRSS')][0] / 1024)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), check=True)
    return float(out.stdout.strip())


def bench_cold_start() -> None:
    app, page, bare = app_bench.cold_start(force_data.build(1.0))
    report("cold start to first painted main window", app, bare, "s", "ratio <= 1.5")
    # The first page is built just after that paint; its time is shown for honesty.
    report("cold start to first page built", page, bare, "s", "report only")


def bench_saving() -> None:
    for name, (median, p95, base) in app_bench.saving(force_data.build(1.0)).items():
        report(f"save one {name}: median", median, base, "s", "")
        report(f"save one {name}: 95th percentile", p95, base, "s", "p95 < 0.030 s")


def growth(scales: list[float]) -> None:
    """How time grows with the data: nothing a user waits on may grow faster than linearly."""
    print("\nGrowth (seconds at each share of the force-scale volumes):")
    rows = []
    for scale in scales:
        path = force_data.build(scale)
        sample = _median_sampling(path)
        export = statistics.median(_timed(_our_summary, path, "2026-09", DATA / "g.xlsx")
                                   for _ in range(3))
        pages = bench_pages(scale)
        rows.append((scale, sample, export, max(pages.values())))
    print(f"  {'scale':>6} {'sample':>9} {'export':>9} {'slowest page':>13}")
    for scale, sample, export, page in rows:
        print(f"  {scale:>6.0%} {sample:>9.4f} {export:>9.4f} {page:>13.4f}")
    first, last = rows[0], rows[-1]
    factor = last[0] / first[0]
    for index, name in ((1, "sample"), (2, "export"), (3, "slowest page")):
        grew = last[index] / first[index] if first[index] else float("inf")
        verdict = "linear or better" if grew <= factor * 1.25 else "FASTER THAN LINEAR"
        print(f"  {name}: x{grew:.1f} for x{factor:.0f} the data ({verdict})")


def _median_sampling(path: Path) -> float:
    store = open_store(path)
    unit_id = store.scalar("SELECT id FROM units WHERE code = 'NOR'")
    times = []
    for month in ("2025-03", "2025-04", "2025-05"):
        started = time.perf_counter()
        draw_sample(samples.eligible_population(store, SYSTEM, unit_id, month,
                                                samples.current_criteria(store, SYSTEM)), 50, 1)
        times.append(time.perf_counter() - started)
    store.close()
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--crimes", type=int, default=1_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--growth", action="store_true",
                        help="also run at 10%%, 30%% and 100%% of the volumes")
    args = parser.parse_args()
    bench_import(args.import_rows)
    bench_sampling(args.crimes)
    bench_export(args.crimes)
    bench_cold_start()
    bench_saving()
    widths = [58, 16, 16, 8, 18]
    print("  ".join(h.ljust(w) for h, w in zip(
        ["benchmark", "figure", "baseline", "ratio", "target"], widths, strict=True)))
    for row in rows_out:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    if args.growth:
        rows_out.clear()
        growth([0.1, 0.3, 1.0])
        print()
        for row in rows_out:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
