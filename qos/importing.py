"""Column mapping and row validation shared by every import (people, crimes, call-back history).

An import is: read the file as text cells (qos.tabular), map its headers to our fields,
parse each row into a dict or a plain-words reason it is bad, then let the store apply the
good rows in one transaction, or none of them if the user chose all-or-nothing.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qos.errors import ValidationError
from qos.tabular import Table

Parser = Callable[[str], Any]


def header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    parse: Parser = str.strip
    blank_ok: bool = False  # for required columns: may a row leave it empty?

    def names(self) -> list[str]:
        return [header_key(n) for n in (self.key, self.label, *self.aliases)]


@dataclass
class RowProblem:
    row: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


@dataclass
class ParsedRows:
    good: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    bad: list[RowProblem] = field(default_factory=list)


@dataclass
class ImportResult:
    """What an import did: counts, and every bad row by number with its reason."""

    inserted: int = 0
    updated: int = 0
    bad: list[RowProblem] = field(default_factory=list)
    applied: bool = True  # False when all-or-nothing refused the whole file

    def summary(self) -> str:
        if not self.applied:
            return (f"Nothing was imported: {len(self.bad)} row(s) have problems. "
                    "Fix them, or choose to import the good rows only.")
        text = f"Imported {self.inserted} new and updated {self.updated} existing row(s)."
        if self.bad:
            text += f" {len(self.bad)} row(s) were skipped because of problems."
        return text


def map_columns(headers: list[str], fields: list[Field],
                mapping: dict[str, str] | None = None) -> dict[str, int]:
    """Field key -> column index. `mapping` (field key -> header text) overrides the defaults."""
    index_by_key: dict[str, int] = {}
    for i, header in enumerate(headers):
        index_by_key.setdefault(header_key(header), i)
    result: dict[str, int] = {}
    missing: list[str] = []
    for spec in fields:
        chosen = (mapping or {}).get(spec.key)
        if chosen:
            if header_key(chosen) not in index_by_key:
                raise ValidationError(
                    f"The saved mapping says '{spec.label}' is in column '{chosen}', "
                    "but the file has no such column.")
            result[spec.key] = index_by_key[header_key(chosen)]
            continue
        found = next((index_by_key[n] for n in spec.names() if n in index_by_key), None)
        if found is not None:
            result[spec.key] = found
        elif spec.required:
            missing.append(f"'{spec.label}' (a column headed {spec.key})")
    if missing:
        raise ValidationError("The file has no column for " + ", ".join(missing) + ".")
    return result


def parse_rows(table: Table, fields: list[Field], columns: dict[str, int]) -> ParsedRows:
    parsed = ParsedRows()
    present = [(spec, columns[spec.key]) for spec in fields if spec.key in columns]
    # Optional columns the file lacks are None in every row; no need to visit them per row.
    absent = {spec.key: None for spec in fields if spec.key not in columns}
    for row_number, cells in table.rows:
        values: dict[str, Any] = dict(absent)
        problem = None
        for spec, index in present:
            raw = cells[index] if index < len(cells) else ""
            if not raw:
                if spec.required and not spec.blank_ok:
                    problem = f"{spec.label} is missing"
                    break
                values[spec.key] = spec.parse(raw) if spec.required else None
                continue
            try:
                values[spec.key] = spec.parse(raw)
            except ValueError as exc:
                problem = f"{spec.label}: {exc}"
                break
        if problem:
            parsed.bad.append(RowProblem(row_number, problem))
        else:
            parsed.good.append((row_number, values))
    return parsed


def guess_columns(headers: list[str], fields: list[Field]) -> dict[str, str]:
    """Field key -> the header it most likely is, for pre-filling a mapping step."""
    by_key = {header_key(h): h for h in headers if h}
    guess: dict[str, str] = {}
    for spec in fields:
        found = next((by_key[n] for n in spec.names() if n in by_key), None)
        if found is not None:
            guess[spec.key] = found
    return guess
