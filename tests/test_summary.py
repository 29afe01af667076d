"""The monthly summary and its workbook, checked against figures worked out independently."""
from __future__ import annotations

import math

import openpyxl
import pytest

from qos.excel import TOO_FEW, write_summary_workbook
from qos.roles import SYSTEM
from qos.store import reference
from qos.store.summary_data import monthly_summary
from tests.factories import crime_line, import_history_text, import_lines

HEADER = "Crime reference,Unit,Call date,Outcome,Whole experience,Vc leaflet,Ethnicity\n"
NOR_OCT = [2] * 15 + [5] * 4 + [0]
NOR_OCT_ETHNICITY = ["W1"] * 12 + ["A1"] * 8
NOR_OCT_LEAFLET = ["Y"] * 18 + ["N"] * 2
NOR_LAST_OCT = [1] * 8 + [6] * 12
SOU_OCT = [3] * 30 + [4] * 6


def wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def z_test(x1: int, n1: int, x2: int, n2: int) -> float:
    pooled = (x1 + x2) / (n1 + n2)
    return (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))


@pytest.fixture
def known(store, admin):
    lines = []
    for i, (answer, ethnicity, leaflet) in enumerate(
            zip(NOR_OCT, NOR_OCT_ETHNICITY, NOR_OCT_LEAFLET, strict=True)):
        lines.append(f"NOR/A{i},NOR,{i % 28 + 1:02d}/10/2026,Completed,{answer},{leaflet},"
                     f"{ethnicity}\n")
    lines.append("NOR/D1,NOR,15/10/2026,Declined,,,\n")
    lines += [f"NOR/B{i},NOR,{i % 28 + 1:02d}/10/2025,Completed,{a},,W1\n"
              for i, a in enumerate(NOR_LAST_OCT)]
    lines += [f"SOU/C{i},SOU,{i % 28 + 1:02d}/10/2026,Completed,{a},,W1\n"
              for i, a in enumerate(SOU_OCT)]
    result = import_history_text(store, admin, HEADER + "".join(lines))
    assert result.applied and not result.bad
    return monthly_summary(store, admin, "2026-10")


def test_summary_figures_match_hand_counts(known):
    nor = next(u for u in known.units if u.code == "NOR")
    sou = next(u for u in known.units if u.code == "SOU")
    assert (nor.completed, nor.target, nor.rag, nor.declined) == (20, 50, "Red", 1)
    assert (sou.completed, sou.target, sou.rag) == (36, 40, "Amber")
    assert (known.force.completed, known.force.target, known.force.rag) == (56, 90, "Red")

    whole = nor.driver("whole_experience")
    assert (whole.month.hits, whole.month.valid) == (15, 19)  # the "don't know" is left out
    low, high = wilson(15, 19)
    assert whole.month.low == pytest.approx(low) and whole.month.high == pytest.approx(high)
    assert (whole.vs_year_ago.against.hits, whole.vs_year_ago.against.valid) == (8, 20)
    assert whole.vs_year_ago.test.z == pytest.approx(z_test(15, 19, 8, 20))
    assert whole.vs_year_ago.significant  # z is about 2.5
    assert whole.vs_rest_of_force.test.z == pytest.approx(z_test(15, 19, 30, 36))
    assert not whole.vs_rest_of_force.significant
    assert not nor.driver("arrival").month.reportable  # nobody was asked

    # Rolling 12 months is Nov 2025 - Oct 2026: last October's white answers fall outside.
    assert (nor.ethnicity.white.hits, nor.ethnicity.white.valid) == (12, 12)
    assert (nor.ethnicity.minority.hits, nor.ethnicity.minority.valid) == (3, 7)
    assert not nor.ethnicity.minority.reportable  # 7 answers < 10
    leaflet = next(i for i in nor.victims_code if i.key == "vc_leaflet")
    assert (leaflet.rate.hits, leaflet.rate.valid) == (18, 20)
    force_whole = known.force.driver("whole_experience").month
    assert (force_whole.hits, force_whole.valid) == (15 + 30, 19 + 36)


