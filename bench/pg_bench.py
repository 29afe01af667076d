"""The shared store's benchmarks on PostgreSQL, each against a baseline measured in this run.

    .venv/bin/python bench/pg_bench.py [--months 3] [--server postgresql://postgres@127.0.0.1/postgres]

- month export and sample draw: the same demo force on PostgreSQL, against SQLite;
- save p95 with 20 concurrent writer processes (0 errors, audit chain intact), against one
  writer alone;
- claim-next with 10 concurrent callers (no victim claimed twice), against one caller.
Not part of the test run; it makes and drops its own databases.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg

from qos.demo import build_demo
from qos.roles import Role
from qos.store import reference, samples, users
from qos.store.audit import verify_audit
from qos.store.core import Store, open_store
from qos.store.exports import export_summary

SAVER = """
import sys, time, json
sys.path.insert(0, {root!r})
from qos.store import reference, users
from qos.store.core import open_store
store = open_store({url!r})
admin = users.actor_for(store, 1)
unit = reference.unit_by_code(store, "NOR")["id"]
times, errors = [], 0
for i in range({saves}):
    start = time.perf_counter()
    try:
        reference.add_person(store, admin, f"P{{sys.argv[1]}}-{{i}}", "Bench", "staff", unit)
    except Exception as exc:
        errors += 1
        print(repr(exc), file=sys.stderr)
    times.append(time.perf_counter() - start)
print(json.dumps({{"times": times, "errors": errors}}))
"""

CLAIMER = """
import sys, json, datetime as dt
sys.path.insert(0, {root!r})
from qos.store import bureau, users
from qos.store.core import open_store
store = open_store({url!r})
actor = users.actor_for(store, int(sys.argv[1]))
got = []
while (call := bureau.claim_next(store, actor, now=dt.datetime({now}, tzinfo=dt.UTC))) is not None:
    got.append(call["crime_ref"])
print(json.dumps(got))
"""


def new_database(server: str, name: str) -> str:
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + "/" + name


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def timed(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def demo_figures(store: Store, months: int, out: Path) -> tuple[float, float]:
    report = build_demo(store, 11, "2026-10", months=months)
    admin = users.actor_for(store, 1)
    del report
    export = timed(lambda: export_summary(store, admin, "2026-10", out))
    unit = reference.unit_by_code(store, admin, "NOR")["id"]
    criteria = samples.current_criteria(store, admin)
    draw = timed(lambda: samples.sorted_frame(store, admin, unit, "2026-10", criteria))
    return export, draw


def run_processes(script: str, args: list[str]) -> list[str]:
    procs = [subprocess.Popen([sys.executable, "-c", script, arg], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for arg in args]
    outs = [p.communicate(timeout=600) for p in procs]
    for _, err in outs:
        if err.strip():
            print(err.strip()[-500:], file=sys.stderr)
    return [out for out, _ in outs]


def saves(url: str, writers: int, per_writer: int) -> tuple[float, int, int]:
    import json

    script = SAVER.format(root=str(ROOT), url=url, saves=per_writer)
    results = [json.loads(o) for o in run_processes(script, [str(n) for n in range(writers)])]
    times = sorted(t for r in results for t in r["times"])
    errors = sum(r["errors"] for r in results)
    p95 = times[int(len(times) * 0.95) - 1]
    return p95, errors, len(times)


def claims(url: str, user_ids: list[int]) -> tuple[float, int, int]:
    import json

    script = CLAIMER.format(root=str(ROOT), url=url, now="2026, 11, 20, 10")
    start = time.perf_counter()
    got = [ref for out in run_processes(script, [str(u) for u in user_ids])
           for ref in json.loads(out)]
    return time.perf_counter() - start, len(got), len(got) - len(set(got))


def bureau_force(url: str, crimes: int, callers: int) -> list[int]:
    from tests.factories import crime_line, import_lines

    store = open_store(url)
    admin = users.setup_force(store, "Bench", [{"code": "NOR", "name": "North", "kind": "BCU",
                                                "monthly_target": 50}],
                              "admin", "Admin", "correct horse battery")
    import_lines(store, admin, [crime_line(f"NOR/B{i}", "08/11/2026", category="Theft")
                                for i in range(crimes)])
    nor = reference.unit_by_code(store, admin, "NOR")["id"]
    ids = [users.create_user(store, admin, f"caller{n}", f"Caller {n}", Role.BUREAU,
                             "correct horse battery", unit_id=nor) for n in range(callers)]
    store.close()
    return ids


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default=os.environ.get(
        "QOS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--months", type=int, default=3, help="demo months (12: a full year)")
    parser.add_argument("--saves", type=int, default=25, help="saves per writer process")
    parser.add_argument("--claims", type=int, default=200, help="victims in the bureau queue")
    args = parser.parse_args()
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        name = f"qos_bench_{os.getpid()}"
        url = new_database(args.server, name)
        try:
            sqlite_store = open_store(tmp / "bench.db")
            base_export, base_draw = demo_figures(sqlite_store, args.months, tmp / "s.xlsx")
            sqlite_store.close()
            pg_store = open_store(url)
            pg_export, pg_draw = demo_figures(pg_store, args.months, tmp / "p.xlsx")
            pg_store.close()
            rows.append(("month export (s)", f"{pg_export:.3f}", f"SQLite {base_export:.3f}",
                         "< 2 s"))
            rows.append(("sample draw frame (s)", f"{pg_draw:.4f}", f"SQLite {base_draw:.4f}",
                         "< 0.2 s"))
        finally:
            drop_database(args.server, name)
        url = new_database(args.server, name)
        try:
            store = open_store(url)
            users.setup_force(store, "Bench", [{"code": "NOR", "name": "North", "kind": "BCU",
                                                "monthly_target": 50}],
                              "admin", "Admin", "correct horse battery")
            store.close()
            one, one_errors, _ = saves(url, 1, args.saves)
            p95, errors, count = saves(url, 20, args.saves)
            store = open_store(url)
            chain = verify_audit(store, users.actor_for(store, 1))
            store.close()
            rows.append(("save p95, 20 writers (ms)", f"{p95 * 1000:.1f}",
                         f"1 writer {one * 1000:.1f}",
                         (f"< 30 ms; {count} saves, {errors + one_errors} errors, chain "
                          f"{'intact' if chain.ok else 'BROKEN'}")))
        finally:
            drop_database(args.server, name)
        url = new_database(args.server, name)
        try:
            ids = bureau_force(url, args.claims, 10)
            seconds, got, twice = claims(url, ids)
            drop_database(args.server, name)
            url = new_database(args.server, name)
            ids = bureau_force(url, args.claims, 1)
            one_seconds, one_got, _ = claims(url, ids)
            rows.append(("claim-next, 10 callers (s)", f"{seconds:.2f}",
                         f"1 caller {one_seconds:.2f}",
                         f"{got} of {args.claims} claimed ({one_got} alone), {twice} twice"))
        finally:
            drop_database(args.server, name)
    print(f"PostgreSQL benchmarks ({dt.date.today()}, demo months {args.months})")
    for row in rows:
        print(" | ".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
