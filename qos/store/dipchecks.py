"""Inspectorate dip checks: a random, auditable selection across the four tests for one unit's
month, the inspector's finding per item, and the figures BCU commanders receive.

The draw is like the call-back sample (qos/sampling.py): each test's population is sorted by
id and hashed, and test number i is drawn with seed + i, so the same seed over the same
records always selects the same items, and `verify_dip_check` can show it.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from qos.dip_checks import RESULTS, DipRules, dip_rules, records_say
from qos.errors import PermissionDenied, ValidationError
from qos.months import month_bounds
from qos.roles import Action, Actor, require
from qos.routine_figures import DipFailure, DipTestCount
from qos.sampling import Member, draw_sample, new_seed, population_hash
from qos.store.core import Row, Store
from qos.store.reference import format_opening_hours, units_for

TEST_ORDER = ("counter_open", "rtc_updated", "vulnerable_updated", "all_updated")


def _populations(store: Store, unit_id: int, month: str,
                 rules: DipRules) -> dict[str, list[Member]]:
    start, end = month_bounds(month)
    crimes = "FROM crimes WHERE unit_id = ? AND recorded_on >= ? AND recorded_on < ?"
    params: list[Any] = [unit_id, start, end]

    def members(sql: str, extra: list[Any]) -> list[Member]:
        return [(r[0], r[1], r[2]) for r in store.conn.execute(sql, params + extra)]

    types = list(rules.rtc_incident_types)
    categories = list(rules.rtc_offence_categories)
    return {
        "counter_open": [(r[0], r[1], "counter") for r in store.conn.execute(
            "SELECT id, name FROM counters WHERE unit_id = ? AND active = 1", [unit_id])],
        "rtc_updated": members(
            f"SELECT id, crime_ref, offence_category {crimes} AND "
            f"(LOWER(COALESCE(incident_type, '')) IN ({', '.join('?' * len(types))}) OR "
            f"LOWER(offence_category) IN ({', '.join('?' * len(categories))}))",
            [*types, *categories]),
        "vulnerable_updated": members(
            f"SELECT id, crime_ref, offence_category {crimes} AND (vulnerable = 1 OR enhanced = 1)",
            []),
        "all_updated": members(f"SELECT id, crime_ref, offence_category {crimes}", []),
    }


def _draws(populations: dict[str, list[Member]], per_test: int,
           seed: int) -> dict[str, list[int]]:
    return {test: draw_sample(populations[test], min(per_test, len(populations[test])),
                              seed + i, reserve_size=0).sample
            for i, test in enumerate(TEST_ORDER)}


def _may_check_unit(store: Store, actor: Actor, unit_id: int) -> None:
    if unit_id not in {u["id"] for u in units_for(store, actor)}:
        raise PermissionDenied(f"{actor.display_name} does not cover that unit.")


def draw_dip_check(store: Store, actor: Actor, unit_id: int, month: str, *,
                   per_test: int | None = None, seed: int | None = None) -> int:
    """Draw a unit's dip check for a month: up to `per_test` items for each of the tests."""
    require(actor, Action.DIP_CHECK)
    _may_check_unit(store, actor, unit_id)
    rules = dip_rules()
    per_test = rules.per_test if per_test is None else per_test
    if per_test < 1:
        raise ValidationError("Check at least one item per test.")
    with store.write():
        if store.scalar("SELECT 1 FROM dip_checks WHERE unit_id = ? AND month = ?",
                        [unit_id, month]):
            raise ValidationError(f"This unit's dip check for {month} has already been drawn.")
        seed = new_seed() if seed is None else seed
        populations = _populations(store, unit_id, month, rules)
        if not any(populations.values()):
            raise ValidationError(f"The unit has no counters and no crimes recorded in {month} "
                                  "to check. Import the month's crime extract first.")
        chosen = _draws(populations, per_test, seed)
        check_id = store.insert_record(actor, "dip_checks", {
            "unit_id": unit_id, "month": month, "seed": seed, "per_test": per_test,
            "rules_version": rules.version,
            "populations": json.dumps({t: {"size": len(p), "hash": population_hash(p)}
                                       for t, p in populations.items()}, sort_keys=True)})
        for test in TEST_ORDER:
            for position, chosen_id in enumerate(chosen[test]):
                key = "counter_id" if test == "counter_open" else "crime_id"
                store.insert_record(actor, "dip_check_items", {
                    "check_id": check_id, "test": test, "position": position, key: chosen_id},
                    audit_values=False)
    return check_id


def list_dip_checks(store: Store, actor: Actor) -> list[Row]:
    require(actor, Action.DIP_CHECK)
    covered = [u["id"] for u in units_for(store, actor)] or [0]
    return store.rows(
        "SELECT d.id, d.month, d.seed, u.code AS unit_code, d.unit_id, "
        "(SELECT COUNT(*) FROM dip_check_items i WHERE i.check_id = d.id) AS items, "
        "(SELECT COUNT(*) FROM dip_check_items i WHERE i.check_id = d.id "
        " AND i.result IS NOT NULL) AS done FROM dip_checks d JOIN units u ON u.id = d.unit_id "
        f"WHERE d.unit_id IN ({', '.join('?' * len(covered))}) ORDER BY d.month DESC, u.code",
        covered)


def _check(store: Store, actor: Actor, check_id: int) -> Row:
    check = store.row("SELECT * FROM dip_checks WHERE id = ?", [check_id])
    if check is None:
        raise ValidationError("That dip check no longer exists.")
    _may_check_unit(store, actor, check["unit_id"])
    return check


