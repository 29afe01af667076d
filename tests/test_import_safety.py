"""Imports never change data silently and never exhaust memory: each fault is named."""
from __future__ import annotations

import os
import zipfile

import pytest

from qos.errors import ValidationError
from qos.importing import Field, map_columns, parse_rows
from qos.store import crimes
from qos.tabular import MAX_XLSX_EXPANDED, decode_text, read_table
from tests.factories import HEADER, crime_line

FIELDS = [Field("name", "Name", required=True)]


def test_a_utf8_file_with_one_bad_byte_is_refused_naming_the_row(tmp_path):
    # UTF-8 throughout, but one raw invalid byte on line 3:
    body = b"Name\n" + "Zoë Ó Briain\n".encode() + b"Bad \xff here\n" + "Renée\n".encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(body)
    with pytest.raises(ValidationError, match=r"Row 3 \(line 3 of the file\) holds a byte "
                                              r"\(0xff\) that is not valid UTF-8"):
        read_table(path)


def test_a_genuine_windows_1252_extract_is_still_read(tmp_path):
    path = tmp_path / "cp1252.csv"
    path.write_bytes("Name\nZoë Ó Briain\nRenée\n".encode("cp1252"))
    assert [cells[0] for _, cells in read_table(path).rows] == ["Zoë Ó Briain", "Renée"]
    assert decode_text("Zoë".encode()) == "Zoë"  # plain UTF-8 is never garbled to 'ZoÃ«'
    assert decode_text(b"\xef\xbb\xbfZo\xc3\xab") == "Zoë"


def test_a_nul_byte_refuses_its_row_naming_it(store, admin, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes((HEADER + crime_line("NOR/1", "05/10/2026")
                      + crime_line("NOR/2", "05/10/2026").replace("Victim", "Vic\x00tim")
                      + crime_line("NOR/3", "05/10/2026")).encode("utf-8"))
    table = read_table(path)
    assert [n for n, _ in table.rows] == [2, 4] and table.refused[0][0] == 3
    result = crimes.import_crimes(store, admin, table, all_or_nothing=True)
    assert not result.applied
    assert [(p.row, "NUL byte" in p.reason) for p in result.bad] == [(3, True)]
    partial = crimes.import_crimes(store, admin, table, all_or_nothing=False)
    assert partial.inserted == 2 and store.scalar("SELECT COUNT(*) FROM crimes") == 2
    parsed = parse_rows(table, FIELDS, map_columns(["Name"], FIELDS))
    assert [p.row for p in parsed.bad] == [3]


def test_a_workbook_that_would_expand_too_far_is_refused_unparsed(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        # Zeros compress about a thousandfold: ~0.4 MB on disk, over the limit unzipped.
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (MAX_XLSX_EXPANDED + 1))
    assert bomb.stat().st_size < 2 * 2**20
    with pytest.raises(ValidationError, match=r"bomb.xlsx would expand to 400 MB when opened"):
        read_table(bomb)


def test_an_oversized_field_is_named_by_row(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("Name\nshort\n\"" + "x" * 200_000 + "\"\nafter\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"Row 3 \(line 3 of the file\) cannot be read: "
                                              "a field is longer than 131,072 characters"):
        read_table(path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs file permissions that apply to this user")
def test_an_unreadable_file_is_named_with_its_path(tmp_path):
    path = tmp_path / "locked.csv"
    path.write_text("Name\nAnn\n", encoding="utf-8")
    path.chmod(0)
    try:
        with pytest.raises(ValidationError, match="locked.csv cannot be read: permission denied"):
            read_table(path)
    finally:
        path.chmod(0o600)


def test_an_unreadable_file_is_named_even_as_root(tmp_path, monkeypatch):
    """The same refusal, with the permission error stood in (tests may run as root)."""
    path = tmp_path / "locked.csv"
    path.write_text("Name\nAnn\n", encoding="utf-8")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "open", denied)
    with pytest.raises(ValidationError, match=r"locked.csv cannot be read: permission denied"):
        read_table(path)


def test_a_history_row_whose_crime_is_unknown_is_refused_not_stored(store, admin):
    """Runs on SQLite and PostgreSQL (the store fixture): the row is a bad row, named with its
    number and crime reference; all-or-nothing then refuses the file, good-rows-only stores
    the rest, and no check is ever stored without its crime."""
    from qos.store import callbacks
    from qos.tabular import read_csv_text
    from tests.factories import import_lines

    import_lines(store, admin, [crime_line("NOR/1", "05/10/2026"),
                                crime_line("NOR/2", "05/10/2026")])
    table = read_csv_text("Crime reference,Unit,Call date,Outcome\n"
                          "NOR/1,NOR,10/10/2026,Completed\nnor/404,NOR,11/10/2026,Completed\n"
                          "NOR/2,NOR,12/10/2026,Declined\n")
    before = store.scalar("SELECT COUNT(*) FROM audit_log")
    strict = callbacks.import_history(store, admin, table, all_or_nothing=True)
    assert not strict.applied and strict.inserted == 0
    assert [str(p) for p in strict.bad] == [
        ("row 3: crime NOR/404 is not in the database: import the crime extract that holds "
         "it first, then this file again")]
    assert strict.summary().startswith("Nothing was imported: 1 row(s) have problems.")
    assert store.scalar("SELECT COUNT(*) FROM callbacks") == 0
    assert store.scalar("SELECT COUNT(*) FROM audit_log") == before  # nothing written

    partial = callbacks.import_history(store, admin, table, all_or_nothing=False)
    assert partial.applied and partial.inserted == 2 and [p.row for p in partial.bad] == [3]
    stored = store.rows("SELECT crime_ref, crime_id FROM callbacks ORDER BY crime_ref")
    ids = {r["crime_ref"]: r["id"] for r in store.rows("SELECT crime_ref, id FROM crimes")}
    assert [(r["crime_ref"], r["crime_id"]) for r in stored] == [
        ("NOR/1", ids["NOR/1"]), ("NOR/2", ids["NOR/2"])]
    assert store.scalar("SELECT COUNT(*) FROM callbacks WHERE crime_id IS NULL") == 0
