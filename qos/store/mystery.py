"""Mystery shopping: the scenario bank, the visit programme, visits and their drafts,
calibration exercises and per-counter findings."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from qos.clock import now_iso
from qos.errors import PermissionDenied, ValidationError
from qos.mystery import open_at, plan_quarter, score
from qos.roles import Action, Actor, Role, allowed, require, require_any
from qos.settings import setting
from qos.store.core import Row, Store, where_all
from qos.templates import scenario_bank


def sync_scenarios(store: Store, actor: Actor) -> int:
    """Load the bank's scenarios that the database does not have yet (by key)."""
    require_any(actor, Action.PLAN_VISITS, Action.RECORD_VISIT)
    bank = scenario_bank()
    held = {r["key"] for r in store.rows("SELECT key FROM scenarios")}
    missing = [s for s in bank["scenarios"] if s["key"] not in held]
    if not missing:
        return 0  # the usual case: no write, no lock
    added = 0
    with store.write():
        for scenario in missing:
            store.insert_record(actor, "scenarios", {
                "key": scenario["key"], "title": scenario["title"], "brief": scenario["brief"],
                "checklist": json.dumps(scenario["checklist"]), "bank_version": bank["version"],
                "active": 1})
            added += 1
    return added


def list_scenarios(store: Store, actor: Actor, *, include_inactive: bool = False) -> list[Row]:
    require_any(actor, Action.PLAN_VISITS, Action.RECORD_VISIT)
    rows = store.rows("SELECT * FROM scenarios " + ("" if include_inactive else
                                                    "WHERE active = 1 ") + "ORDER BY title")
    for row in rows:
        row["items"] = json.loads(row["checklist"])
        row["item_count"] = len(row["items"])
    return rows


def edit_scenario(store: Store, actor: Actor, scenario_id: int, version: int, *, title: str,
                  brief: str, checklist: list[dict[str, Any]]) -> int:
    require(actor, Action.MANAGE_REFERENCE)
    if not title.strip() or not checklist:
        raise ValidationError("A scenario needs a title and at least one checklist item.")
    for item in checklist:
        if not item.get("key") or not item.get("text") or float(item.get("weight", 1)) <= 0:
            raise ValidationError("Each checklist item needs a key, wording and a weight above 0.")
    return store.update_record(actor, "scenarios", scenario_id, version, {
        "title": title.strip(), "brief": brief.strip(), "checklist": json.dumps(checklist)})


def plan_visits(store: Store, actor: Actor, first_week: dt.date, *, seed: int = 1) -> int:
    """Plan a quarter from `first_week` (a Monday) for every active counter."""
    require(actor, Action.PLAN_VISITS)
    if first_week.weekday() != 0:
        raise ValidationError("A quarter's programme starts on a Monday.")
    counters = [r["id"] for r in store.rows("SELECT id FROM counters WHERE active = 1 ORDER BY id")]
    scenarios = [r["id"] for r in store.rows("SELECT id FROM scenarios WHERE active = 1 ORDER BY id")]
    volunteers = [r["id"] for r in store.rows(
        "SELECT id FROM users WHERE role = 'volunteer' AND active = 1 ORDER BY id")]
    if not (counters and scenarios and volunteers):
        raise ValidationError("Planning needs front counters, scenarios and volunteers.")
    history = [(r["counter_id"], r["scenario_id"], r["volunteer_id"],
                dt.date.fromisoformat(r["week_start"])) for r in store.rows(
        "SELECT counter_id, scenario_id, volunteer_id, week_start FROM visit_plan "
        "WHERE status != 'cancelled' ORDER BY id")]
    plan = plan_quarter(counters, scenarios, volunteers, first_week,
                        visits_per_counter=int(setting(store, "mystery_visits_per_counter")),
                        revisit_months=int(setting(store, "mystery_revisit_months")),
                        history=history, seed=seed)
    with store.write():
        for visit in plan:
            store.insert_record(actor, "visit_plan", {
                "counter_id": visit.counter_id, "scenario_id": visit.scenario_id,
                "volunteer_id": visit.volunteer_id, "week_start": visit.week_start.isoformat(),
                "status": "planned"}, audit_values=False)
        store.audit(actor, "plan visits", "visit_plan", None,
                    {"first_week": first_week.isoformat(), "visits": len(plan)})
    return len(plan)


def list_plan(store: Store, actor: Actor, *, status: str | None = "planned") -> list[Row]:
    """Volunteers see only their own visits; the co-ordinator sees the whole programme."""
    if not (allowed(actor, Action.RECORD_VISIT) or allowed(actor, Action.PLAN_VISITS)):
        raise PermissionDenied(f"{actor.display_name} may not see the visit programme.")
    clauses: list[str] = []
    params: list[Any] = []
    if actor.role is Role.VOLUNTEER:
        clauses.append("p.volunteer_id = ?")
        params.append(actor.user_id)
    if status:
        clauses.append("p.status = ?")
        params.append(status)
    where = where_all(clauses)
    return store.rows(
        "SELECT p.*, c.name AS counter, s.title AS scenario, s.brief, u.display_name AS "
        "volunteer FROM visit_plan p JOIN counters c ON c.id = p.counter_id "
        "JOIN scenarios s ON s.id = p.scenario_id JOIN users u ON u.id = p.volunteer_id "
        f"{where} ORDER BY p.week_start, c.name, p.id", params)


