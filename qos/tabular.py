"""Read a CSV or XLSX file into text cells, whatever the encoding, delimiter or cell types.

Every value comes back as text: type guessing would turn phone number 07700900123 into the
integer 7700900123. Excel dates come back as ISO dates; other numbers without a trailing ".0".
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from qos.bulk import gc_paused
from qos.errors import ValidationError

MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass
class Table:
    headers: list[str]
    # (row number as a spreadsheet user counts it, header = row 1; cell texts)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, the two encodings real extracts use."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # The five bytes cp1252 leaves undefined become U+FFFD rather than an error.
        return data.decode("cp1252", errors="replace")


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_csv_text(text: str) -> Table:
    text = text.replace("\x00", "")
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first_line))
    try:
        all_rows = list(reader)
    except csv.Error as exc:
        raise ValidationError(f"The file is not readable as CSV: {exc}") from exc
    return _to_table(all_rows)


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

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError) as exc:
        raise ValidationError(f"{path.name} is not a readable Excel workbook ({exc}).") from exc
    except Exception as exc:  # defusedxml's refusals and other parser errors
        raise ValidationError(f"{path.name} could not be read safely ({type(exc).__name__}: {exc}).") from exc
    try:
        sheet = workbook.worksheets[0]
        all_rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:
        raise ValidationError(f"{path.name} could not be read ({type(exc).__name__}: {exc}).") from exc
    finally:
        workbook.close()
    return _to_table(all_rows)


def _to_table(all_rows: list[list[str]]) -> Table:
    strip = str.strip
    cleaned = [list(map(strip, row)) for row in all_rows]
    # Skip leading blank lines; the first non-blank row is the header.
    start = next((i for i, r in enumerate(cleaned) if any(r)), None)
    if start is None:
        raise ValidationError("The file is empty: it has no header row and no data.")
    headers = cleaned[start]
    table = Table(headers=headers)
    width, rows = len(headers), table.rows
    for offset, cells in enumerate(cleaned[start + 1:], start=start + 2):
        if not any(cells):
            continue  # blank rows, including the trailing ones spreadsheets leave
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        rows.append((offset, cells))
    return table


def read_table(path: Path | str) -> Table:
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"There is no file at {path}.")
    if path.is_dir():
        raise ValidationError(f"{path} is a folder, not a file.")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValidationError(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MB.")
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(b"PK\x03\x04"):
        return read_xlsx(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise ValidationError(f"{path.name} is named as an Excel workbook but is not one.")
    with gc_paused():  # a large extract is many small lists: see qos.bulk
        return read_csv_text(decode_text(path.read_bytes()))
