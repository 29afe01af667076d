from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from qos.doorstep import officer_feedback, question_rates
from qos.errors import ValidationError
from qos.excel import write_officer_feedback
from qos.roles import SYSTEM
from qos.store import doorstep, reference
from qos.store.summary_data import monthly_summary

DAY = dt.date(2026, 10, 1)


@pytest.fixture
def stock(store, admin):
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    pc = reference.add_person(store, admin, "NOR1", "PC Pat Smith", "officer", unit["id"])
    first = doorstep.issue_batch(store, admin, 1001, 1100, DAY, unit["id"], person_id=pc,
                                 template_version=1)
    second = doorstep.issue_batch(store, admin, 2001, 2050, DAY + dt.timedelta(days=3),
                                  unit["id"], team="Response Team B", template_version=2)
    return {"unit": unit, "pc": pc, "first": first, "second": second}


def test_overlapping_serials_are_refused_naming_the_batch(store, admin, stock):
    with pytest.raises(ValidationError) as refused:
        doorstep.issue_batch(store, admin, 1090, 1200, DAY, stock["unit"]["id"], team="X")
    message = str(refused.value)
    assert f"overlap batch {stock['first']}" in message and "1001-1100" in message
    assert "PC Pat Smith" in message
    with pytest.raises(ValidationError):  # wholly inside another batch
        doorstep.issue_batch(store, admin, 2010, 2020, DAY, stock["unit"]["id"], team="X")
    doorstep.issue_batch(store, admin, 1101, 1150, DAY, stock["unit"]["id"], team="X")  # touching


def test_serial_is_attributed_to_its_batch_and_design(store, admin, stock):
    batch = doorstep.check_serial(store, SYSTEM, 1050)
    assert batch["officer"] == "PC Pat Smith" and batch["unit_code"] == "NOR"
    assert batch["template_version"] == 1
    assert doorstep.check_serial(store, SYSTEM, 2001)["team"] == "Response Team B"
    with pytest.raises(ValidationError, match="never issued"):
        doorstep.check_serial(store, SYSTEM, 1500)


def test_card_entry_validation(store, admin, stock):
    when = DAY + dt.timedelta(days=10)
    doorstep.record_card(store, admin, 1001, {"overall": 1, "treatment": 2, "next_steps": "Y",
                                              "crime_number": "N"}, received_on=when)
    with pytest.raises(ValidationError, match="already entered"):
        doorstep.record_card(store, admin, 1001, {"overall": 1}, received_on=when)
    with pytest.raises(ValidationError, match="1-7"):
        doorstep.record_card(store, admin, 1002, {"overall": 8}, received_on=when)
    with pytest.raises(ValidationError, match="not a question in template version 1"):
        doorstep.record_card(store, admin, 1003, {"reassured": 1}, received_on=when)  # v2 only
    doorstep.record_card(store, admin, 2001, {"reassured": 1, "victims_code": "Y"},
                         received_on=when)  # the v2 batch asks it
    with pytest.raises(ValidationError, match="issued on"):
        doorstep.record_card(store, admin, 1004, {"overall": 1}, received_on=DAY -
                             dt.timedelta(days=1))
    versions = [r["template_version"] for r in store.rows(
        "SELECT template_version FROM doorstep_cards ORDER BY serial")]
    assert versions == [1, 2]


def test_return_rates_and_lag(store, admin, stock):
    for serial, lag in ((1001, 5), (1002, 9), (1003, 20), (2001, 4)):
        doorstep.record_card(store, admin, serial, {}, received_on=DAY + dt.timedelta(days=lag))
    by_officer = {r["group"]: r for r in doorstep.return_rates(store, SYSTEM, "officer", "2026-10",
                                                                "2026-10")}
    pat = by_officer["PC Pat Smith (NOR1)"]
    assert (pat["issued"], pat["returned"], pat["median_lag_days"]) == (100, 3, 9)
    assert pat["rate"] == pytest.approx(0.03)
    team = by_officer["Team Response Team B"]
    assert (team["issued"], team["returned"], team["median_lag_days"]) == (50, 1, 1)
    [unit] = doorstep.return_rates(store, SYSTEM, "unit", "2026-10", "2026-10")
    assert (unit["issued"], unit["returned"]) == (150, 4)
    assert doorstep.return_rates(store, SYSTEM, "unit", "2026-11", "2026-11") == []


def test_question_rates_leave_out_blanks_and_dont_knows():
    rates = {r.key: r.rate for r in question_rates(
        [{"overall": 1}, {"overall": 5}, {"overall": 0}, {"overall": 3, "next_steps": "N"}],
        min_n=2)}
    assert (rates["overall"].hits, rates["overall"].valid) == (2, 3)
    assert (rates["next_steps"].hits, rates["next_steps"].valid) == (0, 1)
    assert not rates["next_steps"].reportable


def test_officer_feedback_sheet_shows_no_percentages_on_few_cards(store, admin, stock, tmp_path):
    for serial in (1001, 1002, 1003):
        doorstep.record_card(store, admin, serial, {"overall": 2}, received_on=DAY,
                             comments=f"Card {serial}: very kind =SUM(A1)")
    cards = doorstep.officer_cards(store, admin, stock["pc"], DAY, DAY)
    feedback = officer_feedback(cards, "PC Pat Smith", "NOR", "2026-10-01", "2026-10-01",
                                min_cards=10)
    assert feedback.cards == 3 and not feedback.enough_cards
    path = write_officer_feedback(feedback, tmp_path / "pat.xlsx")
    sheet = openpyxl.load_workbook(path).active
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("no percentages are shown" in t for t in texts)
    assert "2026-10-01: Card 1001: very kind =SUM(A1)" in texts
    assert not any(isinstance(c.value, float) for row in sheet.iter_rows() for c in row)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_monthly_summary_gains_a_separate_doorstep_series(store, admin, stock):
    for serial in range(1001, 1013):
        doorstep.record_card(store, admin, serial, {"overall": 1 if serial < 1010 else 6},
                             received_on=DAY + dt.timedelta(days=7))
    summary = monthly_summary(store, admin, "2026-10")
    nor = next(u for u in summary.units if u.code == "NOR")
    assert (nor.doorstep.issued, nor.doorstep.returned_of_issued, nor.doorstep.received) == \
        (150, 12, 12)
    overall = next(q for q in nor.doorstep.questions if q.key == "overall").rate
    assert (overall.hits, overall.valid) == (9, 12)
    # never pooled with the telephone series
    assert nor.driver("whole_experience").month.valid == 0


def test_serial_is_complete_only_when_no_longer_serial_could_follow(store, admin, stock):
    assert doorstep.serial_is_complete(store, SYSTEM, "1001")
    assert not doorstep.serial_is_complete(store, SYSTEM, "100")  # could be 1001 to 1009 yet
    assert not doorstep.serial_is_complete(store, SYSTEM, "9999")  # never issued
    unit = stock["unit"]
    doorstep.issue_batch(store, admin, 20011, 20020, DAY, unit["id"], team="Long serials")
    assert not doorstep.serial_is_complete(store, SYSTEM, "2001")  # 20011-20020 start with 2001
