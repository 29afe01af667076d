"""Parse the text cells of messy extracts: dates, flags, phone numbers, references."""
from __future__ import annotations

import datetime as dt
import re

EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0, allowing for its 1900 leap-year bug
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_SERIAL = re.compile(r"^\d{4,6}(?:\.\d+)?$")


def parse_date(text: str) -> dt.date:
    """dd/mm/yyyy (UK order), yyyy-mm-dd or an Excel serial; ValueError names what is wrong."""
    value = text.strip()
    if not value:
        raise ValueError("the date is missing")
    if len(value) == 10 and value.replace("/", "").replace("-", "").isdigit():
        # The common full-length forms without a regex: imports parse a date per row.
        if value[2] == value[5] == "/":
            return _checked(int(value[6:]), int(value[3:5]), int(value[:2]), value)
        if value[4] == value[7] == "-":
            return _checked(int(value[:4]), int(value[5:7]), int(value[8:]), value)
    match = _ISO.match(value)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _checked(year, month, day, value)
    match = _DMY.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) != 4:
            raise ValueError(f"'{value}' has a two-digit year, which is ambiguous; use dd/mm/yyyy")
        return _checked(year, month, day, value)
    if _SERIAL.match(value):
        serial = float(value)
        if not 1 <= serial <= 2958465:
            raise ValueError(f"'{value}' is out of range for an Excel date")
        return EXCEL_EPOCH + dt.timedelta(days=int(serial))
    raise ValueError(f"'{value}' is not a date (use dd/mm/yyyy or yyyy-mm-dd)")


def _checked(year: int, month: int, day: int, original: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"'{original}' is not a real date") from None


_TRUE = {"y", "yes", "true", "1", "t", "x"}
_FALSE = {"n", "no", "false", "0", "f", ""}


def parse_flag(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"'{text}' is not yes or no")


def parse_optional_flag(text: str) -> bool | None:
    """Y/N/blank: blank means unknown, which is not the same as no."""
    return None if not text.strip() else parse_flag(text)


def normalise_phone(text: str) -> str:
    """Keep digits and a leading +; restore the leading 0 a spreadsheet dropped from UK numbers."""
    value = text.strip()
    if not value:
        return ""
    plus = value.startswith("+")
    compact = value.replace(" ", "")
    # Imports call this per row: skip the regex when only spaces needed removing.
    digits = compact if compact.isdigit() else re.sub(r"\D", "", value)
    if plus:
        return "+" + digits
    if len(digits) == 10 and not digits.startswith("0"):
        digits = "0" + digits
    return digits


_WHITESPACE = re.compile(r"\s")


def normalise_reference(text: str) -> str:
    """Upper case, inner runs of spaces made one, outer ones gone."""
    if _WHITESPACE.search(text) is None:  # the usual case, and an import calls this per row
        return text.upper()
    return " ".join(text.split()).upper()
