"""Doorstep return rates on the right basis, the arrest rule for leaving cards, "How
reassured" in its own words, and void mystery-shopping visits; figures worked by hand."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from qos.errors import ValidationError
from qos.roles import SYSTEM, Role
from qos.store import crimes, doorstep, handouts, mystery, reference
from qos.store.summary_data import monthly_summary
from qos.tabular import read_csv_text
from qos.templates import load_template, parse_template
from tests.conftest import make_user
from tests.factories import crime_line, import_lines

DAY = dt.date(2026, 10, 1)


@pytest.fixture
def cards(store, admin):
    """NOR: 100 cards issued 1 Oct, 20 of them left with victims of October crimes, 8 of
    those returned, and 3 returned that were never recorded against a crime. SOU: 50 cards
    issued, none recorded against crimes, 5 returned."""
    nor = reference.unit_by_code(store, SYSTEM, "NOR")["id"]
    sou = reference.unit_by_code(store, SYSTEM, "SOU")["id"]
    import_lines(store, admin, [crime_line(f"NOR/{i}", f"{i + 1:02d}/10/2026")
                                for i in range(20)])
    doorstep.issue_batch(store, admin, 1001, 1100, DAY, nor, team="Response A",
                         template_version=2)
    doorstep.issue_batch(store, admin, 5001, 5050, DAY, sou, team="Response S",
                         template_version=2)
    for i in range(20):
        handouts.record_handout(store, admin, 1001 + i, f"NOR/{i}", DAY + dt.timedelta(days=i))
    back = [*range(1001, 1009), 1090, 1091, 1092, *range(5001, 5006)]
    for serial in back:
        doorstep.record_card(store, admin, serial, {"overall": 2}, received_on=dt.date(2026, 11, 3))
    return nor, sou


def test_return_rate_is_out_of_cards_left_with_victims_where_recorded(store, admin, cards,
                                                                      tmp_path):
    from qos.excel import write_summary_workbook

    summary = monthly_summary(store, admin, "2026-10")
    nor = next(u for u in summary.units if u.code == "NOR").doorstep
    sou = next(u for u in summary.units if u.code == "SOU").doorstep
    # NOR: 8 of the 20 left with victims came back: 8 / 20 = 40% (not 11 / 100).
    assert (nor.left_with_victims, nor.returned_of_left, nor.issued, nor.returned_of_issued) \
        == (20, 8, 100, 11)
    assert nor.basis == "left with victims" and nor.return_rate == pytest.approx(0.40)
    # SOU records no hand-outs: 5 of the 50 issued to officers, 10%, labelled as such.
    assert sou.basis == "issued to officers" and sou.return_rate == pytest.approx(0.10)
    book = openpyxl.load_workbook(write_summary_workbook(summary, tmp_path / "s.xlsx"))
    sheet = book["Doorstep cards"]
    header = next(r for r in sheet.iter_rows(min_row=1, values_only=True)
                  if r and r[0] == "Unit code")
    rows = {r[0]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=5, values_only=True)
            if r[0] in ("NOR", "SOU")}
    assert (rows["NOR"]["Return rate"], rows["NOR"]["Return rate out of cards"]) == (
        pytest.approx(0.40), "left with victims")
    assert (rows["SOU"]["Return rate"], rows["SOU"]["Return rate out of cards"]) == (
        pytest.approx(0.10), "issued to officers")
    # The page's grouping says the same, per team.
    by_team = {r["group"]: r for r in doorstep.return_rates(store, SYSTEM, "team", "2026-10",
                                                             "2026-10")}
    assert (by_team["Response A"]["left"], by_team["Response A"]["returned_of_left"],
            by_team["Response A"]["basis"]) == (20, 8, "left with victims")
    assert by_team["Response S"]["rate"] == pytest.approx(0.10)


def test_cards_are_not_left_where_someone_is_arrested(store, admin, cards):
    header = ("Crime reference,Date recorded,Unit,Offence category,Victim name,Contact phone,"
              "Officer,Suspect arrested,Doorstep card serial\n")
    result = crimes.import_crimes(store, admin, read_csv_text(header + "".join([  # noqa: FLY002
        "NOR/A,05/10/2026,NOR,Theft,A,07700900101,,,1050\n",  # left, no arrest: fine
        "NOR/B,05/10/2026,NOR,Theft,B,07700900102,,05/10/2026,1051\n",  # arrest at the time
        "NOR/C,05/10/2026,NOR,Theft,C,07700900103,,09/10/2026,1052\n",  # arrest days later
        "NOR/D,05/10/2026,NOR,Theft,D,07700900104,,,9999\n",  # never issued
        "NOR/E,05/10/2026,NOR,Theft,E,07700900105,,,1050\n",  # the same card twice
        "NOR/F,05/10/2026,NOR,Theft,F,07700900106,,,1001\n",  # left already for NOR/0
    ])), all_or_nothing=False)
    assert [str(p) for p in result.bad] == [
        ("row 3: Operation Doorstep cards are not left where someone is arrested (the "
        "inspection report, lines 395-402): crime NOR/B had an arrest on 2026-10-05"),
        "row 5: card 9999 was never issued",
        "row 6: card 1050 appears again (first at row 2)",
        "row 7: card 1001 was already left for crime NOR/0"]
    held = {r["serial"]: r["handed_out_on"] for r in store.rows(
        "SELECT serial, handed_out_on FROM card_handouts WHERE serial IN (1050, 1052)")}
    assert held == {1050: "2026-10-05", 1052: "2026-10-05"}
    with pytest.raises(ValidationError, match="not left where someone is arrested"):
        handouts.record_handout(store, admin, 1060, "NOR/C", dt.date(2026, 10, 10))


def test_how_reassured_has_its_own_answer_words():
    card = load_template("doorstep", 2)
    reassured = next(q for q in card.questions if q.key == "reassured")
    overall = next(q for q in card.questions if q.key == "overall")
    assert card.scale_for(reassured)[:3] == ("Completely reassured", "Very reassured",
                                             "Fairly reassured")
    assert card.scale_for(overall)[0] == "Completely satisfied"
    with pytest.raises(ValidationError, match="seven"):
        parse_template('{"kind": "doorstep", "version": 9, "title": "t", "sections": [{"title":'
                       ' "s", "questions": [{"key": "r", "type": "scale7", "text": "?", '
                       '"labels": ["a", "b"]}]}]}')


# -- mystery shopping ------------------------------------------------------------------------
@pytest.fixture
def visit_plan(store, admin):
    mystery.sync_scenarios(store, admin)
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    reference.add_counter(store, admin, "Northgate", unit["id"], "mon-fri 09:00-17:00")
    volunteers = [make_user(store, admin, f"vol{i}", Role.VOLUNTEER) for i in range(3)]
    mystery.plan_visits(store, admin, dt.date(2026, 10, 5), seed=1)
    return volunteers


def test_closed_outside_published_hours_is_void_and_stays_in_the_plan(store, admin,
                                                                      visit_plan):
    # A volunteer goes to a counter once in six months: two volunteers, one visit each.
    volunteer, other = [v for v in visit_plan if mystery.list_plan(store, v)][:2]
    first, second = mystery.list_plan(store, volunteer)[0], mystery.list_plan(store, other)[0]
    # Wednesday 7 October, 08:15: Northgate opens at 09:00. Closed: void.
    void_id = mystery.submit_visit(store, volunteer, first["id"],
                                   arrived_at=dt.datetime(2026, 10, 7, 8, 15),
                                   counter_open=False, waiting_minutes=None, answers={},
                                   overall=None)
    # Same day 10:30, inside the published hours, closed: a failure scoring 0.
    mystery.submit_visit(store, other, second["id"],
                         arrived_at=dt.datetime(2026, 10, 7, 10, 30), counter_open=False,
                         waiting_minutes=None, answers={}, overall=None)
    void = store.row("SELECT * FROM visits WHERE id = ?", [void_id])
    assert (void["void"], void["plan_id"], void["voided_plan_id"]) == (1, None, first["id"])
    still_planned = {p["id"] for p in mystery.list_plan(store, admin)}
    assert first["id"] in still_planned and second["id"] not in still_planned
    summary = monthly_summary(store, admin, "2026-10")
    nor = next(u for u in summary.units if u.code == "NOR").mystery
    # Done: 1 (the failure, scoring 0); void: 1, not scored; closed in hours: 1.
    assert (nor.done, nor.void, nor.closed_in_hours) == (1, 1, 1)
    assert [(name, n, share) for name, n, share in nor.by_counter] == [("Northgate", 1, 0.0)]
    findings = mystery.counter_findings(store, admin, first["counter_id"])
    assert [(f["void"], f["closed_in_hours"]) for f in findings] == [(True, False),
                                                                    (False, True)]
    # The visit is made again later and counts then.
    mystery.submit_visit(store, volunteer, first["id"],
                         arrived_at=dt.datetime(2026, 10, 8, 11, 0), counter_open=True,
                         waiting_minutes=1,
                         answers={i["key"]: "Y" for i in next(
                             s for s in mystery.list_scenarios(store, SYSTEM)
                             if s["id"] == first["scenario_id"])["items"]}, overall=1)
    nor = next(u for u in monthly_summary(store, admin, "2026-10").units
               if u.code == "NOR").mystery
    assert (nor.done, nor.void) == (2, 1)
