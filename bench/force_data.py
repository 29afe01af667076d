"""Force-scale synthetic data for the benchmarks, built once per scale and reused.

Starts from the demo force (units, people, users, counters, scenarios: `qos.demo`) and adds,
at scale 1.0: 1,000,000 crimes, 5,000 QoS checks, 200,000 bureau calls, 50,000 Doorstep cards
and 1,000 mystery-shopping visits. Crimes and checks go through the real imports; the rest are
bulk-loaded rows shaped exactly as the app writes them (test data, so no audit entries).
"""
from __future__ import annotations

import datetime as dt
import json
import random
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qos.demo import build_demo, person_name
from qos.roles import SYSTEM
from qos.store import (
    callbacks,
    crimes,
    duties,
    mystery,
)
from qos.store.core import Store, open_store
from qos.tabular import Table

DATA = ROOT / "bench" / "data"
FULL = {"crimes": 1_000_000, "checks": 5_000, "bureau": 200_000, "cards": 50_000,
        "visits": 1_000}
CRIME_HEADER = ["Crime reference", "Date recorded", "Unit", "Offence category", "Victim name",
                "Contact phone", "Officer", "Suspect arrested", "Victim updated"]
HISTORY_HEADER = ["Crime reference", "Unit", "Call date", "Outcome", "Ease of contact",
                  "Arrival", "Actions", "Follow up", "Treatment", "Whole experience",
                  "Vc leaflet", "Ethnicity"]
END = dt.date(2026, 10, 31)
DAYS = 3 * 365


def path_for(scale: float) -> Path:
    return DATA / f"force-{int(scale * 100)}pct.db"


def _meta(stamp: str) -> dict[str, object]:
    return {"uuid": str(uuid.uuid4()), "created_at": stamp, "created_by": 0,
            "updated_at": stamp, "updated_by": 0, "version": 1}


def _crimes(store: Store, count: int, rng: random.Random) -> None:
    units = [r["code"] for r in store.rows("SELECT code FROM units")]
    officers = [r["staff_number"] for r in store.rows("SELECT staff_number FROM people")]
    categories = ["Theft", "Burglary dwelling", "Vehicle crime", "Criminal damage",
                  "Violence against the person"]
    for start in range(0, count, 100_000):
        table = Table(headers=CRIME_HEADER)
        for i in range(start, min(start + 100_000, count)):
            day = END - dt.timedelta(days=rng.randrange(DAYS))
            arrested = day + dt.timedelta(days=3) if rng.random() < 0.2 else None
            updated = (arrested or day) + dt.timedelta(days=2) if rng.random() < 0.7 else None
            table.rows.append((i + 2, [
                f"CR{i:08d}", day.isoformat(), units[i % len(units)], rng.choice(categories),
                person_name(rng), f"07700 9{i % 100000:05d}", rng.choice(officers),
                arrested.isoformat() if arrested and arrested <= END else "",
                updated.isoformat() if updated and updated <= END else ""]))
        crimes.import_crimes(store, SYSTEM, table, all_or_nothing=True, source="bench")


def _checks(store: Store, count: int, rng: random.Random) -> None:
    # Checks are called about crimes held: the history import refuses an unknown crime.
    held = store.rows("SELECT c.crime_ref, u.code FROM crimes c JOIN units u ON u.id = c.unit_id "
                      "ORDER BY c.id LIMIT ?", [count])
    table = Table(headers=HISTORY_HEADER)
    for i, crime in enumerate(held):
        day = END - dt.timedelta(days=rng.randrange(DAYS))
        table.rows.append((i + 2, [crime["crime_ref"], crime["code"], day.isoformat(),
                                   "Completed", *[str(rng.choice([0, 1, 2, 3, 3, 4, 5, 6, 7]))
                                                  for _ in range(6)], rng.choice("YN"),
                                   rng.choice(["W1", "W1", "A1", "B1", "NS"])]))
    callbacks.import_history(store, SYSTEM, table, all_or_nothing=True)


