"""Read a CSV or XLSX file into text cells, whatever the encoding, delimiter or cell types.

Every value comes back as text: type guessing would turn phone number 07700900123 into the
integer 7700900123. Excel dates come back as ISO dates; other numbers without a trailing ".0".

Rows are read one at a time into the table, cut to the header row's width: a workbook that
declares a million rows of 16,384 columns in a few kilobytes is never expanded in memory.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from qos.bulk import gc_paused
from qos.errors import ValidationError

MAX_FILE_BYTES = 200 * 1024 * 1024
# What a workbook may expand to once unzipped, refused before any XML is parsed. A crime
# extract's sheet XML is about 1.1 KB a row (measured: 24 columns, 20,000 rows, 22 MB), so a
# month of the largest force in England and Wales (~85,000 crimes) is ~95 MB and a month of
# a large county force (~25,000) under 30 MB; that 97 MB workbook reads in 125 MB of memory.
# The cells read are held until imported, so a sheet of many tiny cells costs far more (one
# of 388 MB peaked at 1.4 GB, 41 s); a bigger extract (a year's backlog) goes in as CSV.
MAX_XLSX_EXPANDED = 100 * 1024 * 1024
MAX_COLUMNS = 1_000  # an extract has a few dozen; more headings than this is not an extract
MAX_LEADING_ROWS = 1_000  # blank rows allowed above a workbook's header row
MAX_ROWS = 1_048_576  # Excel's last row: a sheet claiming rows beyond it is damaged or forged
MAX_FIELD_CHARS = 131_072  # csv's own limit: a longer cell is refused, naming its row
NUL_REFUSED = ("it holds a NUL byte (character 0), which no field of an extract may hold: "
               "the file may be damaged")
# A valid UTF-8 multi-byte sequence (RFC 3629): its presence means the file is UTF-8.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}"
    rb"|\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}"
    rb"|\xF4[\x80-\x8F][\x80-\xBF]{2}")


@dataclass
class Table:
    headers: list[str]
    # (row number as a spreadsheet user counts it, header = row 1; cell texts)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    # Rows refused while reading (a NUL byte): (row number, why); imports report them.
    refused: list[tuple[int, str]] = field(default_factory=list)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM); Windows-1252 only for a file with no valid UTF-8
    multi-byte sequence at all (a genuine Windows-1252 extract). A UTF-8 file with a bad byte
    is refused, naming its line: read as Windows-1252 every accented name would be garbled."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data) is None:
            # The five bytes cp1252 leaves undefined become U+FFFD rather than an error.
            return data.decode("cp1252", errors="replace")
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationError(
            f"Row {line} (line {line} of the file) holds a byte ({data[exc.start]:#04x}) that "
            "is not valid UTF-8, though the rest of the file is UTF-8. Nothing was imported: "
            "fix that row, or save the file again as UTF-8.") from None


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_csv_text(text: str) -> Table:
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first_line))
    try:
        table = _to_table(reader)
    except csv.Error as exc:
        what = ("a field is longer than 131,072 characters" if "field larger" in str(exc)
                else str(exc))
        raise ValidationError(f"Row {reader.line_num} (line {reader.line_num} of the file) "
                              f"cannot be read: {what}. Nothing was imported.") from None
    if "\x00" in text:  # refuse those rows, naming them, instead of dropping the byte
        table.refused = [(number, NUL_REFUSED) for number, cells in table.rows
                         if any("\x00" in c for c in cells)]
        bad = {number for number, _ in table.refused}
        table.rows = [row for row in table.rows if row[0] not in bad]
    return table


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: Path) -> Table:
    # openpyxl parses XML through defusedxml when it is installed (a declared dependency),
    # so an entity-expansion bomb is refused instead of eating memory.
    import openpyxl

    _check_expanded_size(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError) as exc:
        raise ValidationError(f"{path.name} is not a readable Excel workbook ({exc}).") from exc
    except Exception as exc:  # defusedxml's refusals and other parser errors
        raise ValidationError(f"{path.name} could not be read safely ({type(exc).__name__}: {exc}).") from exc
    try:
        sheet = workbook.worksheets[0]
        # The size a sheet declares is not trusted: openpyxl would pad every row to it.
        sheet.reset_dimensions()
        return _to_table(_sheet_rows(sheet))
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError(f"{path.name} could not be read ({type(exc).__name__}: {exc}).") from exc
    finally:
        workbook.close()


def _sheet_rows(sheet: object) -> Iterator[list[str]]:
    """The sheet's rows as text, one at a time. The header row is looked for in the first
    MAX_LEADING_ROWS rows, read up to one column past MAX_COLUMNS (enough to refuse a wider
    one); the rest are read only as wide as that header row, so no row is built wider than
    the extract whatever its cells claim. A blank row comes back as []."""
    iter_rows = sheet.iter_rows  # type: ignore[attr-defined]
    header_row = 0
    for header_row, values in enumerate(iter_rows(
            max_row=MAX_LEADING_ROWS, max_col=MAX_COLUMNS + 1, values_only=True), start=1):
        if values.count(None) < len(values) and any(_cell_text(v).strip() for v in values):
            width = _heading_width(values)
            yield [_cell_text(v) for v in values[:width]]
            break
        yield []
    else:
        if header_row >= MAX_LEADING_ROWS:
            raise ValidationError(
                f"The first {MAX_LEADING_ROWS:,} rows of the first sheet are blank: no header "
                "row was found. Move the table to the top of the first sheet.")
        return  # an empty sheet: the caller says so
    for values in iter_rows(min_row=header_row + 1, max_col=width, values_only=True):
        yield [] if values.count(None) == len(values) else [_cell_text(v) for v in values]


def _heading_width(values: Iterable[object]) -> int:
    """Columns up to the last non-blank heading."""
    cells = [_cell_text(v).strip() for v in values]
    while cells and not cells[-1]:
        cells.pop()
    return max(len(cells), 1)


def _check_expanded_size(path: Path) -> None:
    """Refuse a workbook whose parts would unzip to more than MAX_XLSX_EXPANDED, from the
    sizes the zip declares, before anything is decompressed or parsed."""
    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValidationError(f"{path.name} is not a readable Excel workbook ({exc}).") from exc
    if expanded > MAX_XLSX_EXPANDED:
        raise ValidationError(
            f"{path.name} would expand to {expanded / 2**20:,.0f} MB when opened (more than "
            f"{MAX_XLSX_EXPANDED // 2**20} MB, beyond a month's extract of the largest "
            "force): it was refused unread. Save the sheet as CSV (read row by row, so any "
            "size a force has), or split the workbook.")


def _to_table(rows: Iterable[list[str]]) -> Table:
    """The first non-blank row is the header (trailing blank headings dropped); blank rows are
    skipped; each row is padded or cut to the header's width (a cell past the last heading
    belongs to no column). Rows arrive one at a time and only the kept cells are held."""
    strip = str.strip
    numbered = enumerate(rows, start=1)
    headers: list[str] | None = None
    for _, row in numbered:
        cells = list(map(strip, row))
        if any(cells):
            headers = cells
            break
    if headers is None:
        raise ValidationError("The file is empty: it has no header row and no data.")
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    if width > MAX_COLUMNS:
        raise ValidationError(
            f"The header row has more than {MAX_COLUMNS:,} columns; an extract has a few "
            "dozen. Check this is the right file, or save only the columns needed.")
    table = Table(headers=headers)
    append = table.rows.append
    for number, row in numbered:
        if number > MAX_ROWS:
            raise ValidationError(
                f"Row {number:,} is past the last row a spreadsheet can hold "
                f"({MAX_ROWS:,}): the file is damaged or not a real extract. Nothing was "
                "imported.")
        cells = list(map(strip, row if len(row) <= width else row[:width]))
        if not any(cells):
            continue  # blank rows, including the trailing ones spreadsheets leave
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        append((number, cells))
    return table


def read_table(path: Path | str) -> Table:
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"There is no file at {path}.")
    if path.is_dir():
        raise ValidationError(f"{path} is a folder, not a file.")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValidationError(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MB.")
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
        if head.startswith(b"PK\x03\x04"):
            return read_xlsx(path)
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            raise ValidationError(f"{path.name} is named as an Excel workbook but is not one.")
        data = path.read_bytes()
    except PermissionError:
        raise ValidationError(f"{path} cannot be read: permission denied. Ask whoever keeps "
                              "the file to let your account read it, or copy it somewhere "
                              "you can.") from None
    except OSError as exc:
        raise ValidationError(f"{path} cannot be read ({exc.strerror or exc}).") from None
    with gc_paused():  # a large extract is many small lists: see qos.bulk
        return read_csv_text(decode_text(data))
