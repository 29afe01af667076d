"""One meaning per figure: the pages, the summary object and the workbook agree, and each
drill-down lists exactly the records its figure counts.

September 2026, unit NOR (target 50):
- August's sample (5 drawn): 1 check made in August, 3 made in September.
- September's sample (6 drawn): 2 checks made in September, 1 made in October.
- One check from an old spreadsheet (no sample) made in September.
So "Checks made in September 2026" = 3 + 2 + 1 = 6 of 50, while "September 2026 sample:
called so far" = 2 + 1 = 3 of 6. Whole experience: the six September checks answer 2, 2, 6, 2,
0 (don't know), 1 -> 4 satisfied of 5 answers. Victims' Code (leaflet, next steps): (Y, Y),
(Y, N), (Y, Y), (X, X), (Y, Y), (N, Y) -> 3 victims of 5 asked had every item met.
"""
from __future__ import annotations

import datetime as dt

import openpyxl
from PySide6.QtCore import Qt

from qos.excel import write_summary_workbook
from qos.store import callbacks, samples
from qos.store.summary_data import callbacks_behind, monthly_summary
from tests.factories import crime_line, import_history_text, import_lines

MONTH = "2026-09"
MADE, SAMPLE = "Checks made in September 2026", "September 2026 sample: called so far"


def _answers(whole: int, leaflet: str, steps: str) -> dict[str, object]:
    return {"whole_experience": whole, "vc_leaflet": leaflet, "vc_next_steps": steps}


def _build(store, admin) -> dict[str, list[str]]:
    store.set_setting(admin, "min_valid_n", 5)  # percentages shown on five answers, for the test
    nor = store.scalar("SELECT id FROM units WHERE code = 'NOR'")
    import_lines(store, admin, [crime_line(f"NOR/A{i}", f"{i + 1:02d}/08/2026")
                                for i in range(8)]
                 + [crime_line(f"NOR/S{i}", f"{i + 1:02d}/09/2026") for i in range(12)])
    august = samples.draw_for_month(store, admin, nor, "2026-08", size=5, seed=1)
    september = samples.draw_for_month(store, admin, nor, MONTH, size=6, seed=2)

    def items(draw_id: int) -> list[dict]:
        return [r for r in samples.list_items(store, draw_id, viewer=admin)
                if r["status"] == "to_call"]

    def call(item: dict, day: dt.date, answers: dict[str, object]) -> str:
        callbacks.record_callback(store, admin, item["id"], answers, ethnicity="W1",
                                  call_date=day)
        return item["crime_ref"]

    aug, sep = items(august), items(september)
    call(aug[0], dt.date(2026, 8, 30), _answers(6, "N", "N"))  # made in August
    made = [call(aug[1], dt.date(2026, 9, 2), _answers(2, "Y", "Y")),
            call(aug[2], dt.date(2026, 9, 3), _answers(2, "Y", "N")),
            call(aug[3], dt.date(2026, 9, 4), _answers(6, "Y", "Y")),
            call(sep[0], dt.date(2026, 9, 20), _answers(2, "X", "X")),
            call(sep[1], dt.date(2026, 9, 21), _answers(0, "Y", "Y"))]
    late = call(sep[2], dt.date(2026, 10, 5), _answers(1, "Y", "Y"))  # made in October
    history = import_history_text(
        store, admin,
        "Crime reference,Unit,Call date,Outcome,Whole experience,Vc leaflet,Vc next steps\n"
        "NOR/OLD1,NOR,25/09/2026,Completed,1,N,Y\n")
    assert history.inserted == 1
    return {"made": sorted([*made, "NOR/OLD1"]), "sample": sorted([sep[0]["crime_ref"],
                                                                     sep[1]["crime_ref"], late])}


