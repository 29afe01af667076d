"""Informal complaints fielded by control-room staff (and anyone else on the phones), mapped to
the Quality of Service Commitment item they are about.

The report (HMIC Kent 2008, lines 1596-1601) found these "resolved there and then" and never
captured. Logging one takes a unit, a Commitment item and resolved / passed on.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from qos.commitment import commitment_items, item_for_category, item_label
from qos.errors import ValidationError
from qos.months import month_bounds
from qos.roles import Action, Actor, allowed, require
from qos.routine_figures import CommitmentCount
from qos.store.core import Row, Store

RESOLUTIONS = {"resolved": "Resolved there and then", "passed_on": "Passed on"}
KINDS = ("complaint", "compliment")


def log_informal_complaint(store: Store, actor: Actor, *, unit_id: int, qosc_item: str,
                           resolution: str, summary: str = "", kind: str = "complaint",
                           crime_ref: str = "", raised_on: dt.date | None = None) -> int:
    """Record one informal complaint (or compliment) taken on the phone; returns its id."""
    require(actor, Action.LOG_INFORMAL_COMPLAINT)
    if kind not in KINDS:
        raise ValidationError("Choose complaint or compliment.")
    items = {i.key for i in commitment_items()}
    if qosc_item not in items:
        raise ValidationError(f"'{qosc_item}' is not a Quality of Service Commitment item.")
    if resolution not in RESOLUTIONS:
        raise ValidationError("Say whether it was resolved there and then or passed on.")
    if not store.scalar("SELECT 1 FROM units WHERE id = ? AND active = 1", [unit_id]):
        raise ValidationError("Choose the unit the complaint is about.")
    day = raised_on or dt.date.today()
    if day > dt.date.today():
        raise ValidationError("A complaint cannot be dated in the future.")
    crime_id = None
    if crime_ref.strip():
        from qos.parsing import normalise_reference

        ref = normalise_reference(crime_ref)
        crime_id = store.scalar("SELECT id FROM crimes WHERE crime_ref = ?", [ref])
        if crime_id is None:
            raise ValidationError(f"There is no crime {ref}.")
    return store.insert_record(actor, "informal_complaints", {
        "kind": kind, "category": item_label(qosc_item), "unit_id": unit_id,
        "crime_id": crime_id, "raised_on": day.isoformat(), "summary": summary.strip(),
        "source": "control_room", "qosc_item": qosc_item, "resolution": resolution})


def list_informal_complaints(store: Store, actor: Actor, month: str) -> list[Row]:
    """The month's informal complaints, newest first. Without the summary, a user sees only
    the ones they logged themselves."""
    if not allowed(actor, Action.VIEW_SUMMARY):
        require(actor, Action.LOG_INFORMAL_COMPLAINT)
    start, end = month_bounds(month)
    own = "" if allowed(actor, Action.VIEW_SUMMARY) else "AND i.created_by = ?"
    params: list[object] = [start, end] + ([] if not own else [actor.user_id])
    rows = store.rows(
        "SELECT i.id, i.raised_on, i.kind, i.category, i.qosc_item, i.resolution, i.source, "
        "i.summary, u.code AS unit_code FROM informal_complaints i "
        f"JOIN units u ON u.id = i.unit_id WHERE i.raised_on >= ? AND i.raised_on < ? {own} "
        "ORDER BY i.raised_on DESC, i.id DESC", params)
    for row in rows:
        row["item"] = item_label(row["qosc_item"] or item_for_category(row["category"]))
        row["resolution_text"] = RESOLUTIONS.get(row["resolution"] or "", "Not recorded")
    return rows


def complaints_by_commitment(store: Store, actor: Actor, month: str) -> list[CommitmentCount]:
    """Every informal complaint of the month (control room and bureau alike), by unit and
    Commitment item: the bureau's older categories are mapped onto the items."""
    require(actor, Action.VIEW_SUMMARY)
    start, end = month_bounds(month)
    rows = store.rows(
        "SELECT u.code AS unit_code, i.qosc_item, i.category, i.resolution "
        "FROM informal_complaints i JOIN units u ON u.id = i.unit_id "
        "WHERE i.kind = 'complaint' AND i.raised_on >= ? AND i.raised_on < ?", [start, end])
    tally: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        key = row["qosc_item"] or item_for_category(row["category"])
        tally[(row["unit_code"], key, row["resolution"] or "")] += 1
    order = {item.key: n for n, item in enumerate(commitment_items())}
    found: list[CommitmentCount] = []
    for unit_code, key in sorted({(u, k) for u, k, _ in tally},
                                 key=lambda uk: (uk[0], order.get(uk[1], 99))):
        resolved = tally[(unit_code, key, "resolved")]
        passed = tally[(unit_code, key, "passed_on")]
        unknown = tally[(unit_code, key, "")]
        found.append(CommitmentCount(unit_code, item_label(key), resolved + passed + unknown,
                                     resolved, passed, unknown))
    return found
