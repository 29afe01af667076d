"""Summary & export: the month's scorecard (tiles, a table, two charts) and the Excel export.

It reads the same MonthlySummary the workbook is written from, so the two always agree.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QSize, Qt
from PySide6.QtGui import QKeySequence, QPainter, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qos.errors import QosError
from qos.months import recent_months
from qos.roles import Action, Actor, allowed
from qos.routine_headlines import routine_headlines
from qos.store import reference
from qos.store.core import Store
from qos.store.exports import export_summary
from qos.store.summary_data import (
    FIGURES_BEHIND,
    callbacks_behind,
    monthly_summary,
    templates_in_use,
)
from qos.summary import (
    HEADLINE,
    MonthlySummary,
    Rate,
    UnitSummary,
    catalogue,
    checks_made_name,
    checks_made_text,
    month_name,
    sample_called_name,
    sample_called_text,
)
from ui.saved_file_notice import SavedFileNotice
from ui.style import set_role
from ui.table_model import RowsModel
from ui.widgets import (
    fit_columns,
    fit_to_screen,
    focus_table,
    hint_label,
    scrolling,
    show_error,
    shrinkable,
    table_view,
    title_label,
)
from ui.workers import BackgroundJob, NewestAnswer

MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
RAG_COLOURS = {"Green": "#1b6e20", "Amber": "#9c6500", "Red": "#a40000"}


def pct(rate: Rate) -> str:
    if not rate.reportable:
        return f"too few to report (n={rate.valid})"
    return f"{rate.rate:.0%} ({rate.low:.0%}-{rate.high:.0%}, n={rate.valid})"


def change_mark(unit: UnitSummary) -> str:
    """Only a significant change gets an arrow; anything else is called 'no real change'."""
    figure = unit.driver("whole_experience")
    if not figure.month.reportable:
        return "too few answers"
    if not figure.vs_year_ago.against.reportable:
        return "no figures a year ago"
    if not figure.vs_year_ago.significant:
        return "no real change"
    points = figure.vs_year_ago.test.difference * 100
    return f"{'▲' if points > 0 else '▼'} {points:+.0f} pts (significant)"


def grade_text(unit: UnitSummary) -> str:
    """The headline driver's grade, with why, in plain words."""
    graded = unit.grade_for(HEADLINE)
    return f"{graded.grade}: {graded.reason}" if graded.reason else graded.grade


def grades_text(unit: UnitSummary) -> str:
    """Every driver's grade, grouped by what it was judged on."""
    by_basis: dict[str, list[str]] = {}
    for g in unit.grades:
        by_basis.setdefault(g.basis, []).append(f"{g.label} {g.grade.lower()}")
    # The basis keeps its own capitals: lower-casing it turned "QoS checks" into "qoS checks".
    return f"Grades for {unit.code}. " + " ".join(
        f"{basis}: {', '.join(items)}." for basis, items in by_basis.items())


class Tile(QFrame):
    def __init__(self, caption: str) -> None:
        super().__init__()
        set_role(self, "tile")
        self.value = QLabel("-")
        set_role(self.value, "tile-value")
        self.value.setWordWrap(True)  # a long word must not widen the window
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        self.caption = caption_label = QLabel(caption)
        caption_label.setStyleSheet("font-weight: 600;")
        caption_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(caption_label)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        self.setAccessibleName(caption)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Each label as tall as its wrapped text at the width it got: the tile row's height
        # was worked out at slightly other widths, and at 1280x720 the longest detail lost
        # its last line under the next widget.
        super().resizeEvent(event)
        for label in (self.caption, self.value, self.detail):
            label.setMinimumHeight(max(0, label.heightForWidth(label.width())))

    def show_figure(self, value: str, detail: str, colour: str | None = None) -> None:
        self.value.setText(value)
        self.value.setStyleSheet(f"color: {colour};" if colour else "")
        self.detail.setText(detail)
        self.setAccessibleDescription(f"{value}. {detail}")


class RecordsDialog(QDialog):
    """The call-backs behind a figure: references and answers, no names or phone numbers.
    Answers are shown by the driver they measure, whichever template version asked them."""

    def __init__(self, rows: list[dict[str, Any]], title: str, drivers: dict[str, str],
                 declared: Any = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        fit_to_screen(self, 1000, 560)
        for row in rows:
            answers = json.loads(row["answers"])
            keys = declared.declared(row.get("template_version")) if declared else {}
            for key, value in answers.items():
                measures, figure = keys.get(key, ("driver" if key in drivers else "", key))
                if measures == "driver":
                    row[f"driver:{figure}"] = value
        self.model = RowsModel([("crime_ref", "Crime"), ("unit_code", "Unit"),
                                ("call_date", "Called"), ("outcome", "Outcome")]
                               + [(f"driver:{k}", v) for k, v in drivers.items()]
                               + [("ethnicity", "Ethnicity"), ("source", "Source")], self)
        self.model.set_rows(rows)
        view = table_view(self.model, "Records behind the figure")
        fit_columns(view)
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label("Answers: 1 completely satisfied ... 7 completely "
                                    "dissatisfied, 0 don't know."))
        layout.addWidget(view)


