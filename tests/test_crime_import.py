from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from qos.errors import ValidationError
from qos.roles import SYSTEM
from qos.store import crimes, mappings
from qos.tabular import read_table

ROWS = [
    ["NOR/1", "01/10/2026", "NOR", "Burglary", "Zoë Brontë", "07700 900123", "nor1001"],
    ["NOR/2", "2026-10-02", "NOR", "Theft", "Seán Ó Dálaigh", "07700900124", ""],
    ["NOR/3", "46298", "nor", "Criminal damage", "Ann Lee", "+44 7700 900125", ""],
]


def _csv(tmp_path, text: str, encoding: str, bom: bool = False, name="x.csv"):
    path = tmp_path / name
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def _text(rows, sep=",", header="Crime reference,Date recorded,Unit,Offence category,"
                                  "Victim name,Contact phone,Officer"):
    blank_trailing_row = sep * 2
    return ("\r\n".join([header.replace(",", sep)] + [sep.join(r) for r in rows])
            + f"\r\n\r\n{blank_trailing_row}\r\n")


@pytest.mark.parametrize("encoding, bom, sep", [
    ("utf-8", True, ","), ("utf-8", False, ";"), ("cp1252", False, ";"), ("cp1252", False, ","),
])
def test_messy_csv_imports_the_same(store, admin, tmp_path, encoding, bom, sep):
    path = _csv(tmp_path, _text(ROWS, sep), encoding, bom)
    result = crimes.import_crimes(store, admin, read_table(path), all_or_nothing=True)
    assert (result.inserted, result.updated, result.bad) == (3, 0, [])
    one = crimes.crime_by_ref(store, SYSTEM, "nor/1")
    assert one["victim_name"] == "Zoë Brontë" and one["victim_phone"] == "07700900123"
    assert one["recorded_on"] == "2026-10-01" and one["officer_number"] == "NOR1001"
    # An Excel serial date:
    assert crimes.crime_by_ref(store, SYSTEM, "NOR/3")["recorded_on"] == "2026-10-03"
    assert crimes.crime_by_ref(store, SYSTEM, "NOR/3")["victim_phone"] == "+447700900125"


def test_xlsx_keeps_leading_zeros_and_reads_real_dates(store, admin, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Crime reference", "Date recorded", "Unit", "Offence category", "Victim name",
                  "Contact phone", "Officer"])
    sheet.append(["NOR/9", dt.datetime(2026, 10, 9), "NOR", "Theft", "Pat", "07700900999", ""])
    sheet.append(["NOR/10", 46300, "NOR", "Theft", "Lee", 7700900998, ""])  # number lost its 0
    path = tmp_path / "extract.xlsx"
    book.save(path)
    result = crimes.import_crimes(store, admin, read_table(path), all_or_nothing=True)
    assert result.inserted == 2
    assert crimes.crime_by_ref(store, SYSTEM, "NOR/9")["recorded_on"] == "2026-10-09"
    assert crimes.crime_by_ref(store, SYSTEM, "NOR/9")["victim_phone"] == "07700900999"
    assert crimes.crime_by_ref(store, SYSTEM, "NOR/10")["victim_phone"] == "07700900998"


def test_reimport_updates_and_never_duplicates(store, admin, tmp_path):
    crimes.import_crimes(store, admin, read_table(_csv(tmp_path, _text(ROWS), "utf-8")),
                         all_or_nothing=True)
    changed = [r[:] for r in ROWS[1:]] + [["NOR/4", "04/10/2026", "NOR", "Theft", "New", "", ""]]
    changed[0][3] = "Theft from person"
    result = crimes.import_crimes(
        store, admin, read_table(_csv(tmp_path, _text(changed), "utf-8", name="y.csv")),
        all_or_nothing=True)
    assert (result.inserted, result.updated) == (1, 2)
    assert crimes.count_crimes(store, SYSTEM) == 4
    row = crimes.crime_by_ref(store, SYSTEM, "NOR/2")
    assert row["offence_category"] == "Theft from person" and row["version"] == 2


def test_bad_rows_are_listed_and_all_or_nothing_imports_nothing(store, admin, tmp_path):
    rows = ROWS + [
        ["", "01/10/2026", "NOR", "Theft", "No ref", "", ""],
        ["NOR/5", "31/02/2026", "NOR", "Theft", "Bad date", "", ""],
        ["NOR/6", "01/10/2026", "XXX", "Theft", "Bad unit", "", ""],
        ["NOR/1", "01/10/2026", "NOR", "Theft", "Duplicate", "", ""],
        ["NOR/7", "01/10/26", "NOR", "Theft", "Two-digit year", "", ""],
    ]
    table = read_table(_csv(tmp_path, _text(rows), "utf-8"))
    result = crimes.import_crimes(store, admin, table, all_or_nothing=True)
    assert not result.applied and crimes.count_crimes(store, SYSTEM) == 0
    assert [(p.row, p.reason) for p in result.bad] == [
        (5, "Crime reference is missing"),
        (6, "Date recorded: '31/02/2026' is not a real date"),
        (7, "unknown unit 'XXX'"),
        (8, "crime reference NOR/1 appears again (first at row 2)"),
        (9, "Date recorded: '01/10/26' has a two-digit year, which is ambiguous; use dd/mm/yyyy"),
    ]
    partial = crimes.import_crimes(store, admin, table, all_or_nothing=False)
    assert partial.applied and partial.inserted == 3 and crimes.count_crimes(store, SYSTEM) == 3


def test_missing_column_is_named(store, admin, tmp_path):
    header = "Crime reference,Date recorded,Unit,Victim name,Contact phone,Officer"
    path = _csv(tmp_path, _text([["A", "01/10/2026", "NOR", "x", "", ""]], header=header), "utf-8")
    with pytest.raises(ValidationError, match="'Offence category'"):
        crimes.import_crimes(store, admin, read_table(path), all_or_nothing=True)


def test_saved_mapping_reads_another_layout(store, admin, tmp_path):
    header = "Ref No,When,Area,Type,Who,Tel,OIC"
    path = _csv(tmp_path, _text(ROWS, header=header), "utf-8")
    mapping = {"crime_ref": "Ref No", "recorded_on": "When", "unit": "Area",
               "offence_category": "Type", "victim_name": "Who", "victim_phone": "Tel",
               "officer_number": "OIC"}
    mappings.save_mapping(store, admin, "crimes", "Niche RMS", mapping)
    loaded = mappings.get_mapping(store, SYSTEM, "crimes", "Niche RMS")
    result = crimes.import_crimes(store, admin, read_table(path), all_or_nothing=True,
                                  mapping=loaded)
    assert result.inserted == 3
    assert mappings.mapping_names(store, SYSTEM, "crimes") == ["Niche RMS"]


def test_example_file_imports_cleanly(store, admin):
    from qos.paths import resource

    result = crimes.import_crimes(store, admin, read_table(resource("examples", "crimes.csv")),
                                  all_or_nothing=True)
    assert result.applied and result.inserted == 7 and not result.bad