def test_each_named_figure_agrees_on_pages_summary_and_workbook(qtbot, signed_in, store, admin, tmp_path):
    refs = _build(store, admin)
    summary = monthly_summary(store, admin, MONTH)
    nor = next(u for u in summary.units if u.code == "NOR")
    whole, code = nor.driver("whole_experience").month, nor.victims_code_overall
    # The summary object, against the hand counts above.
    assert (nor.completed, nor.target) == (6, 50)
    assert (nor.sample.called, nor.sample.size) == (3, 6)
    assert (whole.hits, whole.valid) == (4, 5)
    assert (code.hits, code.valid) == (3, 5)

    # The workbook: each figure under its own name.
    book = openpyxl.load_workbook(write_summary_workbook(summary, tmp_path / "s.xlsx"))
    sheet = book["Overview"]
    headers = [c.value for c in sheet[4]]
    row = next(dict(zip(headers, r, strict=True))
               for r in sheet.iter_rows(min_row=5, values_only=True) if r[0] == "NOR")
    assert (row[MADE], row["Target"], row[SAMPLE], row["September 2026 sample size"]) == \
        (6, 50, 3, 6)
    assert row["Whole experience satisfied"] == whole.rate == 0.8
    assert row["Victims' Code met (victims)"] == code.rate == 0.6
    assert row["Whole experience grade"] == nor.grade_for("whole_experience").grade

    # The scorecard page, month chosen with the keyboard.
    window = signed_in(store, admin)
    page = window.show_page("summary")
    qtbot.waitUntil(lambda: page.job is None, timeout=20000)
    page.month.setFocus()
    qtbot.keyClicks(page.month, MONTH)
    assert page.month.currentText() == MONTH
    qtbot.waitUntil(lambda: page.job is None and page.summary is not None
                    and page.summary.month == MONTH, timeout=20000)
    columns = dict(page.table.columns)
    assert (columns["completed"], columns["sample"]) == (MADE, SAMPLE)
    table_row = next(i for i in range(page.table.rowCount())
                     if page.table.row_at(i)["code"] == "NOR")
    shown = page.table.row_at(table_row)
    assert (shown["completed"], shown["sample"]) == (6, "3 of 6")
    assert shown["satisfied"].startswith("80% (") and shown["satisfied"].endswith("n=5)")
    assert shown["code_met"].startswith("60% (") and shown["code_met"].endswith("n=5)")
    page.unit.setCurrentIndex(page.unit.findData(nor.unit_id))
    assert page.tiles["checks"].caption.text() == MADE
    assert page.tiles["checks"].value.text() == "6 of 50"
    assert "September 2026 sample: 3 of 6 called so far" in page.tiles["checks"].detail.text()
    graded = nor.grade_for("whole_experience")
    assert f"Whole experience {graded.grade.lower()}" in page.grades.text()
    assert page.table.row_at(table_row)["grade"].startswith(graded.grade)

    # Each drill-down, opened with Enter on its cell, lists exactly the records it counts.
    keys = [k for k, _ in page.table.columns]
    with qtbot.waitActive(window):  # shortcuts reach only the active window, lost meanwhile
        window.activateWindow()
    for column, expected in (("completed", refs["made"]), ("sample", refs["sample"])):
        page.view.setFocus()
        page.view.setCurrentIndex(page.table.index(table_row, keys.index(column)))
        qtbot.keyClick(page.view, Qt.Key.Key_Return)
        listed = page.records.model
        assert sorted(listed.row_at(i)["crime_ref"] for i in range(listed.rowCount())) == expected
        page.records.close()
    satisfied = callbacks_behind(store, admin, nor.unit_id, MONTH, "satisfied")
    assert len(satisfied) == whole.valid  # the don't-know answer is not behind the figure
    # The grade reads the last 3 months (July-September): the August check joins them.
    three = callbacks_behind(store, admin, nor.unit_id, MONTH, "satisfied_3_months")
    assert len(three) == nor.driver("whole_experience").rolling3.valid == 6
    assert len(callbacks_behind(store, admin, nor.unit_id, MONTH, "code_met")) == code.valid

    # The call-backs page: progress on September's sample, under its own name.
    calls = window.show_page("callbacks")
    calls.unit.setCurrentIndex(calls.unit.findData(nor.unit_id))
    calls.month.setCurrentIndex(calls.month.findText(MONTH))
    calls.refresh()
    assert calls.progress.text() == "September 2026 sample: 3 of 6 called so far"
