"""Completed QoS call-backs, the officer debriefs they raise, and old spreadsheets' history."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from qos.clock import now_iso
from qos.errors import ValidationError
from qos.importing import Field, ImportResult, RowProblem, map_columns, parse_rows
from qos.parsing import normalise_reference, parse_date
from qos.roles import Action, Actor, covers, require, require_any, require_unit
from qos.settings import setting
from qos.store import reference
from qos.store.core import Row, Store, where_all
from qos.store.crimes import _ethnicity
from qos.store.reference import scope_sql
from qos.store.samples import attempt_stamp
from qos.store.templates import register_template
from qos.tabular import Table
from qos.templates import Template, load_template

FEEDBACK = ("none", "positive", "improvement")


def validate_answers(template: Template, answers: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    known = {q.key: q for q in template.questions}
    for key, value in answers.items():
        if key not in known:
            raise ValidationError(f"'{key}' is not a question in template version "
                                  f"{template.version}.")
        if value is None or value == "":
            continue
        question = known[key]
        if question.type == "scale7":
            if not isinstance(value, int) or not 0 <= value <= 7:
                raise ValidationError(f"The answer to '{question.text}' must be 1-7, or 0 for "
                                      "don't know.")
        elif value not in ("Y", "N", "X"):
            raise ValidationError(f"The answer to '{question.text}' must be yes, no or not "
                                  "applicable.")
        clean[key] = value
    return clean


def record_callback(store: Store, actor: Actor, item_id: int, answers: dict[str, Any], *,
                    ethnicity: str | None, comments: str = "", feedback: str = "none",
                    call_date: dt.date | None = None, template: Template | None = None,
                    victim_updated: bool = False, agreed_update_days: int | None = None) -> int:
    """Save a completed call: answers under the template version asked, item closed, debrief.

    `victim_updated`: the caller also gave the victim an update on their case (Victims' Code).
    `agreed_update_days`: how often the victim agreed to be updated, if they said.
    """
    require(actor, Action.RECORD_CALLBACK)
    template = template or load_template("callback")
    clean = validate_answers(template, answers)
    if feedback not in FEEDBACK:
        raise ValidationError("Officer feedback must be none, positive or for improvement.")
    when = call_date or dt.date.today()
    if when > dt.date.today():
        raise ValidationError("The call date cannot be in the future.")
    with store.write():
        item = store.row(
            "SELECT si.*, c.crime_ref, c.unit_id, c.officer_id FROM sample_items si "
            "JOIN crimes c ON c.id = si.crime_id WHERE si.id = ?", [item_id])
        if item is None:
            raise ValidationError("That call is no longer on the worklist.")
        if item["status"] not in ("to_call", "attempted"):
            raise ValidationError(f"This call is already {item['status'].replace('_', ' ')}.")
        require_unit(actor, item["unit_id"], "calls")
        register_template(store, actor, template)
        callback_id = store.insert_record(actor, "callbacks", {
            "item_id": item_id, "crime_id": item["crime_id"], "crime_ref": item["crime_ref"],
            "unit_id": item["unit_id"], "call_date": when.isoformat(), "outcome": "completed",
            "template_kind": template.kind, "template_version": template.version,
            "answers": json.dumps(clean, sort_keys=True), "ethnicity": ethnicity or "NS",
            "comments": comments.strip(), "feedback": feedback, "officer_id": item["officer_id"],
            "source": "app"})
        stamp, called_at = now_iso(), attempt_stamp(when)
        cursor = store.execute("INSERT INTO call_attempts (item_id, at, outcome, note, user_id) "
                               "VALUES (?, ?, 'completed', '', ?)",
                               [item_id, called_at, actor.user_id])
        store.audit(actor, "call attempt", "call_attempts", int(cursor.lastrowid))  # its hash
        store.execute("UPDATE sample_items SET status = 'completed', attempts = attempts + 1, "
                      "last_attempt_at = ?, updated_at = ?, updated_by = ?, "
                      "version = version + 1 WHERE id = ?",
                      [called_at, stamp, actor.user_id, item_id])
        store.audit(actor, "call completed", "sample_items", item_id)  # records its new hash
        if victim_updated:
            from qos.store.updates import record_victim_update

            record_victim_update(store, actor, item["crime_id"], when, source="callback")
        if agreed_update_days is not None:
            from qos.store.agreed_updates import record_update_frequency

            record_update_frequency(store, actor, item["crime_id"], agreed_update_days,
                                    source="callback")
        if feedback != "none" and item["officer_id"]:
            _raise_debrief(store, actor, callback_id, item["officer_id"], item["unit_id"],
                           feedback, when)
    return callback_id


def _raise_debrief(store: Store, actor: Actor, callback_id: int, officer_id: int, unit_id: int,
                   kind: str, when: dt.date) -> None:
    manager = store.scalar("SELECT line_manager_id FROM people WHERE id = ?", [officer_id])
    due = when + dt.timedelta(days=int(setting(store, "debrief_due_days")))
    store.insert_record(actor, "debriefs", {
        "callback_id": callback_id, "officer_id": officer_id, "manager_id": manager,
        "unit_id": unit_id, "kind": kind, "due_on": due.isoformat()})


def get_callback(store: Store, actor: Actor, callback_id: int) -> Row | None:
    require_any(actor, Action.RECORD_CALLBACK, Action.RECORD_DEBRIEF)
    row = store.row("SELECT * FROM callbacks WHERE id = ?", [callback_id])
    if row:
        require_unit(actor, row["unit_id"], "call-backs")
        row["answers"] = json.loads(row["answers"])
    return row


# -- debriefs ------------------------------------------------------------------------------
def list_debriefs(store: Store, actor: Actor, *, unit_id: int | None = None,
                  outstanding_only: bool = True, today: dt.date | None = None) -> list[Row]:
    """Debriefs of the units the actor covers (they quote the victim's comments)."""
    require(actor, Action.RECORD_DEBRIEF)
    if unit_id is not None:
        require_unit(actor, unit_id, "debriefs")
    today = today or dt.date.today()
    scope, params = scope_sql(actor, "d.unit_id")
    clauses: list[str] = [scope]
    if unit_id is not None:
        clauses.append("d.unit_id = ?")
        params.append(unit_id)
    if outstanding_only:
        clauses.append("(d.debriefed_on IS NULL OR d.acknowledgement = 'disagreed')")
    where = where_all(clauses)
    rows = store.rows(
        "SELECT d.*, o.name AS officer_name, o.staff_number, m.name AS manager_name, "
        "e.name AS escalated_name, cb.crime_ref, cb.call_date, cb.comments, u.code AS unit_code "
        "FROM debriefs d JOIN people o ON o.id = d.officer_id "
        "LEFT JOIN people m ON m.id = d.manager_id LEFT JOIN people e ON e.id = d.escalated_to "
        "JOIN callbacks cb ON cb.id = d.callback_id JOIN units u ON u.id = d.unit_id "
        f"{where} ORDER BY cb.call_date, d.id", params)
    for row in rows:
        row["age_days"] = (today - dt.date.fromisoformat(row["call_date"])).days
        row["overdue"] = row["debriefed_on"] is None and today.isoformat() > row["due_on"]
    return rows


def _require_debrief_unit(store: Store, actor: Actor, debrief_id: int) -> None:
    unit_id = store.scalar("SELECT unit_id FROM debriefs WHERE id = ?", [debrief_id])
    if unit_id is not None:  # gone: update_record says so
        require_unit(actor, unit_id, "debriefs")


def record_debrief(store: Store, actor: Actor, debrief_id: int, version: int, on: dt.date,
                   note: str) -> int:
    require(actor, Action.RECORD_DEBRIEF)
    if not note.strip():
        raise ValidationError("Write a short note of what was said at the debrief.")
    if on > dt.date.today():
        raise ValidationError("The debrief date cannot be in the future.")
    _require_debrief_unit(store, actor, debrief_id)
    return store.update_record(actor, "debriefs", debrief_id, version,
                               {"debriefed_on": on.isoformat(), "note": note.strip()})


def record_acknowledgement(store: Store, actor: Actor, debrief_id: int, version: int, *,
                           agrees: bool, reason: str = "") -> int:
    """The officer's acknowledgement; a disagreement goes to the manager's own manager."""
    require(actor, Action.RECORD_DEBRIEF)
    with store.write():
        debrief = store.row("SELECT * FROM debriefs WHERE id = ?", [debrief_id])
        if debrief is not None:  # another unit's: refused before its state is told
            require_unit(actor, debrief["unit_id"], "debriefs")
        if debrief is None or debrief["debriefed_on"] is None:
            raise ValidationError("Record the debrief before the officer's response.")
        if agrees:
            return store.update_record(actor, "debriefs", debrief_id, version,
                                       {"acknowledgement": "acknowledged"})
        if len(reason.strip()) < 5:
            raise ValidationError("Give the officer's reason for disagreeing.")
        next_level = store.scalar("SELECT line_manager_id FROM people WHERE id = ?",
                                  [debrief["manager_id"]]) if debrief["manager_id"] else None
        return store.update_record(actor, "debriefs", debrief_id, version, {
            "acknowledgement": "disagreed", "disagreement": reason.strip(),
            "escalated_to": next_level})


# -- history from old spreadsheets ---------------------------------------------------------
_SCALE_WORDS = {label.lower(): code for code, label in enumerate(
    ["completely satisfied", "very satisfied", "fairly satisfied",
     "neither satisfied nor dissatisfied", "fairly dissatisfied", "very dissatisfied",
     "completely dissatisfied"], start=1)}
_SCALE_WORDS.update({"neither": 4, "don't know": 0, "dont know": 0, "n/a": 0, "na": 0,
                     "not applicable": 0})


def _scale(text: str) -> int:
    value = text.strip().lower()
    if value.isdigit() and 0 <= int(value) <= 7:
        return int(value)
    if value in _SCALE_WORDS:
        return _SCALE_WORDS[value]
    raise ValueError(f"'{text}' is not 1-7 or a satisfaction phrase")


def _yes_no(text: str) -> str:
    value = text.strip().lower()
    if value in ("y", "yes", "1", "true"):
        return "Y"
    if value in ("n", "no", "0", "false"):
        return "N"
    if value in ("x", "n/a", "na", "not applicable", "don't know"):
        return "X"
    raise ValueError(f"'{text}' is not Y, N or blank")


def _outcome(text: str) -> str:
    value = text.strip().lower()
    for outcome in ("completed", "declined", "unreachable"):
        if value.startswith(outcome[:5]):
            return outcome
    if value in ("complete", "done", "yes"):
        return "completed"
    raise ValueError(f"'{text}' is not completed, declined or unreachable")


def history_fields(template: Template) -> list[Field]:
    fields = [
        Field("crime_ref", "Crime reference", required=True,
              aliases=("crime_number", "crime_no", "reference"), parse=normalise_reference),
        Field("unit", "Unit", required=True, aliases=("unit_code", "bcu")),
        Field("call_date", "Call date", required=True, aliases=("date", "date_called"),
              parse=lambda t: parse_date(t).isoformat()),
        Field("outcome", "Outcome", required=True, aliases=("result",), parse=_outcome),
    ]
    fields += [Field(q.key, q.key.replace("_", " ").capitalize(), parse=_scale)
               for q in template.drivers]
    fields += [Field(q.key, q.key.replace("_", " ").capitalize(), parse=_yes_no)
               for q in template.questions if q.type == "yes_no"]
    fields += [
        Field("ethnicity", "Ethnicity", aliases=("victim_ethnicity",), parse=_ethnicity),
        Field("officer", "Officer", aliases=("officer_number", "collar"),
              parse=normalise_reference),
        Field("comments", "Comments", aliases=("comment", "notes")),
    ]
    return fields


def _crimes_by_ref(store: Store, refs: list[str]) -> dict[str, tuple[int, int]]:
    """crime_ref -> (crime id, its unit id) for those of `refs` in the store."""
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start:start + 500]
        for ref, crime_id, unit_id in store.conn.execute(
                "SELECT crime_ref, id, unit_id FROM crimes WHERE crime_ref IN "
                f"({', '.join('?' * len(chunk))})", chunk).fetchall():
            found[ref] = (crime_id, unit_id)
    return found


def import_history(store: Store, actor: Actor, table: Table, *, all_or_nothing: bool,
                   mapping: dict[str, str] | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   template_version: int = 1) -> ImportResult:
    """Completed checks from old spreadsheets, read as answers to the named template version
    (its question keys are the columns; version 1 unless the file says otherwise)."""
    require(actor, Action.IMPORT_HISTORY)
    template = load_template("callback", template_version)
    fields = history_fields(template)
    columns = map_columns(table.headers, fields, mapping)
    parsed = parse_rows(table, fields, columns)
    units = reference.unit_ids_by_code(store, actor)
    officers = reference.person_ids_by_number(store, actor)
    result = ImportResult(bad=list(parsed.bad))
    crimes = _crimes_by_ref(store, [values["crime_ref"] for _, values in parsed.good])
    crime_ids = {ref: crime_id for ref, (crime_id, _) in crimes.items()}
    code_of = {unit_id: code for code, unit_id in units.items()}
    good = []
    for row_number, values in parsed.good:
        unit_id = units.get(values["unit"].strip().upper())
        if unit_id is None:
            result.bad.append(RowProblem(row_number, f"unknown unit '{values['unit']}'"))
            continue
        if values["crime_ref"] not in crime_ids:
            # A check with no crime would count in no unit's figures by crime and could never
            # be linked or erased with its crime: refused, like an unknown unit.
            result.bad.append(RowProblem(
                row_number, f"crime {values['crime_ref']} is not in the database: import the "
                "crime extract that holds it first, then this file again"))
            continue
        crime_unit = crimes[values["crime_ref"]][1]
        if crime_unit != unit_id:
            # Counted in the row's unit, the check would sit apart from its crime's unit,
            # and one unit's supervisor could file checks on another unit's victims.
            result.bad.append(RowProblem(
                row_number, f"crime {values['crime_ref']} belongs to unit "
                f"{code_of.get(crime_unit, crime_unit)}, not {values['unit'].strip().upper()}"))
            continue
        if not covers(actor, unit_id):
            result.bad.append(RowProblem(
                row_number, f"unit {values['unit'].strip().upper()} is not one of the units "
                f"{actor.display_name} covers"))
            continue
        if values["call_date"] > dt.date.today().isoformat():
            result.bad.append(RowProblem(row_number, "the call date is in the future"))
            continue
        good.append((row_number, unit_id, values))
    result.bad.sort(key=lambda p: p.row)
    if result.bad and all_or_nothing:
        result.applied = False
        return result
    keys = [q.key for q in template.questions]
    with store.write():
        register_template(store, actor, template)
        existing = {(r["crime_ref"], r["call_date"]) for r in store.rows(
            "SELECT crime_ref, call_date FROM callbacks WHERE source = 'history'")}
        for done, (_, unit_id, values) in enumerate(good, start=1):
            if (values["crime_ref"], values["call_date"]) in existing:
                continue  # loaded by an earlier import of the same file: never counted twice
            answers = {k: values[k] for k in keys if values.get(k) is not None}
            store.insert_record(actor, "callbacks", {
                "item_id": None, "crime_id": crime_ids[values["crime_ref"]],
                "crime_ref": values["crime_ref"],
                "unit_id": unit_id, "call_date": values["call_date"],
                "outcome": values["outcome"], "template_kind": template.kind,
                "template_version": template.version,
                "answers": json.dumps(answers, sort_keys=True),
                "ethnicity": values.get("ethnicity") or "NS",
                "comments": values.get("comments") or "", "feedback": "none",
                "officer_id": officers.get(values.get("officer") or ""), "source": "history"},
                audit_values=False)
            result.inserted += 1
            if progress and done % 500 == 0:
                progress(done, len(good))
        store.audit(actor, "import", "callbacks", None,
                    {"inserted": result.inserted, "bad_rows": len(result.bad)})
    return result
