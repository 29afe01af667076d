"""Control-room call evaluation (issue 19): weighted items with N/A, five a month per staff
member, acknowledgement, the rolling standard, calibration, the sheet. Figures by hand.

Template v1 weights: greeting 1, needs 2, location 3, risk 3, grading 2, reference 1,
expectations 2, courtesy 2, advice 1, closing 1 = 18 in all.
"""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from qos.call_evaluation import evaluation_template, mean_score, score
from qos.errors import PermissionDenied, ValidationError
from qos.roles import Role
from qos.store import call_evaluations as ce
from qos.store import reference, users
from tests.conftest import PASSWORD, make_user

KEYS = [i.key for i in evaluation_template(1).items]


def answers(**changes: str) -> dict[str, str]:
    return {**dict.fromkeys(KEYS, "Y"), **changes}


@pytest.fixture
def fcc(store, admin):
    unit = reference.add_unit(store, admin, "FCC", "Force Control Centre", "department")
    people = {}
    for number, name, manager in (("M1", "Mo Manager", None), ("M2", "Meg Manager", None),
                                  ("A1", "Ann Able", "M1"), ("B1", "Bob Baker", "M1"),
                                  ("C1", "Cat Cole", "M2")):
        people[number] = reference.add_person(
            store, admin, number, name, "staff", unit,
            people[manager] if manager else None)
    manager = users.actor_for(store, users.create_user(
        store, admin, "mo", "Mo Manager", Role.SUPERVISOR, PASSWORD, unit_id=unit,
        person_id=people["M1"]))
    ann = users.actor_for(store, users.create_user(
        store, admin, "ann", "Ann Able", Role.CONTROL_ROOM, PASSWORD, person_id=people["A1"]))
    return {"unit": unit, "people": people, "manager": manager, "ann": ann}


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day + "T10:00")


def test_scores_weigh_items_and_leave_out_not_applicable():
    template = evaluation_template(1)
    assert sum(i.weight for i in template.items) == 18
    # Advice not applicable (18 - 1 = 17 applied), reference not met: 16 / 17.
    assert score(template, answers(advice="X", reference="N")) == pytest.approx(16 / 17)
    assert score(template, answers(risk="N")) == pytest.approx(15 / 18)
    with pytest.raises(ValidationError, match="1 item\\(s\\) have no answer: closing"):
        score(template, {k: "Y" for k in KEYS if k != "closing"})
    with pytest.raises(ValidationError, match="At least one item must apply"):
        score(template, dict.fromkeys(KEYS, "X"))


def test_worklist_standard_acknowledgement_and_sheet(store, admin, fcc, tmp_path):
    from qos.excel import write_summary_workbook
    from qos.store.summary_data import monthly_summary

    mo, ann, people = fcc["manager"], fcc["ann"], fcc["people"]
    a, b = people["A1"], people["B1"]
    ce.record_evaluation(store, mo, a, "c-aug-1", _at("2026-08-10"), answers())  # 18/18
    ce.record_evaluation(store, mo, a, "C-SEP-1", _at("2026-09-10"), answers(closing="N"))
    ce.record_evaluation(store, mo, a, "C-OCT-1", _at("2026-10-05"),
                         answers(advice="X", reference="N"))  # 16/17
    ce.record_evaluation(store, mo, a, "C-OCT-2", _at("2026-10-06"), answers(risk="N"))  # 15/18
    ce.record_evaluation(store, mo, b, "C-OCT-3", _at("2026-10-07"),
                         answers(location="N", risk="N"))  # 12/18
    with pytest.raises(ValidationError, match="already been evaluated"):
        ce.record_evaluation(store, admin, a, "c-oct-1", _at("2026-10-05"), answers())
    work = {r["staff_number"]: r for r in ce.worklist(store, mo, "2026-10")}
    assert (work["A1"]["done"], work["A1"]["due"], work["B1"]["done"]) == (2, 5, 1)
    # Ann: August 1.0, September 17/18 = 0.944, October (16/17 + 15/18) / 2 = 0.887: all at or
    # above 85%. Bob: only October, 12/18 = 0.667.
    assert work["A1"]["meets_standard"] and work["A1"]["months_met"] == 3
    assert work["A1"]["month_mean"] == pytest.approx((16 / 17 + 15 / 18) / 2)
    assert not work["B1"]["meets_standard"] and work["B1"]["months_met"] == 0
    # The staff member sees only their own, and acknowledges or disagrees with a reason.
    mine = ce.my_evaluations(store, ann)
    assert [r["call_ref"] for r in mine] == ["C-OCT-2", "C-OCT-1", "C-SEP-1", "C-AUG-1"]
    with pytest.raises(ValidationError, match="why you disagree"):
        ce.acknowledge(store, ann, mine[0]["id"], mine[0]["version"], agrees=False)
    ce.acknowledge(store, ann, mine[0]["id"], mine[0]["version"], agrees=False,
                   note="The caller had already been risk assessed")
    ce.acknowledge(store, ann, mine[1]["id"], mine[1]["version"], agrees=True)
    states = [r["acknowledgement"] for r in ce.my_evaluations(store, ann)]
    assert states == ["disagreed", "acknowledged", "pending", "pending"]
    bobs = ce.evaluations_of(store, mo, b)[0]
    with pytest.raises(PermissionDenied, match="Only the person"):
        ce.acknowledge(store, ann, bobs["id"], bobs["version"], agrees=True)

    summary = monthly_summary(store, admin, "2026-10")
    teams = {t.team: t for t in summary.routines.call_teams}
    mos = teams["Mo Manager"]
    assert (mos.staff, mos.due, mos.done, mos.score.n) == (2, 10, 3, 3)
    # Scores 16/17, 15/18, 12/18: mean 2.441176 / 3 = 0.813725; sd 0.138300;
    # t(2 df) = 4.303: half-width 4.303 * 0.138300 / sqrt(3) = 0.343586.
    assert mos.score.mean == pytest.approx(0.813725, abs=1e-6)
    assert mos.score.low == pytest.approx(0.813725 - 0.343586, abs=1e-5)
    assert mos.score.high == 1.0  # clipped
    assert (teams["No line manager"].staff, teams["No line manager"].done) == (2, 0)
    below = [b.staff_number for b in summary.routines.below_standard]
    assert sorted(below) == ["B1", "C1", "M1", "M2"]
    book = openpyxl.load_workbook(write_summary_workbook(summary, tmp_path / "s.xlsx"))
    sheet = book["Call evaluation"]
    row = next(r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0] == "Mo Manager")
    assert row[:5] == ("Mo Manager", 2, 10, 3, 3)
    assert row[5] == pytest.approx(0.813725, abs=1e-6)


