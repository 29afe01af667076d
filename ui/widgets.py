"""Small shared widgets and helpers: titles, hints, error boxes."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qos.errors import QosError
from qos.logs import log_failure
from ui.style import set_role

log = logging.getLogger(__name__)


def title_label(text: str) -> QLabel:
    label = QLabel(text)
    set_role(label, "title")
    label.setAccessibleName(text)
    return label


def hint_label(text: str) -> QLabel:
    label = QLabel(text)
    set_role(label, "hint")
    label.setWordWrap(True)
    return label


def labelled_bar(*pairs: tuple[str, QWidget]) -> QHBoxLayout:
    """A row of boxes, each after its label (the label's Alt letter goes to the box); the
    caller adds what follows."""
    bar = QHBoxLayout()
    for text, widget in pairs:
        label = QLabel(text)
        label.setBuddy(widget)
        bar.addWidget(label)
        bar.addWidget(widget)
    return bar


def page_column(page: QWidget, title: str, hint: str, *parts: QWidget | QLayout) -> None:
    """A page laid out top to bottom: its title, what it is for, then its parts; the last
    part (its list) takes the spare height."""
    layout = QVBoxLayout(page)
    layout.addWidget(title_label(title))
    _add_parts(layout, hint_label(hint), *parts)


def tab_column(hint: str, *parts: QWidget | QLayout) -> QWidget:
    """A tab laid out top to bottom: what it is for, then its parts, the last (its list)
    taking the spare height."""
    tab = QWidget()
    _add_parts(QVBoxLayout(tab), hint_label(hint), *parts)
    return tab


def _add_parts(layout: QVBoxLayout, *parts: QWidget | QLayout) -> None:
    for n, part in enumerate(parts, start=1):
        stretch = 1 if n == len(parts) else 0
        if isinstance(part, QLayout):
            layout.addLayout(part, stretch)
        else:
            layout.addWidget(part, stretch)


def show_error(parent: QWidget | None, exc: BaseException, what: str = "That did not work") -> None:
    """Known problems in plain words; anything else is a defect and says so."""
    if isinstance(exc, QosError):
        QMessageBox.warning(parent, what, str(exc))
    else:
        log_failure(log, what, exc)
        QMessageBox.critical(
            parent, what,
            f"Something went wrong inside QoS Checks ({type(exc).__name__}: {exc}).\n"
            "Nothing was half-saved. Please report this to your administrator.")


def add_button(layout: QBoxLayout, text: str, slot: Callable[[], Any]) -> QPushButton:
    """A button at the end of `layout`, named for screen readers after its text."""
    button = QPushButton(text)
    button.setAccessibleName(text.replace("&", "").rstrip("."))
    button.clicked.connect(slot)
    layout.addWidget(button)
    return button


def error_label() -> QLabel:
    label = QLabel("")
    set_role(label, "error")
    label.setWordWrap(True)
    label.setAccessibleName("Problem")
    return label


def save_cancel_buttons(dialog: QDialog, save: Callable[[], None]) -> QDialogButtonBox:
    """Save / Cancel, with Ctrl+Enter to save from anywhere in the form."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(save)
    buttons.rejected.connect(dialog.reject)
    QShortcut(QKeySequence("Ctrl+Return"), dialog, activated=save)
    return buttons


def scrolling(content: QWidget, *, framed: bool = True) -> QScrollArea:
    """`content` in a scroll area that shows bars only when there is too little room (a
    small screen, large text). The area itself takes no Tab stop: Tab goes to the fields."""
    from PySide6.QtCore import Qt  # here: the Qt namespace costs ~25 ms to load at start-up

    area = QScrollArea()
    area.setWidget(content)
    area.setWidgetResizable(True)
    if not framed:
        area.setFrameShape(QFrame.Shape.NoFrame)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return area


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize to width x height, or less where the screen's free area (less the taskbar) is
    smaller, keeping room for the title bar, so nothing opens off screen at 1280x720."""
    from PySide6.QtGui import QGuiApplication

    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(width, height)
        return
    free = screen.availableGeometry()
    title_bar = 32  # the frame is not known before the window is first shown
    window.resize(min(width, free.width()), min(height, free.height() - title_bar))


def fit_placeholder(edit: QLineEdit) -> QLineEdit:
    """At least as wide as its grey hint, so the hint is read whole, not "e.g. 1 3 (le..."."""
    edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance(edit.placeholderText()) + 16)
    return edit


def shrinkable(combo: QComboBox, characters: int = 20) -> QComboBox:
    """A combo box that can be narrower than its longest item (the list still shows it
    whole), so the window fits a 1280-pixel screen with long unit names."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    return combo


def table_view(model: QAbstractItemModel, name: str) -> QTableView:
    """A read-only, whole-row-selecting list in the house style."""
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    # No stretched last column: squeezed into a narrow window it cut its own header; the
    # table scrolls sideways instead.
    view.horizontalHeader().setStretchLastSection(False)
    # Column widths from the first 200 rows, not Qt's default 1,000: fitting columns to a
    # long list cost ~50 ms a refresh, and 200 rows show the widths well enough.
    view.horizontalHeader().setResizeContentsPrecision(200)
    fit_columns_on_reset(view)
    fit_columns(view)  # an empty list too: its headers whole, not Qt's 100-pixel default
    # Tab leaves the table for the next control instead of walking its cells; arrows move.
    view.setTabKeyNavigation(False)
    set_role(view, "table")
    return view


WIDEST_COLUMN = 45  # characters: longer free text is elided, the whole of it in a tooltip


def fit_columns(view: QTableView) -> None:
    """Each column as wide as its widest cell or its header, whichever is wider, so no
    header is cut; free text wider than WIDEST_COLUMN characters is elided instead."""
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    widest = view.fontMetrics().averageCharWidth() * WIDEST_COLUMN
    for column in range(header.count()):
        needed = header.sectionSizeHint(column)  # the header's own text and sort arrow
        if header.sectionSize(column) > max(widest, needed):
            header.resizeSection(column, max(widest, needed))


def fit_columns_on_reset(view: QTableView) -> None:
    model = view.model()
    model.modelReset.connect(lambda: fit_columns(view))


def selected_row(view: QTableView) -> dict[str, Any] | None:
    """The plain row behind the view's selection, or the row the keyboard is on (views over
    ui.table_model.RowsModel)."""
    rows = view.selectionModel().selectedRows()
    model = view.model()
    if rows:
        return model.row_at(rows[0].row())  # type: ignore[attr-defined, no-any-return]
    current = view.currentIndex()
    if current.isValid():
        return model.row_at(current.row())  # type: ignore[attr-defined, no-any-return]
    return None


def open_on_selected(view: QTableView, open_form: Callable[[dict[str, Any]], Any],
                     refresh: Callable[[], Any]) -> None:
    """A page's form on the row chosen in `view` (none chosen: nothing opens), then the
    page's `refresh`, so what the form saved shows (`open_form` runs the form modally)."""
    row = selected_row(view)
    if row is None:
        return
    open_form(row)
    refresh()


def on_enter(view: QTableView, slot: Callable[[], Any]) -> None:
    """Enter (either key) or a double-click on a row runs `slot`: the view's own
    "activated", so it works whether or not the window had the focus a moment ago."""
    view.activated.connect(lambda _index: slot())


def focus_table(view: QTableView) -> None:
    """Put the keyboard on the table, on its first row when nothing is chosen yet."""
    view.setFocus()
    if not view.selectionModel().selectedRows() and view.model().rowCount():
        view.selectRow(0)


def answer_row(grid: QGridLayout, row: int, text: str, options: dict[str, str]) -> Any:
    """Question text, a one-digit answer box and the meaning of the digit typed, in a row."""
    from ui.answer_field import DigitAnswer

    box = DigitAnswer(options)
    box.setAccessibleName(text)
    meaning = QLabel("")
    box.answered.connect(lambda _t: meaning.setText(box.meaning()))
    label = QLabel(text)
    label.setWordWrap(True)
    label.setBuddy(box)
    grid.addWidget(label, row, 0)
    grid.addWidget(box, row, 1)
    grid.addWidget(meaning, row, 2)
    for widget in (label, box, meaning):
        widget.show()  # a layout shows new children later; focus needs them now
    return box
