"""Mystery shopping: a volunteer's own visits; the co-ordinator's programme, findings,
calibration and scenario bank."""
from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qos.errors import QosError
from qos.mystery import disagreements
from qos.roles import Action, Actor, allowed
from qos.store import mystery, reference
from qos.store.core import Store
from ui.record_dialog import FormField, RecordDialog
from ui.style import set_role
from ui.table_model import RowsModel
from ui.visit_form import VisitForm
from ui.widgets import (
    fit_columns,
    focus_table,
    hint_label,
    on_enter,
    selected_row,
    show_error,
    shrinkable,
    tab_column,
    table_view,
    title_label,
)


def parse_checklist(text: str) -> list[dict[str, Any]]:
    """'key | wording | weight; ...' back into checklist items, with a plain-words refusal."""
    items = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        fields = [f.strip() for f in part.split("|")]
        if len(fields) not in (2, 3) or not fields[0] or not fields[1]:
            raise QosError(f"'{part}' is not like 'greeted | Greeted within 2 minutes | 2'.")
        try:
            weight = float(fields[2]) if len(fields) == 3 else 1.0
        except ValueError:
            raise QosError(f"The weight in '{part}' is not a number.") from None
        items.append({"key": fields[0], "text": fields[1], "weight": weight})
    return items


