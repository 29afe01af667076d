"""`audit verify` at force scale, printed against a baseline measured in the same run.

python3 bench/audit_verify.py [--crimes N]   (default 1,000,000; the store is built in
bench/data/ through the app's own import, so every row carries its audit hash)

The baseline is the floor any check must pay: reading every row of the checked tables and
every audit entry once, with no hashing. The issue's target: verify under 10 s at 1M crimes.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import run as bench_run

from qos.roles import SYSTEM
from qos.store import crimes
from qos.store.audit import verify_audit
from qos.store.core import Store
from qos.store.hashing import HASHED_TABLES
from qos.tabular import read_table


def build(total: int) -> Store:
    bench_run.DATA.mkdir(parents=True, exist_ok=True)
    extract = bench_run.DATA / f"extract-{total}.csv"
    if not extract.exists():
        bench_run.write_extract(extract, total, 0)
    store = bench_run.fresh_store(bench_run.DATA / f"verify-{total}.db")
    result = crimes.import_crimes(store, SYSTEM, read_table(extract), all_or_nothing=True)
    assert result.inserted == total
    return store


def read_everything(store: Store) -> int:
    """The baseline: every checked row and every audit entry read once, nothing hashed."""
    seen = 0
    for table in HASHED_TABLES:
        for _ in store.conn.execute(f"SELECT * FROM {table}"):
            seen += 1
    for _ in store.conn.execute("SELECT * FROM audit_log"):
        seen += 1
    return seen


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--crimes", type=int, default=1_000_000)
    args = parser.parse_args()
    store = build(args.crimes)
    try:
        started = time.perf_counter()
        read_everything(store)
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        report = verify_audit(store, SYSTEM)
        ours = time.perf_counter() - started
    finally:
        store.close()
    assert report.ok, report.problems
    print(f"audit verify, {args.crimes:,} crimes ({report.rows_checked:,} rows, "
          f"{report.entries:,} entries): {ours:.2f} s; baseline (read every row once, no "
          f"hashing) {baseline:.2f} s; ratio {ours / baseline:.2f}; target < 10 s at 1M crimes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
