"""Operation Doorstep cards left with victims: each card's serial recorded against the crime
it was left for (from the crime import, or keyed when handed out), so a unit's return rate
can be out of the cards that reached victims. Never where someone is arrested."""
from __future__ import annotations

import datetime as dt

from qos.clock import now_iso
from qos.errors import ValidationError
from qos.ids import new_uuids
from qos.parsing import normalise_reference
from qos.roles import Action, Actor, require, require_any, require_unit
from qos.store.core import Row, Store

ARREST_RULE = ("Operation Doorstep cards are not left where someone is arrested (the "
               "inspection report, lines 395-402)")


def handout_problem(store: Store, actor: Actor, serial: int, crime: Row,
                    day: dt.date) -> str | None:
    """Why card `serial` cannot be recorded as left for this crime on `day`, or None."""
    require_any(actor, Action.ENTER_DOORSTEP, Action.IMPORT_CRIMES)
    batch = store.row("SELECT issued_on FROM card_batches WHERE first_serial <= ? "
                      "AND last_serial >= ?", [serial, serial])
    if batch is None:
        return f"card {serial} was never issued"
    if day.isoformat() < batch["issued_on"]:
        return f"card {serial} was issued on {batch['issued_on']}, after {day.isoformat()}"
    held = store.row("SELECT h.crime_id, c.crime_ref FROM card_handouts h JOIN crimes c "
                     "ON c.id = h.crime_id WHERE h.serial = ?", [serial])
    if held and held["crime_ref"] != crime["crime_ref"]:
        return f"card {serial} was already left for crime {held['crime_ref']}"
    arrested = crime.get("arrested_on") or ""
    if arrested[:1].isdigit() and arrested <= day.isoformat():
        return f"{ARREST_RULE}: crime {crime['crime_ref']} had an arrest on {arrested}"
    return None


def record_handout(store: Store, actor: Actor, serial: int, crime_ref: str,
                   handed_out_on: dt.date) -> int:
    """Card `serial` was left with the victim of `crime_ref`: keyed when it is handed out."""
    require(actor, Action.ENTER_DOORSTEP)
    if handed_out_on > dt.date.today():
        raise ValidationError("A card cannot be handed out on a date in the future.")
    with store.write():
        crime = store.row("SELECT id, crime_ref, arrested_on, unit_id FROM crimes "
                          "WHERE crime_ref = ?", [normalise_reference(crime_ref)])
        if crime is None:
            raise ValidationError(f"There is no crime {crime_ref}: import it first.")
        require_unit(actor, crime["unit_id"], "crimes")
        problem = handout_problem(store, actor, serial, crime, handed_out_on)
        if problem:
            raise ValidationError(problem[:1].upper() + problem[1:] + ".")
        held = store.scalar("SELECT id FROM card_handouts WHERE serial = ?", [serial])
        if held:
            return int(held)
        return store.insert_record(actor, "card_handouts", {
            "serial": serial, "crime_id": crime["id"],
            "handed_out_on": handed_out_on.isoformat()})


def record_imported_handouts(store: Store, actor: Actor, rows: list[tuple[int, str, str]]
                             ) -> None:
    """(serial, crime reference, day) from a crime import, checked already: new ones added."""
    require(actor, Action.IMPORT_CRIMES)
    stamp = now_iso()
    fresh = [r for r in rows if not store.scalar(
        "SELECT 1 FROM card_handouts WHERE serial = ?", [r[0]])]
    store.conn.executemany(
        "INSERT INTO card_handouts (serial, crime_id, handed_out_on, uuid, created_at, "
        "created_by, updated_at, updated_by, version) SELECT ?, id, ?, ?, ?, ?, ?, ?, 1 "
        "FROM crimes WHERE crime_ref = ?",
        [(serial, day, uid, stamp, actor.user_id, stamp, actor.user_id, ref)
         for (serial, ref, day), uid in zip(fresh, new_uuids(len(fresh)), strict=True)])
    if fresh:
        store.hash_rows(actor, "card_handouts", "serial", [r[0] for r in fresh])


def crimes_without_card(store: Store, actor: Actor, unit_id: int, first: dt.date,
                        last: dt.date) -> list[Row]:
    """The unit's crimes recorded in [first, last] with no card yet and no arrest on or
    before the day (where cards may be left)."""
    require_any(actor, Action.ENTER_DOORSTEP, Action.MANAGE_DOORSTEP)
    require_unit(actor, unit_id, "crimes")
    return store.rows(
        "SELECT c.crime_ref, c.recorded_on FROM crimes c WHERE c.unit_id = ? "
        "AND c.recorded_on >= ? AND c.recorded_on <= ? AND NOT EXISTS (SELECT 1 FROM "
        "card_handouts h WHERE h.crime_id = c.id) AND (c.arrested_on IS NULL OR "
        "c.arrested_on = 'unknown' OR c.arrested_on > c.recorded_on) ORDER BY c.id",
        [unit_id, first.isoformat(), last.isoformat()])
