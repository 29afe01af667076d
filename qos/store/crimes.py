"""Crime extracts: import (upsert by crime reference), saved column mappings, look-ups."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from operator import itemgetter
from typing import Any

from qos.bulk import gc_paused
from qos.clock import now_iso
from qos.ids import new_uuids
from qos.importing import Field, ImportResult, RowProblem, map_columns, parse_rows
from qos.parsing import (
    normalise_phone,
    normalise_reference,
    parse_date,
    parse_flag,
)
from qos.progress import Progress
from qos.roles import Action, Actor, require, require_any, require_unit, unit_scope
from qos.store import reference
from qos.store.core import Row, Store
from qos.store.handouts import handout_problem, record_imported_handouts
from qos.store.retention import phone_hasher
from qos.tabular import Table
from qos.victims_code import EVENT_COLUMNS  # the Code's events: one list


@lru_cache(maxsize=8192)  # an extract has a few hundred distinct dates in 100,000 rows
def _iso_date(text: str) -> str:
    return parse_date(text).isoformat()


ARREST_DATE_UNKNOWN = "unknown"  # arrested_on when an arrest was made on an unknown date
_UNKNOWN_WORDS = {"unknown", "date unknown", "arrest made date unknown", "yes date unknown",
                  "y", "yes"}


def _arrest(text: str) -> str:
    """The arrest date, or 'unknown' for an arrest whose date the extract does not give."""
    words = " ".join(text.replace(",", " ").lower().split())
    if words in _UNKNOWN_WORDS:
        return ARREST_DATE_UNKNOWN
    try:
        return _iso_date(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date (or 'unknown' for an arrest made on an "
                         "unknown date)") from None


_FREQUENCY_WORDS = {"weekly": 7, "fortnightly": 14, "monthly": 28}


def update_days(text: str) -> int:
    """An agreed update frequency in days (or weekly, fortnightly, monthly)."""
    value = text.strip().lower()
    days = _FREQUENCY_WORDS.get(value) or (int(value) if value.isdigit() else None)
    if days is None or not 1 <= days <= 365:
        raise ValueError(f"'{text}' is not a number of days between 1 and 365 (or weekly, "
                         "fortnightly, monthly)")
    return days


def _serial(text: str) -> int:
    value = text.strip()
    if not value.isdigit() or int(value) <= 0:
        raise ValueError(f"'{text}' is not a card serial number")
    return int(value)


def _ethnicity(text: str) -> str:
    from qos.templates import ethnicity_options

    value = text.strip()
    for option in ethnicity_options():
        if value.upper() == option["code"] or value.lower() == option["label"].lower():
            return option["code"]
    if value.lower() in ("not stated", "ns", "unknown", "refused"):
        return "NS"
    raise ValueError(f"'{text}' is not a self-defined ethnicity code (such as W1, A2, NS)")


CRIME_FIELDS = [
    Field("crime_ref", "Crime reference", required=True,
          aliases=("crime_reference", "crime_number", "crime_no", "crime", "reference", "urn"),
          parse=normalise_reference),
    Field("recorded_on", "Date recorded", required=True,
          aliases=("recorded", "date", "recorded_date", "date_recorded"), parse=_iso_date),
    Field("unit", "Unit", required=True, aliases=("unit_code", "bcu", "division")),
    Field("offence_category", "Offence category", required=True,
          aliases=("offence", "category", "crime_type", "offence_type")),
    Field("victim_name", "Victim name", required=True, blank_ok=True,
          aliases=("victim", "name", "informant")),
    Field("victim_phone", "Contact phone", required=True, blank_ok=True,
          aliases=("phone", "telephone", "tel", "victim_phone", "contact_number"),
          parse=normalise_phone),
    Field("officer_number", "Officer", required=True, blank_ok=True,
          aliases=("oic", "officer_in_case", "attending_officer", "collar", "collar_number",
                   "officer_collar_number"), parse=normalise_reference),
    Field("ethnicity", "Victim ethnicity", aliases=("self_defined_ethnicity", "sde"),
          parse=_ethnicity),
    Field("vulnerable", "Vulnerable or intimidated", aliases=("vulnerable_intimidated",),
          parse=parse_flag),
    # Read into arrested_on (one fact): Y without a date is "arrest made, date unknown".
    Field("arrest_made", "Arrest made", aliases=("arrest",), parse=parse_flag),
    Field("declined_contact", "Victim declined contact", aliases=("declined", "no_contact"),
          parse=parse_flag),
    Field("victim_under_18", "Victim under 18", aliases=("under_18", "juvenile"),
          parse=parse_flag),
    Field("victim_on_duty_officer", "Victim is an on-duty officer",
          aliases=("on_duty_officer", "police_victim"), parse=parse_flag),
    Field("domestic_abuse", "Domestic abuse", aliases=("domestic", "da_flag"),
          parse=parse_flag),
    # Victims' Code events (each a date) and the enhanced-service entitlement.
    Field("arrested_on", "Suspect arrested", aliases=("arrested", "arrest_date"),
          parse=_arrest),
    Field("interviewed_on", "Interviewed under caution", aliases=("interviewed",),
          parse=_iso_date),
    Field("charged_on", "Charged", aliases=("charge_date",), parse=_iso_date),
    Field("bailed_on", "Bailed or released under investigation",
          aliases=("bailed", "rui", "released_under_investigation"), parse=_iso_date),
    Field("released_on", "Released without charge", aliases=("released", "rwc"),
          parse=_iso_date),
    Field("closed_on", "Investigation closed",
          aliases=("closed", "no_further_action", "nfa"), parse=_iso_date),
    Field("not_investigated_on", "Decision not to investigate",
          aliases=("not_investigated", "screened_out"), parse=_iso_date),
    Field("victim_updated_on", "Victim updated", aliases=("victim_updated", "last_update"),
          parse=_iso_date),
    Field("enhanced", "Enhanced service",
          aliases=("enhanced_service", "enhanced_entitlement"), parse=parse_flag),
    Field("persistently_targeted", "Persistently targeted",
          aliases=("persistently_targeted_victim", "repeat_victim"), parse=parse_flag),
    Field("update_every_days", "Agreed update frequency (days)",
          aliases=("agreed_update_frequency", "update_frequency", "update_every",
                   "agreed_update_days"), parse=update_days),
    # Closure compliance and dip checks (issue 19): the record's closure date, and the
    # incident type (a road traffic collision has its own update rule).
    # Operation Doorstep: the serial of the card left with this victim, if any.
    Field("doorstep_serial", "Doorstep card serial",
          aliases=("card_serial", "doorstep_card", "doorstep_card_number", "card_number"),
          parse=_serial),
    Field("finalised_on", "Date crime closed",
          aliases=("closure_date", "date_closed", "crime_closed", "finalised", "finalised_on"),
          parse=_iso_date),
    Field("incident_type", "Incident type",
          aliases=("incident_category", "incident", "call_type")),
]
FLAG_KEYS = ("vulnerable", "declined_contact", "victim_under_18",
             "victim_on_duty_officer", "domestic_abuse", "persistently_targeted")
STORED = ("crime_ref", "recorded_on", "unit_id", "offence_category", "victim_name",
          "victim_phone", "officer_number", "officer_id", "ethnicity", *FLAG_KEYS, "enhanced",
          *EVENT_COLUMNS, "phone_hmac", "update_every_days", "finalised_on", "incident_type")
LATER = ("finalised_on", "incident_type")  # written only when the file has them
# Worked out from the unit, officer and phone columns every file has.
DERIVED = ("unit_id", "officer_id", "phone_hmac")


def import_crimes(store: Store, actor: Actor, table: Table, *, all_or_nothing: bool,
                  mapping: dict[str, str] | None = None, source: str = "",
                  progress: Progress | None = None) -> ImportResult:
    """Upsert crimes by reference: re-importing an overlapping extract never duplicates."""
    require(actor, Action.IMPORT_CRIMES)
    with gc_paused():
        return _import_crimes(store, actor, table, all_or_nothing=all_or_nothing,
                              mapping=mapping, source=source, progress=progress)


def _import_crimes(store: Store, actor: Actor, table: Table, *, all_or_nothing: bool,
                   mapping: dict[str, str] | None, source: str,
                   progress: Progress | None) -> ImportResult:
    columns = map_columns(table.headers, CRIME_FIELDS, mapping)
    parsed = parse_rows(table, CRIME_FIELDS, columns)
    units = reference.unit_ids_by_code(store, actor)
    officers = reference.person_ids_by_number(store, actor)
    result = ImportResult(bad=list(parsed.bad))
    first_seen: dict[str, int] = {}
    records: list[dict[str, Any]] = []
    # Flags the file has are parsed per row; those it lacks are 0 in every row.
    flags_given = [k for k in (*FLAG_KEYS, "enhanced") if k in columns]
    flags_absent = {k: 0 for k in (*FLAG_KEYS, "enhanced") if k not in columns}
    unit_of_text: dict[str, int | None] = {}  # the same few unit texts on every row
    hash_phone = phone_hasher(store, actor)
    arrest_given = "arrested_on" in columns or "arrest_made" in columns
    serials: dict[int, int] = {}  # card serial -> the row that left it
    # A supervisor imports for the units they cover only: neither new rows for another unit
    # nor overwriting (or moving) a crime another unit already holds.
    scope = unit_scope(actor)
    for row_number, values in parsed.good:
        ref = values["crime_ref"]
        unit_text = values["unit"]
        if unit_text in unit_of_text:
            unit_id = unit_of_text[unit_text]
        else:
            unit_id = unit_of_text[unit_text] = units.get(str(unit_text).strip().upper())
        if unit_id is None:
            result.bad.append(RowProblem(row_number, f"unknown unit '{values['unit']}'"))
            continue
        if scope is not None and unit_id not in scope:
            result.bad.append(RowProblem(row_number, f"unit {values['unit']} is not one of "
                                         f"the units {actor.display_name} covers"))
            continue
        if ref in first_seen:
            result.bad.append(RowProblem(
                row_number, f"crime reference {ref} appears again (first at row {first_seen[ref]})"))
            continue
        first_seen[ref] = row_number
        values["unit_id"] = unit_id
        values["officer_id"] = officers.get(values.get("officer_number") or "")
        values["phone_hmac"] = hash_phone(values["victim_phone"])
        if arrest_given:
            problem = _one_arrest_fact(values)
            if problem:
                result.bad.append(RowProblem(row_number, problem))
                continue
        serial = values.get("doorstep_serial")
        if serial is not None:
            problem = (f"card {serial} appears again (first at row {serials[serial]})"
                       if serial in serials else handout_problem(
                           store, actor, serial, values,
                           dt.date.fromisoformat(values["recorded_on"])))
            if problem:
                result.bad.append(RowProblem(row_number, problem))
                continue
            serials[serial] = row_number
        values.update(flags_absent)
        for key in flags_given:
            values[key] = int(bool(values[key]))
        records.append(values)
    if scope is not None and records:  # records: only rows of covered units (not empty)
        records = _not_held_elsewhere(store, actor, records, first_seen, scope, result)
    result.bad.sort(key=lambda p: p.row)
    if result.bad and all_or_nothing:
        result.applied = False
        return result
    stamp = now_iso()
    # Columns added later (migration 0022) are written only when the file has them.
    cols = [c for c in STORED if c in columns or c not in LATER]
    # A re-import changes only what the file holds: an extract without event columns must
    # not wipe the events an earlier, fuller extract brought.
    changed = [c for c in cols if c != "crime_ref" and (c in columns or c in DERIVED
                                                        or (c == "arrested_on" and arrest_given))]
    # Plain INSERT for new crimes and UPDATE for known ones: an ON CONFLICT upsert made
    # SQLite nearly three times slower on a 100,000-row extract.
    insert_sql = (f"INSERT INTO crimes ({', '.join(cols)}, uuid, created_at, created_by, "
                  f"updated_at, updated_by, version) VALUES ({', '.join('?' * len(cols))}, "
                  "?, ?, ?, ?, ?, 1)")
    # "Arrest made, date unknown" never overwrites an arrest date already held, and a blank
    # frequency never clears one agreed with the victim on a call.
    special = {"arrested_on": "arrested_on = CASE WHEN ? = 'unknown' AND arrested_on IS NOT "
                              "NULL THEN arrested_on ELSE ? END",
               "update_every_days": "update_every_days = COALESCE(?, update_every_days)"}
    update_sql = ("UPDATE crimes SET " + ", ".join(special.get(c, f"{c} = ?") for c in changed)
                  + ", updated_at = ?, updated_by = ?, version = version + 1 "
                    "WHERE crime_ref = ?")
    stored = itemgetter(*cols)  # a tuple of the row's values, in C: the insert is the hot path
    total = len(records)
    with store.write():
        existing = _existing_refs(store, [r["crime_ref"] for r in records])
        for start in range(0, total, 5000):
            chunk = records[start:start + 5000]
            new = [r for r in chunk if r["crime_ref"] not in existing]
            store.conn.executemany(insert_sql, [
                (*stored(r), uid, stamp, actor.user_id, stamp, actor.user_id)
                for r, uid in zip(new, new_uuids(len(new)), strict=True)])
            store.conn.executemany(update_sql, [
                [*(v for c in changed for v in ((r[c], r[c]) if c == "arrested_on"
                                               else (r[c],))),
                 stamp, actor.user_id, r["crime_ref"]]
                for r in chunk if r["crime_ref"] in existing])
            if progress:
                progress(min(start + 5000, total), total)
        if "victim_updated_on" in columns:
            _record_imported_updates(store, actor, records, stamp)
        if serials:  # left on the day the crime was recorded, as near as the extract says
            record_imported_handouts(store, actor, [
                (r["doorstep_serial"], r["crime_ref"], r["recorded_on"]) for r in records
                if r.get("doorstep_serial") is not None])
        result.updated = len(existing)
        result.inserted = total - result.updated
        store.hash_rows(actor, "crimes", "crime_ref", [r["crime_ref"] for r in records])
        store.audit(actor, "import", "crimes", None, {
            "source": source, "inserted": result.inserted, "updated": result.updated,
            "bad_rows": len(result.bad)})
    return result


def _one_arrest_fact(values: dict[str, Any]) -> str | None:
    """Fold the "Arrest made" flag into arrested_on; a row whose two columns disagree is bad."""
    flag, day = values.get("arrest_made"), values.get("arrested_on")
    if flag is False and day:
        return (f"Arrest made says no, but Suspect arrested says "
                f"{'an arrest was made' if day == ARREST_DATE_UNKNOWN else day}")
    if flag and not day:
        values["arrested_on"] = ARREST_DATE_UNKNOWN
    return None


def _record_imported_updates(store: Store, actor: Actor, records: list[dict[str, Any]],
                             stamp: str) -> None:
    dated = [(r["crime_ref"], r["victim_updated_on"]) for r in records if r["victim_updated_on"]]
    store.conn.executemany(
        "INSERT INTO victim_updates (crime_id, updated_on, source, user_id, created_at) "
        "SELECT id, ?, 'import', ?, ? FROM crimes WHERE crime_ref = ? ON CONFLICT DO NOTHING",
        [(day, actor.user_id, stamp, ref) for ref, day in dated])
    # The hashes of those crimes' updates (new and old alike), so verify checks them.
    refs = [ref for ref, _ in dated]
    crime_ids: list[int] = []
    for start in range(0, len(refs), 500):
        chunk = refs[start:start + 500]
        crime_ids += [r[0] for r in store.conn.execute(
            f"SELECT id FROM crimes WHERE crime_ref IN ({', '.join('?' * len(chunk))})", chunk)]
    if crime_ids:
        store.hash_rows(actor, "victim_updates", "crime_id", crime_ids,
                        "victim updates imported")


def _not_held_elsewhere(store: Store, actor: Actor, records: list[dict[str, Any]],
                        first_seen: dict[str, int], scope: frozenset[int],
                        result: ImportResult) -> list[dict[str, Any]]:
    """The records whose crime is new or already in a unit the importer covers; the others
    are reported, naming the row."""
    refs = [r["crime_ref"] for r in records]
    elsewhere: set[str] = set()
    for start in range(0, len(refs), 5000):
        chunk = refs[start:start + 5000]
        marks = ", ".join("?" * len(chunk))
        elsewhere.update(r[0] for r in store.conn.execute(
            f"SELECT crime_ref FROM crimes WHERE crime_ref IN ({marks}) AND unit_id NOT IN "
            f"({', '.join('?' * len(scope))})", [*chunk, *sorted(scope)]))
    for ref in sorted(elsewhere, key=first_seen.__getitem__):
        result.bad.append(RowProblem(first_seen[ref], f"crime {ref} is held by a unit "
                                     f"{actor.display_name} does not cover"))
    return [r for r in records if r["crime_ref"] not in elsewhere]


def _existing_refs(store: Store, refs: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(refs), 5000):
        chunk = refs[start:start + 5000]
        marks = ", ".join("?" * len(chunk))
        found.update(r[0] for r in store.conn.execute(
            f"SELECT crime_ref FROM crimes WHERE crime_ref IN ({marks})", chunk))
    return found


def crime_by_ref(store: Store, actor: Actor, ref: str) -> Row | None:
    """A crime with its victim's name and phone: for the units the actor covers, and every
    such view is audited."""
    require(actor, Action.VIEW_VICTIM_CONTACT)
    with store.write():
        row = store.row("SELECT * FROM crimes WHERE crime_ref = ?", [normalise_reference(ref)])
        if row is None:
            return None
        require_unit(actor, row["unit_id"], "crimes")
        store.audit(actor, "view contact details", "crimes", row["id"], {})
    return row


def count_crimes(store: Store, actor: Actor) -> int:
    require_any(actor, Action.IMPORT_CRIMES, Action.VIEW_SUMMARY)
    return int(store.scalar("SELECT COUNT(*) FROM crimes"))
