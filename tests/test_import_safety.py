"""Imports never change data silently and never exhaust memory: each fault is named."""
from __future__ import annotations

import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from qos.errors import ValidationError
from qos.importing import Field, map_columns, parse_rows
from qos.store import crimes
from qos.tabular import (
    MAX_COLUMNS,
    MAX_FIELD_CHARS,
    MAX_FILE_BYTES,
    MAX_LEADING_ROWS,
    MAX_ROWS,
    MAX_XLSX_EXPANDED,
    decode_text,
    read_table,
)
from tests.factories import HEADER, crime_line

FIELDS = [Field("name", "Name", required=True)]
ROOT = Path(__file__).resolve().parent.parent


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


def _zero_bomb(path: Path, member: str, megabytes: int) -> None:
    """A valid zip whose one member is `megabytes` MB of zeros. Each MB is deflated once with
    a full flush, which makes every MB's compressed block the same ~1 KB: the bomb is written
    in a second instead of compressing a gigabyte."""
    chunk = b"\0" * 2**20
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    tail = deflate.flush()
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    name, size = member.encode(), megabytes * 2**20
    packed = len(block) * megabytes + len(tail)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, packed, size,
                        len(name), 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, packed,
                          size, len(name), 0, 0, 0, 0, 0, 0) + name
    with path.open("wb") as out:
        out.write(local)
        for _ in range(megabytes):
            out.write(block)
        out.write(tail)
        offset = out.tell()
        out.write(central)
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), offset, 0))


READ_IN_A_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))  # fail, never swap
from qos.errors import ValidationError
from qos.tabular import read_table
try:
    table = read_table(sys.argv[1])
    print("read", len(table.headers), [number for number, _ in table.rows])
except ValidationError as exc:
    print("refused", exc)
# VmHWM: this process's own peak (ru_maxrss would carry the parent's over from the fork)
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print("peak MB", int(peak.split()[1]) // 1024)
"""


def _read_in_a_child(path: Path) -> tuple[str, int]:
    """read_table in a fresh process with its memory capped: what it said, and its peak."""
    done = subprocess.run([sys.executable, "-c", READ_IN_A_CHILD, str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]  # never a traceback or MemoryError
    said, peak = done.stdout.strip().rsplit("\n", 1)
    return said, int(peak.split()[-1])


LINUX_ONLY = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads the peak memory from /proc")


@LINUX_ONLY
def test_a_1_mb_workbook_expanding_to_over_1_gb_is_refused_unparsed(tmp_path):
    """The issue's bomb: 1.1 MB on disk, 1.1 GB unzipped (it used 2.1 GB of memory before
    being refused). The members' declared sizes are summed before anything is unzipped."""
    bomb = tmp_path / "bomb.xlsx"
    _zero_bomb(bomb, "xl/worksheets/sheet1.xml", 1100)
    assert 1.0 < bomb.stat().st_size / 2**20 < 1.2
    with zipfile.ZipFile(bomb) as archive:  # a genuine archive: it would really expand
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 1100 * 2**20
    said, peak = _read_in_a_child(bomb)
    assert said == (f"refused bomb.xlsx would expand to 1,100 MB when opened (more than "
                    f"{MAX_XLSX_EXPANDED // 2**20} MB, beyond a month's extract of the largest "
                    "force): it was refused unread. Save the sheet as CSV (read row by row, so "
                    "any size a force has), or split the workbook.")
    assert peak < 200, f"{peak} MB used to refuse it"


def _workbook_with_sheet(path: Path, sheet_xml: str) -> None:
    """A real workbook (openpyxl's own parts) whose first sheet is the XML given."""
    import openpyxl

    plain = path.with_suffix(".plain.xlsx")
    openpyxl.Workbook().save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item.filename, sheet_xml if item.filename == "xl/worksheets/sheet1.xml"
                         else source.read(item.filename))


