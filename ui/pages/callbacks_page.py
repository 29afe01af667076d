"""Call-backs: import crimes, draw the month's sample, work the list, record debriefs."""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qos.errors import QosError
from qos.months import recent_months
from qos.roles import Action, Actor, allowed
from qos.store import callbacks, crimes, reference, samples
from qos.store.core import Store
from qos.store.crime_import import import_crimes_with_deadlines
from qos.store.exclusions import describe as describe_exclusions
from qos.summary import sample_called_text
from qos.templates import load_template, template_files
from ui.callback_form import CallbackForm
from ui.import_dialog import ImportDialog
from ui.record_dialog import FormField, RecordDialog, date_and_note_dialog, text_dialog
from ui.style import set_role
from ui.table_model import RowsModel
from ui.widgets import (
    add_button,
    fit_columns,
    focus_table,
    hint_label,
    on_enter,
    selected_row,
    show_error,
    shrinkable,
    table_view,
    title_label,
)

WORK_ORDER = {"to_call": 0, "attempted": 1}
STATUS_WORDS = {"to_call": "To call", "attempted": "Attempted", "completed": "Completed",
                "unreachable": "Unreachable", "declined": "Declined",
                "swapped_out": "Swapped out"}


class CallbacksPage(QWidget):
    title = "Call-backs"

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.unit = shrinkable(QComboBox())
        self.unit.setAccessibleName("Unit")
        for unit in reference.units_for(store, actor):
            self.unit.addItem(f"{unit['code']} - {unit['name']}", unit["id"])
        if actor.unit_id is not None:
            self.unit.setCurrentIndex(max(self.unit.findData(actor.unit_id), 0))
        self.month = QComboBox()
        self.month.setAccessibleName("Month the crimes were recorded in")
        self.month.addItems(recent_months())
        self.month.setCurrentIndex(1)  # the last complete month
        self.unit.currentIndexChanged.connect(lambda _: self.refresh())
        self.month.currentIndexChanged.connect(lambda _: self.refresh())
        unit_label, month_label = QLabel("&Unit:"), QLabel("&Month:")
        unit_label.setBuddy(self.unit)
        month_label.setBuddy(self.month)
        bar = QHBoxLayout()
        for widget in (unit_label, self.unit, month_label, self.month):
            bar.addWidget(widget)
        bar.addStretch(1)
        self.import_button = add_button(bar, "&Import crimes...", self.import_crimes)
        self.history_button = add_button(bar, "Import &history...", self.import_history)
        self.draw_button = add_button(bar, "&Draw sample", self.draw)
        set_role(self.draw_button, "primary")
        self.verify_button = add_button(bar, "&Verify draw", self.verify)
        self.draw_info = hint_label("")

        self.items = RowsModel([
            ("crime_ref", "Crime"), ("recorded_on", "Recorded"), ("offence_category", "Offence"),
            ("victim_name", "Victim"), ("victim_phone", "Phone"), ("officer_name", "Officer"),
            ("status", "Status"), ("attempts", "Attempts"), ("last_attempt_at", "Last attempt")],
            self, {"status": lambda s: STATUS_WORDS.get(s, s),
                   "last_attempt_at": lambda t: (t or "")[:16].replace("T", " ")})
        self.items_view = table_view(self.items, "Worklist")
        on_enter(self.items_view, self.call)  # Enter on a row opens its call form
        actions = QHBoxLayout()
        set_role(add_button(actions, "&Call (Enter)...", self.call), "primary")
        add_button(actions, "&No answer", lambda: self.attempt("no_answer"))
        add_button(actions, "&Wrong number", lambda: self.attempt("wrong_number"))
        add_button(actions, "D&eclined", lambda: self.attempt("declined"))
        add_button(actions, "&Swap out...", self.swap)
        actions.addStretch(1)
        self.progress = QLabel("")
        self.progress.setAccessibleName("Progress this month")
        actions.addWidget(self.progress)
        worklist = QWidget()
        worklist_layout = QVBoxLayout(worklist)
        worklist_layout.addLayout(actions)
        worklist_layout.addWidget(self.items_view)

        self.debriefs = RowsModel([
            ("officer_name", "Officer"), ("manager_name", "Line manager"), ("kind", "Feedback"),
            ("crime_ref", "Crime"), ("call_date", "Called"), ("age_days", "Age (days)"),
            ("due_on", "Due"), ("debriefed_on", "Debriefed"),
            ("acknowledgement", "Officer's response"), ("escalated_name", "Escalated to")],
            self, {"kind": lambda k: "Positive" if k == "positive" else "For improvement"})
        self.debriefs_view = table_view(self.debriefs, "Outstanding debriefs")
        debrief_actions = QHBoxLayout()
        add_button(debrief_actions, "&Record debrief...", self.record_debrief)
        add_button(debrief_actions, "Officer &acknowledges", lambda: self.acknowledge(True))
        add_button(debrief_actions, "Officer disa&grees...", lambda: self.acknowledge(False))
        debrief_actions.addStretch(1)
        debrief_tab = QWidget()
        debrief_layout = QVBoxLayout(debrief_tab)
        debrief_layout.addLayout(debrief_actions)
        debrief_layout.addWidget(self.debriefs_view)

        self.tabs = QTabWidget()
        self.tabs.addTab(worklist, "Work&list")
        self.tabs.addTab(debrief_tab, "De&briefs")
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("QoS call-backs"))
        layout.addLayout(bar)
        layout.addWidget(self.draw_info)
        layout.addWidget(self.tabs, 1)
        can_import = allowed(actor, Action.IMPORT_CRIMES)
        self.import_button.setVisible(can_import)
        self.history_button.setVisible(allowed(actor, Action.IMPORT_HISTORY))
        self.draw_button.setVisible(allowed(actor, Action.DRAW_SAMPLE))

    # -- state -----------------------------------------------------------------------------
    def unit_id(self) -> int | None:
        data = self.unit.currentData()
        return int(data) if data is not None else None

    def current_draw(self) -> dict[str, Any] | None:
        unit_id = self.unit_id()
        if not unit_id:
            return None
        return samples.get_draw(self.store, self.actor, unit_id, self.month.currentText())

    def refresh(self) -> None:
        draw = self.current_draw()
        if draw is None:
            self.items.set_rows([])
            self.draw_info.setText("No sample drawn for this unit and month yet. Import the "
                                   "month's crimes, then press Draw sample.")
            self.progress.setText("")
        else:
            rows = samples.list_items(self.store, draw["id"], viewer=self.actor)
            # Victims still to call first (in sample order), then those tried, then the rest.
            rows.sort(key=lambda r: WORK_ORDER.get(r["status"], len(WORK_ORDER)))
            self.items.set_rows(rows)
            done = sum(r["status"] == "completed" for r in rows)
            self.draw_info.setText(
                f"Drawn by {draw['drawn_by']} on {draw['created_at'][:10]}: {draw['size']} from "
                f"{draw['population_size']} eligible crimes (seed {draw['seed']}); "
                f"{describe_exclusions(json.loads(draw['excluded']))}.")
            # Progress on this month's sample: not the "checks made in the month" figure.
            self.progress.setText(sample_called_text(self.month.currentText(), done,
                                                     draw["size"]))
            fit_columns(self.items_view)
        self.debriefs.set_rows(callbacks.list_debriefs(self.store, self.actor,
                                                       unit_id=self.unit_id()))
        self.verify_button.setEnabled(draw is not None)
        self.draw_button.setEnabled(draw is None)

    def focus_main_work(self) -> None:
        """The worklist when there is one; else the next step (draw, or import first)."""
        if self.items.rowCount():
            focus_table(self.items_view)
        elif self.draw_button.isVisible() and self.draw_button.isEnabled():
            self.draw_button.setFocus()
        elif self.import_button.isVisible():
            self.import_button.setFocus()

    def selected_item(self) -> dict[str, Any] | None:
        return selected_row(self.items_view)

    # -- actions ---------------------------------------------------------------------------
    def import_crimes(self) -> None:
        actor = self.actor
        dialog = ImportDialog(
            "Import a crime extract",
            "A CSV or Excel extract from the crime recording system. The default column "
            "headings are in Help (F1), under Importing files. Crimes already held are "
            "updated, never duplicated.", self.store, actor, "crimes", crimes.CRIME_FIELDS,
            lambda store, table, strict, mapping, progress: import_crimes_with_deadlines(
                store, actor, table, all_or_nothing=strict, mapping=mapping, progress=progress),
            self)
        dialog.exec()
        self.refresh()

    def import_history(self) -> None:
        actor = self.actor
        versions = sorted(template_files("callback"))
        version = versions[0]
        if len(versions) > 1:  # which question set the spreadsheet's columns belong to
            names = [f"Version {v}: {load_template('callback', v).title}" for v in versions]
            picked, ok = QInputDialog.getItem(
                self, "Import old call-back spreadsheets",
                "Which question template do the spreadsheet's columns belong to?", names, 0,
                False)
            if not ok:
                return
            version = versions[names.index(picked)]
        ImportDialog(
            "Import old call-back spreadsheets",
            f"Completed checks kept in Excel before QoS Checks, answers to question template "
            f"version {version}, in the layout described in Help (F1), under Importing files.",
            self.store, actor, "callbacks",
            callbacks.history_fields(load_template("callback", version)),
            lambda store, table, strict, mapping, progress: callbacks.import_history(
                store, actor, table, all_or_nothing=strict, mapping=mapping,
                progress=progress, template_version=version), self).exec()

    def draw(self) -> None:
        unit_id = self.unit_id()
        if unit_id is None:
            return
        target = reference.unit_target(self.store, self.actor, unit_id)
        store, actor, month = self.store, self.actor, self.month.currentText()
        dialog = RecordDialog(
            f"Draw the {month} sample",
            [FormField("size", "Sample size", "int", minimum=1, maximum=10000,
                       hint="The unit's monthly target unless you have a reason to change it"),
             FormField("stratified", "Spread across offence categories", "choice",
                       [(False, "No: a simple random sample"),
                        (True, "Yes: in proportion to each offence category")])],
            {"size": 50 if target is None else target, "stratified": False},
            lambda v: samples.draw_for_month(store, actor, unit_id, month, size=v["size"],
                                             stratified=bool(v["stratified"])), self)
        if dialog.exec():
            self.refresh()
            self.items_view.setFocus()
            if self.items.rowCount():
                self.items_view.selectRow(0)

    def verify(self) -> None:
        draw = self.current_draw()
        if draw is None:
            return
        check = samples.verify_draw(self.store, self.actor, draw["id"])
        lines = [
            (f"Seed {check['seed']}; {check['population_size']} crimes eligible now "
            f"({draw['population_size']} when drawn)."),
            "The underlying crimes are unchanged since the draw." if check["population_unchanged"]
            else "The underlying crimes HAVE CHANGED since the draw (a re-import or edit).",
            "Re-running the draw from its seed gives the same sample." if check["same_sample"]
            else "Re-running the draw from its seed gives a DIFFERENT sample.",
        ]
        now, then = (describe_exclusions(check[k]) for k in ("excluded_now", "excluded_then"))
        lines.append(f"Its own exclusions re-checked: now {now} (when drawn, {then}).")
        for item in check["now_excluded"]:
            lines.append(f"Do not call {item['crime_ref']}: now {item['reason']}.")
        for swap in check["swaps"]:
            lines.append(f"Swapped out {swap['crime_ref']} by {swap['by_user']} at "
                         f"{swap['updated_at']}: {swap['swap_reason']}")
        QMessageBox.information(self, "Verify this draw", "\n".join(lines))

    def call(self) -> None:
        item = self.selected_item()
        if item is None or item["status"] not in ("to_call", "attempted"):
            return
        row = self.items_view.currentIndex().row()
        form = CallbackForm(self.store, self.actor, item, self)
        form.exec()
        self.refresh()
        self.items_view.setFocus()  # back on the list, on the next victim to call
        self.items_view.selectRow(min(max(row, 0), self.items.rowCount() - 1))
        return
        self.refresh()

    def attempt(self, outcome: str) -> None:
        item = self.selected_item()
        if item is None:
            return
        try:
            samples.record_attempt(self.store, self.actor, item["id"], outcome)
        except QosError as exc:
            show_error(self, exc)
        self.refresh()

    def swap(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        text_dialog(self, "Swap out a sampled crime",
                    "Why is this crime being taken out of the sample?",
                    lambda reason: samples.swap_out(self.store, self.actor, item["id"], reason))
        self.refresh()

    def selected_debrief(self) -> dict[str, Any] | None:
        return selected_row(self.debriefs_view)

    def record_debrief(self) -> None:
        debrief = self.selected_debrief()
        if debrief is None:
            return
        date_and_note_dialog(
            self, f"Debrief of {debrief['officer_name']}", "Date of debrief", "What was said",
            lambda on, note: callbacks.record_debrief(self.store, self.actor, debrief["id"],
                                                      debrief["version"], on, note))
        self.refresh()

    def acknowledge(self, agrees: bool) -> None:
        debrief = self.selected_debrief()
        if debrief is None:
            return
        def record(reason: str) -> None:
            callbacks.record_acknowledgement(self.store, self.actor, debrief["id"],
                                             debrief["version"], agrees=agrees, reason=reason)

        if agrees:
            try:
                record("")
            except QosError as exc:
                show_error(self, exc)
        else:
            text_dialog(self, "Officer disagrees",
                        "The officer's reason (goes to the next level)", record)
        self.refresh()