def _own_plan(store: Store, actor: Actor, plan_id: int) -> Row:
    require(actor, Action.RECORD_VISIT)
    plan = store.row("SELECT * FROM visit_plan WHERE id = ?", [plan_id])
    if plan is None:
        raise ValidationError("That visit is not in the programme.")
    if actor.role is Role.VOLUNTEER and plan["volunteer_id"] != actor.user_id:
        raise PermissionDenied("That visit belongs to another volunteer.")
    return plan


def counter_hours(store: Store, actor: Actor, plan_id: int) -> dict[str, list[str]]:
    """The published opening hours of the counter a planned visit goes to."""
    plan = _own_plan(store, actor, plan_id)
    hours: dict[str, list[str]] = json.loads(store.scalar(
        "SELECT opening_hours FROM counters WHERE id = ?", [plan["counter_id"]]))
    return hours


def save_draft(store: Store, actor: Actor, plan_id: int, body: dict[str, Any]) -> None:
    """Kept as the volunteer types, so closing the window or a crash loses nothing."""
    _own_plan(store, actor, plan_id)
    with store.write():
        store.execute("INSERT INTO visit_drafts (user_id, plan_id, body, saved_at) "
                      "VALUES (?, ?, ?, ?) ON CONFLICT(user_id, plan_id) DO UPDATE SET "
                      "body = excluded.body, saved_at = excluded.saved_at",
                      [actor.user_id, plan_id, json.dumps(body), now_iso()])


def load_draft(store: Store, actor: Actor, plan_id: int) -> dict[str, Any] | None:
    require(actor, Action.RECORD_VISIT)  # the user's own draft only (by user id)
    raw = store.scalar("SELECT body FROM visit_drafts WHERE user_id = ? AND plan_id = ?",
                       [actor.user_id, plan_id])
    return json.loads(raw) if raw else None


def submit_visit(store: Store, actor: Actor, plan_id: int, *, arrived_at: dt.datetime,
                 counter_open: bool, waiting_minutes: int | None, answers: dict[str, str],
                 overall: int | None, went_well: str = "", to_improve: str = "") -> int:
    """Record a visit. One that found the counter closed outside its published hours is
    void: kept for the record, left out of every score, and the planned visit stays open."""
    plan = _own_plan(store, actor, plan_id)
    if arrived_at > dt.datetime.now() + dt.timedelta(minutes=5):
        raise ValidationError("The time of arrival is in the future.")
    if waiting_minutes is not None and not 0 <= waiting_minutes <= 600:
        raise ValidationError("The waiting time should be between 0 and 600 minutes.")
    if overall is not None and not 1 <= overall <= 7:
        raise ValidationError("The overall impression is 1 to 7.")
    counter = store.row("SELECT opening_hours FROM counters WHERE id = ?", [plan["counter_id"]])
    scenario = store.row("SELECT checklist FROM scenarios WHERE id = ?", [plan["scenario_id"]])
    assert counter is not None and scenario is not None
    checklist = json.loads(scenario["checklist"])
    keys = {item["key"] for item in checklist}
    if counter_open:
        missing = [i["text"] for i in checklist if answers.get(i["key"]) not in ("Y", "N", "X")]
        if missing:
            raise ValidationError(f"Please answer every item, starting with: {missing[0]}")
    unknown = set(answers) - keys
    if unknown:
        raise ValidationError(f"'{min(unknown)}' is not on this scenario's checklist.")
    published = open_at(json.loads(counter["opening_hours"]), arrived_at)
    result = score(checklist, answers, published_open=published, counter_open=counter_open)
    # Closed outside its published hours: nothing was tested, so the visit is void and stays
    # in the programme to be made again. Closed inside them is a failure (scored 0).
    void = not counter_open and not published
    with store.write():
        if store.scalar("SELECT 1 FROM visits WHERE plan_id = ?", [plan_id]):
            raise ValidationError("This visit has already been sent in.")
        visit_id = store.insert_record(actor, "visits", {
            "plan_id": None if void else plan_id, "void": int(void),
            "voided_plan_id": plan_id if void else None, "counter_id": plan["counter_id"],
            "scenario_id": plan["scenario_id"], "volunteer_id": plan["volunteer_id"],
            "arrived_at": arrived_at.isoformat(timespec="minutes"),
            "counter_open": int(counter_open), "published_open": int(published),
            "waiting_minutes": waiting_minutes, "checklist": json.dumps(answers),
            "score": result.share, "overall": overall, "went_well": went_well.strip() or None,
            "to_improve": to_improve.strip() or None})
        if not void:
            store.execute("UPDATE visit_plan SET status = 'done' WHERE id = ?", [plan_id])
            store.audit(actor, "visit done", "visit_plan", plan_id)  # records its new hash
        store.execute("DELETE FROM visit_drafts WHERE plan_id = ?", [plan_id])
    return visit_id


