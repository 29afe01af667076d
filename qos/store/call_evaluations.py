"""Control-room call evaluation: each staff member's monthly worklist (five calls by default),
the line manager's scores, the staff member's acknowledgement, the rolling standard for
progression, calibration between two managers, and the workbook's figures.

Control-room staff are the people (from the people import) of the units named in the
`control_room_units` setting. A signed-in control-room user sees their own evaluations
through the person their account is linked to.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from qos.call_evaluation import (
    ANSWER_LABELS,
    Standard,
    evaluation_template,
    mean_score,
    rolling_standard,
    score,
)
from qos.errors import PermissionDenied, ValidationError
from qos.months import months_back
from qos.roles import Action, Actor, require
from qos.routine_figures import BelowStandard, TeamEvaluations
from qos.settings import setting
from qos.store.core import Row, Store
from qos.store.reference import units_for


def _control_room_unit_ids(store: Store) -> list[int]:
    codes = [c.upper() for c in setting(store, "control_room_units")]
    if not codes:
        return []
    return [r["id"] for r in store.rows(
        f"SELECT id FROM units WHERE UPPER(code) IN ({', '.join('?' * len(codes))})", codes)]


def _staff(store: Store, unit_ids: list[int], person_id: int | None = None) -> list[Row]:
    if not unit_ids:
        return []
    where = f"p.unit_id IN ({', '.join('?' * len(unit_ids))}) AND p.active = 1"
    params: list[Any] = list(unit_ids)
    if person_id is not None:
        where += " AND p.id = ?"
        params.append(person_id)
    return store.rows(
        "SELECT p.id, p.staff_number, p.name, p.unit_id, u.code AS unit_code, "
        "COALESCE(m.name, 'No line manager') AS team FROM people p "
        "JOIN units u ON u.id = p.unit_id LEFT JOIN people m ON m.id = p.line_manager_id "
        f"WHERE {where} ORDER BY team, p.name, p.id", params)


def _covered_staff(store: Store, actor: Actor) -> list[int]:
    covered = {u["id"] for u in units_for(store, actor)}
    return [u for u in _control_room_unit_ids(store) if u in covered]


def _standards(store: Store, person_ids: list[int], month: str) -> dict[int, Standard]:
    months = months_back(month, int(setting(store, "call_eval_months")))
    threshold = float(setting(store, "call_eval_standard"))
    scores: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    if person_ids:
        for row in store.rows(
                "SELECT person_id, month, score FROM call_evaluations WHERE calibration_id IS "
                f"NULL AND month >= ? AND month <= ? AND person_id IN "
                f"({', '.join('?' * len(person_ids))}) ORDER BY id",
                [months[0], months[-1], *person_ids]):
            scores[row["person_id"]][row["month"]].append(row["score"])
    return {p: rolling_standard(scores[p], months, threshold) for p in person_ids}


def worklist(store: Store, actor: Actor, month: str) -> list[Row]:
    """The control-room staff this manager covers: evaluations done this month against the
    number due, and whether each meets the standard for progression."""
    require(actor, Action.EVALUATE_CALLS)
    staff = _staff(store, _covered_staff(store, actor))
    due = int(setting(store, "call_eval_per_month"))
    done = {r["person_id"]: r["n"] for r in store.rows(
        "SELECT person_id, COUNT(*) AS n FROM call_evaluations WHERE month = ? AND "
        "calibration_id IS NULL GROUP BY person_id", [month])}
    standards = _standards(store, [s["id"] for s in staff], month)
    for row in staff:
        row["done"], row["due"] = done.get(row["id"], 0), due
        standard = standards[row["id"]]
        row["months_met"] = standard.months_met
        row["meets_standard"] = standard.meets
        row["month_mean"] = standard.month_means[-1]
    # Those with most still to do first.
    staff.sort(key=lambda r: (r["done"] >= r["due"], r["team"], r["name"]))
    return staff


def _person_of(store: Store, actor: Actor) -> int | None:
    found = store.scalar("SELECT person_id FROM users WHERE id = ?", [actor.user_id])
    return int(found) if found is not None else None


def record_evaluation(store: Store, actor: Actor, person_id: int, call_ref: str,
                      call_at: dt.datetime, answers: dict[str, str], *,
                      calibration_id: int | None = None) -> int:
    """The line manager's score of one recorded call, against the newest template."""
    require(actor, Action.EVALUATE_CALLS)
    ref = call_ref.strip().upper()
    if not ref:
        raise ValidationError("Give the call's reference from the call log.")
    if call_at > dt.datetime.now():
        raise ValidationError("A call cannot be in the future.")
    template = evaluation_template()
    result = score(template, answers)
    found = _staff(store, _control_room_unit_ids(store), person_id)
    if not found:
        raise ValidationError("That person is not on the control-room staff list.")
    person = found[0]
    if calibration_id is None and person["unit_id"] not in _covered_staff(store, actor):
        raise PermissionDenied(f"{actor.display_name} does not manage that person's unit.")
    with store.write():
        if calibration_id is None and store.scalar(
                "SELECT 1 FROM call_evaluations WHERE call_ref = ? AND calibration_id IS NULL",
                [ref]):
            raise ValidationError(f"Call {ref} has already been evaluated.")
        if store.scalar("SELECT 1 FROM call_evaluations WHERE call_ref = ? AND created_by = ?",
                        [ref, actor.user_id]):
            raise ValidationError(f"You have already scored call {ref}.")
        return store.insert_record(actor, "call_evaluations", {
            "person_id": person_id, "unit_id": person["unit_id"],
            "month": call_at.strftime("%Y-%m"), "call_ref": ref,
            "call_at": call_at.isoformat(timespec="minutes"),
            "template_version": template.version,
            "answers": json.dumps(answers, sort_keys=True), "score": result,
            "calibration_id": calibration_id})


