"""Monthly sample draws: eligibility, recording, verification, swaps and reserve top-ups."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from qos.clock import now_iso
from qos.errors import ValidationError
from qos.ids import new_uuid
from qos.months import month_bounds, shift_month
from qos.roles import Action, Actor, allowed, require, require_any, require_unit
from qos.sampling import Member, draw_sample, new_seed, population_hash
from qos.settings import setting
from qos.store.core import Row, Store


def current_criteria(store: Store, actor: Actor, which: str = "sample") -> dict[str, Any]:
    """What the force's settings exclude now, for the sample or the bureau's queue."""
    require_any(actor, Action.DRAW_SAMPLE, Action.BUREAU_CALL, Action.VIEW_SUMMARY)
    from qos.store.exclusions import SETTING

    criteria: dict[str, Any] = {
        "exclusions": list(setting(store, SETTING[which])),
        "sensitive_categories": list(setting(store, "sensitive_categories"))}
    if which == "sample":
        criteria["recontact_months"] = setting(store, "recontact_months")
    return criteria


def _recontact_clause(month: str, criteria: dict[str, Any],
                      before_draw_id: int | None) -> tuple[str, list[Any]]:
    """A victim sampled in an earlier draw within the window is not asked again. Matched by
    the keyed hash of the phone number, which outlives the erased number for the window."""
    if not criteria.get("recontact_months"):
        return "1 = 0", []
    return (("EXISTS (SELECT 1 FROM crimes c2 JOIN sample_items si ON si.crime_id = c2.id "
            "JOIN sample_draws d ON d.id = si.draw_id WHERE c2.phone_hmac = c.phone_hmac "
            "AND (si.is_reserve = 0 OR si.status != 'reserve') "
            "AND d.month >= ? AND d.month < ? AND d.id < ?)"),
            [shift_month(month, -int(criteria["recontact_months"])), month,
             before_draw_id if before_draw_id is not None else 2**62])


def sorted_frame(store: Store, actor: Actor, unit_id: int, month: str, criteria: dict[str, Any],
                 before_draw_id: int | None = None) -> tuple[list[Member], dict[str, int]]:
    """The unit's crimes recorded in the month, split into those the criteria allow us to
    call and a count of the rest by the first exclusion each falls under (criteria order,
    then the re-contact window), so the counts add up to every crime recorded."""
    require_any(actor, Action.DRAW_SAMPLE, Action.VIEW_AUDIT)
    require_unit(actor, unit_id, "crimes")
    from qos.store.exclusions import RECONTACT, keys_of, reason_case

    start, end = month_bounds(month)
    case, params = reason_case(criteria)
    recontact, recontact_params = _recontact_clause(month, criteria, before_draw_id)
    reason = (f"COALESCE({case}, CASE WHEN {recontact} THEN '{RECONTACT}' END)")
    rows = store.conn.execute(
        f"SELECT c.id, c.crime_ref, c.offence_category, {reason} FROM crimes c "
        "WHERE c.unit_id = ? AND c.recorded_on >= ? AND c.recorded_on < ? ORDER BY c.id",
        [*params, *recontact_params, unit_id, start, end]).fetchall()
    counts = {key: 0 for key in [*keys_of(criteria), RECONTACT]}
    members: list[Member] = []
    for crime_id, ref, category, why in rows:
        if why is None:
            members.append((crime_id, ref, category))
        else:
            counts[why] += 1
    return members, counts


def eligible_population(store: Store, actor: Actor, unit_id: int, month: str,
                        criteria: dict[str, Any],
                        before_draw_id: int | None = None) -> list[Member]:
    """Crimes of the unit recorded in the month that the criteria allow us to call."""
    return sorted_frame(store, actor, unit_id, month, criteria, before_draw_id)[0]


def draw_for_month(store: Store, actor: Actor, unit_id: int, month: str, *,
                   size: int | None = None, seed: int | None = None,
                   stratified: bool = False) -> int:
    require(actor, Action.DRAW_SAMPLE)
    require_unit(actor, unit_id, "crimes")
    with store.write():
        if store.scalar("SELECT 1 FROM sample_draws WHERE unit_id = ? AND month = ?",
                        [unit_id, month]):
            raise ValidationError(f"This unit's sample for {month} has already been drawn. "
                                  "Use swap or the reserve list instead of drawing again.")
        unit = store.row("SELECT * FROM units WHERE id = ?", [unit_id])
        if unit is None:
            raise ValidationError("That unit does not exist.")
        size = unit["monthly_target"] if size is None else size
        if size <= 0:
            raise ValidationError("The sample size must be at least 1.")
        seed = new_seed() if seed is None else seed
        criteria = current_criteria(store, actor)
        population, excluded = sorted_frame(store, actor, unit_id, month, criteria)
        if not population:
            raise ValidationError(f"No crimes of this unit recorded in {month} are eligible. "
                                  "Import the month's crime extract first.")
        size = min(size, len(population))  # a small month: everyone eligible is called
        draw = draw_sample(population, size, seed, stratified=stratified)
        draw_id = store.insert_record(actor, "sample_draws", {
            "unit_id": unit_id, "month": month, "seed": seed, "size": size,
            "stratified": int(stratified), "criteria": json.dumps(criteria, sort_keys=True),
            "population_size": len(population), "population_hash": population_hash(population),
            "excluded": json.dumps(excluded)})
        stamp = now_iso()
        rows = [(draw_id, crime_id, pos, 0, "to_call") for pos, crime_id in enumerate(draw.sample)]
        rows += [(draw_id, crime_id, len(draw.sample) + pos, 1, "reserve")
                 for pos, crime_id in enumerate(draw.reserve)]
        store.conn.executemany(
            "INSERT INTO sample_items (draw_id, crime_id, position, is_reserve, status, uuid, "
            "created_at, created_by, updated_at, updated_by, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            [(*r, new_uuid(), stamp, actor.user_id, stamp, actor.user_id) for r in rows])
        store.hash_rows(actor, "sample_items", "draw_id", [draw_id])
    return draw_id


def get_draw(store: Store, actor: Actor, unit_id: int, month: str) -> Row | None:
    require_any(actor, Action.RECORD_CALLBACK, Action.DRAW_SAMPLE)
    require_unit(actor, unit_id, "calls")
    return store.row("SELECT d.*, u.display_name AS drawn_by FROM sample_draws d "
                     "LEFT JOIN users u ON u.id = d.created_by "
                     "WHERE d.unit_id = ? AND d.month = ?", [unit_id, month])


def verify_draw(store: Store, actor: Actor, draw_id: int) -> dict[str, Any]:
    """Re-run the draw from its seed and criteria; say whether data and sample still match."""
    require_any(actor, Action.DRAW_SAMPLE, Action.VIEW_AUDIT)
    draw = store.row("SELECT * FROM sample_draws WHERE id = ?", [draw_id])
    if draw is None:
        raise ValidationError("That draw does not exist.")
    criteria = json.loads(draw["criteria"])
    population, excluded = sorted_frame(store, actor, draw["unit_id"], draw["month"], criteria,
                                        before_draw_id=draw_id)
    redrawn = draw_sample(population, draw["size"], draw["seed"],
                          stratified=bool(draw["stratified"]))
    stored = store.rows("SELECT crime_id, is_reserve, status, swap_reason, position "
                        "FROM sample_items WHERE draw_id = ? ORDER BY position", [draw_id])
    original_sample = [r["crime_id"] for r in stored][:len(redrawn.sample)]
    swaps = store.rows(
        "SELECT c.crime_ref, si.swap_reason, si.updated_at, u.display_name AS by_user "
        "FROM sample_items si JOIN crimes c ON c.id = si.crime_id "
        "LEFT JOIN users u ON u.id = si.updated_by "
        "WHERE si.draw_id = ? AND si.status = 'swapped_out'", [draw_id])
    return {
        "seed": draw["seed"], "criteria": criteria, "population_size": len(population),
        "excluded_then": json.loads(draw["excluded"]), "excluded_now": excluded,
        "now_excluded": _sampled_now_excluded(store, draw_id, criteria),
        "population_unchanged": population_hash(population) == draw["population_hash"],
        "same_sample": original_sample == redrawn.sample,
        "swaps": swaps,
    }


def _sampled_now_excluded(store: Store, draw_id: int, criteria: dict[str, Any]) -> list[Row]:
    """Victims in the sample (not yet called) whom the draw's own exclusions, built-in ones
    included, would now leave out: e.g. one who opted out after the draw. Not to be called."""
    from qos.store.exclusions import label_of, reason_case

    case, params = reason_case(criteria)
    rows = store.rows(
        f"SELECT c.crime_ref, si.status, {case} AS reason FROM sample_items si "
        "JOIN crimes c ON c.id = si.crime_id WHERE si.draw_id = ? "
        "AND si.status IN ('to_call', 'attempted') ORDER BY si.position",
        [*params, draw_id])
    found = [r for r in rows if r["reason"] is not None]
    for row in found:
        row["reason"] = label_of(row["reason"])
    return found


def list_items(store: Store, draw_id: int, *, viewer: Actor) -> list[Row]:
    """The worklist. Names and phones only for roles that make the calls; each such view is
    recorded in the audit trail. Only for the units the viewer covers."""
    require_any(viewer, Action.RECORD_CALLBACK, Action.DRAW_SAMPLE)
    require_unit(viewer, store.scalar("SELECT unit_id FROM sample_draws WHERE id = ?",
                                      [draw_id]), "calls")
    with_contact = allowed(viewer, Action.VIEW_VICTIM_CONTACT)
    contact = ("c.victim_name, c.victim_phone," if with_contact
               else "NULL AS victim_name, NULL AS victim_phone,")
    if with_contact:
        store.audit(viewer, "view contact details", "sample_draws", draw_id, {})
    return store.rows(
        f"SELECT si.*, c.crime_ref, c.offence_category, c.recorded_on, {contact} "
        "c.officer_number, p.name AS officer_name FROM sample_items si "
        "JOIN crimes c ON c.id = si.crime_id LEFT JOIN people p ON p.id = c.officer_id "
        "WHERE si.draw_id = ? AND si.status != 'reserve' ORDER BY si.position", [draw_id])


def _draw_unit(store: Store, draw_id: int) -> int | None:
    found = store.scalar("SELECT unit_id FROM sample_draws WHERE id = ?", [draw_id])
    return None if found is None else int(found)


def _promote_reserve(store: Store, actor: Actor, draw_id: int) -> int | None:
    nxt = store.row("SELECT id FROM sample_items WHERE draw_id = ? AND status = 'reserve' "
                    "ORDER BY position LIMIT 1", [draw_id])
    if nxt is None:
        return None
    store.execute("UPDATE sample_items SET status = 'to_call', updated_at = ?, updated_by = ?, "
                  "version = version + 1 WHERE id = ?", [now_iso(), actor.user_id, nxt["id"]])
    store.audit(actor, "reserve used", "sample_items", nxt["id"], {"draw_id": draw_id})
    return int(nxt["id"])


def swap_out(store: Store, actor: Actor, item_id: int, reason: str) -> int | None:
    """Take a sampled crime out (e.g. victim bereaved), with a logged reason; top up."""
    require(actor, Action.DRAW_SAMPLE)
    if len(reason.strip()) < 5:
        raise ValidationError("Say why this crime is being swapped out (at least a few words).")
    with store.write():
        item = store.row("SELECT * FROM sample_items WHERE id = ?", [item_id])
        if item is None or item["status"] not in ("to_call", "attempted"):
            raise ValidationError("Only a crime still to be called can be swapped out.")
        require_unit(actor, _draw_unit(store, item["draw_id"]), "calls")
        store.update_record(actor, "sample_items", item_id, item["version"],
                            {"status": "swapped_out", "swap_reason": reason.strip()})
        return _promote_reserve(store, actor, item["draw_id"])


def attempt_stamp(day: dt.date | None) -> str:
    """Now for a call made today; noon of the day for one entered afterwards."""
    if day is None or day == dt.date.today():
        return now_iso()
    return f"{day.isoformat()}T12:00:00+00:00"


def record_attempt(store: Store, actor: Actor, item_id: int, outcome: str,
                   note: str = "", *, on: dt.date | None = None) -> str:
    """Log a call attempt that did not complete; returns the item's new status."""
    require(actor, Action.RECORD_CALLBACK)
    if outcome not in ("no_answer", "wrong_number", "declined"):
        raise ValidationError(f"'{outcome}' is not a call outcome.")
    with store.write():
        item = store.row("SELECT * FROM sample_items WHERE id = ?", [item_id])
        if item is None or item["status"] not in ("to_call", "attempted"):
            raise ValidationError("This call is already closed.")
        require_unit(actor, _draw_unit(store, item["draw_id"]), "calls")
        if on is not None and on > dt.date.today():
            raise ValidationError("A call attempt cannot be dated in the future.")
        stamp = attempt_stamp(on)
        cursor = store.execute("INSERT INTO call_attempts (item_id, at, outcome, note, user_id) "
                               "VALUES (?, ?, ?, ?, ?)",
                               [item_id, stamp, outcome, note, actor.user_id])
        store.audit(actor, "call attempt", "call_attempts", int(cursor.lastrowid))  # its hash
        attempts = item["attempts"] + 1
        if outcome == "declined":
            status = "declined"
        elif outcome == "wrong_number" or attempts >= int(setting(store, "max_attempts")):
            status = "unreachable"
        else:
            status = "attempted"
        store.execute("UPDATE sample_items SET attempts = ?, last_attempt_at = ?, status = ?, "
                      "updated_at = ?, updated_by = ?, version = version + 1 WHERE id = ?",
                      [attempts, stamp, status, stamp, actor.user_id, item_id])
        store.audit(actor, "call attempt", "sample_items", item_id, {"outcome": outcome})
        if status == "unreachable":
            _promote_reserve(store, actor, item["draw_id"])
    return status