SHEET = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<dimension ref="A1:XFD1048576"/><sheetData>{}</sheetData></worksheet>')


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


@LINUX_ONLY
def test_a_tiny_workbook_claiming_a_million_rows_by_16384_columns_is_read_row_by_row(tmp_path):
    """5 KB that declares A1:XFD1048576 and puts a cell in its last corner: read padded to
    the declared size it took 3 GB and a minute, then a MemoryError. Its rows are streamed,
    each only as wide as the header row."""
    path = tmp_path / "corner.xlsx"
    _workbook_with_sheet(path, SHEET.format(
        f'<row r="1">{_cell("A1", "Name")}{_cell("B1", "Unit")}</row>'
        f'<row r="2">{_cell("A2", "Zoë")}{_cell("B2", "NOR")}</row>'
        f'<row r="1048576">{_cell("XFD1048576", "x")}</row>'))
    assert path.stat().st_size < 10_000
    said, peak = _read_in_a_child(path)
    assert said == "read 2 [2]"  # the far cell is under no heading: no row of its own
    assert peak < 200, f"{peak} MB used to read it"


def test_a_workbook_row_past_excels_last_row_is_refused(tmp_path):
    path = tmp_path / "far.xlsx"
    _workbook_with_sheet(path, SHEET.format(
        f'<row r="1">{_cell("A1", "Name")}</row><row r="2">{_cell("A2", "Ann")}</row>'
        f'<row r="99999999">{_cell("A99999999", "x")}</row>'))
    with pytest.raises(ValidationError, match=r"Row 1,048,577 is past the last row a "
                                              r"spreadsheet can hold \(1,048,576\)"):
        read_table(path)


def test_a_header_row_thousands_of_columns_wide_is_refused(tmp_path):
    from openpyxl.utils import get_column_letter

    path = tmp_path / "wide.xlsx"
    _workbook_with_sheet(path, SHEET.format('<row r="1">' + "".join(
        _cell(f"{get_column_letter(c)}1", f"h{c}") for c in range(1, MAX_COLUMNS + 2))
        + "</row>"))
    with pytest.raises(ValidationError, match="The header row has more than 1,000 columns"):
        read_table(path)
    wide_csv = tmp_path / "wide.csv"
    wide_csv.write_text(",".join(f"h{c}" for c in range(MAX_COLUMNS + 1)) + "\n",
                        encoding="utf-8")
    with pytest.raises(ValidationError, match="The header row has more than 1,000 columns"):
        read_table(wide_csv)


def test_cells_past_the_last_heading_are_not_kept(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("Name,Unit,,\nAnn,NOR,,stray\nBob\n", encoding="utf-8")
    table = read_table(path)
    assert table.headers == ["Name", "Unit"]  # trailing blank headings dropped
    assert table.rows == [(2, ["Ann", "NOR"]), (3, ["Bob", ""])]


def test_the_documented_limits_are_the_ones_applied():
    text = (ROOT / "docs" / "import-formats.md").read_text(encoding="utf-8")
    for stated in (f"up to {MAX_FILE_BYTES // 2**20} MB", f"{MAX_XLSX_EXPANDED // 2**20} MB",
                   f"within the first {MAX_LEADING_ROWS:,} rows",
                   f"at most {MAX_COLUMNS:,} columns", f"{MAX_ROWS:,}",
                   f"{MAX_FIELD_CHARS:,} characters"):
        assert stated in " ".join(text.split()), stated


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


def test_the_command_line_refusal_names_the_headings_found():
    """Without the dialog (main.py import), a file lacking required columns is refused
    naming both what is missing and the headings it has."""
    from qos.store.reference import PEOPLE_FIELDS

    with pytest.raises(ValidationError) as refused:
        map_columns(["Ref No", "When", ""], PEOPLE_FIELDS)
    assert str(refused.value).endswith("Its headings are 'Ref No', 'When'.")
    assert str(refused.value).startswith("The file has no column for 'Collar or staff number'")
