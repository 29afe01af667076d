"""A realistic synthetic force, generated deterministically from a seed.

Everything here is invented: names come from short lists, phone numbers from Ofcom's
drama range (07700 900000-900999), so no real person can be reached by accident.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from qos.months import shift_month
from qos.roles import Actor, Role
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


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def build_demo(store: Store, seed: int, end_month: str, *, months: int = 12,
               crimes_per_unit_month: int = 160,
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
    unit_rows = reference.list_units(store, admin)
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
            bureau_id = users.create_user(store, admin, f"bureau{i}", person_name(rng),
                                          Role.BUREAU, DEMO_PASSWORD)
            # The force's one contact bureau serves every BCU (set by an administrator).
            users.set_responsibility(store, admin, bureau_id, 1, [u["id"] for u in bcu_rows])
            report.sign_ins.append((f"bureau{i}", Role.BUREAU.label, DEMO_PASSWORD))
        for i in range(1, volunteers + 1):
            users.create_user(store, admin, f"volunteer{i:02d}", person_name(rng),
                              Role.VOLUNTEER, DEMO_PASSWORD)
        report.sign_ins.append((f"volunteer01 .. volunteer{volunteers:02d}",
                                Role.VOLUNTEER.label, DEMO_PASSWORD))
    report.extra.update(build_activity(store, admin, rng, end_month, months,
                                      crimes_per_unit_month))
    from qos.demo_survey import load_demo_survey

    report.extra["official survey figures"] = load_demo_survey(store, admin, rng, end_month)
    from qos.demo_routines import build_routines

    report.extra.update(build_routines(store, admin, rng, DEMO_PASSWORD, report.sign_ins))
    return report


OFFENCES = [("Burglary dwelling", 18), ("Vehicle crime", 22), ("Criminal damage", 20),
            ("Theft", 25), ("Violence against the person", 12), ("Sexual offences", 1),
            ("Domestic abuse", 2), ("Road traffic collision", 4)]
# Units differ in size (equal targets, unequal victims): the force figure is weighted by unit.
UNIT_VOLUME = (1.0, 2.5, 0.6, 1.6)
CALL_DAYS_AFTER = 20  # call-backs happen in the weeks after the month closes


def _crime_rows(rng: random.Random, unit: dict[str, Any], month: str, count: int,
                officers: list[str], serial: int) -> list[list[str]]:
    first = dt.date.fromisoformat(month + "-01")
    days = ((first + dt.timedelta(days=32)).replace(day=1) - first).days
    categories = [c for c, _ in OFFENCES]
    weights = [w for _, w in OFFENCES]
    rows = []
    for i in range(count):
        category = rng.choices(categories, weights)[0]
        recorded = first + dt.timedelta(days=rng.randrange(days))
        # Vulnerable, (an arrest's date missing from the extract), declined, under 18.
        flags = ["Y" if rng.random() < p else "N" for p in (0.1, 0.15, 0.05, 0.03)]
        rows.append([
            f"{unit['code']}/{month[2:4]}/{serial + i:06d}", recorded.isoformat(), unit["code"],
            category, person_name(rng), f"07700 9{rng.randrange(100000):05d}",
            rng.choice(officers), rng.choice(["W1"] * 8 + ["A1", "A2", "B1", "M1", "NS"]),
            *flags[:1], *flags[2:], "Y" if category == "Domestic abuse" else "N",
            *_events(rng, recorded, arrest_date_unknown=flags[1] == "Y")])
        # Enhanced service for persistent targeting, and some victims agree how often
        # they are updated (2020 Code): weekly or fortnightly instead of every 28 days.
        agreed = rng.random()
        rows[-1] += ["Y" if rng.random() < 0.04 else "N",
                     "7" if agreed < 0.05 else "14" if agreed < 0.15 else ""]
    return rows


def _events(rng: random.Random, reported: dt.date, *, arrest_date_unknown: bool = False
            ) -> list[str]:
    """Arrest, charge, closure, enhanced flag and a victim update (Victims' Code clock)."""
    today = dt.date.today()
    arrest = reported + dt.timedelta(days=rng.randrange(1, 20)) if rng.random() < 0.3 else None
    charge = (arrest + dt.timedelta(days=rng.randrange(1, 30))
              if arrest and rng.random() < 0.4 else None)
    closed = (reported + dt.timedelta(days=rng.randrange(10, 60))
              if not charge and rng.random() < 0.92 else None)
    # One recorded update, a few days after the latest event; some victims are forgotten.
    latest = max(d for d in (reported, arrest, charge, closed) if d)
    updated = latest + dt.timedelta(days=rng.randrange(0, 8)) if rng.random() < 0.8 else None

    def text(day: dt.date | None) -> str:
        return day.isoformat() if day and day <= today else ""

    arrested = text(arrest)
    if arrested and arrest_date_unknown:
        arrested = "unknown"  # one arrest fact: an arrest made, its date not in the extract
    # The record is closed when the investigation closes, or a fortnight after a charge.
    finalised = closed or (charge + dt.timedelta(days=14) if charge else None)
    return [arrested, text(charge), text(closed), "Y" if rng.random() < 0.12 else "N",
            text(updated), text(finalised)]


def build_activity(store: Store, admin: Actor, rng: random.Random, end_month: str,
                   months: int, crimes_per_unit_month: int = 160) -> dict[str, int]:
    """Crime extracts, monthly samples and completed call-backs for each unit and month."""
    from qos.store import callbacks, samples
    from qos.store.crime_import import import_crimes_with_deadlines
    from qos.tabular import Table
    from qos.templates import load_template

    template = load_template("callback")
    header = ["Crime reference", "Date recorded", "Unit", "Offence category", "Victim name",
              "Contact phone", "Officer", "Victim ethnicity", "Vulnerable or intimidated",
              "Victim declined contact", "Victim under 18", "Domestic abuse",
              "Suspect arrested", "Charged", "Investigation closed", "Enhanced service",
              "Victim updated", "Date crime closed", "Persistently targeted",
              "Agreed update frequency (days)"]
    units = reference.list_units(store, admin)
    officers = {u["id"]: [p["staff_number"]
                          for p in reference.list_people(store, admin, unit_id=u["id"])]
                for u in units}
    first_month = shift_month(end_month, -(months - 1))
    table = Table(headers=header)
    serial = 1
    for m in range(months):
        month = shift_month(first_month, m)
        for i, unit in enumerate(units):
            count = round(crimes_per_unit_month * UNIT_VOLUME[i % len(UNIT_VOLUME)])
            for row in _crime_rows(rng, unit, month, count, officers[unit["id"]], serial):
                table.rows.append((len(table.rows) + 2, row))
            serial += count
    import_crimes_with_deadlines(store, admin, table, all_or_nothing=True, source="demo")
    quality = {u["id"]: 0.55 + 0.3 * rng.random() for u in units}  # each unit's service level
    completed = 0
    for m in range(months):
        month = shift_month(first_month, m)
        call_day = dt.date.fromisoformat(month + "-01") + dt.timedelta(days=31 + CALL_DAYS_AFTER)
        for unit in units:
            draw_id = samples.draw_for_month(store, admin, unit["id"], month,
                                             seed=rng.randrange(2**31))
            # The last month is still being worked: only some calls are done.
            share_done = 1.0 if m < months - 1 else 0.6
            items = samples.list_items(store, draw_id, viewer=admin)
            for item in items[:int(len(items) * share_done)]:
                roll = rng.random()
                if roll < 0.06:
                    samples.record_attempt(store, admin, item["id"], "declined",
                                           on=min(call_day, dt.date.today()))
                    continue
                if roll < 0.12:
                    for _ in range(3):
                        samples.record_attempt(store, admin, item["id"], "no_answer",
                                               on=min(call_day, dt.date.today()))
                    continue
                good = quality[unit["id"]]
                answers: dict[str, object] = {}
                for q in template.questions:
                    if q.type == "scale7":
                        answers[q.key] = (0 if rng.random() < 0.05 else
                                          rng.choice([1, 2, 3]) if rng.random() < good else
                                          rng.choice([4, 5, 6, 7]))
                    else:
                        answers[q.key] = "Y" if rng.random() < good + 0.15 else rng.choice("NX")
                feedback = rng.choices(["none", "positive", "improvement"], [8, 1, 1])[0]
                callbacks.record_callback(
                    store, admin, item["id"], answers,
                    ethnicity=rng.choice(["W1"] * 7 + ["A1", "B1", "M1", "NS"]),
                    comments=rng.choice(["", "", "Officer was kind", "Never heard back",
                                         "Took a long time to arrive"]),
                    feedback=feedback, call_date=min(call_day, dt.date.today()), template=template,
                    agreed_update_days=21 if rng.random() < 0.05 else None)
                completed += 1
    debriefed = _work_debriefs(store, admin, rng)
    cards = _doorstep_cards(store, admin, rng, first_month, months, units)
    bureau_calls = _bureau_calls(store, admin, rng)
    visits = _mystery_visits(store, admin, rng)
    return {"crimes": len(table.rows), "call-backs": completed, "debriefs done": debriefed,
            "Doorstep cards returned": cards, "bureau calls": bureau_calls,
            "mystery-shopping visits": visits}


def _mystery_visits(store: Store, admin: Actor, rng: random.Random) -> int:
    """Two quarters of the visit programme; the visits already due are sent in."""
    from qos.store import mystery
    from qos.store.users import actor_for

    mystery.sync_scenarios(store, admin)
    today = dt.date.today()
    this_monday = today - dt.timedelta(days=today.weekday())
    for weeks_back in (26, 13, 0):  # two quarters done, the current one ahead
        mystery.plan_visits(store, admin, this_monday - dt.timedelta(weeks=weeks_back),
                            seed=rng.randrange(10**6))
    scenarios = {s["id"]: s["items"] for s in mystery.list_scenarios(store, admin)}
    sent = 0
    for plan in mystery.list_plan(store, admin):
        week = dt.date.fromisoformat(plan["week_start"])
        if week > today - dt.timedelta(days=7):
            continue
        when = dt.datetime.combine(week + dt.timedelta(days=rng.randrange(5)),
                                   dt.time(rng.choice([8, 10, 12, 14, 16]), rng.choice([0, 30])))
        open_now = rng.random() > 0.04
        if sent % 40 == 7:  # now and then a volunteer comes before opening time: a void visit
            when, open_now = when.replace(hour=6, minute=45), False
        answers = {i["key"]: ("Y" if rng.random() < 0.8 else rng.choice("NX"))
                   for i in scenarios[plan["scenario_id"]]} if open_now else {}
        mystery.submit_visit(store, actor_for(store, plan["volunteer_id"]), plan["id"],
                             arrived_at=when, counter_open=open_now,
                             waiting_minutes=rng.randrange(0, 15), answers=answers,
                             overall=rng.choice([1, 2, 2, 3, 3, 4, 5]),
                             went_well=rng.choice(["", "Friendly greeting", "Clear advice"]),
                             to_improve=rng.choice(["", "Leaflets out of date", "Long queue"]))
        sent += 1
    return sent


def _bureau_calls(store: Store, admin: Actor, rng: random.Random, count: int = 400) -> int:
    """The bureau's recent work: calls by three callers over the last weeks, some failures."""
    from qos.settings import setting
    from qos.store import bureau
    from qos.store.users import actor_for
    from qos.templates import load_template

    callers = [actor_for(store, r["id"]) for r in sorted(
        users.list_users(store, admin), key=lambda r: r["id"]) if r["role"] == "bureau"]
    template = load_template("bureau")
    themes = list(setting(store, "bureau_themes"))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    done = 0
    for i in range(count):
        caller = callers[i % len(callers)]
        moment = now - dt.timedelta(days=rng.randrange(1, 40), hours=rng.randrange(8))
        call = bureau.claim_next(store, caller, now=moment)
        if call is None:
            break
        roll = rng.random()
        outcome = ("completed" if roll < 0.75 else "no_answer" if roll < 0.88 else
                   "declined" if roll < 0.94 else "pcso_visit" if roll < 0.97 else "wrong_number")
        answers: dict[str, object] = {}
        if outcome == "completed":
            for q in template.questions:
                answers[q.key] = (rng.choice([1, 2, 2, 3, 4, 5]) if q.type == "scale7" else
                                  "N" if rng.random() < 0.08 else "Y")
        bureau.record_call(store, caller, call["id"], outcome, answers=answers,
                           themes=rng.sample(themes, rng.choice([0, 0, 1, 2])), now=moment,
                           template=template)
        done += 1
        if rng.random() < 0.05:
            bureau.log_complaint(store, caller, rng.choice(["complaint", "compliment"]),
                                 rng.choice(setting(store, "complaint_categories")),
                                 call["unit_id"], "Raised during a re-contact call",
                                 raised_on=moment.date())
    return done


def _doorstep_cards(store: Store, admin: Actor, rng: random.Random, first_month: str,
                    months: int, units: list[dict[str, Any]]) -> int:
    """Card batches for a few officers a month; about a third come back by post."""
    from qos.store import doorstep
    from qos.templates import load_template

    today = dt.date.today()
    serial, returned = 100001, 0
    for m in range(months):
        month = shift_month(first_month, m)
        version = 1 if m < months // 2 else 2  # the card was redesigned half-way through
        template = load_template("doorstep", version)
        for unit in units:
            people = [p for p in reference.list_people(store, admin, unit_id=unit["id"])
                      if p["role_type"] == "officer"]
            for officer in rng.sample(people, min(3, len(people))):
                issued = dt.date.fromisoformat(month + "-01") + dt.timedelta(days=rng.randrange(20))
                if issued > today:
                    continue
                doorstep.issue_batch(store, admin, serial, serial + 24, issued, unit["id"],
                                     person_id=officer["id"], template_version=version)
                # The first unit records which crime each card was left for (its return
                # rate is out of cards left with victims); the others only issue cards.
                left = (_leave_cards(store, admin, rng, unit["id"], serial, issued, today)
                        if unit is units[0] else None)
                for card in range(serial, serial + 25):
                    received = issued + dt.timedelta(days=rng.randrange(5, 40))
                    if rng.random() > 0.33 or received > today:
                        continue
                    if left is not None and card not in left:
                        continue  # a card never left with anyone cannot come back
                    answers: dict[str, object] = {}
                    for q in template.questions:
                        if q.type == "scale7":
                            answers[q.key] = rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6, 7])
                        else:
                            answers[q.key] = rng.choice("YYYN")
                    doorstep.record_card(store, admin, card, answers, received_on=received,
                                         comments=rng.choice(["", "", "", "Very reassuring",
                                                              "Officer was late"]))
                    returned += 1
                serial += 25
    return returned


