"""The contact bureau: a queue of victims to re-contact, claimed one at a time, the call
record, the remedial actions failed checks raise, PCSO visits and informal complaints.

Claiming runs inside BEGIN IMMEDIATE, so two callers can never be handed the same victim.
"""
from __future__ import annotations

import datetime as dt
import heapq
import itertools
import json
import sqlite3
from typing import Any

from qos.clock import now_iso
from qos.errors import PermissionDenied, ValidationError
from qos.roles import Action, Actor, allowed, require, require_any, require_unit
from qos.settings import setting
from qos.store.core import Row, Store, where_all
from qos.store.exclusions import where_not_excluded
from qos.store.reference import scope_sql
from qos.store.samples import current_criteria
from qos.store.templates import register_template
from qos.templates import Template, load_template

OUTCOMES = ("completed", "no_answer", "wrong_number", "declined", "pcso_visit")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC).replace(microsecond=0)


def _new_crimes_sql(store: Store, actor: Actor, today: dt.date,
                    columns: str) -> tuple[str, list[Any]]:
    """Crimes the bureau's rules say to call that nobody has taken up yet, in the units this
    caller's bureau serves. The bureau's own exclusions apply (setting `bureau_exclusions`),
    not the sample's."""
    excluded, params = where_not_excluded(current_criteria(store, actor, "bureau"))
    scope, scope_params = scope_sql(actor, "c.unit_id")
    categories = [c.lower() for c in setting(store, "bureau_categories")]
    latest = today - dt.timedelta(days=int(setting(store, "bureau_min_days")))
    since = today - dt.timedelta(days=int(setting(store, "bureau_lookback_days")))
    sql = (f"SELECT {columns} FROM crimes c JOIN units u ON u.id = c.unit_id "
           f"WHERE {scope} AND c.recorded_on >= ? "
           "AND c.recorded_on <= ? "
           f"AND LOWER(c.offence_category) IN ({', '.join('?' * len(categories))}) AND "
           + excluded
           + " AND NOT EXISTS (SELECT 1 FROM bureau_calls b WHERE b.crime_id = c.id)"
             " AND NOT EXISTS (SELECT 1 FROM sample_items si WHERE si.crime_id = c.id"
             " AND si.is_reserve = 0)")
    return sql, [*scope_params, since.isoformat(), latest.isoformat(), *categories, *params]


def _due(store: Store, recorded_on: str) -> dt.date:
    return dt.date.fromisoformat(recorded_on) + dt.timedelta(
        days=int(setting(store, "bureau_contact_within_days")))


def queue(store: Store, actor: Actor, offset: int = 0, limit: int = 200, *,
          now: dt.datetime | None = None, claiming: bool = False) -> list[Row]:
    """The queue in call order (oldest due first, so overdue ones lead). No contact details.
    `claiming`: lock the rows read, skipping those another caller is claiming (PostgreSQL)."""
    require(actor, Action.BUREAU_CALL)
    moment = _now(now)
    shown = ("c.id AS crime_id, c.crime_ref, c.recorded_on, c.offence_category, "
             "u.code AS unit_code")
    new_sql, params = _new_crimes_sql(store, actor, moment.date(),
                                      f"{shown}, 'new' AS state, 0 AS attempts")
    stale = (moment - dt.timedelta(minutes=int(setting(store, "bureau_claim_minutes"))))
    scope, scope_params = scope_sql(actor, "b.unit_id")
    # Two ordered reads merged here, not one UNION sorted by SQLite: the new crimes come off
    # the recorded_on index and stop at the page wanted, instead of sorting every candidate
    # (0.45 s -> a few ms with a force's three years of crimes).
    lock_c, lock_b = ((store.dialect.skip_locked("c"), store.dialect.skip_locked("b"))
                      if claiming else ("", ""))
    new = store.rows(f"{new_sql} ORDER BY c.recorded_on, c.id LIMIT ?{lock_c}",
                     [*params, offset + limit])
    retry = store.rows(
        f"SELECT {shown}, 'retry' AS state, b.attempts FROM bureau_calls b "
        "JOIN crimes c ON c.id = b.crime_id JOIN units u ON u.id = c.unit_id "
        f"WHERE {scope} AND ((b.status = 'retry' AND b.retry_after <= ?) "
        "   OR (b.status = 'claimed' AND b.claimed_at < ?)) "
        f"ORDER BY c.recorded_on, c.id LIMIT ?{lock_b}",
        [*scope_params, moment.isoformat(), stale.isoformat(), offset + limit])
    merged = heapq.merge(new, retry, key=lambda r: (r["recorded_on"], r["crime_id"]))
    rows = list(itertools.islice(merged, offset, offset + limit))
    for row in rows:
        due = _due(store, row["recorded_on"])
        row["due_on"] = due.isoformat()
        row["overdue"] = due < moment.date()
    return rows


