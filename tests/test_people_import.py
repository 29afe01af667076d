from __future__ import annotations

import pytest

from qos.errors import ValidationError
from qos.roles import SYSTEM
from qos.store import reference
from qos.tabular import read_table

GOOD_AND_BAD = (
    "Collar number;Name;Type;Unit code;Line manager number\r\n"
    "S100;Sgt Sara Hall;officer;NOR;\r\n"
    "1101;Pat Jones;officer;NOR;S100\r\n"
    "1102;Rhiannon Café;PCSO;XYZ;S100\r\n"
    ";No Number;officer;NOR;\r\n"
    "1104;Lee Wong;staff;SOU;S999\r\n"
    ";;;;\r\n"
).encode("cp1252")


def _write(tmp_path, data: bytes, name="people.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_bad_rows_are_named_and_nothing_imported_when_all_or_nothing(store, admin, tmp_path):
    table = read_table(_write(tmp_path, GOOD_AND_BAD))
    result = reference.import_people(store, admin, table, all_or_nothing=True)
    assert not result.applied
    assert [(p.row, p.reason) for p in result.bad] == [
        (4, "unknown unit 'XYZ'"),
        (5, "Collar or staff number is missing"),
        (6, "line manager S999 is not known"),
    ]
    assert store.scalar("SELECT COUNT(*) FROM people") == 0


def test_good_rows_only_imports_them_with_their_managers(store, admin, tmp_path):
    table = read_table(_write(tmp_path, GOOD_AND_BAD))
    result = reference.import_people(store, admin, table, all_or_nothing=False)
    assert result.applied and result.inserted == 2 and len(result.bad) == 3
    pat = reference.person_by_number(store, SYSTEM, "1101")
    sara = reference.person_by_number(store, SYSTEM, "s100")
    assert pat["line_manager_id"] == sara["id"]
    # Re-importing updates instead of duplicating.
    again = reference.import_people(store, admin, table, all_or_nothing=False)
    assert again.inserted == 0 and again.updated == 2
    assert store.scalar("SELECT COUNT(*) FROM people") == 2


def test_missing_column_is_named(store, admin, tmp_path):
    table = read_table(_write(tmp_path, b"Name,Unit code\nPat,NOR\n"))
    with pytest.raises(ValidationError, match="Collar or staff number"):
        reference.import_people(store, admin, table, all_or_nothing=True)


def test_cp1252_names_survive(store, admin, tmp_path):
    data = "Collar number,Name,Unit code\n2001,Zoë Ó Briain,NOR\n".encode("cp1252")
    table = read_table(_write(tmp_path, data))
    reference.import_people(store, admin, table, all_or_nothing=True)
    assert reference.person_by_number(store, SYSTEM, "2001")["name"] == "Zoë Ó Briain"
