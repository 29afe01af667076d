"""Control-room call evaluation: the manager's monthly worklist (Enter on a staff member
scores a call), calibration between managers, and a staff member's own evaluations (A to
acknowledge, D to disagree)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qos.errors import QosError
from qos.months import recent_months
from qos.roles import Action, Actor, allowed
from qos.store import call_evaluations as ce
from qos.store.core import Store
from ui.call_evaluation_form import CallEvaluationForm, parse_call_time
from ui.table_keys import ENTER, on_keys
from ui.table_model import RowsModel, yes_no
from ui.widgets import (
    add_button,
    focus_table,
    open_on_selected,
    selected_row,
    show_error,
    tab_column,
    table_view,
    title_label,
)


def _percent(value: Any) -> str:
    return "" if value is None else f"{value:.0%}"


class CallEvaluationPage(QWidget):
    title = "Call evaluation"

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.form: CallEvaluationForm | None = None
        self.manages = allowed(actor, Action.EVALUATE_CALLS)
        self.tabs = QTabWidget()
        if self.manages:
            self.tabs.addTab(self._worklist_tab(), "&Worklist")
            self.tabs.addTab(self._calibration_tab(), "Ca&libration")
        if allowed(actor, Action.VIEW_OWN_EVALUATIONS) and not self.manages:
            self.tabs.addTab(self._own_tab(), "My &evaluations")
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("Control-room call evaluation"))
        layout.addWidget(self.tabs)

    # -- the manager's worklist ------------------------------------------------------------
    def _worklist_tab(self) -> QWidget:
        self.month = QComboBox()
        self.month.setAccessibleName("Month")
        self.month.addItems(recent_months())
        self.month.currentIndexChanged.connect(lambda *_: self.refresh())
        self.staff = RowsModel([
            ("name", "Staff member"), ("team", "Team"), ("done", "Done"), ("due", "Due"),
            ("month_mean", "Mean this month"), ("months_met", "Months at standard"),
            ("meets_standard", "Meets the standard")], self,
            {"month_mean": _percent, "meets_standard": yes_no})
        self.staff_view = table_view(self.staff, "Control-room staff")
        self.staff_view.setTabKeyNavigation(False)
        on_keys(self.staff_view, ENTER,
              lambda _key: self.evaluate())
        bar = QHBoxLayout()
        label = QLabel("&Month:")
        label.setBuddy(self.month)
        bar.addWidget(label)
        bar.addWidget(self.month)
        add_button(bar, "&Score a call... (Enter)", self.evaluate)
        bar.addStretch(1)
        return tab_column("Each staff member's calls evaluated this month against the number "
                          "due, and whether they meet the standard for progression (every one "
                          "of the last months at or above the standard). Enter on a staff "
                          "member scores a call.",
                          bar, self.staff_view)

    def evaluate(self) -> None:
        store, actor = self.store, self.actor

        def score(person: dict[str, Any]) -> None:
            self.form = CallEvaluationForm(
                person["name"], lambda ref, when, answers: ce.record_evaluation(
                    store, actor, person["id"], ref, when, answers), self)
            self.form.exec()

        open_on_selected(self.staff_view, score, self.refresh)

    # -- calibration -----------------------------------------------------------------------
    def _calibration_tab(self) -> QWidget:
        self.calibrations = RowsModel([("title", "Exercise"), ("staff_name", "Call taken by"),
                                       ("call_at", "Call time"), ("scores", "Managers scored")],
                                      self)
        self.calibrations_view = table_view(self.calibrations, "Calibration exercises")
        self.calibrations_view.setTabKeyNavigation(False)
        self.calibrations_view.selectionModel().selectionChanged.connect(
            lambda *_: self._show_comparison())
        self.comparison = RowsModel([("text", "Item"), ("answers", "Scores given"),
                                     ("disagree", "Disagree")], self,
                                    {"answers": lambda a: " / ".join(a),
                                     "disagree": lambda d: "DISAGREE" if d else ""})
        self.comparison_view = table_view(self.comparison, "Item by item")
        self.comparison_summary = QLabel("")
        self.comparison_summary.setWordWrap(True)
        self.comparison_summary.setAccessibleName("Calibration result")
        bar = QHBoxLayout()
        add_button(bar, "&New exercise...", self.new_calibration)
        add_button(bar, "Score &it...", self.score_calibration)
        bar.addStretch(1)
        return tab_column("Two managers score the same recorded call on their own; the items "
                          "they scored differently show here, to agree how the tool is used.",
                          bar, self.calibrations_view, self.comparison_summary,
                          self.comparison_view)

    def new_calibration(self) -> None:
        person = selected_row(self.staff_view)
        if person is None:
            show_error(self, QosError("Choose the staff member whose call it is on the "
                                      "Worklist tab first."))
            return
        ref, ok = QInputDialog.getText(self, "New calibration", "Call reference:")
        if not ok:
            return
        when, ok = QInputDialog.getText(self, "New calibration",
                                        "Call time (dd/mm/yyyy hh:mm):")
        if not ok:
            return
        try:
            ce.create_calibration(self.store, self.actor, person["id"], ref,
                                  parse_call_time(when))
        except QosError as exc:
            show_error(self, exc)
        self.refresh()

    def score_calibration(self) -> None:
        store, actor = self.store, self.actor

        def score(exercise: dict[str, Any]) -> None:
            self.form = CallEvaluationForm(
                exercise["staff_name"], lambda _ref, _when, answers: ce.score_calibration(
                    store, actor, exercise["id"], answers), self,
                call_ref=exercise["call_ref"],
                call_at=dt.datetime.fromisoformat(exercise["call_at"]))
            self.form.exec()

        open_on_selected(self.calibrations_view, score, self.refresh)

    def _show_comparison(self) -> None:
        exercise = selected_row(self.calibrations_view)
        if exercise is None:
            self.comparison.set_rows([])
            self.comparison_summary.setText(
                "Choose an exercise above to compare the managers' scores item by item."
                if self.calibrations.rowCount() else
                "No calibration exercise yet: choose the staff member on the Worklist tab, "
                "press New exercise, then ask two managers to score the call (Score it).")
            return
        found = ce.calibration_comparison(self.store, self.actor, exercise["id"])
        self.comparison.set_rows(found["items"])
        self.comparison_view.resizeColumnsToContents()
        scores = ", ".join(f"{m}: {s:.0%}" for m, s in zip(found["managers"], found["scores"],
                                                           strict=True))
        self.comparison_summary.setText(
            f"{scores or 'Not scored yet'}. Items scored differently: {found['disagreements']}."
            if len(found["managers"]) > 1 else
            f"{scores or 'Not scored yet'}. A second manager's score is needed to compare.")

    # -- a staff member's own --------------------------------------------------------------
    def _own_tab(self) -> QWidget:
        self.standard = QLabel("")
        self.standard.setAccessibleName("Standard for progression")
        self.standard.setWordWrap(True)
        self.own = RowsModel([("call_at", "Call"), ("call_ref", "Reference"),
                              ("score", "Score"), ("scored_by", "Scored by"),
                              ("acknowledgement", "Acknowledged"), ("ack_note", "Your note")],
                             self, {"score": _percent})
        self.own_view = table_view(self.own, "My call evaluations")
        self.own_view.setTabKeyNavigation(False)
        on_keys(self.own_view, {Qt.Key.Key_A, Qt.Key.Key_D},
              lambda key: self.acknowledge(key == Qt.Key.Key_A))
        return tab_column("Your evaluated calls. On a call press A to acknowledge "
                          "it, or D to disagree and say why.",
                          self.standard, self.own_view)

    def acknowledge(self, agrees: bool) -> None:
        evaluation = selected_row(self.own_view)
        if evaluation is None:
            return
        note = ""
        if not agrees:
            note, ok = QInputDialog.getText(self, "Disagree", "Why do you disagree?")
            if not ok:
                return
        try:
            ce.acknowledge(self.store, self.actor, evaluation["id"], evaluation["version"],
                           agrees=agrees, note=note)
        except QosError as exc:
            show_error(self, exc)
        position = self.own_view.currentIndex().row()
        self.refresh()
        if self.own.rowCount():
            self.own_view.selectRow(min(position + 1, self.own.rowCount() - 1))

    def focus_main_work(self) -> None:
        if self.manages:
            self.tabs.setCurrentIndex(0)
            focus_table(self.staff_view)
        elif allowed(self.actor, Action.VIEW_OWN_EVALUATIONS):
            focus_table(self.own_view)

    # -- all -------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.manages:
            self.staff.set_rows(ce.worklist(self.store, self.actor, self.month.currentText()))
            self.staff_view.resizeColumnsToContents()
            self.calibrations.set_rows(ce.list_calibrations(self.store, self.actor))
            self._show_comparison()
            if self.staff.rowCount() and not self.staff_view.selectionModel().hasSelection():
                self.staff_view.selectRow(0)
            self.staff_view.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if not allowed(self.actor, Action.VIEW_OWN_EVALUATIONS):
            return
        self.own.set_rows(ce.my_evaluations(self.store, self.actor))
        self.own_view.resizeColumnsToContents()
        standard = ce.my_standard(self.store, self.actor, dt.date.today().isoformat()[:7])
        if standard is None:
            self.standard.setText("Your account is not linked to you on the staff list: ask "
                                  "an administrator.")
        else:
            months = ", ".join(f"{m}: {_percent(s) or 'none'}"
                               for m, s in zip(standard.months, standard.month_means,
                                               strict=True))
            verdict = "You meet" if standard.meets else "You do not yet meet"
            self.standard.setText(f"{verdict} the standard for progression "
                                  f"({standard.threshold:.0%} in each month). {months}.")
        if self.own.rowCount() and not self.own_view.selectionModel().hasSelection():
            self.own_view.selectRow(0)
        self.own_view.setFocus(Qt.FocusReason.OtherFocusReason)