class _AsksLeastHeight(QTabWidget):
    """Takes the space left under the tiles: it asks only for its least height (the charts'),
    not the charts' preferred 480 pixels, which made the page scroll."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.minimumSizeHint().height())


class SummaryPage(QWidget):
    title = "Summary & export"

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.summary: MonthlySummary | None = None
        self.figures = NewestAnswer(self, store)
        self.export_job: BackgroundJob | None = None
        self.export_notice: SavedFileNotice | None = None
        self.month = QComboBox()
        self.month.setAccessibleName("Month")
        self.month.addItems(recent_months()[1:])  # complete months only
        self.unit = shrinkable(QComboBox())
        self.unit.setAccessibleName("Unit shown in the tiles and trend")
        self.unit.addItem("Whole force", None)
        for unit in reference.list_units(store, self.actor):
            self.unit.addItem(f"{unit['code']} - {unit['name']}", unit["id"])
        self.month.currentIndexChanged.connect(lambda _: self.refresh())
        self.unit.currentIndexChanged.connect(lambda _: self.show_unit())
        self.export_button = QPushButton("&Export to Excel...")
        set_role(self.export_button, "primary")
        self.export_button.setAccessibleName("Export to Excel")
        self.export_button.clicked.connect(self.choose_export)
        self.export_button.setVisible(allowed(actor, Action.EXPORT_SUMMARY))
        QShortcut(QKeySequence("Ctrl+E"), self, activated=self.choose_export)
        bar = QHBoxLayout()
        for text, widget in (("&Month:", self.month), ("&Unit:", self.unit)):
            label = QLabel(text)
            label.setBuddy(widget)
            bar.addWidget(label)
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.export_button)

        self.tiles = {key: Tile(caption) for key, caption in (
            ("checks", "Checks made in the month"), ("satisfied", "Whole experience: satisfied"),
            ("change", "Change on a year ago"), ("code", "Victims' Code met (victims)"),
            ("debriefs", "Debriefs outstanding"), ("doorstep", "Doorstep cards (postal)"))}
        tiles = self.tile_grid = QGridLayout()
        for tile in self.tiles.values():
            # Equal widths whatever the text: the size hint is ignored across.
            tile.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.tile_columns = 0
        self._arrange_tiles(len(self.tiles))

        self.table = RowsModel([
            ("code", "Unit"), ("completed", "Checks made in the month"), ("target", "Target"),
            ("rag", "RAG"), ("sample", "The month's sample: called so far"),
            ("satisfied", "Whole experience satisfied (95% interval)"),
            ("grade", "Whole experience grade"),
            ("change", "On a year ago"), ("vs_rest", "Against rest of force"),
            ("code_met", "Victims' Code met (victims)"),
            ("debriefs", "Debriefs outstanding")], self)
        self.view = table_view(self.table, "Units this month")
        self.view.doubleClicked.connect(
            lambda index: self.show_records(index.row(), self._figure_at(index.column())))
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.view,
                  activated=lambda: self.show_records(
                      self.view.currentIndex().row(),
                      self._figure_at(self.view.currentIndex().column())),
                  context=Qt.ShortcutContext.WidgetShortcut)

        self.completion_chart = QChartView()
        self.completion_chart.setAccessibleName("Checks completed against target by unit")
        self.trend_chart = QChartView()
        self.trend_chart.setAccessibleName("Whole-experience satisfaction, last 12 months")
        for chart in (self.completion_chart, self.trend_chart):
            chart.setRenderHint(QPainter.RenderHint.Antialiasing)
            chart.setMinimumHeight(190)
        charts = QWidget()
        charts_row = QHBoxLayout(charts)
        charts_row.setContentsMargins(0, 0, 0, 0)
        charts_row.addWidget(self.completion_chart)
        charts_row.addWidget(self.trend_chart)

        layout = QVBoxLayout(self)
        layout.addWidget(title_label("Monthly compliance summary"))
        layout.addLayout(bar)
        layout.addLayout(tiles)
        self.grades = hint_label("")
        self.grades.setAccessibleName("Grades per driver")
        layout.addWidget(self.grades)
        layout.addWidget(hint_label(
            "Double-click a figure (or press Enter on it) to see exactly the call-backs it "
            "counts. Arrows mark only significant changes (after adjusting for the month's "
            "many comparisons); grades follow HMIC's meets / exceeds / fails rule."))
        # The newer routines' headlines (force-wide, as their workbook sheets total them).
        self.routines = QLabel("")
        self.routines.setWordWrap(True)
        self.routines.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.routines.setAccessibleName("Other routines this month")
        self.routines.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.routines.setContentsMargins(8, 6, 8, 6)  # off the tab's frame
        # The table, the charts and the other routines one at a time, under the tiles: all
        # three below each other made the page 250 pixels taller than a 1366x768 screen.
        self.lower = _AsksLeastHeight()
        self.lower.addTab(self.view, "&Table by unit")
        self.lower.addTab(charts, "&Charts")
        self.lower.addTab(scrolling(self.routines, framed=False), "Other &routines")
        layout.addWidget(self.lower, 1)

    def _arrange_tiles(self, columns: int) -> None:
        """One row of six tiles, or two rows of three when the page is narrow (a small
        screen, or large text), so no caption is cut short."""
        if columns == self.tile_columns:
            return
        for tile in self.tiles.values():
            self.tile_grid.removeWidget(tile)
        for n, tile in enumerate(self.tiles.values()):
            self.tile_grid.addWidget(tile, n // columns, n % columns)
        for column in range(len(self.tiles)):
            self.tile_grid.setColumnStretch(column, 1 if column < columns else 0)
        self.tile_columns = columns

    def resizeEvent(self, event: QResizeEvent) -> None:
        wide_enough = self.width() >= len(self.tiles) * self.fontMetrics().averageCharWidth() * 19
        self._arrange_tiles(len(self.tiles) if wide_enough else len(self.tiles) // 2)
        super().resizeEvent(event)

    # -- figures ---------------------------------------------------------------------------
    def focus_main_work(self) -> None:
        focus_table(self.view)

    def refresh(self) -> None:
        """Figures worked out on a worker thread: a month at force scale takes a fifth of a
        second, and after a large import the Victims' Code deadlines are caught up first."""
        month, actor = self.month.currentText(), self.actor
        self.figures.ask(lambda store, progress: monthly_summary(store, actor, month),
                         self._show,
                         lambda exc: show_error(self, exc, "Cannot compute the summary"))

    @property
    def job(self) -> BackgroundJob | None:
        """The figures being worked out, if any."""
        return self.figures.job

    def _show(self, summary: MonthlySummary) -> None:
        self.summary = summary
        month = summary.month
        names = {"completed": checks_made_name(month), "sample": sample_called_name(month)}
        self.table.columns = [(key, names.get(key, header)) for key, header in self.table.columns]
        rows = []
        for unit in [*self.summary.units, self.summary.force]:
            whole = unit.driver(HEADLINE)
            vs_rest = whole.vs_rest_of_force
            rows.append({
                "unit_id": unit.unit_id, "code": unit.code, "completed": unit.completed,
                "target": unit.target, "rag": unit.rag,
                "sample": f"{unit.sample.called} of {unit.sample.size}",
                "satisfied": pct(whole.month), "grade": grade_text(unit),
                "change": change_mark(unit),
                "vs_rest": "" if vs_rest is None else (
                    ("significantly " + ("above" if vs_rest.test.difference > 0 else "below"))
                    if vs_rest.significant else "no real difference"),
                "code_met": pct(unit.victims_code_overall),
                "debriefs": unit.debriefs.outstanding})
        self.table.set_rows(rows)
        fit_columns(self.view)
        self._completion_chart()
        self._show_routines(summary)
        self.show_unit()

    def _show_routines(self, summary: MonthlySummary) -> None:
        lines = routine_headlines(summary.routines)
        self.lower.setTabVisible(2, bool(lines))
        self.routines.setText("\n".join(["Other routines this month (whole force):"] + [
            f"{h.routine}: {h.figure} ({h.detail})" for h in lines]) if lines else "")

    def current_unit(self) -> UnitSummary | None:
        if self.summary is None:
            return None
        unit_id = self.unit.currentData()
        if unit_id is None:
            return self.summary.force
        return next((u for u in self.summary.units if u.unit_id == unit_id), None)

    def show_unit(self) -> None:
        unit = self.current_unit()
        if unit is None:
            return
        month = self.summary.month if self.summary else ""
        self.tiles["checks"].caption.setText(checks_made_name(month))
        self.tiles["checks"].show_figure(
            f"{unit.completed} of {unit.target}", f"{unit.rag}: {unit.attempts} call attempts, "
            f"{unit.declined} declined, {unit.unreachable} unreachable. "
            + sample_called_text(month, unit.sample.called, unit.sample.size) + ".",
            RAG_COLOURS.get(unit.rag))
        self.tiles["checks"].setAccessibleDescription(
            checks_made_text(month, unit.completed, unit.target))
        whole = unit.driver(HEADLINE).month
        detail = (f"95% interval {whole.low:.0%} to {whole.high:.0%}, {whole.valid} answers"
                  if whole.reportable else f"only {whole.valid} answers")
        value = f"{whole.rate:.0%}" if whole.reportable else "too few"
        if unit.unit_id is None and self.summary is not None:
            weighted = self.summary.weighted(HEADLINE).weighted
            if weighted.strata_used and whole.reportable:
                value = f"{weighted.estimate:.0%}"
                detail = (f"Weighted by each unit's eligible victims: 95% interval "
                          f"{weighted.low:.0%} to {weighted.high:.0%}. Unweighted: "
                          f"{whole.hits} of {whole.valid} ({whole.rate:.0%}).")
        # The grade's why stays in the table's grade column (and the tile's tooltip): in
        # the tile it took five lines, and the page then scrolled at 1366x768.
        satisfied = self.tiles["satisfied"]
        satisfied.show_figure(value, f"{detail} Grade: {unit.grade_for(HEADLINE).grade}.")
        satisfied.setToolTip(f"Grade: {grade_text(unit)}.")
        satisfied.setAccessibleDescription(f"{value}. {detail} Grade: {grade_text(unit)}.")
        mark = change_mark(unit)
        significant = mark[0] in "▲▼"
        self.tiles["change"].show_figure(
            mark if significant else "none shown",
            "Against the same month a year earlier." if significant else
            f"{mark[0].upper()}{mark[1:]}. Only a significant change is shown.")
        code = unit.victims_code_overall
        self.tiles["code"].show_figure(f"{code.rate:.0%}" if code.reportable else "too few",
                                       f"{code.hits} of {code.valid} victims had every "
                                       "applicable item met")
        self.tiles["debriefs"].show_figure(
            str(unit.debriefs.outstanding), f"{unit.debriefs.overdue} overdue; oldest "
            f"{unit.debriefs.oldest_outstanding_days} days")
        door = unit.doorstep
        overall = next((q.rate for q in door.questions if q.key == "overall"), None)
        self.tiles["doorstep"].show_figure(
            f"{door.received} back",
            (f"{door.returned_of_left} of {door.left_with_victims} left with victims this "
             "month returned so far. " if door.left_with_victims else
             f"{door.returned_of_issued} of {door.issued} issued to officers this month "
             "returned so far. " if door.issued else "No cards issued this month. ")
            + (f"Satisfied overall: {overall.rate:.0%} of {overall.valid}."
               if overall and overall.reportable else "Too few cards for a percentage."))
        self.grades.setText(grades_text(unit))
        self._trend_chart(unit)
        # Lay the page out for the tiles' new texts now, not some events later: the page's
        # layout kept each tile's height for its old text until the tile's own layout ran.
        for tile in self.tiles.values():
            tile.updateGeometry()
        self.layout().activate()

    def _completion_chart(self) -> None:
        assert self.summary is not None
        chart = QChart()
        chart.setTitle("Checks completed against target")
        done, target = QBarSet("Completed"), QBarSet("Target")
        for unit in self.summary.units:
            done.append(unit.completed)
            target.append(unit.target)
        series = QBarSeries()
        series.append(done)
        series.append(target)
        chart.addSeries(series)
        axis_x = QBarCategoryAxis()
        axis_x.append([u.code for u in self.summary.units])
        axis_y = QValueAxis()
        units = self.summary.units
        # Four ticks at most: more overlap in a chart this small and Qt drops some labels.
        top, step = count_axis(max([u.target for u in units] + [u.completed for u in units]),
                               most_ticks=4)
        axis_y.setRange(0, top)
        axis_y.setTickCount(top // step + 1)  # whole-number ticks, evenly spaced
        axis_y.setLabelFormat("%d")
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)
        _chart_fonts(chart)
        self.completion_chart.setChart(chart)

    def _trend_chart(self, unit: UnitSummary) -> None:
        chart = QChart()
        chart.setTitle(f"Whole experience satisfied: {unit.code}, 12 months")
        series = QLineSeries()
        series.setName("% satisfied (months with enough answers)")
        labels = []
        for i, (month, rate) in enumerate(unit.trend):
            labels.append(MONTH_NAMES[int(month[5:7]) - 1])
            if rate.reportable and not math.isnan(rate.rate):
                series.append(i, rate.rate * 100)
        chart.addSeries(series)
        axis_x = QBarCategoryAxis()
        axis_x.append(labels)
        axis_y = QValueAxis()
        axis_y.setRange(0, 100)
        axis_y.setLabelFormat("%d%%")
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)
        chart.legend().hide()
        _chart_fonts(chart)
        self.trend_chart.setChart(chart)

    def _figure_at(self, column: int) -> str | None:
        """The drill-down behind a table column: the records that column's figure counts
        (debriefs have their own list on the call-backs page)."""
        key = self.table.columns[column][0] if 0 <= column < len(self.table.columns) else ""
        if key == "debriefs":
            return None
        return {"satisfied": "satisfied", "change": "satisfied", "vs_rest": "satisfied",
                "grade": "satisfied_3_months", "code_met": "code_met",
                "sample": "sample"}.get(key, "checks_made")

    def show_records(self, row: int, figure: str | None = "checks_made") -> None:
        if figure is None or row < 0 or row >= self.table.rowCount():
            return
        picked = self.table.row_at(row)
        month = self.month.currentText()
        try:  # a supervisor sees every unit's figures but only their own units' records
            rows = callbacks_behind(self.store, self.actor, picked["unit_id"], month, figure)
        except QosError as exc:
            show_error(self, exc, "Cannot show these records")
            return
        cat = catalogue(templates_in_use(self.store, self.actor, "callback"))
        self.records = RecordsDialog(
            rows, f"{picked['code']}, {month_name(month)}: {FIGURES_BEHIND[figure]}",
            cat.labels["driver"], cat, self)
        self.records.show()

    # -- export ----------------------------------------------------------------------------
    def choose_export(self) -> None:
        if not allowed(self.actor, Action.EXPORT_SUMMARY):
            return
        month = self.month.currentText()
        name, _ = QFileDialog.getSaveFileName(
            self, "Export the monthly summary", f"QoS summary {month}.xlsx",
            "Excel workbook (*.xlsx)")
        if name:
            self.export(Path(name if name.lower().endswith(".xlsx") else name + ".xlsx"))

    def export(self, path: Path) -> BackgroundJob:
        month = self.month.currentText()
        actor = self.actor
        progress = QProgressDialog("Writing the workbook...", "", 0, 0, self)
        progress.setCancelButton(None)
        progress.setWindowTitle("Export")
        progress.setMinimumDuration(300)

        def job(store: Store, report: Any) -> Path:
            return export_summary(store, actor, month, path, progress=report)

        self.export_job = BackgroundJob(self.store, job, self)
        self.export_job.progressed.connect(lambda done, total: (progress.setMaximum(total),
                                                                progress.setValue(done)))
        self.export_job.succeeded.connect(lambda target: (progress.close(),
                                                          self.exported(target)))
        self.export_job.failed.connect(lambda exc: (progress.close(),
                                                    show_error(self, exc, "Export failed")))
        self.export_button.setEnabled(False)
        self.export_job.finished.connect(lambda: self.export_button.setEnabled(True))
        self.export_job.start()
        return self.export_job

    def exported(self, target: Path) -> None:
        """Say where the workbook went, with buttons to open it (not opened unasked)."""
        self.export_notice = SavedFileNotice(target, "The monthly workbook", self)
        self.export_notice.open()


def count_axis(highest: int, most_ticks: int = 6) -> tuple[int, int]:
    """(top, step) for an axis of counts from 0: the step 1, 2 or 5 times a power of ten, the
    top a whole number of steps at or above `highest`, at most `most_ticks` ticks. (Qt's own
    nice numbers on 0-50 with five ticks gave 12.5-wide steps printed as 0, 10, 30, 50.)"""
    highest = max(highest, 1)
    power = 1
    while True:
        for multiple in (1, 2, 5):
            step = multiple * power
            top = -(-highest // step) * step  # rounded up to a whole step
            if top // step + 1 <= most_ticks:
                return top, step
        power *= 10


def _chart_fonts(chart: QChart) -> None:
    """Charts in a smaller type than the forms, so two fit side by side on a 1366 screen."""
    font = QApplication.font()
    font.setPointSizeF(max(8.0, font.pointSizeF() - 2))
    chart.setTitleFont(font)
    chart.legend().setFont(font)
    for axis in chart.axes():
        axis.setLabelsFont(font)
    chart.setMargins(QMargins(4, 4, 4, 4))
