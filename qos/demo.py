"""A realistic synthetic force, generated deterministically from a seed.

Everything here is invented: names come from short lists, phone numbers from Ofcom's
drama range (07700 900000-900999), so no real person can be reached by accident.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from qos.roles import Role
from qos.store import reference, users
from qos.store.core import Store

DEMO_PASSWORD = "demo-pass-2026"

BCUS = [("NOR", "North Division"), ("EAS", "East Division"), ("SOU", "South Division"),
        ("WES", "West Division"), ("CEN", "Central Division"), ("COA", "Coastal Division")]
DEPARTMENTS = [("RPU", "Roads Policing Unit"), ("CID", "Crime Investigation Department"),
               ("PPU", "Public Protection Unit")]
FIRST = ["Amelia", "Ben", "Chloe", "Daniel", "Emma", "Farid", "Grace", "Harry", "Isla", "Jack",
         "Kiran", "Laura", "Mohammed", "Niamh", "Oliver", "Priya", "Quentin", "Ruth", "Sam",
         "Tariq", "Uma", "Victor", "Wendy", "Xavier", "Yasmin", "Zoe", "Aled", "Bethan",
         "Connor", "Dylan", "Efua", "Femi", "Gwen", "Hamza", "Imogen", "Jonah", "Kofi", "Lily"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
        "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
        "Khan", "Lewis", "Harris", "Clarke", "Jackson", "Wood", "Turner", "Martin", "Cooper",
        "Hill", "Ward", "Hughes", "Okafor", "Nowak", "Begum", "Ali", "Murphy", "Kelly"]
STATIONS = ["Northgate", "Riverside", "Eastfield", "Harbour Road", "Southmead", "Millbrook",
            "Westcliff", "Oakham", "Market Square", "Castle Street", "Seaview", "Portbridge"]
HOURS = ["mon-fri 08:00-20:00; sat 09:00-17:00", "mon-fri 09:00-17:00",
         "mon-sun 08:00-22:00", "mon-fri 10:00-18:00; sat 10:00-14:00"]


@dataclass
class DemoReport:
    units: int = 0
    people: int = 0
    counters: int = 0
    sign_ins: list[tuple[str, str, str]] = field(default_factory=list)  # user, role, password
    extra: dict[str, int] = field(default_factory=dict)


def last_complete_month(today: dt.date) -> str:
    first = today.replace(day=1)
    previous = first - dt.timedelta(days=1)
    return f"{previous.year:04d}-{previous.month:02d}"


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def build_demo(store: Store, seed: int, end_month: str, *, months: int = 12,
               force_name: str = "Demoshire Police",
               officers: int = 400, volunteers: int = 40) -> DemoReport:
    rng = random.Random(seed)
    report = DemoReport()
    units = [{"code": c, "name": n, "kind": "BCU", "monthly_target": 50} for c, n in BCUS]
    units += [{"code": c, "name": n, "kind": "department", "monthly_target": 50}
              for c, n in DEPARTMENTS]
    admin = users.setup_force(store, force_name, units, "admin", "Alex Admin (demo)",
                              DEMO_PASSWORD)
    report.units = len(units)
    report.sign_ins.append(("admin", Role.ADMIN.label, DEMO_PASSWORD))
    unit_rows = reference.list_units(store)
    with store.write():
        people_per_unit = officers // len(unit_rows)
        number = 1000
        for unit in unit_rows:
            sergeants: list[int] = []
            for i in range(people_per_unit):
                number += 1
                is_sergeant = i < max(2, people_per_unit // 8)
                role_type = "PCSO" if (not is_sergeant and rng.random() < 0.15) else "officer"
                person_id = reference.add_person(
                    store, admin, f"{unit['code']}{number}", person_name(rng), role_type,
                    unit["id"], None if is_sergeant else rng.choice(sergeants))
                if is_sergeant:
                    sergeants.append(person_id)
                report.people += 1
            if unit["kind"] == "BCU":
                username = f"sgt.{unit['code'].lower()}"
                users.create_user(store, admin, username, f"Sgt {person_name(rng)}",
                                  Role.SUPERVISOR, DEMO_PASSWORD, unit_id=unit["id"],
                                  person_id=sergeants[0])
                report.sign_ins.append((username, Role.SUPERVISOR.label, DEMO_PASSWORD))
        bcu_rows = [u for u in unit_rows if u["kind"] == "BCU"]
        for i, station in enumerate(STATIONS):
            reference.add_counter(store, admin, f"{station} Police Station",
                                  bcu_rows[i % len(bcu_rows)]["id"], HOURS[i % len(HOURS)])
            report.counters += 1
        for i in range(1, 4):
            users.create_user(store, admin, f"bureau{i}", person_name(rng), Role.BUREAU,
                              DEMO_PASSWORD)
            report.sign_ins.append((f"bureau{i}", Role.BUREAU.label, DEMO_PASSWORD))
        for i in range(1, volunteers + 1):
            users.create_user(store, admin, f"volunteer{i:02d}", person_name(rng),
                              Role.VOLUNTEER, DEMO_PASSWORD)
        report.sign_ins.append((f"volunteer01 .. volunteer{volunteers:02d}",
                                Role.VOLUNTEER.label, DEMO_PASSWORD))
    return report
