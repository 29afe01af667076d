"""The plain rows the monthly summary is computed from. No names or phone numbers leave here."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qos.months import month_bounds, shift_month
from qos.roles import Action, Actor, require, require_unit
from qos.store.core import Row, Store
from qos.store.reference import scope_sql
from qos.templates import Template, parse_template

if TYPE_CHECKING:
    from qos.summary import MonthlySummary, SummaryInputs


def callbacks_between(store: Store, actor: Actor, first_month: str, last_month: str) -> list[Row]:
    """Call-back outcomes and answers by call month: the only victim data the summary needs."""
    require(actor, Action.VIEW_SUMMARY)
    start, _ = month_bounds(first_month)
    _, end = month_bounds(last_month)
    return store.rows(
        "SELECT cb.id, cb.unit_id, substr(cb.call_date, 1, 7) AS month, cb.outcome, cb.answers, "
        "cb.ethnicity, cb.template_version, c.offence_category FROM callbacks cb "
        "LEFT JOIN crimes c ON c.crime_ref = cb.crime_ref "
        "WHERE cb.call_date >= ? AND cb.call_date < ?", [start, end])


def closed_items_in_month(store: Store, actor: Actor, month: str) -> list[Row]:
    """Sampled victims who declined or could not be reached, by the month of the last try."""
    require(actor, Action.VIEW_SUMMARY)
    start, end = month_bounds(month)
    return store.rows(
        "SELECT d.unit_id, si.status FROM sample_items si JOIN sample_draws d ON d.id = si.draw_id "
        "WHERE si.status IN ('declined', 'unreachable') AND si.last_attempt_at >= ? "
        "AND si.last_attempt_at < ?", [start, end])


def attempts_in_month(store: Store, actor: Actor, month: str) -> dict[int, int]:
    require(actor, Action.VIEW_SUMMARY)
    start, end = month_bounds(month)
    rows = store.rows(
        "SELECT d.unit_id, COUNT(*) AS n FROM call_attempts a "
        "JOIN sample_items si ON si.id = a.item_id JOIN sample_draws d ON d.id = si.draw_id "
        "WHERE a.at >= ? AND a.at < ? GROUP BY d.unit_id", [start, end])
    return {r["unit_id"]: r["n"] for r in rows}


def debriefs_for_month(store: Store, actor: Actor, month: str) -> list[Row]:
    """Debriefs raised by call-backs made up to the end of the month, with their state."""
    require(actor, Action.VIEW_SUMMARY)
    _, end = month_bounds(month)
    return store.rows(
        "SELECT d.unit_id, d.due_on, d.debriefed_on, cb.call_date FROM debriefs d "
        "JOIN callbacks cb ON cb.id = d.callback_id WHERE cb.call_date < ?", [end])


def summary_inputs(store: Store, actor: Actor, month: str) -> SummaryInputs:
    """Everything `qos.summary.build_summary` needs, read once."""
    require(actor, Action.VIEW_SUMMARY)
    from qos.settings import setting
    from qos.store.official_survey import official_figures
    from qos.summary import SummaryInputs, UnitRow

    first = shift_month(month, -26)  # rolling 3 vs the 12 before, a year back as well
    return SummaryInputs(
        force_name=setting(store, "force_name"),
        units=[UnitRow(u["id"], u["code"], u["name"], u["kind"], u["monthly_target"])
               for u in store.rows("SELECT id, code, name, kind, monthly_target FROM units "
                                   "WHERE active = 1 ORDER BY kind, code")],
        callbacks=callbacks_between(store, actor, first, month),
        templates=templates_in_use(store, actor, "callback"),
        closed_items=closed_items_in_month(store, actor, month),
        attempts=attempts_in_month(store, actor, month),
        debriefs=debriefs_for_month(store, actor, month),
        eligible=eligible_victims(store, actor, first, month),
        sample_progress=sample_progress(store, actor, month),
        bureau_answers=bureau_headline_answers(store, actor, month),
        bureau_templates=templates_in_use(store, actor, "bureau"),
        official=official_figures(store, actor),
        doorstep=doorstep_for_month(store, actor, month),
        code_duties=code_duties(store, actor, month),
        bureau=_bureau(store, actor, month),
        mystery=_mystery(store, actor, month),
    )


def templates_in_use(store: Store, actor: Actor, kind: str) -> dict[int, Template]:
    """Every version of a template kind: the installed files, and the stored copy of any
    version answers were recorded under that is no longer installed."""
    require(actor, Action.VIEW_SUMMARY)
    from qos.summary import installed_templates

    found = {r["version"]: parse_template(r["body"]) for r in store.rows(
        "SELECT version, body FROM templates WHERE kind = ?", [kind])}
    found.update(installed_templates(kind))
    return found


def eligible_victims(store: Store, actor: Actor, first_month: str,
                     last_month: str) -> dict[tuple[int, str], int]:
    """Victims eligible for each unit's monthly sample (the frame the draw was made from):
    the weights of the force's stratified estimate."""
    require(actor, Action.VIEW_SUMMARY)
    return {(r["unit_id"], r["month"]): r["population_size"] for r in store.rows(
        "SELECT unit_id, month, population_size FROM sample_draws WHERE month >= ? "
        "AND month <= ?", [first_month, last_month])}


