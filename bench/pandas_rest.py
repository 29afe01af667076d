"""The rest of the export baseline in pandas: every sheet our workbook has beyond the
call-back figures (trend, debriefs, Victims' Code timeliness, contact bureau, mystery
shopping, Doorstep cards), so the export race compares like with like.

Reads the same tables our store layer reads (code_duties for timeliness, as ours does) and
computes the same figures vectorised; bench/run.py checks a sample of them against ours.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any


def other_sheets(conn: sqlite3.Connection, month: str, by: Any, units: Any,
                 today: dt.date) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    from qos.months import month_bounds, months_back
    from qos.working_days import bank_holidays, years_in_file

    start, end = month_bounds(month)
    codes = dict(zip(units["id"], units["code"], strict=True))
    sheets: dict[str, pd.DataFrame] = {}

    # Trend: whole-experience satisfaction per unit, each of the last 12 months.
    months = months_back(month, 12)
    trend = by[by.index.get_level_values("month").isin(months)]
    sheets["trend"] = (trend["whole_experience_hits"] / trend["whole_experience_valid"]
                       ).unstack("month").rename(index=codes)

    # Debriefs, as at the end of the month.
    debriefs = pd.read_sql_query(
        "SELECT d.unit_id, d.due_on, d.debriefed_on, cb.call_date FROM debriefs d "
        "JOIN callbacks cb ON cb.id = d.callback_id WHERE cb.call_date < ?", conn, params=[end])
    month_end = (dt.date.fromisoformat(end) - dt.timedelta(days=1)).isoformat()
    outstanding = debriefs["debriefed_on"].isna() | (debriefs["debriefed_on"] > month_end)
    debriefs["due"] = debriefs["due_on"] <= month_end
    debriefs["done"] = ~outstanding
    debriefs["outstanding"] = outstanding
    debriefs["overdue"] = outstanding & (debriefs["due_on"] < month_end)
    debriefs["age"] = np.where(outstanding, (pd.Timestamp(month_end) - pd.to_datetime(
        debriefs["call_date"])).dt.days, 0)
    sheets["debriefs"] = debriefs.groupby("unit_id").agg(
        due=("due", "sum"), done=("done", "sum"), outstanding=("outstanding", "sum"),
        overdue=("overdue", "sum"), oldest=("age", "max")).rename(index=codes)

    # Victims' Code timeliness: deadlines whose event fell in the month, judged today.
    duties = pd.read_sql_query(
        "SELECT unit_id, rule, due_on, updated_on FROM code_duties WHERE rule != 'periodic' "
        "AND event_on >= ? AND event_on < ?", conn, params=[start, end])
    holidays = np.array(sorted(d for y in years_in_file() for d in bank_holidays(y)),
                        dtype="datetime64[D]")
    due = duties["due_on"].to_numpy(dtype="datetime64[D]")
    updated = pd.to_datetime(duties["updated_on"]).to_numpy(dtype="datetime64[D]")
    answered = ~np.isnat(updated)
    until = np.where(answered, updated, np.datetime64(today))
    duties["settled"] = answered | (np.datetime64(today) > due)
    duties["on_time"] = answered & (updated <= due)
    late = np.where(until > due, np.busday_count(due + 1, until + 1, holidays=holidays), 0)
    duties["late_by"] = np.where(duties["on_time"], np.nan, late)
    settled = duties[duties["settled"]]
    sheets["timeliness"] = settled.groupby(["unit_id", "rule"]).agg(
        settled=("settled", "sum"), on_time=("on_time", "sum"), mean_late=("late_by", "mean")
    ).rename(index=codes, level=0)

    # Contact bureau.
    calls = pd.read_sql_query(
        "SELECT unit_id, status, answers, themes FROM bureau_calls WHERE called_at >= ? "
        "AND called_at < ?", conn, params=[start, end])
    done = calls[calls["status"] == "completed"]
    answers = pd.json_normalize(done["answers"].map(json.loads).tolist()).set_index(done.index)
    checks = pd.DataFrame({"unit_id": done["unit_id"]})
    for key in answers.columns:
        checks[f"{key} no"] = (answers[key] == "N").astype(int)
        checks[f"{key} answered"] = answers[key].isin(["Y", "N"]).astype(int)
    bureau = checks.groupby("unit_id").sum()
    bureau["attempted"] = calls.groupby("unit_id").size()
    bureau["made"] = done.groupby("unit_id").size()
    for name, sql in (
            ("actions raised", ("SELECT a.unit_id, COUNT(*) AS n FROM remedial_actions a JOIN "
             "bureau_calls b ON b.id = a.bureau_call_id WHERE b.called_at >= ? AND "
             "b.called_at < ? GROUP BY a.unit_id")),
            ("actions closed", ("SELECT unit_id, COUNT(*) AS n FROM remedial_actions WHERE "
             "closed_on >= ? AND closed_on < ? GROUP BY unit_id"))):
        bureau[name] = pd.read_sql_query(sql, conn, params=[start, end]).set_index(
            "unit_id")["n"]
    themes = done.assign(theme=done["themes"].map(json.loads)).explode("theme")
    sheets["bureau"] = bureau.rename(index=codes)
    sheets["bureau themes"] = themes.groupby(["unit_id", "theme"]).size().to_frame("n")

    # Mystery shopping.
    visits = pd.read_sql_query(
        "SELECT c.unit_id, c.name AS counter, s.title AS scenario, v.score FROM visits v "
        "JOIN counters c ON c.id = v.counter_id JOIN scenarios s ON s.id = v.scenario_id "
        "WHERE v.arrived_at >= ? AND v.arrived_at < ?", conn, params=[start, end])
    sheets["mystery by counter"] = visits.groupby("counter")["score"].agg(["size", "mean"])
    sheets["mystery by scenario"] = visits.groupby("scenario")["score"].agg(["size", "mean"])

    # Doorstep cards: issued and returned in the month, and each question's rate.
    cards = pd.read_sql_query(
        "SELECT b.unit_id, c.answers FROM doorstep_cards c JOIN card_batches b "
        "ON b.id = c.batch_id WHERE c.received_on >= ? AND c.received_on < ?", conn,
        params=[start, end])
    card_answers = pd.json_normalize(cards["answers"].map(json.loads).tolist())
    door = pd.read_sql_query(
        "SELECT unit_id, SUM(last_serial - first_serial + 1) AS issued FROM card_batches "
        "WHERE issued_on >= ? AND issued_on < ? GROUP BY unit_id", conn,
        params=[start, end]).set_index("unit_id")
    door["received"] = cards.groupby("unit_id").size()
    for key in card_answers.columns:
        raw = card_answers[key]
        values = pd.to_numeric(raw, errors="coerce")
        hits = values.between(1, 3) | (raw == "Y")
        answered = values.between(1, 7) | raw.isin(["Y", "N"])
        door[f"{key} satisfied"] = hits.groupby(cards["unit_id"]).sum()
        door[f"{key} answers"] = answered.groupby(cards["unit_id"]).sum()
    sheets["doorstep"] = door.rename(index=codes)
    return sheets
