"""Units, people and front counters: add, edit, deactivate (never delete what records use)."""
from __future__ import annotations

import json
from typing import Any

from qos.errors import ValidationError
from qos.importing import Field, ImportResult, RowProblem, map_columns, parse_rows
from qos.parsing import normalise_reference
from qos.roles import Action, Actor, require, require_any, unit_scope
from qos.store.core import Row, Store, where_all
from qos.tabular import Table

UNIT_KINDS = ("BCU", "department")
PERSON_TYPES = ("officer", "PCSO", "staff")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# -- units -------------------------------------------------------------------------------
def list_units(store: Store, actor: Actor, *, include_inactive: bool = False) -> list[Row]:
    require_any(actor, Action.VIEW_REFERENCE, Action.RECORD_VISIT)
    where = "" if include_inactive else "WHERE active = 1"
    return store.rows(f"SELECT * FROM units {where} ORDER BY kind, code")


def units_for(store: Store, actor: Actor) -> list[Row]:
    """The one answer to "which units does this actor cover": every active unit for an
    administrator or the inspectorate; a supervisor's responsibility or a bureau's units as
    an administrator set them; otherwise the user's own unit. Unit boxes list these;
    victim-level reads are limited to them (qos.roles.unit_scope)."""
    scope = unit_scope(actor)
    return [u for u in list_units(store, actor) if scope is None or u["id"] in scope]


def scope_sql(actor: Actor, column: str) -> tuple[str, list[int]]:
    """A WHERE condition limiting `column` (a unit id) to the units the actor covers."""
    scope = unit_scope(actor)
    if scope is None:
        return "1", []
    if not scope:
        return "0", []
    return f"{column} IN ({', '.join('?' * len(scope))})", sorted(scope)


def unit_target(store: Store, actor: Actor, unit_id: int) -> int | None:
    """The unit's monthly QoS check target (None for an unknown unit)."""
    require(actor, Action.VIEW_REFERENCE)
    target = store.scalar("SELECT monthly_target FROM units WHERE id = ?", [unit_id])
    return None if target is None else int(target)


def _check_unit(code: str, name: str, kind: str, target: int) -> None:
    if not code.strip() or not name.strip():
        raise ValidationError("A unit needs a short code and a name.")
    if kind not in UNIT_KINDS:
        raise ValidationError(f"A unit is a BCU or a department, not '{kind}'.")
    if target < 0 or target > 10000:
        raise ValidationError("The monthly QoS check target must be between 0 and 10,000.")


def add_unit(store: Store, actor: Actor, code: str, name: str, kind: str = "BCU",
             monthly_target: int = 50) -> int:
    require(actor, Action.MANAGE_REFERENCE)
    _check_unit(code, name, kind, monthly_target)
    with store.write():
        if store.scalar("SELECT 1 FROM units WHERE code = ?", [code.strip()]):
            raise ValidationError(f"There is already a unit with the code {code.strip()}.")
        return store.insert_record(actor, "units", {
            "code": code.strip().upper(), "name": name.strip(), "kind": kind,
            "monthly_target": monthly_target, "active": 1})


def edit_unit(store: Store, actor: Actor, unit_id: int, version: int, **changes: Any) -> int:
    require(actor, Action.MANAGE_REFERENCE)
    current = store.row("SELECT * FROM units WHERE id = ?", [unit_id]) or {}
    merged = {**current, **changes}
    _check_unit(merged.get("code", ""), merged.get("name", ""), merged.get("kind", ""),
                int(merged.get("monthly_target", 0)))
    return store.update_record(actor, "units", unit_id, version, changes)


def unit_ids_by_code(store: Store, actor: Actor) -> dict[str, int]:
    """Upper-case unit code -> id, for imports that name units by code."""
    require_any(actor, Action.VIEW_REFERENCE, Action.RECORD_VISIT)
    return {u["code"].upper(): u["id"] for u in store.rows("SELECT id, code FROM units")}


def person_ids_by_number(store: Store, actor: Actor) -> dict[str, int]:
    require(actor, Action.VIEW_REFERENCE)
    return {r["staff_number"]: r["id"] for r in store.rows("SELECT id, staff_number FROM people")}


def unit_by_code(store: Store, actor: Actor, code: str) -> Row | None:
    require_any(actor, Action.VIEW_REFERENCE, Action.RECORD_VISIT)
    return store.row("SELECT * FROM units WHERE code = ?", [code.strip()])


# -- people who are checked ----------------------------------------------------------------
def list_people(store: Store, actor: Actor, *, unit_id: int | None = None,
                include_inactive: bool = False, limit: int | None = None) -> list[Row]:
    require(actor, Action.VIEW_REFERENCE)
    clauses, params = [], []
    if not include_inactive:
        clauses.append("p.active = 1")
    if unit_id is not None:
        clauses.append("p.unit_id = ?")
        params.append(unit_id)
    where = where_all(clauses)
    tail = f" LIMIT {int(limit)}" if limit else ""
    return store.rows(
        "SELECT p.*, u.code AS unit_code, m.staff_number AS manager_number, "
        "m.name AS manager_name FROM people p LEFT JOIN units u ON u.id = p.unit_id "
        f"LEFT JOIN people m ON m.id = p.line_manager_id {where} "
        f"ORDER BY p.name{tail}", params)