def claim_next(store: Store, actor: Actor, *, now: dt.datetime | None = None) -> Row | None:
    """Hand the next victim to this caller; nobody else can be handed them meanwhile."""
    require(actor, Action.BUREAU_CALL)
    moment = _now(now)
    for _ in range(CLAIM_TRIES - 1):
        try:
            return _claim(store, actor, moment)
        except sqlite3.IntegrityError:
            # PostgreSQL: another caller committed its claim of this crime between our read
            # and our insert (the unique crime_id refused ours, and nothing was kept): next.
            continue
    return _claim(store, actor, moment)


CLAIM_TRIES = 20


def _claim(store: Store, actor: Actor, moment: dt.datetime) -> Row | None:
    with store.write():
        candidates = queue(store, actor, 0, 1, now=moment, claiming=True)
        if not candidates:
            return None
        crime_id = candidates[0]["crime_id"]
        # A 'new' crime is inserted, never updated: on PostgreSQL another caller may have
        # claimed it since our read, and the unique crime_id then sends us to the next one.
        existing = (store.row("SELECT id FROM bureau_calls WHERE crime_id = ?", [crime_id])
                    if candidates[0]["state"] == "retry" else None)
        if existing:
            store.execute("UPDATE bureau_calls SET status = 'claimed', claimed_by = ?, "
                          "claimed_at = ?, updated_at = ?, updated_by = ?, version = version + 1"
                          " WHERE id = ?", [actor.user_id, moment.isoformat(), now_iso(),
                                            actor.user_id, existing["id"]])
            call_id = int(existing["id"])
        else:
            unit_id = store.scalar("SELECT unit_id FROM crimes WHERE id = ?", [crime_id])
            call_id = store.insert_record(actor, "bureau_calls", {
                "crime_id": crime_id, "unit_id": unit_id, "status": "claimed",
                "claimed_by": actor.user_id, "claimed_at": moment.isoformat()})
        return call_details(store, actor, call_id)  # audited there


def call_details(store: Store, actor: Actor, call_id: int) -> Row | None:
    """A call with the victim's name and phone: only for the units the caller serves, and
    every view is audited."""
    require(actor, Action.BUREAU_CALL)
    with store.write():
        row = store.row(
            "SELECT b.*, c.crime_ref, c.recorded_on, c.offence_category, c.victim_name, "
            "c.victim_phone, c.officer_number, p.name AS officer_name, u.code AS unit_code "
            "FROM bureau_calls b JOIN crimes c ON c.id = b.crime_id JOIN units u "
            "ON u.id = b.unit_id LEFT JOIN people p ON p.id = c.officer_id WHERE b.id = ?",
            [call_id])
        if row is None:
            return None
        require_unit(actor, row["unit_id"], "calls")
        store.audit(actor, "view contact details", "bureau_calls", call_id, {})
    return row


