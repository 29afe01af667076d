"""Contact bureau: the call queue, remedial actions, PCSO visits, informal complaints."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qos.errors import QosError
from qos.roles import Action, Actor, allowed
from qos.settings import setting
from qos.store import bureau, reference
from qos.store.core import Store
from ui.bureau_call_form import BureauCallForm
from ui.record_dialog import FormField, RecordDialog, date_and_note_dialog, text_dialog
from ui.style import set_role
from ui.table_model import RowsModel
from ui.widgets import (
    add_button,
    fit_columns,
    focus_table,
    open_on_selected,
    show_error,
    tab_column,
    table_view,
    title_label,
)


class BureauPage(QWidget):
    title = "Contact bureau"

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.calls_made = 0
        self.form: BureauCallForm | None = None
        self.tabs = QTabWidget()
        if allowed(actor, Action.BUREAU_CALL):
            self.tabs.addTab(self._calls_tab(), "&Calls")
        self.tabs.addTab(self._actions_tab(), "&Remedial actions")
        self.tabs.addTab(self._visits_tab(), "&PCSO visits")
        self.tabs.addTab(self._complaints_tab(), "Informal co&mplaints")
        if allowed(actor, Action.BUREAU_CALL):
            # Anywhere on the page, whichever tab or control has the keyboard.
            QShortcut(QKeySequence("Ctrl+N"), self, activated=self.next_call,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("Contact bureau"))
        layout.addWidget(self.tabs)

    # -- calls -----------------------------------------------------------------------------
    def _calls_tab(self) -> QWidget:
        self.queue = RowsModel([
            ("crime_ref", "Crime"), ("unit_code", "Unit"), ("offence_category", "Offence"),
            ("recorded_on", "Reported"), ("due_on", "Call by"), ("overdue", "Overdue"),
            ("attempts", "Tries so far")], self, {"overdue": lambda o: "OVERDUE" if o else ""})
        self.queue_view = table_view(self.queue, "Call queue")
        bar = QHBoxLayout()
        self.next_button = add_button(bar, "&Next call (Ctrl+N)", self.next_call)
        set_role(self.next_button, "primary")
        bar.addStretch(1)
        self.tally = QLabel("")
        bar.addWidget(self.tally)
        return tab_column("Victims to re-contact, oldest first, overdue at the top. "
                          "Next call hands you the first one nobody else is calling.",
                          bar, self.queue_view)

    def next_call(self) -> None:
        try:
            call = bureau.claim_next(self.store, self.actor)
        except QosError as exc:
            show_error(self, exc)
            return
        if call is None:
            self.tally.setText("The queue is empty. Well done.")
            return
        self.tabs.setCurrentIndex(0)
        self.form = BureauCallForm(self.store, self.actor, call, self)
        if self.form.exec():
            self.calls_made += 1
            raised = self.form.raised_actions
            self.tally.setText(
                f"{self.calls_made} call(s) logged in this sitting."
                + (f" This call raised {len(raised)} remedial action(s) for the officer's line "
                   "manager (Remedial actions tab)." if raised else ""))
        self.refresh()
        self.queue_view.setFocus()  # Ctrl+N again for the next victim

    def focus_main_work(self) -> None:
        if allowed(self.actor, Action.BUREAU_CALL):
            self.tabs.setCurrentIndex(0)
            focus_table(self.queue_view)
        else:
            focus_table(self.actions_view)

    # -- remedial actions ------------------------------------------------------------------
    def _actions_tab(self) -> QWidget:
        widget = QWidget()
        self.actions = RowsModel([
            ("unit_code", "Unit"), ("crime_ref", "Crime"), ("remedy", "To put right"),
            ("officer_name", "Officer"),
            ("times_for_officer", "Times for officer"), ("owner_name", "Owner"),
            ("due_on", "Due"), ("overdue", "Overdue"), ("closed_on", "Closed")], self,
            {"overdue": lambda o: "OVERDUE" if o else "",
             "times_for_officer": lambda n: "" if n is None else
             (f"{n} (repeat)" if n > 1 else "1")})
        self.actions_view = table_view(self.actions, "Remedial actions")
        self.show_closed = QCheckBox("Show c&losed actions")
        self.show_closed.toggled.connect(lambda _: self.refresh())
        bar = QHBoxLayout()
        add_button(bar, "Close &action...", self.close_action)
        bar.addStretch(1)
        bar.addWidget(self.show_closed)
        layout = QVBoxLayout(widget)
        layout.addLayout(bar)
        layout.addWidget(self.actions_view)
        return widget

    def close_action(self) -> None:
        open_on_selected(self.actions_view, lambda action: text_dialog(
            self, "Close the action", "What was done to put it right?",
            lambda note: bureau.close_action(self.store, self.actor, action["id"],
                                             action["version"], note)), self.refresh)

    # -- PCSO visits -----------------------------------------------------------------------
    def _visits_tab(self) -> QWidget:
        self.visits = RowsModel([("unit_code", "Unit"), ("crime_ref", "Crime"),
                                 ("recorded_on", "Reported"), ("created_at", "Referred"),
                                 ("visited_on", "Visited"), ("outcome", "Outcome")], self,
                                {"created_at": lambda t: (t or "")[:10]})
        self.visits_view = table_view(self.visits, "PCSO visits")
        bar = QHBoxLayout()
        add_button(bar, "Record &visit...", self.record_visit)
        bar.addStretch(1)
        return tab_column("Victims the bureau could not reach by phone, for a PCSO "
                          "to visit in person.",
                          bar, self.visits_view)

    def record_visit(self) -> None:
        open_on_selected(self.visits_view, lambda visit: date_and_note_dialog(
            self, f"Visit for {visit['crime_ref']}", "Date of visit", "What came of it",
            lambda on, note: bureau.record_visit(self.store, self.actor, visit["id"],
                                                 visit["version"], on, note)), self.refresh)

    # -- complaints ------------------------------------------------------------------------
    def _complaints_tab(self) -> QWidget:
        self.complaints = RowsModel([("raised_on", "Date"), ("kind", "Kind"),
                                     ("category", "Category"), ("unit_code", "Unit"),
                                     ("summary", "What was said")], self)
        view = table_view(self.complaints, "Informal complaints and compliments")
        bar = QHBoxLayout()
        add_button(bar, "&Log a complaint or compliment...", self.log_complaint)
        bar.addStretch(1)
        return tab_column("Complaints and compliments made informally during calls, "
                          "so they are counted. This month's are listed.",
                          bar, view)

    def log_complaint(self) -> None:
        store, actor = self.store, self.actor
        fields = [
            FormField("kind", "Kind", "choice", [("complaint", "Complaint"),
                                                 ("compliment", "Compliment")]),
            FormField("category", "Category", "choice",
                      [(c, c) for c in setting(store, "complaint_categories")]),
            FormField("unit_id", "Unit", "choice", [(u["id"], f"{u['code']} - {u['name']}")
                                                    for u in reference.list_units(
                                                        store, self.actor)]),
            FormField("crime_ref", "Crime reference (if any)"),
            FormField("summary", "What was said"),
        ]
        RecordDialog("Informal complaint or compliment", fields, {},
                     lambda v: bureau.log_complaint(store, actor, v["kind"], v["category"],
                                                    v["unit_id"], v["summary"],
                                                    crime_ref=v["crime_ref"]), self).exec()
        self.refresh()

    # -- all -------------------------------------------------------------------------------
    def refresh(self) -> None:
        store, actor = self.store, self.actor
        if allowed(actor, Action.BUREAU_CALL):
            # Lazy: the view asks for the next page of the queue only as the user scrolls.
            self.queue.set_fetch(lambda offset, limit: bureau.queue(store, actor, offset, limit))
            fit_columns(self.queue_view)
        closed = self.show_closed.isChecked()
        self.actions.set_fetch(lambda offset, limit: bureau.list_actions(
            store, actor, open_only=not closed, offset=offset, limit=limit))
        fit_columns(self.actions_view)
        self.visits.set_rows(bureau.list_visits(store, actor))
        first = dt.date.today().replace(day=1)
        self.complaints.set_rows(bureau.list_complaints(
            store, self.actor, first_day=first.isoformat(),
            end_day=(first + dt.timedelta(days=32)).replace(day=1).isoformat()))