def _leave_cards(store: Store, admin: Actor, rng: random.Random, unit_id: int, first: int,
                 issued: dt.date, today: dt.date) -> set[int]:
    """Most of a batch's 25 cards recorded against crimes attended in the next three weeks
    (never one where someone was arrested): the serials left with victims."""
    from qos.store import handouts

    crimes = handouts.crimes_without_card(store, admin, unit_id, issued,
                                          min(today, issued + dt.timedelta(days=21)))
    left: set[int] = set()
    for card, crime in zip(range(first, first + 25), rng.sample(crimes, min(20, len(crimes))),
                           strict=False):
        handouts.record_handout(store, admin, card, crime["crime_ref"],
                                dt.date.fromisoformat(crime["recorded_on"]))
        left.add(card)
    return left


def _work_debriefs(store: Store, admin: Actor, rng: random.Random) -> int:
    """Most line managers debrief within a few weeks; some fall behind."""
    from qos.store import callbacks

    today = dt.date.today()
    done = 0
    for debrief in callbacks.list_debriefs(store, admin, today=today):
        called = dt.date.fromisoformat(debrief["call_date"])
        on = called + dt.timedelta(days=rng.randrange(2, 25))
        if on > today or rng.random() < 0.15:
            continue
        version = callbacks.record_debrief(store, admin, debrief["id"], debrief["version"], on,
                                           rng.choice(["Discussed the victim's feedback",
                                                       "Thanked officer for good work",
                                                       "Reminded officer to update victims"]))
        agrees = rng.random() < 0.95
        callbacks.record_acknowledgement(store, admin, debrief["id"], version, agrees=agrees,
                                         reason="" if agrees else "Victim was updated by text")
        done += 1
    return done