def record_call(store: Store, actor: Actor, call_id: int, outcome: str, *,
                answers: dict[str, Any] | None = None, themes: list[str] | None = None,
                comments: str = "", victim_updated: bool = False,
                now: dt.datetime | None = None, template: Template | None = None,
                agreed_update_days: int | None = None) -> list[int]:
    """Log the call; returns the ids of the remedial actions it raised.
    `agreed_update_days`: how often the victim agreed to be updated, if they said."""
    require(actor, Action.BUREAU_CALL)
    if outcome not in OUTCOMES:
        raise ValidationError(f"'{outcome}' is not a call outcome.")
    moment = _now(now)
    template = template or load_template("bureau")
    with store.write():
        call = store.row("SELECT * FROM bureau_calls WHERE id = ?", [call_id])
        if call is None or call["status"] != "claimed" or call["claimed_by"] != actor.user_id:
            raise ValidationError("This call is no longer yours to log: it was finished, or "
                                  "handed back to the queue after a long pause.")
        base = {"attempts": call["attempts"] + 1, "called_at": moment.isoformat(),
                "claimed_by": None, "claimed_at": None}
        if outcome == "no_answer":
            retry = moment + dt.timedelta(hours=int(setting(store, "bureau_retry_hours")))
            store.update_record(actor, "bureau_calls", call_id, call["version"],
                                {**base, "status": "retry", "retry_after": retry.isoformat()})
            return []
        if outcome != "completed":
            store.update_record(actor, "bureau_calls", call_id, call["version"],
                                {**base, "status": outcome})
            if outcome == "pcso_visit":
                store.insert_record(actor, "pcso_visits", {
                    "bureau_call_id": call_id, "crime_id": call["crime_id"],
                    "unit_id": call["unit_id"]})
            return []
        from qos.store.callbacks import validate_answers

        clean = validate_answers(template, answers or {})
        known_themes = set(setting(store, "bureau_themes"))
        unknown = [t for t in themes or [] if t not in known_themes]
        if unknown:
            raise ValidationError(f"'{unknown[0]}' is not one of the feedback themes.")
        register_template(store, actor, template)
        store.update_record(actor, "bureau_calls", call_id, call["version"], {
            **base, "status": "completed", "template_version": template.version,
            "answers": json.dumps(clean, sort_keys=True), "themes": json.dumps(themes or []),
            "comments": comments.strip() or None})
        if victim_updated:
            from qos.store.updates import record_victim_update

            record_victim_update(store, actor, call["crime_id"], moment.date(), source="bureau")
        if agreed_update_days is not None:
            from qos.store.agreed_updates import record_update_frequency

            record_update_frequency(store, actor, call["crime_id"], agreed_update_days,
                                    source="bureau")
        return _raise_actions(store, actor, call, template, clean, moment.date())


def _raise_actions(store: Store, actor: Actor, call: Row, template: Template,
                   answers: dict[str, Any], today: dt.date) -> list[int]:
    crime = store.row("SELECT c.officer_id, p.line_manager_id FROM crimes c "
                      "LEFT JOIN people p ON p.id = c.officer_id WHERE c.id = ?",
                      [call["crime_id"]])
    due = today + dt.timedelta(days=int(setting(store, "remedial_due_days")))
    raised = []
    for question in template.questions:
        if question.remedy and answers.get(question.key) == "N":
            raised.append(store.insert_record(actor, "remedial_actions", {
                "bureau_call_id": call["id"], "crime_id": call["crime_id"],
                "unit_id": call["unit_id"], "officer_id": crime["officer_id"] if crime else None,
                "owner_id": crime["line_manager_id"] if crime else None,
                "check_key": question.key, "what_failed": question.text,
                "remedy": question.remedy, "due_on": due.isoformat()}))
    return raised


def release(store: Store, actor: Actor, call_id: int) -> None:
    """Hand a claimed victim back to the queue untouched (the caller could not go on)."""
    require(actor, Action.BUREAU_CALL)
    with store.write():
        store.execute("UPDATE bureau_calls SET status = 'retry', retry_after = ?, "
                      "claimed_by = NULL, claimed_at = NULL WHERE id = ? AND claimed_by = ? "
                      "AND status = 'claimed'", [now_iso(), call_id, actor.user_id])
        store.audit(actor, "released", "bureau_calls", call_id)  # records its new hash


# -- remedial actions ------------------------------------------------------------------------
def _may_handle_actions(actor: Actor) -> None:
    if not (allowed(actor, Action.BUREAU_CALL) or allowed(actor, Action.RECORD_DEBRIEF)):
        raise PermissionDenied(f"{actor.display_name} may not handle remedial actions.")


