"""Hostile import files: no byte sequence crashes an import; XML bombs are refused."""
from __future__ import annotations

import io
import zipfile
from functools import cache

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qos.errors import QosError, ValidationError
from qos.roles import SYSTEM
from qos.store import crimes
from qos.store.core import Store, open_store
from qos.store.users import setup_force
from qos.tabular import decode_text, read_csv_text, read_table

HEADER = "Crime reference,Date recorded,Unit,Offence category,Victim name,Contact phone,Officer"
CELL = st.one_of(st.text(max_size=12), st.sampled_from(
    ["NOR", "01/10/2026", "2026-13-45", "46298", "=1+1", "07700 900123", "", '"', ";", "\x00",
     "Y", "N", "99999999", "-1"]))


@cache
def fuzz_store() -> Store:
    store = open_store(":memory:")
    setup_force(store, "Fuzzshire", [{"code": "NOR", "name": "North"}], "admin", "Admin",
                "fuzz-password")
    return store


def _import(text: str) -> None:
    try:
        table = read_csv_text(text)
        crimes.import_crimes(fuzz_store(), SYSTEM, table, all_or_nothing=False)
    except QosError:
        pass  # a clear refusal is the right answer to nonsense; a crash is not


@settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_import_without_crashing(data):
    try:
        text = decode_text(data)
    except ValidationError:
        return  # a UTF-8 file with a bad byte: refused with a message, never garbled
    _import(text)


@settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=0, max_size=9), max_size=8),
       st.sampled_from([",", ";", "\t"]))
def test_csv_shaped_files_import_without_crashing(rows, separator):
    body = "\n".join(separator.join(r) for r in rows)
    _import(HEADER.replace(",", separator) + "\n" + body)


def test_phone_numbers_and_references_keep_leading_zeros():
    store = fuzz_store()
    crimes.import_crimes(store, SYSTEM, read_csv_text(
        HEADER + "\n007/ABC,01/10/2026,NOR,Theft,Ann,07700900123,0042\n"), all_or_nothing=True)
    row = crimes.crime_by_ref(store, SYSTEM, "007/ABC")
    assert row["victim_phone"] == "07700900123" and row["officer_number"] == "0042"


def _workbook_with_sheet_xml(sheet_xml: bytes) -> bytes:
    good = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(["a"])
    book.save(good)
    out = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            dst.writestr(item, data)
    return out.getvalue()


def test_entity_expansion_bomb_is_refused(tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                      for i in range(1, 10))
            + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
              "</sheetData></worksheet>")
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_workbook_with_sheet_xml(bomb.encode()))
    with pytest.raises(ValidationError, match="could not be read safely|not a readable") as info:
        read_table(path)
    chain, exc = [], info.value
    while exc is not None:
        chain.append(type(exc).__name__)
        exc = exc.__cause__ or exc.__context__
    assert "EntitiesForbidden" in chain  # refused by defusedxml, not by luck
