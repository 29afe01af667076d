"""Benchmarks, each printed against a baseline measured in the same run, as a ratio.

python3 dev.py bench [--crimes N]   (default 1,000,000 stored crimes; built once in bench/data/)
Not part of the test run.
"""
from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402

from qos.roles import SYSTEM  # noqa: E402
from qos.store import crimes, samples  # noqa: E402
from qos.store.core import open_store  # noqa: E402
from qos.sampling import draw_sample  # noqa: E402
from qos.store.users import setup_force  # noqa: E402
from qos.tabular import read_table  # noqa: E402

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
    path = DATA / f"force-{total}.db"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    store = fresh_store(path)
    chunk = 100_000
    for start in range(0, total, chunk):
        extract = DATA / "chunk.csv"
        write_extract(extract, min(chunk, total - start), start)
        crimes.import_crimes(store, SYSTEM, read_table(extract), all_or_nothing=True)
        print(f"  built {start + chunk:,} crimes", file=sys.stderr)
    store.close()
    return path


def bench_sampling(total: int) -> None:
    store = open_store(ensure_big_store(total), check_integrity=False)
    unit_id = store.scalar("SELECT id FROM units WHERE code = 'NOR'")
    timings, baseline = [], []
    for month in ("2025-03", "2025-04", "2025-05", "2025-06", "2025-07"):
        started = time.perf_counter()
        population = samples.eligible_population(store, unit_id, month,
                                                 samples.current_criteria(store))
        draw_sample(population, 50, 1)
        timings.append(time.perf_counter() - started)
        start, end = samples.month_bounds(month)
        started = time.perf_counter()
        store.conn.execute("SELECT id FROM crimes WHERE unit_id = ? AND recorded_on >= ? "
                           "AND recorded_on < ?", [unit_id, start, end]).fetchall()
        baseline.append(time.perf_counter() - started)
    store.close()
    report(f"draw a sample from {total:,} crimes (median of 5)", statistics.median(timings),
           statistics.median(baseline), "s", "< 0.2 s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--crimes", type=int, default=1_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    args = parser.parse_args()
    bench_import(args.import_rows)
    bench_sampling(args.crimes)
    widths = [44, 14, 14, 7, 12]
    print("  ".join(h.ljust(w) for h, w in zip(
        ["benchmark", "figure", "baseline", "ratio", "target"], widths, strict=True)))
    for row in rows_out:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
