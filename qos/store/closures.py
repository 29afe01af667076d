"""Closure compliance: the crimes closed in a month, each checked (qos/closures.py) against
what was outstanding on its closure date, and the supervisor's remedy for those that were not
compliant."""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from qos.closures import FailedCheck, OpenAction, closure_problems
from qos.errors import PermissionDenied, ValidationError
from qos.months import month_bounds
from qos.roles import Action, Actor, require
from qos.routine_figures import ClosureCount, NonCompliantClosure
from qos.store.core import Row, Store
from qos.store.reference import units_for
from qos.store.templates import stored_template
from qos.templates import Template, load_template

_CRIME_COLUMNS = ("c.id, c.crime_ref, c.unit_id, u.code AS unit_code, c.offence_category, "
                  "c.recorded_on, c.finalised_on, c.enhanced, c.arrested_on, c.interviewed_on, "
                  "c.charged_on, c.bailed_on, c.released_on, c.closed_on, "
                  "c.not_investigated_on")
_CHECKED_GROUPS = ("victims_code", "qosc")


def _template(store: Store, actor: Actor, kind: str, version: int,
              cache: dict[tuple[str, int], Template]) -> Template:
    if (kind, version) not in cache:
        cache[(kind, version)] = stored_template(store, actor, kind, version) or load_template(
            kind, version)
    return cache[(kind, version)]


def _checked(store: Store, actor: Actor, month: str, unit_ids: list[int] | None) -> list[Row]:
    """Each crime closed in the month, with its problems at closure and any remedy."""
    start, end = month_bounds(month)
    where = "c.finalised_on >= ? AND c.finalised_on < ?"
    params: list[Any] = [start, end]
    if unit_ids is not None:
        if not unit_ids:
            return []
        where += f" AND c.unit_id IN ({', '.join('?' * len(unit_ids))})"
        params += unit_ids
    crimes = store.rows(f"SELECT {_CRIME_COLUMNS} FROM crimes c JOIN units u ON u.id = c.unit_id "
                        f"WHERE {where} ORDER BY u.code, c.finalised_on, c.crime_ref", params)
    if not crimes:
        return []
    closed = f"crime_id IN (SELECT c.id FROM crimes c WHERE {where})"
    updates: dict[int, list[dt.date]] = defaultdict(list)
    for row in store.rows(f"SELECT crime_id, updated_on FROM victim_updates WHERE {closed}",
                          params):
        updates[row["crime_id"]].append(dt.date.fromisoformat(row["updated_on"]))
    failed: dict[int, list[FailedCheck]] = defaultdict(list)
    templates: dict[tuple[str, int], Template] = {}
    # Call-backs loaded from old spreadsheets carry the crime reference only.
    for row in store.rows(
            "SELECT c.id AS crime_id, cb.call_date, cb.template_kind, cb.template_version, "
            "cb.answers FROM crimes c JOIN callbacks cb ON (cb.crime_id = c.id OR "
            "(cb.crime_id IS NULL AND cb.crime_ref = c.crime_ref)) "
            f"WHERE cb.outcome = 'completed' AND {where}", params):
        template = _template(store, actor, row["template_kind"], row["template_version"], templates)
        answers = json.loads(row["answers"])
        for question in template.questions:
            if question.group in _CHECKED_GROUPS and answers.get(question.key) == "N":
                failed[row["crime_id"]].append(FailedCheck(
                    dt.date.fromisoformat(row["call_date"]), f"call-back: {question.text}"))
    actions: dict[int, list[OpenAction]] = defaultdict(list)
    for row in store.rows(
            "SELECT a.crime_id, substr(b.called_at, 1, 10) AS raised_on, a.closed_on, a.remedy "
            "FROM remedial_actions a JOIN bureau_calls b ON b.id = a.bureau_call_id "
            f"WHERE a.{closed}", params):
        actions[row["crime_id"]].append(OpenAction(
            dt.date.fromisoformat(row["raised_on"]),
            dt.date.fromisoformat(row["closed_on"]) if row["closed_on"] else None,
            row["remedy"]))
    remedies = {(r["crime_id"], r["finalised_on"]): r for r in store.rows(
        f"SELECT * FROM closure_remedies WHERE {closed}", params)}
    for crime in crimes:
        crime["problems"] = closure_problems(crime, updates[crime["id"]], failed[crime["id"]],
                                             actions[crime["id"]])
        remedy = remedies.get((crime["id"], crime["finalised_on"]))
        crime["remedy"] = remedy["remedy"] if remedy else None
        crime["remedied_on"] = remedy["remedied_on"] if remedy else None
        crime["remedy_id"] = remedy["id"] if remedy else None
        crime["remedy_version"] = remedy["version"] if remedy else None
    return crimes


