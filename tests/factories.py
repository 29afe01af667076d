"""Small builders for test data written through the store's own functions."""
from __future__ import annotations

import zlib

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