_LISTED = ("SELECT e.id, e.person_id, p.name AS staff_name, e.month, e.call_ref, e.call_at, "
           "e.score, e.template_version, e.answers, e.acknowledgement, e.ack_note, "
           "e.acknowledged_on, e.version, u.display_name AS scored_by, "
           "substr(e.created_at, 1, 10) AS scored_on FROM call_evaluations e "
           "JOIN people p ON p.id = e.person_id LEFT JOIN users u ON u.id = e.created_by ")


def evaluations_of(store: Store, actor: Actor, person_id: int) -> list[Row]:
    """A staff member's evaluations, newest call first (for their manager)."""
    require(actor, Action.EVALUATE_CALLS)
    if not _staff(store, _covered_staff(store, actor), person_id):
        raise PermissionDenied(f"{actor.display_name} does not manage that person.")
    return store.rows(_LISTED + "WHERE e.person_id = ? AND e.calibration_id IS NULL "
                      "ORDER BY e.call_at DESC", [person_id])


def my_evaluations(store: Store, actor: Actor) -> list[Row]:
    """The signed-in staff member's own evaluations (none if the account is not linked to a
    person on the staff list)."""
    require(actor, Action.VIEW_OWN_EVALUATIONS)
    person_id = _person_of(store, actor)
    if person_id is None:
        return []
    return store.rows(_LISTED + "WHERE e.person_id = ? AND e.calibration_id IS NULL "
                      "ORDER BY e.call_at DESC", [person_id])


def my_standard(store: Store, actor: Actor, month: str) -> Standard | None:
    require(actor, Action.VIEW_OWN_EVALUATIONS)
    person_id = _person_of(store, actor)
    return None if person_id is None else _standards(store, [person_id], month)[person_id]


def acknowledge(store: Store, actor: Actor, evaluation_id: int, version: int, *,
                agrees: bool, note: str = "") -> int:
    """The staff member reads their evaluation: acknowledged, or disagreed with a reason."""
    require(actor, Action.VIEW_OWN_EVALUATIONS)
    person_id = _person_of(store, actor)
    owner = store.scalar("SELECT person_id FROM call_evaluations WHERE id = ?", [evaluation_id])
    if owner is None or owner != person_id:
        raise PermissionDenied("Only the person whose call was evaluated may acknowledge it.")
    if not agrees and not note.strip():
        raise ValidationError("Say why you disagree with the evaluation.")
    return store.update_record(actor, "call_evaluations", evaluation_id, version, {
        "acknowledgement": "acknowledged" if agrees else "disagreed",
        "ack_note": note.strip() or None, "acknowledged_on": dt.date.today().isoformat()})


