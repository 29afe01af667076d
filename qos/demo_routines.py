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

    control_room = _control_room(store, admin, rng)
    fcc = [users.actor_for(store, users.create_user(
        store, admin, f"fcc{i}", f"Control room operator {i}", Role.CONTROL_ROOM, password,
        person_id=control_room["staff"][i - 1])) for i in (1, 2)]
    sign_ins.append(("fcc1, fcc2", Role.CONTROL_ROOM.label, password))
    manager = users.actor_for(store, users.create_user(
        store, admin, "fcc.manager", "FCC line manager (demo)", Role.SUPERVISOR, password,
        unit_id=control_room["unit"], person_id=control_room["managers"][0]))
    sign_ins.append(("fcc.manager", Role.SUPERVISOR.label, password))
    inspector = users.actor_for(store, users.create_user(
        store, admin, "inspector", "Force inspectorate (demo)", Role.INSPECTORATE, password))
    sign_ins.append(("inspector", Role.INSPECTORATE.label, password))
    return {"informal complaints (control room)": _complaints(store, fcc, rng),
            "closure remedies": _closure_remedies(store, admin, rng),
            "dip-check findings": _dip_checks(store, inspector, rng),
            "control-room calls evaluated": _evaluations(store, manager, admin, control_room,
                                                         fcc, rng),
            "NP comment cards returned": _np_cards(store, admin, rng)}


def _name(rng: random.Random) -> str:
    # Its own short lists: importing qos.demo's would make an import loop.
    return (f"{rng.choice(['Asha', 'Ben', 'Cara', 'Dev', 'Ella', 'Finn', 'Gita', 'Huw'])} "
            f"{rng.choice(['Shah', 'Reed', 'Lowe', 'Pryce', 'Oduya', 'Marsh', 'Quinn'])}")


def _control_room(store: Store, admin: Actor, rng: random.Random) -> dict[str, Any]:
    """The force control centre: two line managers with five call handlers each."""
    from qos.store import reference

    # No QoS call-back target: the control room records no crimes of its own.
    unit = reference.add_unit(store, admin, "FCC", "Force Control Centre", "department", 0)
    managers = [reference.add_person(store, admin, f"FCC{900 + i}", _name(rng), "staff",
                                     unit) for i in range(2)]
    staff = [reference.add_person(store, admin, f"FCC{910 + i}", _name(rng), "staff",
                                  unit, managers[i % 2]) for i in range(10)]
    return {"unit": unit, "managers": managers, "staff": staff}


def _evaluations(store: Store, manager: Actor, admin: Actor, control_room: dict[str, Any],
                 fcc: list[Actor], rng: random.Random) -> int:
    """Three months of evaluations (most handlers near the standard, two below), their
    acknowledgements, and one calibration exercise scored by two managers."""
    from qos.call_evaluation import evaluation_template
    from qos.months import months_back
    from qos.store import call_evaluations as ce

    keys = [i.key for i in evaluation_template().items]
    today = dt.datetime.now().replace(second=0, microsecond=0)
    skill = {p: (0.97 if n > 1 else 0.8) for n, p in enumerate(control_room["staff"])}
    done = 0
    for month in months_back(today.strftime("%Y-%m"), 3):
        first = dt.datetime.fromisoformat(month + "-01T08:00")
        for person in control_room["staff"]:
            for n in range(5):
                when = first + dt.timedelta(days=rng.randrange(27), hours=rng.randrange(12))
                if when > today:
                    continue
                answers = {k: ("X" if rng.random() < 0.08 else
                               "Y" if rng.random() < skill[person] else "N") for k in keys}
                answers[keys[0]] = "Y"  # at least one item applies
                ce.record_evaluation(store, admin, person, f"FCC-{month}-{person}-{n}",
                                     when, answers)
                done += 1
    for actor in fcc:
        for row in ce.my_evaluations(store, actor)[:6]:
            ce.acknowledge(store, actor, row["id"], row["version"], agrees=True)
    calibration = ce.create_calibration(store, manager, control_room["staff"][3], "FCC-CAL-1",
                                        today - dt.timedelta(days=3), "Calibration: burglary call")
    ce.score_calibration(store, manager, calibration, dict.fromkeys(keys, "Y"))
    ce.score_calibration(store, admin, calibration, {**dict.fromkeys(keys, "Y"), "risk": "N",
                                                     "advice": "X"})
    return done


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


def _np_cards(store: Store, admin: Actor, rng: random.Random) -> int:
    """Cards at each BCU's front counter and library and at a county show; about one in ten
    comes back; most comments get an action, and older ones an outcome."""
    from qos.settings import setting
    from qos.store import np_cards, reference

    today = dt.date.today()
    themes = len(setting(store, "np_card_themes"))
    batches = []
    for unit in [u for u in reference.list_units(store, admin) if u["kind"] == "BCU"]:
        for kind, place in (("front_counter", f"{unit['name']} front counter"),
                            ("library", f"{unit['name']} library")):
            batches.append(np_cards.put_out(store, admin, kind, place, unit["id"], 50,
                                            today - dt.timedelta(days=90)))
    show_unit = reference.list_units(store, admin)[0]["id"]
    batches.append(np_cards.put_out(store, admin, "event", "County show", show_unit, 200,
                                    today - dt.timedelta(days=60)))
    returned = 0
    for batch in batches:
        for _ in range(rng.randrange(2, 8)):
            received = today - dt.timedelta(days=rng.randrange(0, 55))
            codes = " ".join(str(rng.randrange(1, themes + 1)) for _ in range(rng.choice([1, 2])))
            card = np_cards.record_return(store, admin, batch, rng.choice([
                "More patrols in the evenings please", "Cars speeding past the school",
                "Could not get through on the phone", "PCSO was very helpful",
                "Youths gathering by the shops"]), theme_codes=codes, received_on=received)
            returned += 1
            if rng.random() < 0.2:
                continue  # waiting for the team
            version = np_cards.set_action(store, admin, card, 1, rng.choice([
                "Add to the ward priorities", "Speed check with residents",
                "Pass to the PCSO for a visit"]))
            if received < today - dt.timedelta(days=14) and rng.random() < 0.7:
                np_cards.close_return(store, admin, card, version, rng.choice([
                    "Evening patrols added; told at the ward panel",
                    "Speed checks held; results on the website",
                    "Visited and advice given"]),
                    min(today, received + dt.timedelta(days=rng.randrange(3, 20))))
    return returned
