"""The volunteer's visit form keeps work through a close, and sends in a scored visit."""
from __future__ import annotations

import datetime as dt

from qos.roles import SYSTEM, Role
from qos.store import mystery, reference
from tests.conftest import make_user
from ui.main_window import MainWindow
from ui.visit_form import VisitForm


def _setup(store, admin):
    mystery.sync_scenarios(store, admin)
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    reference.add_counter(store, admin, "Northgate", unit["id"], "mon-sun 08:00-20:00")
    vols = [make_user(store, admin, f"vol{i}", Role.VOLUNTEER) for i in range(3)]
    mystery.plan_visits(store, admin, dt.date(2026, 10, 5), seed=2)
    return vols


def test_draft_survives_closing_the_form_and_the_visit_is_sent_in(qtbot, store, admin):
    volunteer = _setup(store, admin)[0]
    window = MainWindow(store, volunteer, "Testshire Police")
    qtbot.addWidget(window)
    assert window.page_titles() == ["Mystery shopping"]
    page = window.show_page("mystery")
    plans = [page.plan.row_at(i) for i in range(page.plan.rowCount())]
    assert plans and {p["volunteer_id"] for p in plans} == {volunteer.user_id}
    plan = plans[0]

    form = VisitForm(store, volunteer, plan)
    qtbot.addWidget(form)
    form.arrived.clear()
    qtbot.keyClicks(form.arrived, "06/10/2026 10:15")
    form.waiting.setValue(4)
    first_key = form.items[0]["key"]
    form.answers[first_key].buttons()[1].setChecked(True)  # "No"
    form.improve.setPlainText("Nobody said hello")
    form.reject()  # closed without sending in (or the PC crashed after the last save)

    again = VisitForm(store, volunteer, plan)
    qtbot.addWidget(again)
    assert again.waiting.value() == 4
    assert again.arrived.date_time() == dt.datetime(2026, 10, 6, 10, 15)
    assert again.answers[first_key].checkedButton().text() == "No"
    assert again.improve.toPlainText() == "Nobody said hello"
    assert "brought back" in again.saved_note.text()

    again.send_in()
    assert "answer every item" in again.message.text()  # nothing lost: still open
    for item in again.items[1:]:
        again.answers[item["key"]].buttons()[0].setChecked(True)  # "Yes"
    again.send_in()
    assert again.submitted, again.message.text()
    visit = store.row("SELECT * FROM visits")
    weights = [float(i.get("weight", 1)) for i in again.items]
    assert visit["score"] == (sum(weights) - weights[0]) / sum(weights)
    assert store.scalar("SELECT COUNT(*) FROM visit_drafts") == 0


def test_draft_is_kept_as_the_volunteer_types(qtbot, store, admin):
    volunteer = _setup(store, admin)[1]
    plan = mystery.list_plan(store, volunteer)[0]
    form = VisitForm(store, volunteer, plan)
    qtbot.addWidget(form)
    form.went_well.setPlainText("Warm welcome")
    qtbot.waitUntil(lambda: (mystery.load_draft(store, volunteer, plan["id"]) or {})
                    .get("went_well") == "Warm welcome", timeout=3000)


def test_administrator_edits_a_scenario_in_the_app(qtbot, store, admin):
    import pytest

    from qos.errors import QosError
    from ui.pages.mystery_page import parse_checklist

    _setup(store, admin)
    window = MainWindow(store, admin, "Testshire Police")
    qtbot.addWidget(window)
    page = window.show_page("mystery")
    assert page.bank.rowCount() == 4
    assert parse_checklist("a | Greeted | 2; b | Leaflets") == [
        {"key": "a", "text": "Greeted", "weight": 2.0},
        {"key": "b", "text": "Leaflets", "weight": 1.0}]
    with pytest.raises(QosError, match="not a number"):
        parse_checklist("a | Greeted | lots")
    scenario = page.bank.row_at(0)
    mystery.edit_scenario(store, admin, scenario["id"], scenario["version"],
                          title="Lost purse", brief=scenario["brief"],
                          checklist=parse_checklist("greet | Greeted warmly | 3"))
    page.refresh()
    edited = next(page.bank.row_at(i) for i in range(page.bank.rowCount())
                  if page.bank.row_at(i)["id"] == scenario["id"])
    assert edited["title"] == "Lost purse" and edited["item_count"] == 1