def sample_progress(store: Store, actor: Actor, month: str) -> dict[int, tuple[int, int]]:
    """Each unit's sample for the month: its size and the checks completed from it so far."""
    require(actor, Action.VIEW_SUMMARY)
    return {r["unit_id"]: (r["size"], r["called"]) for r in store.rows(
        "SELECT d.unit_id, d.size, (SELECT COUNT(*) FROM sample_items si WHERE si.draw_id = d.id "
        "AND si.status = 'completed') AS called FROM sample_draws d WHERE d.month = ?",
        [month])}


def bureau_headline_answers(store: Store, actor: Actor, month: str) -> list[Row]:
    """The bureau's overall-satisfaction answers by unit and call month, for 12 months: read
    from the key each template version declares as its whole-experience question."""
    require(actor, Action.VIEW_SUMMARY)
    from qos.summary import HEADLINE

    start, _ = month_bounds(shift_month(month, -11))
    _, end = month_bounds(month)
    out: list[Row] = []
    for version, template in templates_in_use(store, actor, "bureau").items():
        for question in template.measuring("driver"):
            if question.figure != HEADLINE:
                continue
            out += store.rows(
                "SELECT unit_id, substr(called_at, 1, 7) AS month, template_version, "
                f"? AS key, {store.dialect.json_field('answers')} AS value, COUNT(*) AS n "
                f"FROM bureau_calls WHERE {store.dialect.no_index('status')} = 'completed' "
                "AND called_at >= ? AND called_at < ? "
                "AND template_version = ? GROUP BY unit_id, month, template_version, value",
                [question.key, store.dialect.json_key(question.key), start, end, version])
    return out


def _mystery(store: Store, actor: Actor, month: str) -> dict[str, Any]:
    from qos.store.mystery import mystery_month

    start, end = month_bounds(month)
    return mystery_month(store, actor, start, end)


def _bureau(store: Store, actor: Actor, month: str) -> dict[str, Any]:
    from qos.store.bureau import bureau_month

    start, end = month_bounds(month)
    return bureau_month(store, actor, start, end)


def code_duties(store: Store, actor: Actor, month: str,
                as_of: Any = None) -> list[dict[str, Any]]:
    """Victims' Code obligations whose event fell in the month, judged as of today: one row
    per judgement shared by `n` crimes (see `duties.with_events_between`)."""
    require(actor, Action.VIEW_SUMMARY)
    import datetime as dt

    from qos.store.duties import periodic_between, with_events_between
    from qos.victims_code import PERIODIC, PERIODIC_LABEL, editions

    today = as_of or dt.date.today()
    first, end = (dt.date.fromisoformat(day) for day in month_bounds(month))
    found = [{"unit_id": unit_id, "key": duty.rule.key, "label": duty.rule.label,
              "on_time": duty.on_time, "settled": duty.settled(today),
              "late_by": duty.late_by(today), "n": n}
             for unit_id, duty, n in with_events_between(store, actor, first, end)]
    # The summary lists the rules in the order the Code gives them (a sort, not the order
    # rows come back in, which differs between the backends' collations).
    order = {key: n for n, key in enumerate(dict.fromkeys(
        r.key for e in editions() for r in e.rules))}
    found.sort(key=lambda d: (order.get(str(d["key"]), len(order)), str(d["key"])))
    # Regular updates falling due in the month, at the frequency each victim agreed.
    return found + [{"unit_id": unit_id, "key": PERIODIC,
                     "label": f"{PERIODIC_LABEL} (at the frequency agreed with the victim)",
                     "on_time": duty.on_time, "settled": duty.settled(today),
                     "late_by": duty.late_by(today), "n": n}
                    for unit_id, duty, n in periodic_between(store, actor, first, end)]