class MysteryPage(QWidget):
    title = "Mystery shopping"

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.coordinator = allowed(actor, Action.PLAN_VISITS)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._visits_tab(), "&Visits")
        if self.coordinator:
            self.tabs.addTab(self._findings_tab(), "&Findings by counter")
            self.tabs.addTab(self._calibration_tab(), "&Calibration")
        if allowed(actor, Action.MANAGE_REFERENCE):
            self.tabs.addTab(self._bank_tab(), "Scenario &bank")
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("Mystery shopping"))
        layout.addWidget(self.tabs)

    # -- visits ----------------------------------------------------------------------------
    def _visits_tab(self) -> QWidget:
        self.plan = RowsModel([("week_start", "Week of"), ("counter", "Front counter"),
                               ("scenario", "Scenario"), ("volunteer", "Volunteer")], self)
        self.plan_view = table_view(self.plan, "Planned visits")
        on_enter(self.plan_view, self.record_visit)
        self.plan_empty = hint_label("")
        bar = QHBoxLayout()
        record = QPushButton("&Record this visit...")
        set_role(record, "primary")
        record.clicked.connect(self.record_visit)
        bar.addWidget(record)
        if self.coordinator:
            plan = QPushButton("&Plan the next quarter...")
            plan.clicked.connect(self.plan_quarter)
            bar.addWidget(plan)
        bar.addStretch(1)
        return tab_column("Your planned visits. Choose one and press Record this visit. Your "
                          "answers are kept as you type, so you can close the form and come "
                          "back to it." if not self.coordinator else
                          "The visit programme for every counter.",
                          bar, self.plan_empty, self.plan_view)

    def record_visit(self) -> None:
        plan = selected_row(self.plan_view)
        if plan is None:
            if self.plan.rowCount():
                self.plan_view.selectRow(0)
                plan = self.plan.row_at(0)
            else:
                return
        self.form = VisitForm(self.store, self.actor, plan, self)
        self.form.exec()
        self.refresh()
        if self.form.submitted:  # the volunteer is told it arrived
            QMessageBox.information(self, "Visit sent in",
                                    f"Thank you. Your visit to {plan['counter']} has been "
                                    "sent in to the co-ordinator.")
        focus_table(self.plan_view)

    def plan_quarter(self) -> None:
        today = dt.date.today()
        monday = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
        planned: list[int] = []
        dialog = RecordDialog(
            "Plan a quarter", [FormField("first", "First Monday of the quarter", "date")],
            {"first": monday}, lambda v: planned.append(
                mystery.plan_visits(self.store, self.actor, v["first"])), self)
        if not dialog.exec():
            return
        count = planned[0]
        self.refresh()
        self.plan_view.setFocus()
        self.window().statusBar().showMessage(f"{count} visits planned.", 8000)

    # -- findings --------------------------------------------------------------------------
    def _findings_tab(self) -> QWidget:
        widget = QWidget()
        self.counter = shrinkable(QComboBox(), 36)  # whole counter names: there is room
        self.counter.setAccessibleName("Front counter")
        for row in reference.list_counters(self.store, self.actor):
            self.counter.addItem(f"{row['name']} ({row['unit_code']})", row["id"])
        self.counter.currentIndexChanged.connect(lambda _: self.refresh_findings())
        self.findings = RowsModel([
            ("arrived_at", "Visited"), ("scenario", "Scenario"), ("score", "Checklist met"),
            ("closed_in_hours", "Closed in its hours"), ("waiting_minutes", "Wait (min)"),
            ("failed", "Fell short on"), ("to_improve", "To improve"),
            ("fed_back_on", "Fed back")], self,
            {"score": lambda s: f"{s:.0%}", "closed_in_hours": lambda c: "CLOSED" if c else "",
             "failed": lambda f: "; ".join(f), "arrived_at": lambda a: a.replace("T", " ")})
        self.findings_view = table_view(self.findings, "Findings for the counter")
        bar = QHBoxLayout()
        bar.addWidget(self.counter)
        fed = QPushButton("Mark as fed back &to the BCU")
        fed.clicked.connect(self.mark_fed_back)
        bar.addWidget(fed)
        bar.addStretch(1)
        layout = QVBoxLayout(widget)
        layout.addLayout(bar)
        layout.addWidget(self.findings_view)
        return widget

    def refresh_findings(self) -> None:
        counter_id = self.counter.currentData()
        rows = mystery.counter_findings(self.store, self.actor, counter_id) if counter_id else []
        self.findings.set_rows(rows)
        fit_columns(self.findings_view)

    def mark_fed_back(self) -> None:
        visit = selected_row(self.findings_view)
        if visit is None:
            return
        try:
            mystery.mark_fed_back(self.store, self.actor, visit["id"], visit["version"],
                                  dt.date.today())
        except QosError as exc:
            show_error(self, exc)
        self.refresh_findings()

    # -- calibration -----------------------------------------------------------------------
    def _calibration_tab(self) -> QWidget:
        self.calibration = QComboBox()
        self.calibration.setAccessibleName("Calibration exercise")
        self.calibration.currentIndexChanged.connect(lambda _: self.refresh_calibration())
        self.compare = RowsModel([("item", "Checklist item"), ("answers", "Answers"),
                                  ("agreement", "Agreement"), ("disagree", "Disagree?")], self,
                                 {"answers": lambda a: ", ".join(f"{k}: {v or '-'}"
                                                                 for k, v in a.items()),
                                  "agreement": lambda g: f"{g:.0%}",
                                  "disagree": lambda d: "DISAGREE" if d else ""})
        view = table_view(self.compare, "Where volunteers' scores disagree")
        self.calibration_empty = hint_label("")
        new = QPushButton("&New exercise...")
        new.clicked.connect(self.new_calibration)
        bar = QHBoxLayout()
        bar.addWidget(self.calibration, 1)
        bar.addWidget(new)
        return tab_column("Several volunteers score the same written account; items "
                          "where they disagree show, so scoring stays consistent.",
                          bar, self.calibration_empty, view)

    def new_calibration(self) -> None:
        store, actor = self.store, self.actor
        scenarios = [(s["id"], s["title"]) for s in mystery.list_scenarios(store, self.actor)]
        RecordDialog("New calibration exercise",
                     [FormField("scenario_id", "Scenario", "choice", scenarios),
                      FormField("title", "Title"),
                      FormField("account", "Written account of the visit")], {},
                     lambda v: mystery.create_calibration(store, actor, v["scenario_id"],
                                                          v["title"], v["account"]),
                     self).exec()
        self.refresh()

    def refresh_calibration(self) -> None:
        calibration_id = self.calibration.currentData()
        if calibration_id is None:
            self.compare.set_rows([])
            return
        items, scores = mystery.calibration_scores(self.store, self.actor, calibration_id)
        self.compare.set_rows(disagreements(items, scores))

    # -- scenario bank (administrators) ----------------------------------------------------
    def _bank_tab(self) -> QWidget:
        self.bank = RowsModel([("title", "Scenario"), ("brief", "What the volunteer does"),
                               ("item_count", "Checklist items"),
                               ("bank_version", "From bank version")], self)
        self.bank_view = table_view(self.bank, "Scenario bank")
        self.bank_view.doubleClicked.connect(lambda _: self.edit_scenario())
        bar = QHBoxLayout()
        edit = QPushButton("&Edit scenario...")
        edit.clicked.connect(self.edit_scenario)
        bar.addWidget(edit)
        bar.addStretch(1)
        return tab_column("Scenarios come from resources/scenarios and can be adjusted "
                          "here. Checklist: one item a line, as key | wording | "
                          "weight.",
                          bar, self.bank_view)

    def edit_scenario(self) -> None:
        scenario = selected_row(self.bank_view)
        if scenario is None:
            return
        lines = "; ".join(f"{i['key']} | {i['text']} | {i.get('weight', 1)}"
                          for i in scenario["items"])
        store, actor = self.store, self.actor

        def save(values: dict[str, Any]) -> None:
            mystery.edit_scenario(store, actor, scenario["id"], scenario["version"],
                                  title=values["title"], brief=values["brief"],
                                  checklist=parse_checklist(values["checklist"]))

        RecordDialog(f"Edit {scenario['title']}",
                     [FormField("title", "Title"), FormField("brief", "What the volunteer does"),
                      FormField("checklist", "Checklist",
                                hint="key | wording | weight; items separated by ;")],
                     {"title": scenario["title"], "brief": scenario["brief"],
                      "checklist": lines}, save, self).exec()
        self.refresh()

    # -- all -------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.coordinator:
            mystery.sync_scenarios(self.store, self.actor)  # new scenarios in the bank file
        self.plan.set_rows(mystery.list_plan(self.store, self.actor))
        self.plan_empty.setText("" if self.plan.rowCount() else (
            "No visits planned yet: press Plan the next quarter to spread the scenarios across "
            "the counters." if self.coordinator else
            "No visits are planned for you yet. Your co-ordinator plans them each quarter."))
        self.plan_empty.setVisible(not self.plan.rowCount())
        if hasattr(self, "bank"):
            self.bank.set_rows(mystery.list_scenarios(self.store, self.actor,
                                                      include_inactive=True))
            fit_columns(self.bank_view)
        fit_columns(self.plan_view)
        if self.coordinator:
            self.refresh_findings()
            current = self.calibration.currentData()
            self.calibration.blockSignals(True)
            self.calibration.clear()
            for row in mystery.list_calibrations(self.store, self.actor):
                self.calibration.addItem(f"{row['title']} ({row['created_at'][:10]})", row["id"])
            self.calibration.setCurrentIndex(max(self.calibration.findData(current), 0))
            self.calibration.blockSignals(False)
            self.calibration_empty.setText(
                "" if self.calibration.count() else "No calibration exercise yet: press New "
                "exercise, give a written account of a visit, and ask several volunteers to "
                "score it.")
            self.calibration_empty.setVisible(not self.calibration.count())
            self.refresh_calibration()

    def focus_main_work(self) -> None:
        self.tabs.setCurrentIndex(0)
        focus_table(self.plan_view)


