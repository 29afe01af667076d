"""The force's official user-satisfaction survey figures, loaded from a small CSV per quarter.

One row per quarter, unit and driver: the unit is a BCU code, FORCE for the force as a whole,
or MSF for the most similar forces' average. Units are graded against these where loaded.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from qos.clock import now_iso
from qos.importing import Field, ImportResult, RowProblem, map_columns, parse_rows
from qos.roles import Action, Actor, require
from qos.store import reference
from qos.store.core import Row, Store
from qos.summary import DRIVER_LABELS, OfficialFigure
from qos.tabular import Table

_QUARTER = re.compile(r"^\s*(\d{4})\s*[- ]?\s*Q([1-4])\s*$", re.IGNORECASE)
SPECIAL_UNITS = ("FORCE", "MSF")


def _quarter(text: str) -> str:
    match = _QUARTER.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a quarter like 2026-Q3")
    return f"{match.group(1)}-Q{match.group(2)}"


def _driver(text: str) -> str:
    value = text.strip().lower().replace(" ", "_")
    by_label = {label.lower().replace(" ", "_"): key for key, label in DRIVER_LABELS.items()}
    key = value if value in DRIVER_LABELS else by_label.get(value)
    if key is None:
        raise ValueError(f"'{text}' is not a driver ({', '.join(DRIVER_LABELS)})")
    return key


def _percent(text: str) -> float:
    value = float(text.strip().rstrip("%"))
    if not 0 <= value <= 100:
        raise ValueError(f"'{text}' is not a percentage from 0 to 100")
    return value


def _respondents(text: str) -> int:
    value = int(text.strip().replace(",", ""))
    if value <= 0:
        raise ValueError(f"'{text}' is not a number of respondents above 0")
    return value


FIELDS = [
    Field("quarter", "Quarter", required=True, aliases=("period",), parse=_quarter),
    Field("unit", "Unit", required=True, aliases=("bcu", "unit_code")),
    Field("driver", "Driver", required=True, aliases=("measure", "question"), parse=_driver),
    Field("satisfied_pct", "Satisfied %", required=True,
          aliases=("satisfied", "percent_satisfied", "satisfied_percent"), parse=_percent),
    Field("respondents", "Respondents", required=True, aliases=("n", "sample", "base"),
          parse=_respondents),
]


def import_official_survey(store: Store, actor: Actor, table: Table, *, all_or_nothing: bool,
                           progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Load (or replace) survey figures; a quarter, unit and driver loaded again is updated."""
    require(actor, Action.MANAGE_REFERENCE)
    parsed = parse_rows(table, FIELDS, map_columns(table.headers, FIELDS))
    known = set(reference.unit_ids_by_code(store, actor)) | set(SPECIAL_UNITS)
    result = ImportResult(bad=list(parsed.bad))
    good: list[dict[str, Any]] = []
    for row_number, values in parsed.good:
        values["unit"] = values["unit"].strip().upper()
        if values["unit"] not in known:
            result.bad.append(RowProblem(row_number, f"unknown unit '{values['unit']}' (use a "
                                                     "unit code, FORCE or MSF)"))
            continue
        good.append(values)
    result.bad.sort(key=lambda p: p.row)
    if result.bad and all_or_nothing:
        result.applied = False
        return result
    with store.write():
        row_ids: list[int] = []
        for done, values in enumerate(good, start=1):
            existed = store.scalar(
                "SELECT 1 FROM official_survey WHERE quarter = ? AND unit_code = ? "
                "AND driver = ?", [values["quarter"], values["unit"], values["driver"]])
            store.execute(
                "INSERT INTO official_survey (quarter, unit_code, driver, satisfied_pct, "
                "respondents, loaded_at, loaded_by) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (quarter, unit_code, driver) DO UPDATE SET "
                "satisfied_pct = excluded.satisfied_pct, respondents = excluded.respondents, "
                "loaded_at = excluded.loaded_at, loaded_by = excluded.loaded_by",
                [values["quarter"], values["unit"], values["driver"], values["satisfied_pct"],
                 values["respondents"], now_iso(), actor.user_id])
            row_ids.append(store.scalar(
                "SELECT id FROM official_survey WHERE quarter = ? AND unit_code = ? "
                "AND driver = ?", [values["quarter"], values["unit"], values["driver"]]))
            if existed:
                result.updated += 1
            else:
                result.inserted += 1
            if progress:
                progress(done, len(good))
        store.audit(actor, "import", "official_survey", None,
                    {"inserted": result.inserted, "updated": result.updated,
                     "bad_rows": len(result.bad)})
        store.hash_rows(actor, "official_survey", "id", row_ids, "survey rows loaded")
    return result


def official_figures(store: Store, actor: Actor) -> list[OfficialFigure]:
    require(actor, Action.VIEW_SUMMARY)
    return [OfficialFigure(r["quarter"], r["unit_code"], r["driver"], r["satisfied_pct"],
                           r["respondents"]) for r in _rows(store)]


def _rows(store: Store) -> list[Row]:
    return store.rows("SELECT quarter, unit_code, driver, satisfied_pct, respondents "
                      "FROM official_survey ORDER BY quarter, unit_code, driver")