def _bureau(store: Store, count: int, rng: random.Random, stamp: str) -> None:
    crime_rows = store.rows("SELECT id, unit_id FROM crimes ORDER BY id LIMIT ?", [count])
    answers = json.dumps({"crime_number_given": "Y", "officer_name_known": "Y",
                          "vc_leaflet": "Y", "told_next_steps": "N", "overall": 2})
    rows = []
    for crime in crime_rows:
        called = END - dt.timedelta(days=rng.randrange(DAYS))
        rows.append({"crime_id": crime["id"], "unit_id": crime["unit_id"],
                     "status": "completed", "attempts": 1,
                     "called_at": f"{called.isoformat()}T11:00:00+00:00",
                     "template_version": 1, "answers": answers, "themes": "[]", **_meta(stamp)})
    with store.write():
        store.db["bureau_calls"].insert_all(rows, batch_size=5000)
        calls = store.rows("SELECT id, crime_id, unit_id, called_at FROM bureau_calls "
                           "ORDER BY id LIMIT ?", [count // 20])
        store.db["remedial_actions"].insert_all(({
            "bureau_call_id": c["id"], "crime_id": c["crime_id"], "unit_id": c["unit_id"],
            "check_key": "told_next_steps", "what_failed": "Were you told what would happen next?",
            "remedy": "Ask the officer to explain", "due_on": c["called_at"][:10],
            **_meta(stamp)} for c in calls), batch_size=5000)


def _cards(store: Store, count: int, rng: random.Random, stamp: str) -> None:
    people = store.rows("SELECT id, unit_id FROM people")
    batches, cards = [], []
    first_id = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM card_batches")) + 1
    serial = int(store.scalar("SELECT COALESCE(MAX(last_serial), 0) FROM card_batches")) + 1
    for batch_id in range(first_id, first_id + count // 25):
        person = rng.choice(people)
        issued = END - dt.timedelta(days=rng.randrange(DAYS))
        batches.append({"id": batch_id, "first_serial": serial, "last_serial": serial + 49,
                        "issued_on": issued.isoformat(), "unit_id": person["unit_id"],
                        "person_id": person["id"], "template_version": 2, **_meta(stamp)})
        for card in range(serial, serial + 25):
            cards.append({"serial": card, "batch_id": batch_id,
                          "received_on": (issued + dt.timedelta(days=rng.randrange(5, 30)))
                          .isoformat(), "template_version": 2,
                          "answers": json.dumps({"overall": rng.choice([1, 2, 3, 5])}),
                          **_meta(stamp)})
        serial += 50
    with store.write():
        store.db["card_batches"].insert_all(batches, batch_size=5000)
        store.db["doorstep_cards"].insert_all(cards, batch_size=5000)


def _visits(store: Store, count: int, rng: random.Random, stamp: str) -> None:
    mystery.sync_scenarios(store, SYSTEM)
    counters = [r["id"] for r in store.rows("SELECT id FROM counters")]
    scenarios = [(r["id"], json.loads(r["checklist"])) for r in store.rows(
        "SELECT id, checklist FROM scenarios")]
    volunteers = [r["id"] for r in store.rows("SELECT id FROM users WHERE role = 'volunteer'")]
    rows = []
    for _ in range(count):
        scenario_id, items = rng.choice(scenarios)
        when = dt.datetime.combine(END - dt.timedelta(days=rng.randrange(DAYS)), dt.time(11))
        rows.append({"counter_id": rng.choice(counters), "scenario_id": scenario_id,
                     "volunteer_id": rng.choice(volunteers), "arrived_at": when.isoformat(),
                     "counter_open": 1, "published_open": 1, "waiting_minutes": 3,
                     "checklist": json.dumps({i["key"]: "Y" for i in items}), "score": 1.0,
                     "overall": 2, **_meta(stamp)})
    with store.write():
        store.db["visits"].insert_all(rows, batch_size=5000)


def build(scale: float) -> Path:
    path = path_for(scale)
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    rng = random.Random(2026)
    store = open_store(partial)
    build_demo(store, 7, "2026-10", months=1, crimes_per_unit_month=10)
    stamp = "2026-11-01T00:00:00+00:00"
    volumes = {k: int(v * scale) for k, v in FULL.items()}
    print(f"  building {path.name}: {volumes}", file=sys.stderr)
    _crimes(store, volumes["crimes"], rng)
    _checks(store, volumes["checks"], rng)
    _bureau(store, volumes["bureau"], rng, stamp)
    _cards(store, volumes["cards"], rng, stamp)
    _visits(store, volumes["visits"], rng, stamp)
    # Work every Victims' Code deadline out once, as the app does on the first due list
    # after an import: the page benchmarks measure the steady state.
    duties.bring_up_to_date(store)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    partial.replace(path)
    return path


if __name__ == "__main__":
    for value in sys.argv[1:] or ["1.0"]:
        print(build(float(value)))
