"""Demo data for the routines added after the inspection (issue 19): a control room and an
inspectorate sign-in, and their recent work. Called by qos/demo.py after the rest."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from qos.errors import ValidationError
from qos.roles import SYSTEM, Actor, Role
from qos.store.core import Store


def build_routines(store: Store, admin: Actor, rng: random.Random, password: str,
                   sign_ins: list[tuple[str, str, str]]) -> dict[str, int]:
    from qos.store import users

    fcc = [users.actor_for(store, users.create_user(
        store, admin, f"fcc{i}", f"Control room operator {i}", Role.CONTROL_ROOM, password))
        for i in (1, 2)]
    sign_ins.append(("fcc1, fcc2", Role.CONTROL_ROOM.label, password))
    inspector = users.actor_for(store, users.create_user(
        store, admin, "inspector", "Force inspectorate (demo)", Role.INSPECTORATE, password))
    sign_ins.append(("inspector", Role.INSPECTORATE.label, password))
    return {"informal complaints (control room)": _complaints(store, fcc, rng),
            "closure remedies": _closure_remedies(store, admin, rng),
            "dip-check findings": _dip_checks(store, inspector, rng)}


def _complaints(store: Store, fcc: list[Actor], rng: random.Random, days: int = 60) -> int:
    """A few informal complaints a day, most resolved there and then; "kept informed" and
    "response" the usual subjects, as the report found (lack of action, calls unanswered)."""
    from qos.commitment import commitment_items
    from qos.store import complaints, reference

    units = [u["id"] for u in reference.list_units(store, SYSTEM)]
    items = [i.key for i in commitment_items()]
    weights = [3, 4, 2, 5, 2, 1][:len(items)] + [1] * max(0, len(items) - 6)
    today = dt.date.today()
    logged = 0
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            values: dict[str, Any] = {
                "unit_id": rng.choice(units), "qosc_item": rng.choices(items, weights)[0],
                "resolution": "resolved" if rng.random() < 0.7 else "passed_on",
                "summary": rng.choice(["", "", "No call back from the officer",
                                       "Emails to the station unanswered",
                                       "Waited hours for a response"]),
                "raised_on": day}
            complaints.log_informal_complaint(store, rng.choice(fcc), **values)
            logged += 1
    return logged


def _closure_remedies(store: Store, admin: Actor, rng: random.Random) -> int:
    """Supervisors put right about two in three of last month's non-compliant closures."""
    from qos.months import last_complete_month
    from qos.store import closures

    today = dt.date.today()
    done = 0
    for month in (last_complete_month(today), today.isoformat()[:7]):
        for row in closures.closures_for_month(store, admin, month, problems_only=True):
            if rng.random() < 0.35:
                continue
            closed = dt.date.fromisoformat(row["finalised_on"])
            on = min(today, closed + dt.timedelta(days=rng.randrange(1, 10)))
            closures.record_remedy(store, admin, row["id"], rng.choice([
                "Victim updated by the officer", "Officer reminded of the Code; victim told",
                "Leaflet and crime number sent"]), on)
            done += 1
    return done


def _dip_checks(store: Store, inspector: Actor, rng: random.Random) -> int:
    """Last month's dip checks of three BCUs; the inspector mostly agrees with the records
    and finds the odd counter shut."""
    from qos.months import last_complete_month
    from qos.store import dipchecks, reference

    month = last_complete_month(dt.date.today())
    found = 0
    for unit in [u for u in reference.list_units(store, SYSTEM) if u["kind"] == "BCU"][:3]:
        try:
            check_id = dipchecks.draw_dip_check(store, inspector, unit["id"], month,
                                                seed=rng.randrange(2**31))
        except ValidationError:
            continue  # nothing in that unit's month to check
        for item in dipchecks.check_items(store, inspector, check_id):
            if rng.random() < 0.1:
                continue  # still to check
            if item["test"] == "counter_open":
                result = "pass" if rng.random() < 0.85 else "fail"
                note = "" if result == "pass" else "Shut during published hours"
            else:
                result = item["suggested"] if rng.random() < 0.95 else "unable"
                note = {"pass": "", "fail": "Update late or missing on the crime file",
                        "unable": "Crime file not available"}[result]
            dipchecks.record_result(store, inspector, item["id"], item["version"], result, note)
            found += 1
    return found