def _require_record_unit(store: Store, actor: Actor, table: str, record_id: int,
                         what: str) -> None:
    """Refuse a change to another unit's action or visit (their unit never changes)."""
    unit_id = store.scalar(f"SELECT unit_id FROM {table} WHERE id = ?", [record_id])
    if unit_id is not None:  # gone: update_record says so
        require_unit(actor, unit_id, what)


def list_actions(store: Store, actor: Actor, *, unit_id: int | None = None,
                 open_only: bool = True, offset: int = 0, limit: int = 200,
                 today: dt.date | None = None) -> list[Row]:
    """Actions with, for each, how often the same check failed for the same officer."""
    _may_handle_actions(actor)
    day = (today or dt.date.today()).isoformat()
    scope, params = scope_sql(actor, "a.unit_id")  # the units the actor covers, only
    clauses = [scope]
    if open_only:
        clauses.append("a.closed_on IS NULL")
    if unit_id is not None:
        require_unit(actor, unit_id, "actions")
        clauses.append("a.unit_id = ?")
        params.append(unit_id)
    where = where_all(clauses)
    rows = store.rows(
        "SELECT a.*, c.crime_ref, u.code AS unit_code, o.name AS officer_name, "
        "m.name AS owner_name, (SELECT COUNT(*) FROM remedial_actions r WHERE "
        "r.officer_id = a.officer_id AND r.check_key = a.check_key) AS times_for_officer "
        "FROM remedial_actions a JOIN crimes c ON c.id = a.crime_id "
        "JOIN units u ON u.id = a.unit_id LEFT JOIN people o ON o.id = a.officer_id "
        f"LEFT JOIN people m ON m.id = a.owner_id {where} "
        "ORDER BY a.due_on, a.id LIMIT ? OFFSET ?", [*params, limit, offset])
    for row in rows:
        row["overdue"] = row["closed_on"] is None and row["due_on"] < day
        if row["officer_id"] is None:
            row["times_for_officer"] = None
    return rows


def close_action(store: Store, actor: Actor, action_id: int, version: int, note: str,
                 on: dt.date | None = None) -> int:
    _may_handle_actions(actor)
    if len(note.strip()) < 5:
        raise ValidationError("Say what was done to put it right before closing the action.")
    day = on or dt.date.today()
    if day > dt.date.today():
        raise ValidationError("An action cannot be closed on a future date.")
    _require_record_unit(store, actor, "remedial_actions", action_id, "actions")
    return store.update_record(actor, "remedial_actions", action_id, version,
                               {"closed_on": day.isoformat(), "closing_note": note.strip()})


# -- PCSO visits -----------------------------------------------------------------------------
def list_visits(store: Store, actor: Actor, *, unit_id: int | None = None,
                pending_only: bool = True) -> list[Row]:
    _may_handle_actions(actor)
    scope, params = scope_sql(actor, "v.unit_id")  # the units the actor covers, only
    clauses = [scope, *(["v.visited_on IS NULL"] if pending_only else [])]
    if unit_id is not None:
        require_unit(actor, unit_id, "visits")
        clauses.append("v.unit_id = ?")
        params.append(unit_id)
    where = where_all(clauses)
    return store.rows(
        "SELECT v.*, c.crime_ref, c.recorded_on, u.code AS unit_code FROM pcso_visits v "
        f"JOIN crimes c ON c.id = v.crime_id JOIN units u ON u.id = v.unit_id {where} "
        "ORDER BY v.created_at", params)


def record_visit(store: Store, actor: Actor, visit_id: int, version: int, on: dt.date,
                 outcome: str) -> int:
    _may_handle_actions(actor)
    if not outcome.strip():
        raise ValidationError("Record what came of the visit.")
    if on > dt.date.today():
        raise ValidationError("A visit cannot be dated in the future.")
    _require_record_unit(store, actor, "pcso_visits", visit_id, "visits")
    return store.update_record(actor, "pcso_visits", visit_id, version,
                               {"visited_on": on.isoformat(), "outcome": outcome.strip()})


