"""Mystery shopping: opening hours, scores, the planner, access, calibration."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from qos.errors import PermissionDenied, ValidationError
from qos.mystery import disagreements, open_at, plan_quarter, score
from qos.roles import SYSTEM, Role
from qos.store import mystery, reference
from tests.conftest import make_user

HOURS = {"mon": ["08:00", "20:00"], "sat": ["09:00", "17:00"]}
MONDAY = dt.date(2026, 10, 5)


@pytest.mark.parametrize("when, expected", [
    (dt.datetime(2026, 10, 5, 7, 59), False),   # a minute before opening
    (dt.datetime(2026, 10, 5, 8, 0), True),     # opening time
    (dt.datetime(2026, 10, 5, 19, 59), True),
    (dt.datetime(2026, 10, 5, 20, 0), False),   # closing time: closed
    (dt.datetime(2026, 10, 6, 12, 0), False),   # Tuesday: not published as open
    (dt.datetime(2026, 10, 10, 16, 30), True),  # Saturday
])
def test_published_opening_hours(when, expected):
    assert open_at(HOURS, when) is expected


CHECKLIST = [{"key": "a", "text": "A", "weight": 2}, {"key": "b", "text": "B", "weight": 1},
             {"key": "c", "text": "C", "weight": 3}]


def test_score_leaves_out_not_applicable_and_uses_weights():
    result = score(CHECKLIST, {"a": "Y", "b": "N", "c": "X"}, published_open=True,
                   counter_open=True)
    assert (result.met, result.applicable) == (2, 3) and result.share == pytest.approx(2 / 3)
    closed = score(CHECKLIST, {}, published_open=True, counter_open=False)
    assert closed.closed_in_hours and closed.share == 0.0
    after_hours = score(CHECKLIST, {}, published_open=False, counter_open=False)
    assert not after_hours.closed_in_hours  # closed outside its hours is no failure


def test_planner_spreads_scenarios_and_keeps_volunteers_away_from_recent_counters():
    counters, scenarios, volunteers = [1, 2, 3, 4], [10, 11, 12, 13], list(range(100, 110))
    history = [(1, 10, 100, MONDAY - dt.timedelta(days=30)),
               (1, 10, 101, MONDAY - dt.timedelta(days=250))]
    plan = plan_quarter(counters, scenarios, volunteers, MONDAY, visits_per_counter=4,
                        revisit_months=6, history=history, seed=3)
    assert len(plan) == 16
    for counter in (2, 3, 4):
        mix = [p.scenario_id for p in plan if p.counter_id == counter]
        assert len(set(mix)) == 4  # four visits, four different scenarios
    # Counter 1 met scenario 10 twice this past year: this quarter it meets the others.
    counter_1 = [p.scenario_id for p in plan if p.counter_id == 1]
    assert 10 not in counter_1 and set(counter_1) == {11, 12, 13}
    assert all(not (p.counter_id == 1 and p.volunteer_id == 100) for p in plan)
    visits = sorted(plan, key=lambda p: p.week_start)
    last: dict[tuple[int, int], dt.date] = {}
    for p in visits:
        key = (p.volunteer_id, p.counter_id)
        assert key not in last or (p.week_start - last[key]).days >= 183
        last[key] = p.week_start
    loads = Counter(p.volunteer_id for p in plan)
    assert max(loads.values()) - min(loads.values()) <= 1  # shared out evenly


def test_calibration_shows_where_volunteers_disagree():
    rows = disagreements(CHECKLIST, {"Ann": {"a": "Y", "b": "N", "c": "Y"},
                                     "Bob": {"a": "Y", "b": "Y", "c": "Y"},
                                     "Cat": {"a": "Y", "b": "Y", "c": "Y"}})
    assert [r["disagree"] for r in rows] == [False, True, False]
    assert rows[1]["agreement"] == pytest.approx(2 / 3)
    assert rows[1]["answers"] == {"Ann": "N", "Bob": "Y", "Cat": "Y"}


@pytest.fixture
def programme(store, admin):
    mystery.sync_scenarios(store, admin)
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    reference.add_counter(store, admin, "Northgate", unit["id"], "mon-fri 09:00-17:00")
    reference.add_counter(store, admin, "Riverside", unit["id"], "mon-sat 08:00-20:00")
    vols = [make_user(store, admin, f"vol{i}", Role.VOLUNTEER) for i in range(6)]
    assert mystery.plan_visits(store, admin, MONDAY, seed=1) == 10
    return vols


def test_volunteers_see_only_their_own_visits(store, admin, programme):
    for volunteer in programme:
        mine = mystery.list_plan(store, volunteer)
        assert mine and {r["volunteer_id"] for r in mine} == {volunteer.user_id}
    assert len(mystery.list_plan(store, admin)) == 10
    other = mystery.list_plan(store, programme[1])[0]
    with pytest.raises(PermissionDenied, match="another volunteer"):
        mystery.save_draft(store, programme[0], other["id"], {"x": 1})


def test_submitting_a_visit_checks_the_counter_was_open(store, admin, programme):
    volunteer = programme[0]
    plan = mystery.list_plan(store, volunteer)[0]
    items = mystery.list_scenarios(store, SYSTEM)
    checklist = next(s for s in items if s["id"] == plan["scenario_id"])["items"]
    hours_row = store.row("SELECT opening_hours FROM counters WHERE id = ?", [plan["counter_id"]])
    assert hours_row
    # Tuesday 10:30: both counters publish opening; found closed -> a failure scoring 0.
    visit_id = mystery.submit_visit(store, volunteer, plan["id"],
                                    arrived_at=dt.datetime(2026, 10, 6, 10, 30),
                                    counter_open=False, waiting_minutes=None, answers={},
                                    overall=None)
    visit = store.row("SELECT * FROM visits WHERE id = ?", [visit_id])
    assert (visit["published_open"], visit["counter_open"], visit["score"]) == (1, 0, 0.0)
    [finding] = mystery.counter_findings(store, admin, plan["counter_id"])[:1]
    assert finding["closed_in_hours"]
    second = mystery.list_plan(store, volunteer)[0]
    with pytest.raises(ValidationError, match="answer every item"):
        mystery.submit_visit(store, volunteer, second["id"],
                             arrived_at=dt.datetime(2026, 10, 6, 10, 30), counter_open=True,
                             waiting_minutes=3, answers={checklist[0]["key"]: "Y"}, overall=2)


def test_monthly_summary_gains_mystery_shopping(store, admin, programme, tmp_path):
    import openpyxl

    from qos.excel import write_summary_workbook
    from qos.store.summary_data import monthly_summary

    for volunteer in programme[:2]:
        plan = mystery.list_plan(store, volunteer)[0]
        items = next(s for s in mystery.list_scenarios(store, SYSTEM)
                     if s["id"] == plan["scenario_id"])["items"]
        answers = {i["key"]: "Y" for i in items}
        answers[items[0]["key"]] = "N"
        mystery.submit_visit(store, volunteer, plan["id"],
                             arrived_at=dt.datetime(2026, 10, 7, 11, 0), counter_open=True,
                             waiting_minutes=2, answers=answers, overall=2)
    summary = monthly_summary(store, admin, "2026-10")
    nor = next(u for u in summary.units if u.code == "NOR").mystery
    planned_in_october = store.scalar(
        "SELECT COUNT(*) FROM visit_plan WHERE week_start LIKE '2026-10%'")
    assert (nor.planned, nor.done, nor.closed_in_hours) == (planned_in_october, 2, 0)
    assert sum(n for _, n in nor.most_failed) == 2
    book = openpyxl.load_workbook(write_summary_workbook(summary, tmp_path / "s.xlsx"))
    row = next(r for r in book["Mystery shopping"].iter_rows(min_row=5, values_only=True)
               if r[0] == "NOR")
    assert row[1:4] == (planned_in_october, 2, 0)