def test_workbook_carries_the_same_figures(known, tmp_path):
    path = write_summary_workbook(known, tmp_path / "summary.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Overview", "Satisfaction", "Force estimate", "Grades", "Trend",
                               "Ethnicity", "Survey groups", "Victims Code and QoSC",
                               "Victims Code timeliness", "Debriefs", "Contact bureau",
                               "Bureau satisfaction", "Mystery shopping", "Doorstep cards",
                               "Informal complaints", "Closure compliance", "Dip checks",
                               "Call evaluation", "NP comment cards",
                               "How calculated"]
    overview = book["Overview"]
    headers = [c.value for c in overview[4]]
    rows = {r[0]: dict(zip(headers, r, strict=True))
            for r in overview.iter_rows(min_row=5, values_only=True)}
    nor = rows["NOR"]
    made = "Checks made in October 2026"
    assert (nor["Target"], nor[made], nor["RAG"], nor["Declined"]) == (50, 20, "Red", 1)
    assert nor["Completion"] == pytest.approx(0.4)
    assert nor["Whole experience satisfied"] == pytest.approx(15 / 19)
    assert nor["95% low"] == pytest.approx(wilson(15, 19)[0])
    assert rows["FORCE"][made] == 56
    assert overview["F5"].number_format == "0.0%"
    assert overview.freeze_panes == "A5"
    assert {t for t in overview.tables} == {"Completion"}
    assert len(overview._charts) == 1 and len(book["Trend"]._charts) == 1
    assert overview.page_setup.orientation == "landscape"
    assert book.properties.creator == "QoS Checks"

    satisfaction = book["Satisfaction"]
    headers = [c.value for c in satisfaction[4]]
    by_key = {(r[0], r[1]): dict(zip(headers, r, strict=True))
              for r in satisfaction.iter_rows(min_row=5, values_only=True)}
    whole = by_key[("NOR", "Whole experience")]
    assert (whole["Satisfied"], whole["Answers"]) == (15, 19)
    assert whole["Year ago %"] == pytest.approx(0.4)
    assert whole["Change on year"] == pytest.approx(round((15 / 19 - 0.4) * 100, 1))
    assert whole["Significant vs year ago"] == "Yes"
    assert by_key[("NOR", "Arrival time")]["Satisfied %"] == TOO_FEW
    ethnicity = {r[0]: r for r in book["Ethnicity"].iter_rows(min_row=5, values_only=True)}
    assert ethnicity["NOR"][8] == TOO_FEW


def test_workbook_holds_no_victim_details_and_no_formulas(store, admin, tmp_path):
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    reference.edit_unit(store, admin, unit["id"], unit["version"],
                        name='=HYPERLINK("http://evil.example","Click")')
    import_lines(store, admin, [crime_line("NOR/1", "05/10/2026", phone="07700 900321")])
    path = write_summary_workbook(monthly_summary(store, admin, "2026-10"), tmp_path / "s.xlsx")
    book = openpyxl.load_workbook(path)
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert '=HYPERLINK("http://evil.example","Click")' in texts  # kept, as plain text
    assert not any("Victim NOR/1" in t or "900321" in t for t in texts)


def test_export_from_the_command_line(tmp_path, capsys, monkeypatch):
    from qos.cli import run
    from qos.demo import DEMO_PASSWORD

    monkeypatch.setenv("QOS_PASSWORD", DEMO_PASSWORD)  # the demo's administrator signs in
    db = tmp_path / "demo.db"
    assert run(["demo", "--db", str(db), "--seed", "3", "--end-month", "2026-09",
                "--months", "2"]) == 0
    out = tmp_path / "sep.xlsx"
    assert run(["export", "--user", "admin", "--db", str(db), "--month", "2026-09",
                "--out", str(out)]) == 0
    assert "written to" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    completed = [r[4] for r in book["Overview"].iter_rows(min_row=5, values_only=True)]
    assert completed[-1] == sum(completed[:-1]) > 0  # the force row adds up
    assert run(["export", "--user", "admin", "--db", str(db), "--month", "2026-09",
                "--out", str(out), "--unit", "NOPE"]) == 1
    assert "no active unit" in capsys.readouterr().err
    one = tmp_path / "nor.xlsx"
    assert run(["export", "--user", "admin", "--db", str(db), "--month", "2026-09",
                "--out", str(one), "--unit", "nor"]) == 0
    codes = [r[0] for r in openpyxl.load_workbook(one)["Overview"].iter_rows(
        min_row=5, values_only=True)]
    assert codes == ["NOR", "FORCE"]


@pytest.mark.skipif(__import__("shutil").which("libreoffice") is None,
                    reason="LibreOffice is not installed here")
def test_libreoffice_converts_the_workbook_cleanly(known, tmp_path):
    import subprocess

    path = write_summary_workbook(known, tmp_path / "summary.xlsx")
    done = subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir",
                           str(tmp_path), str(path)],
                          capture_output=True, text=True, timeout=180, check=False)
    pdf = tmp_path / "summary.pdf"
    assert done.returncode == 0 and pdf.exists() and pdf.stat().st_size > 10_000, done.stderr