def person_with_unit(store: Store, actor: Actor, person_id: int) -> Row | None:
    """A person's name with their unit's code ('' when they have no unit)."""
    require(actor, Action.VIEW_REFERENCE)
    return store.row("SELECT p.name, COALESCE(u.code, '') AS unit_code FROM people p "
                     "LEFT JOIN units u ON u.id = p.unit_id WHERE p.id = ?", [person_id])


def person_by_number(store: Store, actor: Actor, staff_number: str) -> Row | None:
    require(actor, Action.VIEW_REFERENCE)
    return store.row("SELECT * FROM people WHERE staff_number = ?",
                     [normalise_reference(staff_number)])


def _check_person(values: dict[str, Any]) -> None:
    if not str(values.get("staff_number", "")).strip():
        raise ValidationError("A person needs a collar or staff number.")
    if not str(values.get("name", "")).strip():
        raise ValidationError("A person needs a name.")
    if values.get("role_type") not in PERSON_TYPES:
        raise ValidationError("A person is an officer, a PCSO or staff.")


def add_person(store: Store, actor: Actor, staff_number: str, name: str,
               role_type: str = "officer", unit_id: int | None = None,
               line_manager_id: int | None = None) -> int:
    require(actor, Action.MANAGE_REFERENCE)
    values = {"staff_number": normalise_reference(staff_number), "name": name.strip(),
              "role_type": role_type, "unit_id": unit_id, "line_manager_id": line_manager_id,
              "active": 1}
    _check_person(values)
    with store.write():
        if person_by_number(store, actor, staff_number):
            raise ValidationError(f"There is already someone with the number {staff_number}.")
        return store.insert_record(actor, "people", values)


def edit_person(store: Store, actor: Actor, person_id: int, version: int, **changes: Any) -> int:
    require(actor, Action.MANAGE_REFERENCE)
    current = store.row("SELECT * FROM people WHERE id = ?", [person_id]) or {}
    if "staff_number" in changes:
        changes["staff_number"] = normalise_reference(changes["staff_number"])
    _check_person({**current, **changes})
    if changes.get("line_manager_id") == person_id:
        raise ValidationError("A person cannot be their own line manager.")
    return store.update_record(actor, "people", person_id, version, changes)


PEOPLE_FIELDS = [
    Field("staff_number", "Collar or staff number", required=True,
          aliases=("collar", "collar_number", "staff_no", "number", "warrant_number"),
          parse=normalise_reference),
    Field("name", "Name", required=True, aliases=("full_name", "officer_name")),
    Field("role_type", "Type", aliases=("role", "rank_type"),
          parse=lambda text: _person_type(text)),  # defined below
    Field("unit", "Unit code", required=True, aliases=("unit_code", "bcu", "department")),
    Field("line_manager", "Line manager number",
          aliases=("manager", "line_manager_number", "manager_number"),
          parse=normalise_reference),
]


def _person_type(text: str) -> str:
    lowered = text.strip().lower()
    for kind in PERSON_TYPES:
        if lowered == kind.lower():
            return kind
    if lowered in ("pc", "ps", "sgt", "insp", "di", "dc", "ds", "constable", "sergeant",
                   "inspector", "police officer"):
        return "officer"
    raise ValueError(f"'{text}' is not officer, PCSO or staff")


def import_people(store: Store, actor: Actor, table: Table, *, all_or_nothing: bool,
                  mapping: dict[str, str] | None = None) -> ImportResult:
    """Upsert people by staff number; line managers may be earlier or later in the same file."""
    require(actor, Action.MANAGE_REFERENCE)
    columns = map_columns(table.headers, PEOPLE_FIELDS, mapping)
    parsed = parse_rows(table, PEOPLE_FIELDS, columns)
    units = unit_ids_by_code(store, actor)
    result = ImportResult(bad=list(parsed.bad))
    good = []
    file_numbers = {values["staff_number"] for _, values in parsed.good}
    for row_number, values in parsed.good:
        unit_id = units.get(str(values["unit"]).upper())
        manager = values.get("line_manager")
        if unit_id is None:
            result.bad.append(RowProblem(row_number, f"unknown unit '{values['unit']}'"))
        elif (manager and manager not in file_numbers
              and not person_by_number(store, actor, manager)):
            result.bad.append(RowProblem(row_number, f"line manager {manager} is not known"))
        else:
            good.append((row_number, {**values, "unit_id": unit_id,
                                      "role_type": values.get("role_type") or "officer"}))
    result.bad.sort(key=lambda p: p.row)
    if result.bad and all_or_nothing:
        result.applied = False
        return result
    with store.write():
        for _, values in good:
            existing = person_by_number(store, actor, values["staff_number"])
            record = {"staff_number": values["staff_number"], "name": values["name"],
                      "role_type": values["role_type"], "unit_id": values["unit_id"],
                      "active": 1}
            if existing:
                store.update_record(actor, "people", existing["id"], existing["version"], record)
                result.updated += 1
            else:
                store.insert_record(actor, "people", record)
                result.inserted += 1
        # Second pass: managers resolved once every person in the file exists.
        for _, values in good:
            if values.get("line_manager"):
                person = person_by_number(store, actor, values["staff_number"])
                manager = person_by_number(store, actor, values["line_manager"])
                assert person is not None and manager is not None
                store.update_record(actor, "people", person["id"], person["version"],
                                    {"line_manager_id": manager["id"]})
        store.audit(actor, "import", "people", None,
                    {"inserted": result.inserted, "updated": result.updated,
                     "bad_rows": len(result.bad)})
    return result