def doorstep_for_month(store: Store, actor: Actor, month: str) -> dict[str, Any]:
    require(actor, Action.VIEW_SUMMARY)
    from qos.store.doorstep import cards_issued, cards_received

    start, end = month_bounds(month)
    returned = store.rows(
        "SELECT b.unit_id, COUNT(c.id) AS n FROM card_batches b JOIN doorstep_cards c "
        "ON c.batch_id = b.id WHERE b.issued_on >= ? AND b.issued_on < ? GROUP BY b.unit_id",
        [start, end])
    # Cards recorded against a crime (left with a victim) in the month, and of those returned.
    left = store.rows(
        "SELECT b.unit_id, COUNT(*) AS n, COUNT(c.id) AS back FROM card_handouts h "
        "JOIN card_batches b ON b.first_serial <= h.serial AND b.last_serial >= h.serial "
        "LEFT JOIN doorstep_cards c ON c.serial = h.serial "
        "WHERE h.handed_out_on >= ? AND h.handed_out_on < ? GROUP BY b.unit_id", [start, end])
    return {"received": cards_received(store, actor, start, end),
            "issued": cards_issued(store, actor, start, end),
            "returned_of_issued": {r["unit_id"]: r["n"] for r in returned},
            "left": {r["unit_id"]: r["n"] for r in left},
            "returned_of_left": {r["unit_id"]: r["back"] for r in left}}


FIGURES_BEHIND = {
    "checks_made": "checks made in the month (completed call-backs)",
    "satisfied": "checks with a whole-experience answer (don't know left out)",
    "satisfied_3_months": "checks with a whole-experience answer in the last 3 months (what "
                          "the grade reads)",
    "code_met": "checks with at least one Victims' Code question answered yes or no",
    "sample": "the month's sample: checks completed from it so far",
}


def callbacks_behind(store: Store, actor: Actor, unit_id: int | None, month: str,
                     figure: str = "checks_made") -> list[Row]:
    """The records a summary figure counts, and only those: no victim names or phone numbers.

    checks_made, satisfied(_3_months) and code_met are chosen by the summary's own counting rule
    (`qos.summary.rows_counted`); sample lists the checks completed from the month's draw.
    """
    from qos.summary import CHECKS_MADE, HEADLINE, catalogue, rows_counted

    require(actor, Action.VIEW_SUMMARY)
    if figure not in FIGURES_BEHIND:
        raise ValueError(f"no drill-down for '{figure}'")
    # Record-level: only the units the actor covers (the figures themselves are force-wide).
    if unit_id is not None:
        require_unit(actor, unit_id, "call-backs")
    scope, scope_params = scope_sql(actor, "cb.unit_id")
    clause = f"AND {scope}" + (" AND cb.unit_id = ?" if unit_id is not None else "")
    unit_params: list[Any] = [*scope_params] + ([unit_id] if unit_id is not None else [])
    columns = ("SELECT cb.id, cb.crime_ref, u.code AS unit_code, cb.call_date, cb.outcome, "
               "cb.answers, cb.ethnicity, cb.feedback, cb.source, cb.template_version, "
               "c.offence_category FROM callbacks cb JOIN units u ON u.id = cb.unit_id "
               "LEFT JOIN crimes c ON c.crime_ref = cb.crime_ref ")
    if figure == "sample":
        return store.rows(
            columns + "JOIN sample_items si ON si.id = cb.item_id JOIN sample_draws d "
            f"ON d.id = si.draw_id WHERE d.month = ? AND si.status = 'completed' {clause} "
            "ORDER BY cb.call_date, cb.crime_ref", [month, *unit_params])
    first = shift_month(month, -2) if figure == "satisfied_3_months" else month
    start, end = month_bounds(first)[0], month_bounds(month)[1]
    params: list[Any] = [start, end, *unit_params]
    rows = store.rows(columns + f"WHERE cb.call_date >= ? AND cb.call_date < ? {clause} "
                      "ORDER BY cb.call_date, cb.crime_ref", params)
    key = {"checks_made": CHECKS_MADE, "satisfied": f"driver:{HEADLINE}",
           "satisfied_3_months": f"driver:{HEADLINE}", "code_met": "victims_code_met"}[figure]
    chosen = rows_counted(key, rows, catalogue(templates_in_use(store, actor, "callback")))
    for row in chosen:
        row.pop("_answers", None)
    return chosen


def monthly_summary(store: Store, actor: Actor, month: str,
                    unit_code: str | None = None) -> MonthlySummary:
    """Read the inputs and the settings, and compute the month's `MonthlySummary`."""
    from qos.errors import ValidationError
    from qos.settings import setting
    from qos.summary import build_summary

    require(actor, Action.VIEW_SUMMARY)
    inputs = summary_inputs(store, actor, month)
    unit_ids = None
    if unit_code:
        match = [u.id for u in inputs.units if u.code.upper() == unit_code.upper()]
        if not match:
            raise ValidationError(f"There is no active unit with the code {unit_code}.")
        unit_ids = match
    summary = build_summary(inputs, month, min_n=int(setting(store, "min_valid_n")),
                            rag_green=float(setting(store, "rag_green")),
                            rag_amber=float(setting(store, "rag_amber")), unit_ids=unit_ids)
    from qos.store.routine_data import routine_figures

    summary.routines = routine_figures(store, actor, month, unit_code)
    return summary
