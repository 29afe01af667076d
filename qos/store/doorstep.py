"""Operation Doorstep: card stock issued by serial range, returned cards, return rates.

A serial belongs to one batch only. Each batch is printed with the card design (template
version) current when it was issued, and every returned card is read with that version.
"""
from __future__ import annotations

import datetime as dt
import json
import statistics
from typing import Any

from qos.errors import ValidationError
from qos.parsing import normalise_reference
from qos.roles import Action, Actor, require, require_any
from qos.store.core import Row, Store
from qos.store.templates import register_template
from qos.templates import Template, load_template

MAX_BATCH = 100_000


def issue_batch(store: Store, actor: Actor, first_serial: int, last_serial: int,
                issued_on: dt.date, unit_id: int, *, person_id: int | None = None,
                team: str | None = None, template_version: int | None = None) -> int:
    require(actor, Action.MANAGE_DOORSTEP)
    if first_serial <= 0 or last_serial < first_serial:
        raise ValidationError("The serial range must run from a lower to a higher number.")
    if last_serial - first_serial + 1 > MAX_BATCH:
        raise ValidationError(f"A batch holds at most {MAX_BATCH:,} cards.")
    if issued_on > dt.date.today():
        raise ValidationError("Cards cannot be issued on a date in the future.")
    if person_id is None and not (team or "").strip():
        raise ValidationError("Say which officer or team the cards were issued to.")
    template = load_template("doorstep", template_version)
    with store.write():
        clash = store.row(
            "SELECT b.*, p.name AS officer, u.code AS unit_code FROM card_batches b "
            "LEFT JOIN people p ON p.id = b.person_id JOIN units u ON u.id = b.unit_id "
            "WHERE b.first_serial <= ? AND b.last_serial >= ? LIMIT 1",
            [last_serial, first_serial])
        if clash:
            holder = clash["officer"] or f"team {clash['team']}"
            raise ValidationError(
                f"Serials {first_serial}-{last_serial} overlap batch {clash['id']} "
                f"({clash['first_serial']}-{clash['last_serial']}, issued to {holder}, "
                f"{clash['unit_code']}, on {clash['issued_on']}). A card can be issued once.")
        register_template(store, actor, template)
        return store.insert_record(actor, "card_batches", {
            "first_serial": first_serial, "last_serial": last_serial,
            "issued_on": issued_on.isoformat(), "unit_id": unit_id, "person_id": person_id,
            "team": (team or "").strip() or None, "template_version": template.version})


def batch_for_serial(store: Store, actor: Actor, serial: int) -> Row | None:
    require_any(actor, Action.ENTER_DOORSTEP, Action.MANAGE_DOORSTEP)
    return store.row(
        "SELECT b.*, p.name AS officer, p.staff_number, u.code AS unit_code FROM card_batches b "
        "LEFT JOIN people p ON p.id = b.person_id JOIN units u ON u.id = b.unit_id "
        "WHERE b.first_serial <= ? AND b.last_serial >= ?", [serial, serial])


def list_batches(store: Store, actor: Actor) -> list[Row]:
    require_any(actor, Action.ENTER_DOORSTEP, Action.MANAGE_DOORSTEP)
    return store.rows(
        "SELECT b.*, p.name AS officer, u.code AS unit_code, "
        "(b.last_serial - b.first_serial + 1) AS cards, "
        "(SELECT COUNT(*) FROM doorstep_cards c WHERE c.batch_id = b.id) AS returned "
        "FROM card_batches b LEFT JOIN people p ON p.id = b.person_id "
        "JOIN units u ON u.id = b.unit_id ORDER BY b.issued_on DESC, b.first_serial")


def check_serial(store: Store, actor: Actor, serial: int) -> Row:
    """The batch a typed serial belongs to, or a plain-words reason it cannot be entered."""
    batch = batch_for_serial(store, actor, serial)
    if batch is None:
        raise ValidationError(f"Card {serial} was never issued: check the number on the card.")
    entered = store.row("SELECT received_on FROM doorstep_cards WHERE serial = ?", [serial])
    if entered:
        raise ValidationError(f"Card {serial} was already entered (received "
                              f"{entered['received_on']}).")
    return batch


def serial_is_complete(store: Store, actor: Actor, typed: str) -> bool:
    """True when no issued serial is longer than `typed` and starts with it, so entry can move
    on without an Enter: '5001' is complete unless some batch reaches 50010 or beyond."""
    require_any(actor, Action.ENTER_DOORSTEP, Action.MANAGE_DOORSTEP)
    if not typed.isdigit():
        return False
    number = int(typed)
    if batch_for_serial(store, actor, number) is None:
        return False
    return not store.scalar("SELECT 1 FROM card_batches WHERE last_serial >= ? LIMIT 1",
                            [number * 10])


def card_template(store: Store, actor: Actor, batch: Row) -> Template:
    require_any(actor, Action.ENTER_DOORSTEP, Action.MANAGE_DOORSTEP)
    return load_template("doorstep", int(batch["template_version"]))


def record_card(store: Store, actor: Actor, serial: int, answers: dict[str, Any], *,
                received_on: dt.date, incident_ref: str = "", comments: str = "") -> int:
    require(actor, Action.ENTER_DOORSTEP)
    from qos.store.callbacks import validate_answers

    with store.write():
        batch = check_serial(store, actor, serial)
        template = card_template(store, actor, batch)
        clean = validate_answers(template, answers)
        if received_on > dt.date.today():
            raise ValidationError("The date received cannot be in the future.")
        if received_on.isoformat() < batch["issued_on"]:
            raise ValidationError(f"Card {serial} was issued on {batch['issued_on']}, after "
                                  f"the date received {received_on.isoformat()}.")
        return store.insert_record(actor, "doorstep_cards", {
            "serial": serial, "batch_id": batch["id"], "received_on": received_on.isoformat(),
            "incident_ref": normalise_reference(incident_ref) or None,
            "template_version": template.version, "answers": json.dumps(clean, sort_keys=True),
            "comments": comments.strip() or None}, audit_values=False)