# -- front counters ------------------------------------------------------------------------
def parse_opening_hours(text: str) -> dict[str, list[str]]:
    """'mon-fri 08:00-20:00; sat 09:00-17:00' -> {'mon': ['08:00', '20:00'], ...}."""
    hours: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in text.replace(",", ";").split(";"))):
        try:
            days_text, times = part.split()
            opens, closes = times.split("-")
        except ValueError:
            raise ValidationError(
                f"'{part}' is not like 'mon-fri 08:00-20:00'.") from None
        days = _day_range(days_text.lower())
        for t in (opens, closes):
            if not (len(t) == 5 and t[2] == ":" and t[:2].isdigit() and t[3:].isdigit()
                    and int(t[:2]) < 24 and int(t[3:]) < 60):
                raise ValidationError(f"'{t}' is not a time like 08:00.")
        if opens >= closes:
            raise ValidationError(f"In '{part}' the counter closes before it opens.")
        for day in days:
            hours[day] = [opens, closes]
    return hours


def _day_range(text: str) -> list[str]:
    if "-" in text:
        first, last = text.split("-")
        if first[:3] not in WEEKDAYS or last[:3] not in WEEKDAYS:
            raise ValidationError(f"'{text}' is not a range of weekdays like mon-fri.")
        a, b = WEEKDAYS.index(first[:3]), WEEKDAYS.index(last[:3])
        return list(WEEKDAYS[a:b + 1])
    if text[:3] not in WEEKDAYS:
        raise ValidationError(f"'{text}' is not a weekday (mon, tue, ...).")
    return [text[:3]]


def format_opening_hours(hours: dict[str, list[str]]) -> str:
    return "; ".join(f"{d} {hours[d][0]}-{hours[d][1]}" for d in WEEKDAYS if d in hours)


def list_counters(store: Store, actor: Actor, *, include_inactive: bool = False) -> list[Row]:
    require_any(actor, Action.VIEW_REFERENCE, Action.RECORD_VISIT)
    where = "" if include_inactive else "WHERE c.active = 1"
    rows = store.rows("SELECT c.*, u.code AS unit_code FROM counters c "
                      f"JOIN units u ON u.id = c.unit_id {where} ORDER BY c.name")
    for row in rows:
        row["hours_text"] = format_opening_hours(json.loads(row["opening_hours"]))
    return rows


def add_counter(store: Store, actor: Actor, name: str, unit_id: int, hours_text: str) -> int:
    require(actor, Action.MANAGE_REFERENCE)
    if not name.strip():
        raise ValidationError("A front counter needs a station name.")
    hours = parse_opening_hours(hours_text)
    with store.write():
        if store.scalar("SELECT 1 FROM counters WHERE name = ?", [name.strip()]):
            raise ValidationError(f"There is already a counter called {name.strip()}.")
        return store.insert_record(actor, "counters", {
            "name": name.strip(), "unit_id": unit_id, "opening_hours": json.dumps(hours),
            "active": 1})


def edit_counter(store: Store, actor: Actor, counter_id: int, version: int,
                 **changes: Any) -> int:
    require(actor, Action.MANAGE_REFERENCE)
    if "hours_text" in changes:
        changes["opening_hours"] = json.dumps(parse_opening_hours(changes.pop("hours_text")))
    return store.update_record(actor, "counters", counter_id, version, changes)


def set_active(store: Store, actor: Actor, table: str, record_id: int, version: int,
               active: bool) -> int:
    """Deactivate or reactivate a unit, person or counter: records that refer to it stay whole."""
    require(actor, Action.MANAGE_REFERENCE)
    if table not in ("units", "people", "counters"):
        raise ValueError(table)
    return store.update_record(actor, table, record_id, version, {"active": int(active)})