def closures_for_month(store: Store, actor: Actor, month: str, *,
                       unit_id: int | None = None, problems_only: bool = False) -> list[Row]:
    """The month's closures in the actor's units (or one of them), each with its problems."""
    require(actor, Action.CHECK_CLOSURES)
    covered = [u["id"] for u in units_for(store, actor)]
    if unit_id is not None:
        if unit_id not in covered:
            raise PermissionDenied(f"{actor.display_name} does not cover that unit.")
        covered = [unit_id]
    rows = _checked(store, actor, month, covered)
    return [r for r in rows if r["problems"]] if problems_only else rows


def record_remedy(store: Store, actor: Actor, crime_id: int, remedy: str,
                  on: dt.date | None = None) -> int:
    """The supervisor's remedy for a closure that was not compliant (a second one replaces
    the first, audited as a change)."""
    require(actor, Action.CHECK_CLOSURES)
    if not remedy.strip():
        raise ValidationError("Say what was done to put the closure right.")
    day = on or dt.date.today()
    if day > dt.date.today():
        raise ValidationError("A remedy cannot be dated in the future.")
    with store.write():
        crime = store.row("SELECT unit_id, finalised_on FROM crimes WHERE id = ?", [crime_id])
        # Another unit's crime is refused before anything about it (its closure) is told.
        if crime is not None and crime["unit_id"] not in {u["id"] for u in units_for(store, actor)}:
            raise PermissionDenied(f"{actor.display_name} does not cover that crime's unit.")
        if crime is None or not crime["finalised_on"]:
            raise ValidationError("That crime has no closure date to check.")
        if day.isoformat() < crime["finalised_on"]:
            raise ValidationError("A remedy cannot come before the closure it puts right.")
        [checked] = [r for r in _checked(store, actor, crime["finalised_on"][:7], [crime["unit_id"]])
                     if r["id"] == crime_id]
        if not checked["problems"]:
            raise ValidationError("That closure was compliant: there is nothing to remedy.")
        if checked["remedy_id"] is not None:
            store.update_record(actor, "closure_remedies", checked["remedy_id"],
                                checked["remedy_version"],
                                {"remedy": remedy.strip(), "remedied_on": day.isoformat()})
            return int(checked["remedy_id"])
        return store.insert_record(actor, "closure_remedies", {
            "crime_id": crime_id, "finalised_on": crime["finalised_on"],
            "unit_id": crime["unit_id"], "problems": json.dumps(checked["problems"]),
            "remedy": remedy.strip(), "remedied_on": day.isoformat()})


def closure_figures(store: Store, actor: Actor,
                    month: str) -> tuple[list[ClosureCount], list[NonCompliantClosure]]:
    """For the workbook: closures checked and not compliant per unit, and each one's remedy."""
    require(actor, Action.VIEW_SUMMARY)
    rows = _checked(store, actor, month, None)
    counts: list[ClosureCount] = []
    for code in sorted({r["unit_code"] for r in rows}):
        mine = [r for r in rows if r["unit_code"] == code]
        bad = [r for r in mine if r["problems"]]
        counts.append(ClosureCount(code, len(mine), len(bad),
                                   sum(1 for r in bad if r["remedy"])))
    listed = [NonCompliantClosure(r["unit_code"], r["crime_ref"], r["finalised_on"],
                                  tuple(r["problems"]), r["remedy"], r["remedied_on"])
              for r in rows if r["problems"]]
    return counts, listed