def test_calibration_shows_disagreements_item_by_item(store, admin, fcc):
    mo, people = fcc["manager"], fcc["people"]
    other = users.actor_for(store, users.create_user(
        store, admin, "meg", "Meg Manager", Role.SUPERVISOR, PASSWORD, unit_id=fcc["unit"],
        person_id=people["M2"]))
    calibration = ce.create_calibration(store, mo, people["A1"], "C-CAL-9", _at("2026-10-09"))
    ce.score_calibration(store, mo, calibration, answers())
    ce.score_calibration(store, other, calibration, answers(risk="N", advice="X"))
    with pytest.raises(ValidationError, match="already scored"):
        ce.score_calibration(store, other, calibration, answers())
    found = ce.calibration_comparison(store, mo, calibration)
    assert found["managers"] == ["Mo Manager", "Meg Manager"]
    # 18/18 against (17 - 3) / 17: risk not met, advice not applicable.
    assert found["scores"] == [pytest.approx(1.0), pytest.approx(14 / 17)]
    assert [i["key"] for i in found["items"] if i["disagree"]] == ["risk", "advice"]
    risk = next(i for i in found["items"] if i["key"] == "risk")
    assert risk["answers"] == ["Met", "Not met"]
    # Calibration scores are not the staff member's record, and the call can still be
    # evaluated for real.
    assert ce.my_evaluations(store, fcc["ann"]) == []
    ce.record_evaluation(store, mo, people["A1"], "C-CAL-9", _at("2026-10-09"), answers())


def test_only_managers_of_the_control_room_evaluate(store, admin, fcc):
    nor_sgt = make_user(store, admin, "sgt", Role.SUPERVISOR, "NOR")
    assert ce.worklist(store, nor_sgt, "2026-10") == []
    with pytest.raises(PermissionDenied, match="does not manage"):
        ce.record_evaluation(store, nor_sgt, fcc["people"]["A1"], "C1", _at("2026-10-01"),
                             answers())
    for role in (Role.CONTROL_ROOM, Role.INSPECTORATE, Role.BUREAU, Role.VOLUNTEER):
        actor = make_user(store, admin, f"x-{role.value}", role, "FCC")
        with pytest.raises(PermissionDenied):
            ce.record_evaluation(store, actor, fcc["people"]["A1"], "C2", _at("2026-10-01"),
                                 answers())
    with pytest.raises(PermissionDenied):
        ce.my_evaluations(store, fcc["manager"])  # a supervisor has no "own evaluations"
    with pytest.raises(ValidationError, match="future"):
        ce.record_evaluation(store, fcc["manager"], fcc["people"]["A1"], "C3",
                             dt.datetime.now() + dt.timedelta(hours=2), answers())


def test_mean_score_interval_by_hand():
    # 0.9 and 0.7: mean 0.8, sd sqrt(0.02) = 0.141421, t(1 df) = 12.706:
    # half-width 12.706 * 0.141421 / sqrt(2) = 1.2706 -> clipped to 0 and 1.
    two = mean_score([0.9, 0.7])
    assert (two.mean, two.low, two.high) == (pytest.approx(0.8), 0.0, 1.0)
    # Five scores 0.8, 0.9, 1.0, 0.9, 0.9: mean 0.9, sd sqrt(0.02 / 4) = 0.070711,
    # t(4 df) = 2.776: half-width 2.776 * 0.070711 / sqrt(5) = 0.087786.
    five = mean_score([0.8, 0.9, 1.0, 0.9, 0.9])
    assert five.low == pytest.approx(0.9 - 0.087786, abs=1e-5)
    assert five.high == pytest.approx(0.9 + 0.087786, abs=1e-5)
