"""The one date box (and date-and-time box) used by every form.

A date is read exactly as typed: dd/mm/yyyy, with or without separators (01/01/2027,
1.1.2027, 01012027), or yyyy-mm-dd. Anything else is refused with a message naming what was
typed; it is never turned into some other date (a spin-box date edit kept the old year when
01/01/2027 was typed). One Tab stop each.
"""
from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from qos.errors import ValidationError

_DMY = re.compile(r"(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_TIME = re.compile(r"(\d{1,2})[:.]?(\d{2})")
EXAMPLE = "31/01/2027"


def parse_date(text: str) -> dt.date:
    """The date typed, or ValidationError saying why it is not one."""
    typed = text.strip()
    if match := _DMY.fullmatch(typed):
        day, month, year = (int(g) for g in match.groups())
    elif re.fullmatch(r"\d{8}", typed):
        day, month, year = int(typed[:2]), int(typed[2:4]), int(typed[4:])
    elif match := _ISO.fullmatch(typed):
        year, month, day = (int(g) for g in match.groups())
    elif not typed:
        raise ValidationError(f"Type a date as dd/mm/yyyy, for example {EXAMPLE}.")
    else:
        raise ValidationError(f"'{typed}' is not a date: type it as dd/mm/yyyy with a "
                              f"four-figure year, for example {EXAMPLE} or 31012027.")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(f"'{typed}' is not a date in the calendar (day {day}, month "
                              f"{month}, year {year}).") from None


def parse_date_time(text: str) -> dt.datetime:
    """'dd/mm/yyyy hh:mm' (the time as hh:mm, hh.mm or hhmm) or ValidationError."""
    parts = text.strip().rsplit(maxsplit=1)
    if len(parts) != 2 or not (clock := _TIME.fullmatch(parts[1])):
        raise ValidationError(f"'{text.strip()}' is not a date and time: type it as "
                              f"dd/mm/yyyy hh:mm, for example {EXAMPLE} 14:30.")
    day = parse_date(parts[0])
    hour, minute = int(clock.group(1)), int(clock.group(2))
    if hour > 23 or minute > 59:
        raise ValidationError(f"'{parts[1]}' is not a time of day: type it as hh:mm, "
                              "for example 14:30.")
    return dt.datetime.combine(day, dt.time(hour, minute))


def show_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


class DateField(QLineEdit):
    """A date box: `date()` returns the date typed or raises ValidationError. When a typed
    date is finished (Enter or leaving the box) `date_entered` carries it, or `refused` the
    message, which the box also shows as its tooltip."""

    date_entered = Signal(object)
    refused = Signal(str)
    placeholder = "dd/mm/yyyy"

    def __init__(self, value: dt.date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setPlaceholderText(self.placeholder)
        self.setMaximumWidth(220)
        self._last_good = self.text()
        if value is not None:
            self.set_value(value)
        self.editingFinished.connect(self._finished)

    def _parse(self, text: str) -> object:
        return parse_date(text)

    def _show(self, value: object) -> str:
        assert isinstance(value, dt.date)
        return show_date(value)

    def value(self) -> object:
        return self._parse(self.text())

    def date(self) -> dt.date:
        value = self.value()
        assert isinstance(value, dt.date)
        return value

    def set_value(self, value: object) -> None:
        self.setText(self._show(value))
        self._last_good = self.text()
        self._mark(None)

    def problem(self) -> str | None:
        try:
            self.value()
        except ValidationError as exc:
            return str(exc)
        return None

    def _mark(self, problem: str | None) -> None:
        self.setToolTip(problem or f"Type {self.placeholder}, with or without separators")
        self.setStyleSheet("border: 2px solid #a40000;" if problem else "")

    def _finished(self) -> None:
        if self.text() == self._last_good:
            return
        try:
            value = self.value()
        except ValidationError as exc:
            self._mark(str(exc))
            self.refused.emit(str(exc))
            return
        self.setText(self._show(value))  # the typed date, shown the one way
        self._last_good = self.text()
        self._mark(None)
        self.date_entered.emit(value)


class DateTimeField(DateField):
    """A date and time in one box (one Tab stop): dd/mm/yyyy hh:mm."""

    placeholder = "dd/mm/yyyy hh:mm"

    def __init__(self, value: dt.datetime | None = None, parent: QWidget | None = None):
        super().__init__(None, parent)
        self.setMaximumWidth(300)
        if value is not None:
            self.set_value(value)

    def _parse(self, text: str) -> object:
        return parse_date_time(text)

    def _show(self, value: object) -> str:
        assert isinstance(value, dt.datetime)
        return value.strftime("%d/%m/%Y %H:%M")

    def date_time(self) -> dt.datetime:
        value = self.value()
        assert isinstance(value, dt.datetime)
        return value