# -- calibration -----------------------------------------------------------------------------
def create_calibration(store: Store, actor: Actor, person_id: int, call_ref: str,
                       call_at: dt.datetime, title: str = "") -> int:
    """A recorded call for managers to score independently, to compare how they score."""
    require(actor, Action.EVALUATE_CALLS)
    if not _staff(store, _control_room_unit_ids(store), person_id):
        raise ValidationError("That person is not on the control-room staff list.")
    if not call_ref.strip():
        raise ValidationError("Give the call's reference from the call log.")
    return store.insert_record(actor, "call_calibrations", {
        "person_id": person_id, "call_ref": call_ref.strip().upper(),
        "call_at": call_at.isoformat(timespec="minutes"),
        "title": title.strip() or f"Calibration on call {call_ref.strip().upper()}"})


def list_calibrations(store: Store, actor: Actor) -> list[Row]:
    require(actor, Action.EVALUATE_CALLS)
    return store.rows(
        "SELECT c.id, c.title, c.call_ref, c.call_at, c.person_id, p.name AS staff_name, "
        "(SELECT COUNT(*) FROM call_evaluations e WHERE e.calibration_id = c.id) AS scores "
        "FROM call_calibrations c JOIN people p ON p.id = c.person_id ORDER BY c.id DESC")


def score_calibration(store: Store, actor: Actor, calibration_id: int,
                      answers: dict[str, str]) -> int:
    require(actor, Action.EVALUATE_CALLS)
    calibration = store.row("SELECT * FROM call_calibrations WHERE id = ?", [calibration_id])
    if calibration is None:
        raise ValidationError("That calibration exercise no longer exists.")
    # The calibration's own reference, so the real evaluation of the call stays possible.
    return record_evaluation(
        store, actor, calibration["person_id"], f"{calibration['call_ref']}#CAL{calibration_id}",
        dt.datetime.fromisoformat(calibration["call_at"]), answers,
        calibration_id=calibration_id)


def calibration_comparison(store: Store, actor: Actor, calibration_id: int) -> dict[str, Any]:
    """Each manager's answer item by item, the items they disagree on, and their scores."""
    require(actor, Action.EVALUATE_CALLS)
    scores = store.rows(
        "SELECT e.answers, e.score, e.template_version, u.display_name AS manager "
        "FROM call_evaluations e LEFT JOIN users u ON u.id = e.created_by "
        "WHERE e.calibration_id = ? ORDER BY e.id", [calibration_id])
    managers = [s["manager"] for s in scores]
    answers = [json.loads(s["answers"]) for s in scores]
    template = evaluation_template(scores[0]["template_version"] if scores else None)
    items = []
    for item in template.items:
        given = [a.get(item.key, "") for a in answers]
        items.append({"key": item.key, "text": item.text, "weight": item.weight,
                      "answers": [ANSWER_LABELS.get(g, "") for g in given],
                      "disagree": len(set(given)) > 1})
    return {"managers": managers, "scores": [s["score"] for s in scores], "items": items,
            "disagreements": sum(1 for i in items if i["disagree"])}


# -- the month, for the workbook -------------------------------------------------------------
def evaluation_figures(store: Store, actor: Actor,
                       month: str) -> tuple[list[TeamEvaluations], list[BelowStandard]]:
    require(actor, Action.VIEW_SUMMARY)
    staff = _staff(store, _control_room_unit_ids(store))
    due = int(setting(store, "call_eval_per_month"))
    scores: dict[int, list[float]] = defaultdict(list)
    for row in store.rows("SELECT person_id, score FROM call_evaluations WHERE month = ? "
                          "AND calibration_id IS NULL ORDER BY id", [month]):
        scores[row["person_id"]].append(row["score"])
    teams: dict[str, list[Row]] = defaultdict(list)
    for person in staff:
        teams[person["team"]].append(person)
    figures = []
    for team, people in sorted(teams.items()):
        team_scores = [s for p in people for s in scores[p["id"]]]
        figures.append(TeamEvaluations(team, len(people), due * len(people),
                                       sum(min(len(scores[p["id"]]), due) for p in people),
                                       mean_score(team_scores)))
    standards = _standards(store, [p["id"] for p in staff], month)
    below = [BelowStandard(p["name"], p["staff_number"], p["team"],
                           standards[p["id"]].months_met, len(standards[p["id"]].months),
                           standards[p["id"]].month_means[-1])
             for p in staff if not standards[p["id"]].meets]
    return figures, below
