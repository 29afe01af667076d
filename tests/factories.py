"""Small builders for test data written through the store's own functions."""
from __future__ import annotations

import zlib
from typing import Any

from qos.importing import ImportResult
from qos.roles import Actor
from qos.store.core import Store
from qos.store.crime_import import import_crimes_with_deadlines
from qos.tabular import read_csv_text

HEADER = ("Crime reference,Date recorded,Unit,Offence category,Victim name,Contact phone,"
          "Officer,Arrest made,Victim declined contact,Victim under 18,Domestic abuse\n")


def crime_line(ref: str, day: str, unit: str = "NOR", category: str = "Burglary",
               phone: str | None = None, officer: str = "", arrest: str = "N",
               declined: str = "N", under18: str = "N", da: str = "N") -> str:
    phone = phone if phone is not None else f"07700 9{zlib.crc32(ref.encode()) % 100000:05d}"
    return f"{ref},{day},{unit},{category},Victim {ref},{phone},{officer},{arrest},{declined},{under18},{da}\n"


def import_lines(store: Store, actor: Actor, lines: list[str]) -> None:
    result = import_crimes_with_deadlines(store, actor, read_csv_text(HEADER + "".join(lines)),
                                          all_or_nothing=True)
    assert result.applied and not result.bad, result.bad


def import_history_text(store: Store, actor: Actor, text: str, *, recorded: str = "01/01/2020",
                        category: str = "Theft", **options: Any) -> ImportResult:
    """Old call-backs from CSV text (crime reference and unit its first two columns), after
    importing a crime for each reference not yet held
    (a history row whose crime is unknown is refused). The crimes are recorded long before
    any test month and in the survey group 'Other', so they change no month's figures."""
    from qos.store import callbacks

    table = read_csv_text(text)
    held = {r["crime_ref"] for r in store.rows("SELECT crime_ref FROM crimes")}
    wanted: dict[str, str] = {}
    for _, cells in table.rows:
        ref = " ".join(cells[0].split()).upper()
        if ref and ref not in held:
            wanted.setdefault(ref, cells[1].strip().upper())
    if wanted:
        import_lines(store, actor, [crime_line(ref, recorded, unit, category=category)
                                    for ref, unit in wanted.items()])
    options.setdefault("all_or_nothing", True)
    return callbacks.import_history(store, actor, table, **options)
