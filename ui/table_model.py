"""A read-only table model over plain rows (dicts), fetched lazily in pages.

The page gives a `fetch(offset, limit)` function; the view asks for more rows only as the
user scrolls (canFetchMore / fetchMore), so a 50,000-row list opens as fast as a 50-row one.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Row = dict[str, Any]
Fetch = Callable[[int, int], list[Row]]
Index = QModelIndex | QPersistentModelIndex
PAGE = 200
NO_PARENT = QModelIndex()  # the invalid index: a flat list has no parents
# Plain ints: data() is called for every cell and role, and comparing Qt enum objects made it
# several times slower than the rest of the call.
_TEXT_ROLES = frozenset({Qt.ItemDataRole.DisplayRole.value,
                         Qt.ItemDataRole.AccessibleTextRole.value})
_VALUE_ROLE = Qt.ItemDataRole.UserRole.value
_TOOLTIP_ROLE = Qt.ItemDataRole.ToolTipRole.value
TOOLTIP_FROM = 30  # characters: shorter text is never elided, so needs no tooltip


class RowsModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[tuple[str, str]], parent: Any = None,
                 formatters: dict[str, Callable[[Any], str]] | None = None):
        super().__init__(parent)
        self.columns = list(columns)  # (key, header)
        self.formatters = formatters or {}
        self._rows: list[Row] = []
        self._fetch: Fetch = lambda offset, limit: []
        self._exhausted = True

    # -- loading ----------------------------------------------------------------------------
    def set_rows(self, rows: list[Row]) -> None:
        self.set_fetch(lambda offset, limit: rows[offset:offset + limit])

    def set_fetch(self, fetch: Fetch) -> None:
        self.beginResetModel()
        self._fetch = fetch
        self._rows = fetch(0, PAGE)
        self._exhausted = len(self._rows) < PAGE
        self.endResetModel()

    def canFetchMore(self, parent: Index = NO_PARENT) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = NO_PARENT) -> None:
        if parent.isValid() or self._exhausted:
            return
        more = self._fetch(len(self._rows), PAGE)
        self._exhausted = len(more) < PAGE
        if more:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(more) - 1)
            self._rows.extend(more)
            self.endInsertRows()

    # -- reading ----------------------------------------------------------------------------
    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = 0) -> Any:
        role = getattr(role, "value", role)
        if role == _TOOLTIP_ROLE:
            text = self.data(index, Qt.ItemDataRole.DisplayRole.value)
            return text if text and len(text) > TOOLTIP_FROM else None  # elided in the cell
        if role not in _TEXT_ROLES and role != _VALUE_ROLE:
            return None
        row = index.row()
        if not index.isValid() or row >= len(self._rows):
            return None
        key = self.columns[index.column()][0]
        value = self._rows[row].get(key)
        if role == _VALUE_ROLE:
            return value
        if key in self.formatters:
            return self.formatters[key](value)
        return "" if value is None else str(value)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][1]
        return None


def yes_no(value: Any) -> str:
    return "Yes" if value else "No"