def check_items(store: Store, actor: Actor, check_id: int, *,
                as_of: dt.date | None = None) -> list[Row]:
    """The items drawn, in test order, each with what the records say (no victim details)."""
    require(actor, Action.DIP_CHECK)
    _check(store, actor, check_id)
    rules = dip_rules()
    today = as_of or dt.date.today()
    rows = store.rows(
        "SELECT i.id, i.test, i.position, i.crime_id, i.counter_id, i.result, i.note, "
        "i.checked_on, i.version, c.crime_ref, c.recorded_on, c.offence_category, "
        "k.name AS counter_name, k.opening_hours FROM dip_check_items i "
        "LEFT JOIN crimes c ON c.id = i.crime_id LEFT JOIN counters k ON k.id = i.counter_id "
        "WHERE i.check_id = ? ORDER BY i.id", [check_id])
    updates: dict[int, list[dt.date]] = defaultdict(list)
    for row in store.rows(
            "SELECT v.crime_id, v.updated_on FROM victim_updates v JOIN dip_check_items i "
            "ON i.crime_id = v.crime_id WHERE i.check_id = ?", [check_id]):
        updates[row["crime_id"]].append(dt.date.fromisoformat(row["updated_on"]))
    for row in rows:
        row["test_label"] = rules.label(row["test"])
        row["result_text"] = RESULTS.get(row["result"] or "", "")
        if row["test"] == "counter_open":
            row["item"] = row["counter_name"]
            hours = format_opening_hours(json.loads(row["opening_hours"] or "{}"))
            row["records_say"] = f"published hours: {hours or 'none published'}"
            row["suggested"] = None
        else:
            row["item"] = f"{row['crime_ref']} ({row['offence_category']})"
            row["suggested"], row["records_say"] = records_say(
                rules, row["test"], dt.date.fromisoformat(row["recorded_on"]),
                updates[row["crime_id"]], today)
    return rows


def record_result(store: Store, actor: Actor, item_id: int, version: int, result: str,
                  note: str = "", on: dt.date | None = None) -> int:
    """The inspector's finding for one item: pass, fail or could not check (with a note)."""
    require(actor, Action.DIP_CHECK)
    if result not in RESULTS:
        raise ValidationError("The finding is pass, fail or could not check.")
    if result in ("fail", "unable") and not note.strip():
        raise ValidationError("Say what was found: a failed or unchecked item needs a note.")
    day = on or dt.date.today()
    if day > dt.date.today():
        raise ValidationError("A check cannot be dated in the future.")
    item = store.row("SELECT check_id FROM dip_check_items WHERE id = ?", [item_id])
    if item is None:
        raise ValidationError("That item no longer exists.")
    _check(store, actor, item["check_id"])
    return store.update_record(actor, "dip_check_items", item_id, version, {
        "result": result, "note": note.strip() or None, "checked_on": day.isoformat()})


def verify_dip_check(store: Store, actor: Actor, check_id: int) -> dict[str, Any]:
    """Re-run the draw from its seed: do the records and the items drawn still match?"""
    require(actor, Action.DIP_CHECK)
    check = _check(store, actor, check_id)
    rules = dip_rules(check["rules_version"])
    populations = _populations(store, check["unit_id"], check["month"], rules)
    kept = json.loads(check["populations"])
    changed = [t for t in TEST_ORDER if population_hash(populations[t]) != kept[t]["hash"]]
    again = _draws(populations, check["per_test"], check["seed"])
    drawn: dict[str, list[int]] = defaultdict(list)
    for row in store.rows("SELECT test, crime_id, counter_id FROM dip_check_items "
                          "WHERE check_id = ? ORDER BY test, position", [check_id]):
        drawn[row["test"]].append(row["crime_id"] or row["counter_id"])
    same = all(again[t] == drawn[t] for t in TEST_ORDER if t not in changed)
    return {"records_changed": changed, "selection_matches": same}


def dip_figures(store: Store, actor: Actor,
                month: str) -> tuple[list[DipTestCount], list[DipFailure]]:
    """For the workbook: findings per unit and test, and each failed item."""
    require(actor, Action.VIEW_SUMMARY)
    rules = dip_rules()
    counts = [DipTestCount(r["unit_code"], rules.label(r["test"]), r["drawn"], r["passed"],
                           r["failed"], r["unable"])
              for r in store.rows(
                  "SELECT u.code AS unit_code, i.test, COUNT(*) AS drawn, "
                  "SUM(i.result = 'pass') AS passed, SUM(i.result = 'fail') AS failed, "
                  "SUM(i.result = 'unable') AS unable FROM dip_check_items i "
                  "JOIN dip_checks d ON d.id = i.check_id JOIN units u ON u.id = d.unit_id "
                  "WHERE d.month = ? GROUP BY u.code, i.test", [month])]
    order = {t: n for n, t in enumerate(TEST_ORDER)}
    label_order = {rules.label(t): n for t, n in order.items()}
    counts.sort(key=lambda c: (c.unit_code, label_order.get(c.test, 9)))
    failures = [DipFailure(r["unit_code"], rules.label(r["test"]),
                           r["crime_ref"] or r["counter_name"], r["note"] or "")
                for r in store.rows(
                    "SELECT u.code AS unit_code, i.test, c.crime_ref, k.name AS counter_name, "
                    "i.note FROM dip_check_items i JOIN dip_checks d ON d.id = i.check_id "
                    "JOIN units u ON u.id = d.unit_id LEFT JOIN crimes c ON c.id = i.crime_id "
                    "LEFT JOIN counters k ON k.id = i.counter_id "
                    "WHERE d.month = ? AND i.result = 'fail' ORDER BY u.code, i.test, i.id",
                    [month])]
    failures.sort(key=lambda f: (f.unit_code, label_order.get(f.test, 9)))
    return counts, failures
