"""The Victims' Code deadlines each crime creates, kept up to date in `code_duties`.

Triggers mark a crime stale whenever its dates or its victim updates change (migration 0008);
`bring_up_to_date` works the stale ones out again with qos.victims_code, the one place the
rules live, so the due list is a single indexed read however large the force's data grows.
Writers call it (the crime import, a victim update) and so does the background catch-up;
readers (the due list, the summary) only read what is kept and never take a write lock.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from qos.progress import Progress
from qos.roles import Action, Actor, require
from qos.store.core import Store
from qos.victims_code import (
    EVENT_COLUMNS,
    PERIODIC,
    PERIODIC_LABEL,
    PERIODIC_PAST,
    Obligation,
    Rule,
    basis,
    describe_reasons,
    enhanced_reasons,
    event_day,
    longest_deadline,
    obligations,
    periodic_due,
    periodic_obligations,
    rule_in_force,
)
from qos.working_days import add_working_days

__all__ = ["PERIODIC", "PERIODIC_LABEL", "PERIODIC_PAST"]
CHUNK = 5000
_BASIS_KEY = "code_duties_basis"
COLUMNS = ("unit_id", "due_on", "crime_id", "rule", "label", "crime_ref", "recorded_on",
           "officer_id", "officer_number", "enhanced", "event_on", "updated_on",
           "enhanced_reason")


def stale_count(store: Store) -> int:
    """Crimes whose deadlines are not yet worked out: changed ones, and new ones."""
    return int(store.scalar(
        "SELECT (SELECT count(*) FROM code_duties_stale) + (SELECT count(*) FROM crimes "
        "WHERE id > (SELECT last_crime_id FROM code_duties_seen))"))


def bring_up_to_date(store: Store, progress: Progress | None = None) -> int:
    """Work out the deadlines of every stale or new crime; returns how many crimes that took.

    Each chunk is read, worked out and written in one write transaction, so a victim update
    saved meanwhile by someone else is never lost between the read and the write."""
    if store.setting(_BASIS_KEY) != basis():
        with store.write():
            # New edition files or bank holidays: every stored deadline may have moved, so
            # every crime counts as new again.
            store.execute("UPDATE code_duties_seen SET last_crime_id = 0")
            store.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                          "DO UPDATE SET value = excluded.value",
                          [_BASIS_KEY, json.dumps(basis())])
    total = stale_count(store)
    if total == 0:
        return 0  # the usual case: no write lock taken just to find nothing to do
    done = 0
    while True:
        with store.write():
            ids = [r[0] for r in store.conn.execute(
                "SELECT crime_id FROM code_duties_stale ORDER BY crime_id LIMIT ?", [CHUNK])]
            last_seen = store.scalar("SELECT last_crime_id FROM code_duties_seen")
            new = [r[0] for r in store.conn.execute(
                "SELECT id FROM crimes WHERE id > ? ORDER BY id LIMIT ?",
                [last_seen, CHUNK - len(ids)])] if len(ids) < CHUNK else []
            if not ids and not new:
                return done
            rework(store, sorted({*ids, *new}))
            if new:
                store.execute("UPDATE code_duties_seen SET last_crime_id = ?", [new[-1]])
        done += len(ids) + len(new)
        if progress:
            progress(min(done, total), max(total, done))


def with_events_between(store: Store, actor: Actor, first: dt.date, end: dt.date
                        ) -> list[tuple[int, Obligation, int]]:
    """(unit id, obligation, crimes) for the Code deadlines (not the regular update) whose
    event fell in [first, end), as kept in code_duties (a read: it never works them out).

    Counted, for figures: crimes of one unit whose rule, report day, event, deadline and
    update day are the same share one obligation (crime id 0) and its count, so a force's
    month is a few hundred rows to read and judge instead of tens of thousands."""
    require(actor, Action.VIEW_SUMMARY)
    # A deadline falls on or after its event and at most the longest deadline after `end`,
    # which bounds the read of each unit's stretch of the table.
    latest_due = add_working_days(end, longest_deadline())
    day = dt.date.fromisoformat
    return [(row["unit_id"], Obligation(
                0, rule_in_force(day(row["recorded_on"]), row["rule"]),
                day(row["event_on"]), day(row["due_on"]),
                day(row["updated_on"]) if row["updated_on"] else None), row["n"])
            for row in store.rows(
                "SELECT unit_id, rule, recorded_on, event_on, due_on, updated_on, "
                "COUNT(*) AS n FROM code_duties WHERE unit_id IN (SELECT id FROM units) "
                "AND due_on >= ? AND due_on <= ? AND rule NOT IN (?, ?) AND event_on >= ? "
                "AND event_on < ? GROUP BY unit_id, rule, recorded_on, event_on, due_on, "
                "updated_on ORDER BY unit_id, rule, recorded_on, event_on, due_on, updated_on",
                [first.isoformat(), latest_due.isoformat(), PERIODIC, PERIODIC_PAST,
                 first.isoformat(), end.isoformat()])]


def periodic_between(store: Store, actor: Actor, first: dt.date, end: dt.date
                     ) -> list[tuple[int, Obligation, int]]:
    """(unit id, obligation, crimes) for every regular progress update that fell due in
    [first, end), at the frequency agreed with the victim: for timeliness figures. Counted
    as `with_events_between` is. A read: it never works them out."""
    require(actor, Action.VIEW_SUMMARY)
    day = dt.date.fromisoformat
    rule = Rule(PERIODIC, "", PERIODIC_LABEL, 0, 0)  # each crime's own frequency is in due_on
    return [(row["unit_id"], Obligation(
                0, rule, day(row["event_on"]), day(row["due_on"]),
                day(row["updated_on"]) if row["updated_on"] else None), row["n"])
            for row in store.rows(
                "SELECT unit_id, due_on, updated_on, event_on, COUNT(*) AS n FROM ("
                "SELECT unit_id, due_on, updated_on, "
                "CASE WHEN rule = ? THEN recorded_on ELSE event_on END AS event_on "
                "FROM code_duties WHERE unit_id IN (SELECT id FROM units) AND due_on >= ? "
                "AND due_on < ? AND rule IN (?, ?)) AS fallen_due "
                "GROUP BY unit_id, due_on, updated_on, event_on "
                "ORDER BY unit_id, due_on, updated_on, event_on",
                [PERIODIC, first.isoformat(), end.isoformat(), PERIODIC, PERIODIC_PAST])]


def rework(store: Store, ids: list[int]) -> None:
    """Work out these crimes' deadlines again, now (inside the caller's write)."""
    marks = ", ".join("?" * len(ids))
    crimes = store.rows(
        f"SELECT id, crime_ref, recorded_on, enhanced, vulnerable, offence_category, "
        f"persistently_targeted, update_every_days, unit_id, officer_id, officer_number, "
        f"{', '.join(EVENT_COLUMNS)} "
        f"FROM crimes WHERE id IN ({marks})", ids)
    updates: dict[int, list[dt.date]] = defaultdict(list)
    for crime_id, day in store.conn.execute(
            f"SELECT crime_id, updated_on FROM victim_updates WHERE crime_id IN ({marks})", ids):
        updates[crime_id].append(dt.date.fromisoformat(day))
    store.execute(f"DELETE FROM code_duties WHERE crime_id IN ({marks})", ids)
    store.conn.executemany(
        f"INSERT INTO code_duties ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
        [duty for crime in crimes for duty in duties_of(crime, updates.get(crime["id"], []))])
    store.execute(f"DELETE FROM code_duties_stale WHERE crime_id IN ({marks})", ids)


def duties_of(crime: dict[str, Any], updates: list[dt.date]) -> list[tuple[Any, ...]]:
    """Rows for code_duties: one per Code rule whose event happened, and the regular progress
    updates at the victim's agreed frequency: those fallen due (PERIODIC_PAST, for timeliness)
    and, while the investigation is open, the one still owed (PERIODIC, whose event_on is the
    first Code event, which the due list uses to follow open cases older than a few months).
    Each row says why the victim is owed the enhanced service, if they are."""
    reasons = enhanced_reasons(crime)
    same = (crime["crime_ref"], crime["recorded_on"], crime["officer_id"],
            crime["officer_number"], int(bool(reasons)))
    why = describe_reasons(reasons) or None
    found: list[tuple[Any, ...]] = [
        (crime["unit_id"], duty.due.isoformat(), crime["id"], duty.rule.key, duty.rule.label,
         *same, duty.event_date.isoformat(),
         duty.updated_on.isoformat() if duty.updated_on else None, why)
        for duty in obligations(crime, updates)]
    chain = periodic_obligations(crime, updates)
    still_open = periodic_due(crime, updates) is not None
    if still_open and chain:
        owed = chain.pop()
        events = [d for d in (event_day(crime.get(e)) for e in EVENT_COLUMNS) if d]
        found.append((crime["unit_id"], owed.due.isoformat(), crime["id"], PERIODIC,
                      owed.rule.label, *same,
                      min(events).isoformat() if events else None, None, why))
    found += [(crime["unit_id"], duty.due.isoformat(), crime["id"], PERIODIC_PAST,
               duty.rule.label, *same, duty.event_date.isoformat(),
               duty.updated_on.isoformat() if duty.updated_on else None, why)
              for duty in chain]
    return found