# -- informal complaints and compliments -----------------------------------------------------
def log_complaint(store: Store, actor: Actor, kind: str, category: str, unit_id: int,
                  summary: str, *, crime_ref: str = "", raised_on: dt.date | None = None) -> int:
    require(actor, Action.LOG_INFORMAL_COMPLAINT)
    if kind not in ("complaint", "compliment"):
        raise ValidationError("Choose complaint or compliment.")
    if category not in setting(store, "complaint_categories"):
        raise ValidationError(f"'{category}' is not one of the categories.")
    if not summary.strip():
        raise ValidationError("Write a short summary of what was said.")
    crime_id = None
    if crime_ref.strip():
        from qos.parsing import normalise_reference

        crime_id = store.scalar("SELECT id FROM crimes WHERE crime_ref = ?",
                                [normalise_reference(crime_ref)])
        if crime_id is None:
            raise ValidationError(f"There is no crime {crime_ref}.")
    return store.insert_record(actor, "informal_complaints", {
        "kind": kind, "category": category, "unit_id": unit_id, "crime_id": crime_id,
        "raised_on": (raised_on or dt.date.today()).isoformat(), "summary": summary.strip()})


def list_complaints(store: Store, actor: Actor, *, first_day: str, end_day: str) -> list[Row]:
    require_any(actor, Action.VIEW_SUMMARY, Action.LOG_INFORMAL_COMPLAINT)
    return store.rows(
        "SELECT i.*, u.code AS unit_code FROM informal_complaints i JOIN units u "
        "ON u.id = i.unit_id WHERE i.raised_on >= ? AND i.raised_on < ? ORDER BY i.raised_on",
        [first_day, end_day])


# -- the month, for the summary ----------------------------------------------------------------
def bureau_month(store: Store, actor: Actor, first_day: str, end_day: str) -> dict[str, Any]:
    """Plain counts for the monthly summary: calls, answers, themes, actions and complaints,
    no personal data. The answers are counted by the database's json_each: decoding each call's
    JSON in Python took ~150 ms a month at force scale."""
    require(actor, Action.VIEW_SUMMARY)
    month = [first_day, end_day]
    # "+b.status": read by the called_at index; the status index would visit every
    # completed call the bureau ever made.
    completed = (f"{store.dialect.no_index('b.status')} = 'completed' AND b.called_at >= ? "
                 "AND b.called_at < ?")
    return {
        "calls": store.rows(
            "SELECT unit_id, status, COUNT(*) AS n FROM bureau_calls "
            "WHERE called_at >= ? AND called_at < ? GROUP BY unit_id, status", month),
        "answers": store.rows(
            "SELECT b.unit_id, a.key, COUNT(*) AS answered, SUM(CASE WHEN a.value = 'N' "
            f"THEN 1 ELSE 0 END) AS failed FROM bureau_calls b, "
            f"{store.dialect.json_each('b.answers', 'a')} WHERE {completed} "
            "AND a.value IN ('Y', 'N') GROUP BY b.unit_id, a.key", month),
        "themes": store.rows(
            "SELECT b.unit_id, t.value AS theme, COUNT(*) AS n "
            f"FROM bureau_calls b, {store.dialect.json_each('b.themes', 't', members='list')} "
            f"WHERE {completed} "
            "GROUP BY b.unit_id, t.value ORDER BY b.unit_id, t.value", month),
        "actions_raised": store.rows(  # by the date of the call that raised them
            "SELECT a.unit_id, COUNT(*) AS n FROM remedial_actions a JOIN bureau_calls b "
            "ON b.id = a.bureau_call_id WHERE b.called_at >= ? AND b.called_at < ? "
            "GROUP BY a.unit_id", [first_day, end_day]),
        "actions_closed": store.rows(
            "SELECT unit_id, COUNT(*) AS n FROM remedial_actions WHERE closed_on >= ? "
            "AND closed_on < ? GROUP BY unit_id", [first_day, end_day]),
        "actions_overdue": store.rows(
            "SELECT unit_id, COUNT(*) AS n FROM remedial_actions WHERE due_on < ? AND "
            "(closed_on IS NULL OR closed_on >= ?) GROUP BY unit_id", [end_day, end_day]),
        "complaints": store.rows(
            "SELECT unit_id, kind, category FROM informal_complaints WHERE raised_on >= ? "
            "AND raised_on < ?", [first_day, end_day]),
    }