GROUPS = {
    "officer": ("COALESCE(p.name || ' (' || p.staff_number || ')', 'Team ' || b.team)",),
    "team": ("COALESCE(b.team, '(officer batches)')",),
    "unit": ("u.code",),
    "month": ("substr(b.issued_on, 1, 7)",),
}


def return_rates(store: Store, actor: Actor, group_by: str, first_month: str,
                 last_month: str) -> list[Row]:
    """Cards issued in the period and how many came back, with the issue-to-return lag; and
    of those left with victims (recorded against a crime), how many came back."""
    require_any(actor, Action.MANAGE_DOORSTEP, Action.VIEW_SUMMARY)
    if group_by not in GROUPS:
        raise ValueError(group_by)
    key = GROUPS[group_by][0]
    start = first_month + "-01"
    end_first = dt.date.fromisoformat(last_month + "-01")
    end = ((end_first + dt.timedelta(days=32)).replace(day=1)).isoformat()
    batches = store.rows(
        f"SELECT b.id, b.issued_on, {key} AS label, (b.last_serial - b.first_serial + 1) AS n "
        "FROM card_batches b LEFT JOIN people p ON p.id = b.person_id "
        "JOIN units u ON u.id = b.unit_id WHERE b.issued_on >= ? AND b.issued_on < ?",
        [start, end])
    lags: dict[int, list[int]] = {}
    for row in store.rows(
            "SELECT c.batch_id, c.received_on, b.issued_on FROM doorstep_cards c "
            "JOIN card_batches b ON b.id = c.batch_id WHERE b.issued_on >= ? AND b.issued_on < ?",
            [start, end]):
        lag = (dt.date.fromisoformat(row["received_on"])
               - dt.date.fromisoformat(row["issued_on"])).days
        lags.setdefault(row["batch_id"], []).append(lag)
    left: dict[int, list[int]] = {}  # batch -> 1 per card left with a victim, if returned
    for row in store.rows(
            "SELECT b.id, c.id IS NOT NULL AS back FROM card_handouts h JOIN card_batches b "
            "ON b.first_serial <= h.serial AND b.last_serial >= h.serial LEFT JOIN "
            "doorstep_cards c ON c.serial = h.serial WHERE b.issued_on >= ? "
            "AND b.issued_on < ?", [start, end]):
        left.setdefault(row["id"], []).append(row["back"])
    grouped: dict[str, dict[str, Any]] = {}
    for batch in batches:
        entry = grouped.setdefault(batch["label"], {"group": batch["label"], "issued": 0,
                                                    "returned": 0, "left": 0,
                                                    "returned_of_left": 0, "lags": []})
        entry["issued"] += batch["n"]
        entry["returned"] += len(lags.get(batch["id"], []))
        entry["left"] += len(left.get(batch["id"], []))
        entry["returned_of_left"] += sum(left.get(batch["id"], []))
        entry["lags"] += lags.get(batch["id"], [])
    result = []
    for entry in sorted(grouped.values(), key=lambda e: e["group"]):
        lag_days = entry.pop("lags")
        # Out of the cards left with victims where they are recorded against crimes, else
        # out of the cards issued (said so in "basis").
        if entry["left"]:
            entry["basis"] = "left with victims"
            entry["rate"] = entry["returned_of_left"] / entry["left"]
        else:
            entry["basis"] = "issued to officers"
            entry["rate"] = entry["returned"] / entry["issued"] if entry["issued"] else 0.0
        entry["median_lag_days"] = statistics.median(lag_days) if lag_days else None
        result.append(entry)
    return result


def officer_cards(store: Store, actor: Actor, person_id: int, first: dt.date,
                  last: dt.date) -> list[Row]:
    """One officer's returned cards in a period: only that officer's data."""
    require(actor, Action.MANAGE_DOORSTEP)
    return store.rows(
        "SELECT c.serial, c.received_on, c.template_version, c.answers, c.comments "
        "FROM doorstep_cards c JOIN card_batches b ON b.id = c.batch_id "
        "WHERE b.person_id = ? AND c.received_on >= ? AND c.received_on <= ? "
        "ORDER BY c.received_on, c.serial", [person_id, first.isoformat(), last.isoformat()])


def cards_received(store: Store, actor: Actor, first_day: str, end_day: str) -> list[Row]:
    """Returned cards by date received, with the issuing unit: for the monthly summary."""
    require(actor, Action.VIEW_SUMMARY)
    return store.rows(
        "SELECT b.unit_id, c.answers FROM doorstep_cards c JOIN card_batches b "
        "ON b.id = c.batch_id WHERE c.received_on >= ? AND c.received_on < ?",
        [first_day, end_day])


def cards_issued(store: Store, actor: Actor, first_day: str, end_day: str) -> dict[int, int]:
    require(actor, Action.VIEW_SUMMARY)
    rows = store.rows("SELECT unit_id, SUM(last_serial - first_serial + 1) AS n "
                      "FROM card_batches WHERE issued_on >= ? AND issued_on < ? "
                      "GROUP BY unit_id", [first_day, end_day])
    return {r["unit_id"]: r["n"] for r in rows}