# -- findings --------------------------------------------------------------------------------
def counter_findings(store: Store, actor: Actor, counter_id: int) -> list[Row]:
    """Every visit to a counter, oldest first: what was tested, the score, what failed."""
    require(actor, Action.PLAN_VISITS)
    rows = store.rows(
        "SELECT v.*, s.title AS scenario, s.checklist AS items FROM visits v "
        "JOIN scenarios s ON s.id = v.scenario_id WHERE v.counter_id = ? "
        "ORDER BY v.arrived_at", [counter_id])
    for row in rows:
        answers = json.loads(row["checklist"])
        items = json.loads(row.pop("items"))
        row["failed"] = [i["text"] for i in items if answers.get(i["key"]) == "N"]
        row["closed_in_hours"] = bool(row["published_open"] and not row["counter_open"])
        row["void"] = bool(row["void"])  # closed outside published hours: not scored
    return rows


def mark_fed_back(store: Store, actor: Actor, visit_id: int, version: int, on: dt.date) -> int:
    require(actor, Action.PLAN_VISITS)
    if on > dt.date.today():
        raise ValidationError("Feedback cannot be dated in the future.")
    return store.update_record(actor, "visits", visit_id, version,
                               {"fed_back_on": on.isoformat()})


# -- calibration -----------------------------------------------------------------------------
def create_calibration(store: Store, actor: Actor, scenario_id: int, title: str,
                       account: str) -> int:
    require(actor, Action.PLAN_VISITS)
    if len(account.strip()) < 20:
        raise ValidationError("Write out the account of the visit for volunteers to score.")
    return store.insert_record(actor, "calibrations", {
        "scenario_id": scenario_id, "title": title.strip() or "Calibration exercise",
        "account": account.strip()})


def list_calibrations(store: Store, actor: Actor) -> list[Row]:
    require_any(actor, Action.PLAN_VISITS, Action.RECORD_VISIT)
    return store.rows("SELECT id, title, created_at FROM calibrations ORDER BY id DESC")


def score_calibration(store: Store, actor: Actor, calibration_id: int,
                      answers: dict[str, str]) -> None:
    require(actor, Action.RECORD_VISIT)
    with store.write():
        store.execute("INSERT INTO calibration_scores (calibration_id, volunteer_id, checklist,"
                      " scored_at) VALUES (?, ?, ?, ?) ON CONFLICT(calibration_id, volunteer_id)"
                      " DO UPDATE SET checklist = excluded.checklist, scored_at = "
                      "excluded.scored_at", [calibration_id, actor.user_id,
                                             json.dumps(answers), now_iso()])
        score_id = store.scalar("SELECT id FROM calibration_scores WHERE calibration_id = ? "
                                "AND volunteer_id = ?", [calibration_id, actor.user_id])
        store.audit(actor, "calibration scored", "calibration_scores", score_id)  # its hash


def calibration_scores(store: Store, actor: Actor, calibration_id: int
                       ) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]]]:
    require(actor, Action.PLAN_VISITS)
    items = json.loads(store.scalar(
        "SELECT s.checklist FROM calibrations c JOIN scenarios s ON s.id = c.scenario_id "
        "WHERE c.id = ?", [calibration_id]))
    scores = {r["display_name"]: json.loads(r["checklist"]) for r in store.rows(
        "SELECT u.display_name, cs.checklist FROM calibration_scores cs JOIN users u "
        "ON u.id = cs.volunteer_id WHERE cs.calibration_id = ?", [calibration_id])}
    return items, scores


def mystery_month(store: Store, actor: Actor, first_day: str, end_day: str) -> dict[str, Any]:
    """Plain rows for the monthly summary."""
    require(actor, Action.VIEW_SUMMARY)
    return {
        "planned": store.rows(
            "SELECT c.unit_id, COUNT(*) AS n FROM visit_plan p JOIN counters c "
            "ON c.id = p.counter_id WHERE p.week_start >= ? AND p.week_start < ? "
            "AND p.status != 'cancelled' GROUP BY c.unit_id", [first_day, end_day]),
        "visits": store.rows(
            "SELECT c.unit_id, c.name AS counter, s.title AS scenario, v.score, "
            "v.published_open, v.counter_open, v.checklist, s.checklist AS items FROM visits v "
            "JOIN counters c ON c.id = v.counter_id JOIN scenarios s ON s.id = v.scenario_id "
            "WHERE v.arrived_at >= ? AND v.arrived_at < ? AND v.void = 0 ORDER BY v.id",
            [first_day, end_day]),
        # Visits that found the counter closed outside its published hours: back in the plan.
        "void": store.rows(
            "SELECT c.unit_id, COUNT(*) AS n FROM visits v JOIN counters c "
            "ON c.id = v.counter_id WHERE v.arrived_at >= ? AND v.arrived_at < ? "
            "AND v.void = 1 GROUP BY c.unit_id", [first_day, end_day]),
    }
