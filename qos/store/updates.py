"""Victim updates, and the Victims' Code due list read from the kept deadlines (duties.py)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from qos.clock import now_iso
from qos.errors import ValidationError
from qos.roles import Action, Actor, allowed, require_any, require_unit, unit_scope
from qos.store import duties
from qos.store.core import Row, Store
from qos.working_days import is_working_day, working_days_between

LOOKBACK_DAYS = 400  # events up to about a year after the report are followed
# Regular progress updates are prompted for open investigations reported in the last few
# months; older open cases need a review of their own, not a line on this list.
PERIODIC_LOOKBACK_DAYS = 120


def record_victim_update(store: Store, actor: Actor, crime_id: int, on: dt.date,
                         source: str = "app") -> None:
    """'Victim updated on <date>', from a call-back, a bureau call or by hand."""
    if not (allowed(actor, Action.RECORD_CALLBACK) or allowed(actor, Action.BUREAU_CALL)):
        from qos.errors import PermissionDenied

        raise PermissionDenied(f"{actor.display_name} may not record victim updates.")
    if on > dt.date.today():
        raise ValidationError("A victim update cannot be dated in the future.")
    with store.write():
        _require_crime_unit(store, actor, crime_id)
        store.execute("INSERT INTO victim_updates (crime_id, updated_on, source, "
                      "user_id, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      [crime_id, on.isoformat(), source, actor.user_id, now_iso()])
        store.audit(actor, "victim updated", "crimes", crime_id, {"on": on.isoformat()})
        update_id = store.scalar("SELECT id FROM victim_updates WHERE crime_id = ? AND "
                                 "updated_on = ? AND source = ?",
                                 [crime_id, on.isoformat(), source])
        store.audit(actor, "victim update recorded", "victim_updates", update_id)  # its hash
        duties.rework(store, [crime_id])  # its deadlines now: the due list only reads them


def _require_crime_unit(store: Store, actor: Actor, crime_id: int) -> None:
    """Refuse a crime of a unit the actor does not cover (or one that is gone)."""
    unit_id = store.scalar("SELECT unit_id FROM crimes WHERE id = ?", [crime_id])
    if unit_id is None:
        raise ValidationError("That crime no longer exists.")
    require_unit(actor, unit_id, "crimes")


def due_list(store: Store, actor: Actor, as_of: dt.date,
             unit_code: str | None = None) -> list[Row]:
    """Victims owed an update by `as_of`: the most overdue first, with the rule that makes
    it due. The whole list; the app reads it a page at a time with `due_page`.

    Crimes reported more than LOOKBACK_DAYS before `as_of` are left out; the regular progress
    update is listed for open investigations reported in the last PERIODIC_LOOKBACK_DAYS, or
    with a Code event (an arrest, bail) on or before `as_of`."""
    _may_see_due(actor)
    return due_page(store, actor, as_of, unit_code, 0, -1)


def _may_see_due(actor: Actor) -> None:
    require_any(actor, Action.RECORD_CALLBACK, Action.BUREAU_CALL)


def due_page(store: Store, actor: Actor, as_of: dt.date, unit_code: str | None, offset: int,
             limit: int) -> list[Row]:
    """One page of `due_list` (limit -1: to the end).

    In due-date order the rows come straight off an index and the read stops at the page:
    a whole force's first page takes milliseconds however long the list is."""
    _may_see_due(actor)
    where, params = _owed(store, actor, as_of, unit_code)
    rows = store.rows(
        "SELECT d.crime_id, d.crime_ref, u.code AS unit_code, "
        "COALESCE(p.name, d.officer_number, '') AS officer, d.enhanced, d.enhanced_reason, "
        "d.label AS rule, "
        "d.due_on AS due FROM code_duties d JOIN units u ON u.id = d.unit_id "
        f"LEFT JOIN people p ON p.id = d.officer_id WHERE {where} "
        "ORDER BY d.due_on, d.unit_id, d.crime_ref, d.rule LIMIT :limit OFFSET :offset",
        {**params, "limit": limit if limit >= 0 else 2**62, "offset": offset})
    for row in rows:
        row["enhanced"] = bool(row["enhanced"])
        row["overdue_days"] = working_days_between(dt.date.fromisoformat(row["due"]), as_of)
    return rows


def due_counts(store: Store, actor: Actor, as_of: dt.date,
               unit_code: str | None = None) -> tuple[int, int]:
    """How many lines `due_list` has, and how many of them are overdue (due before the last
    working day up to `as_of`, so at least one working day late)."""
    _may_see_due(actor)
    where, params = _owed(store, actor, as_of, unit_code)
    last_working = as_of
    while not is_working_day(last_working):
        last_working -= dt.timedelta(days=1)
    row = store.conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN d.due_on < :last_working THEN 1 ELSE 0 END), 0) FROM code_duties d "
        f"WHERE {where}", {**params, "last_working": last_working.isoformat()}).fetchone()
    return int(row[0]), int(row[1])


def _owed(store: Store, actor: Actor, as_of: dt.date,
          unit_code: str | None) -> tuple[str, dict[str, Any]]:
    since = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    params: dict[str, Any] = {
        "as_of": as_of.isoformat(), "since": since.isoformat(),
        "open_since": (as_of - dt.timedelta(days=PERIODIC_LOOKBACK_DAYS)).isoformat(),
        "periodic": duties.PERIODIC, "past": duties.PERIODIC_PAST}
    unit_clause = ""
    if unit_code:
        unit_clause = "AND d.unit_id = :unit_id"
        params["unit_id"] = store.scalar("SELECT id FROM units WHERE code = ?", [unit_code])
        require_unit(actor, params["unit_id"], "victims")
    else:  # "all units": all the units this actor covers
        scope = unit_scope(actor)
        if scope is not None:
            unit_clause = f"AND d.unit_id IN ({', '.join(str(int(u)) for u in sorted(scope))})"
            unit_clause = unit_clause if scope else "AND 0"
    # A deadline never falls before the report, so due_on >= since bounds the range read.
    # Regular updates missed before an investigation ended are history (timeliness), not owed.
    return ("d.updated_on IS NULL AND d.due_on >= :since AND d.due_on <= :as_of "
            "AND d.rule != :past "
            f"{unit_clause} AND d.recorded_on >= :since AND (d.rule != :periodic OR "
            "d.recorded_on >= :open_since OR d.event_on <= :as_of)"), params
