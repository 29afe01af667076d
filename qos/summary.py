"""The monthly compliance summary: computed once, as plain data, for every reader.

The Excel writer and the in-app scorecard both read a `MonthlySummary`. Checks are counted by
the month they were made (the call date). Percentages exclude "don't know / not applicable";
a figure on fewer answers than the minimum is marked not reportable, and a change is called
significant only when a two-proportion test says so at 95%.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from qos.months import months_back, shift_month
from qos.routine_figures import RoutineFigures
from qos.stats import Difference, two_proportion_test, wilson
from qos.templates import SATISFIED_CODES, ethnic_group

DRIVER_LABELS = {
    "ease_of_contact": "Ease of contact",
    "arrival": "Arrival time",
    "actions": "Actions taken",
    "follow_up": "Kept informed",
    "treatment": "Treatment by staff",
    "whole_experience": "Whole experience",
}
VICTIMS_CODE_ITEMS = {
    "vc_leaflet": "Given the Victims of Crime leaflet",
    "vc_next_steps": "Told what would happen next",
    "vc_kept_updated": "Kept updated as promised",
}
QOSC_ITEMS = {
    "qosc_contact_details": "Given the officer's name and contact details",
    "qosc_crime_number": "Given a crime reference number",
    "qosc_response_time": "Police arrived in the promised time",
}
HEADLINE = "whole_experience"


@dataclass(frozen=True)
class Rate:
    hits: int  # satisfied, or "yes"
    valid: int
    low: float
    high: float
    reportable: bool

    @property
    def rate(self) -> float:
        return self.hits / self.valid if self.valid else float("nan")


def make_rate(hits: int, valid: int, min_n: int) -> Rate:
    interval = wilson(hits, valid)
    return Rate(hits, valid, interval.low, interval.high, valid >= min_n)


@dataclass(frozen=True)
class Change:
    against: Rate
    test: Difference

    @property
    def significant(self) -> bool:
        return self.test.significant


@dataclass(frozen=True)
class DriverFigure:
    key: str
    label: str
    month: Rate
    vs_year_ago: Change
    vs_rest_of_force: Change | None
    rolling3: Rate
    rolling3_vs_prior12: Change
    rolling12: Rate
    rolling12_vs_prior12: Change


@dataclass(frozen=True)
class ItemRate:
    key: str
    label: str
    rate: Rate


@dataclass(frozen=True)
class EthnicityGap:
    white: Rate
    minority: Rate
    gap: float  # white minus minority, as a proportion
    significant: bool


@dataclass(frozen=True)
class Debriefs:
    due: int
    done: int
    outstanding: int
    overdue: int
    oldest_outstanding_days: int


@dataclass(frozen=True)
class TimelinessFigure:
    """One Victims' Code rule: updates made within the deadline, of those settled."""

    key: str
    label: str
    rate: Rate
    mean_late_days: float  # working days, over the late ones


@dataclass(frozen=True)
class BureauFigures:
    attempted: int  # victims the bureau tried to reach in the month
    made: int  # calls completed
    check_failures: list[ItemRate]  # per check: "no" answers of yes + no
    actions_raised: int
    actions_closed: int
    actions_overdue: int
    top_themes: list[tuple[str, int]]
    complaints: list[tuple[str, str, int]]  # kind, category, count


@dataclass(frozen=True)
class MysteryFigures:
    planned: int
    done: int
    closed_in_hours: int
    by_counter: list[tuple[str, int, float]]  # counter, visits, mean share of checklist met
    by_scenario: list[tuple[str, int, float]]
    most_failed: list[tuple[str, int]]
    void: int = 0  # found closed outside published hours: not scored, back in the plan


@dataclass(frozen=True)
class DoorstepFigures:
    issued: int  # cards issued in the month
    returned_of_issued: int  # of those, returned so far
    received: int  # cards received in the month, whatever month they were issued
    questions: list[ItemRate]
    left_with_victims: int = 0  # cards recorded against a crime in the month
    returned_of_left: int = 0  # of those, returned so far

    @property
    def basis(self) -> str:
        """What the return rate is out of: cards left with victims where the unit records
        which crime each card was left for, else the cards issued to its officers."""
        return "left with victims" if self.left_with_victims else "issued to officers"

    @property
    def return_rate(self) -> float:
        if self.left_with_victims:
            return self.returned_of_left / self.left_with_victims
        return self.returned_of_issued / self.issued if self.issued else float("nan")


@dataclass
class UnitSummary:
    unit_id: int | None  # None for the whole force
    code: str
    name: str
    kind: str
    target: int
    completed: int
    attempts: int
    declined: int
    unreachable: int
    rag: str
    drivers: list[DriverFigure]
    ethnicity: EthnicityGap
    victims_code: list[ItemRate]
    qosc: list[ItemRate]
    victims_code_overall: Rate
    qosc_overall: Rate
    debriefs: Debriefs
    trend: list[tuple[str, Rate]] = field(default_factory=list)  # headline, 12 months
    doorstep: DoorstepFigures = field(default_factory=lambda: DoorstepFigures(0, 0, 0, []))
    code_timeliness: list[TimelinessFigure] = field(default_factory=list)
    bureau: BureauFigures = field(default_factory=lambda: BureauFigures(0, 0, [], 0, 0, 0, [],
                                                                         []))
    mystery: MysteryFigures = field(default_factory=lambda: MysteryFigures(0, 0, 0, [], [], []))

    @property
    def completion(self) -> float:
        return self.completed / self.target if self.target else float("nan")

    def driver(self, key: str) -> DriverFigure:
        return next(d for d in self.drivers if d.key == key)


@dataclass
class MonthlySummary:
    force_name: str
    month: str
    generated_at: str
    min_n: int
    rag_green: float
    rag_amber: float
    units: list[UnitSummary]
    force: UnitSummary
    routines: RoutineFigures | None = None  # issue 19's routines (qos/store/routine_data.py)


_SCALE_VALID = frozenset(range(1, 8))  # 0 = don't know, left out of every denominator
_YES_NO_VALID = frozenset({"Y", "N"})
_HITS = frozenset({*SATISFIED_CODES, "Y"})


class _Tally:
    """Counts per (unit, month): satisfied/valid per driver, yes/valid per item."""

    def __init__(self) -> None:
        self.hits: dict[tuple[int, str, str], int] = defaultdict(int)
        self.valid: dict[tuple[int, str, str], int] = defaultdict(int)
        self.completed: dict[tuple[int, str], int] = defaultdict(int)
        self.outcomes: dict[tuple[int, str, str], int] = defaultdict(int)

    def add(self, row: dict[str, Any]) -> None:
        unit, month = row["unit_id"], row["month"]
        self.outcomes[(unit, month, row["outcome"])] += 1
        if row["outcome"] != "completed":
            return
        self.completed[(unit, month)] += 1
        answers = json.loads(row["answers"]) if isinstance(row["answers"], str) else row["answers"]
        hits, valid = self.hits, self.valid
        for key, value in answers.items():
            if value in _SCALE_VALID if key in DRIVER_LABELS else value in _YES_NO_VALID:
                cell = (unit, month, key)
                valid[cell] += 1
                hits[cell] += value in _HITS
        headline = answers.get(HEADLINE)
        if headline in _SCALE_VALID:
            group = ethnic_group(row.get("ethnicity"))
            if group != "not_stated":
                cell = (unit, month, f"{HEADLINE}:{group}")
                valid[cell] += 1
                hits[cell] += headline in _HITS

    def counts(self, units: Iterable[int], months: Iterable[str], key: str) -> tuple[int, int]:
        units, months = list(units), list(months)
        hits = sum(self.hits.get((u, m, key), 0) for u in units for m in months)
        valid = sum(self.valid.get((u, m, key), 0) for u in units for m in months)
        return hits, valid


def _change(tally: _Tally, units: list[int], months: list[str], other_units: list[int],
            other_months: list[str], key: str, min_n: int) -> tuple[Rate, Change]:
    hits, valid = tally.counts(units, months, key)
    other_hits, other_valid = tally.counts(other_units, other_months, key)
    rate = make_rate(hits, valid, min_n)
    return rate, Change(make_rate(other_hits, other_valid, min_n),
                        two_proportion_test(hits, valid, other_hits, other_valid))


def _rag(completed: int, target: int, green: float, amber: float) -> str:
    if not target:
        return "No target"
    share = completed / target
    return "Green" if share >= green else "Amber" if share >= amber else "Red"


def _debriefs(rows: list[dict[str, Any]], month_end: dt.date) -> Debriefs:
    end = month_end.isoformat()
    due = [r for r in rows if r["due_on"] <= end]
    done = [r for r in rows if r["debriefed_on"] and r["debriefed_on"] <= end]
    outstanding = [r for r in rows if not r["debriefed_on"] or r["debriefed_on"] > end]
    overdue = [r for r in outstanding if r["due_on"] < end]
    ages = [(month_end - dt.date.fromisoformat(r["call_date"])).days for r in outstanding]
    return Debriefs(len(due), len(done), len(outstanding), len(overdue), max(ages, default=0))


def _parsed(row: dict[str, Any], *fields: str) -> tuple[Any, ...]:
    """JSON columns decoded once per row, however many units (and the force) read it."""
    cache = row.get("_parsed")
    if cache is None:
        cache = row["_parsed"] = tuple(json.loads(row[f]) for f in fields)
    return cache  # type: ignore[no-any-return]


def _mystery_figures(inputs: dict[str, Any], ids: list[int]) -> MysteryFigures:
    from collections import Counter

    data = inputs.get("mystery") or {}
    visits = [v for v in data.get("visits", []) if v["unit_id"] in ids]
    planned = sum(r["n"] for r in data.get("planned", []) if r["unit_id"] in ids)

    def mean_by(field_name: str) -> list[tuple[str, int, float]]:
        groups: dict[str, list[float]] = {}
        for visit in visits:
            groups.setdefault(visit[field_name], []).append(visit["score"])
        return [(name, len(scores), sum(scores) / len(scores))
                for name, scores in sorted(groups.items())]

    failed: Counter[str] = Counter()
    for visit in visits:
        answers, items = _parsed(visit, "checklist", "items")
        for item in items:
            if answers.get(item["key"]) == "N":
                failed[item["text"]] += 1
    closed = sum(1 for v in visits if v["published_open"] and not v["counter_open"])
    void = sum(r["n"] for r in data.get("void", []) if r["unit_id"] in ids)
    return MysteryFigures(planned, len(visits), closed, mean_by("counter"), mean_by("scenario"),
                          failed.most_common(5), void)


def _bureau_figures(inputs: dict[str, Any], ids: list[int], min_n: int) -> BureauFigures:
    from collections import Counter

    from qos.templates import load_template

    data = inputs.get("bureau") or {}
    calls = sum(r["n"] for r in data.get("calls", []) if r["unit_id"] in ids)
    done = sum(r["n"] for r in data.get("calls", [])
               if r["unit_id"] in ids and r["status"] == "completed")
    failed: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    for row in data.get("answers", []):
        if row["unit_id"] in ids:
            answered[row["key"]] += row["answered"]
            failed[row["key"]] += row["failed"]
    themes: Counter[str] = Counter()
    for row in data.get("themes", []):
        if row["unit_id"] in ids:
            themes[row["theme"]] += row["n"]
    labels = {q.key: q.text for q in load_template("bureau").questions if q.remedy}
    checks = [ItemRate(key, text, make_rate(failed[key], answered[key], min_n))
              for key, text in labels.items() if answered[key]]

    def count(name: str) -> int:
        return sum(r["n"] for r in data.get(name, []) if r["unit_id"] in ids)

    complaints = Counter((c["kind"], c["category"]) for c in data.get("complaints", [])
                         if c["unit_id"] in ids)
    return BureauFigures(calls, done, checks, count("actions_raised"),
                         count("actions_closed"), count("actions_overdue"),
                         themes.most_common(5),
                         [(k, c, n) for (k, c), n in sorted(complaints.items())])


def _timeliness(inputs: dict[str, Any], ids: list[int], min_n: int) -> list[TimelinessFigure]:
    by_rule: dict[str, dict[str, Any]] = {}
    for duty in inputs.get("code_duties", []):
        if duty["unit_id"] not in ids or not duty["settled"]:
            continue
        entry = by_rule.setdefault(duty["key"], {"label": duty["label"], "on_time": 0,
                                                 "settled": 0, "late": []})
        entry["settled"] += 1
        if duty["on_time"]:
            entry["on_time"] += 1
        else:
            entry["late"].append(duty["late_by"])
    return [TimelinessFigure(key, e["label"], make_rate(e["on_time"], e["settled"], min_n),
                             sum(e["late"]) / len(e["late"]) if e["late"] else 0.0)
            for key, e in by_rule.items()]


def _doorstep_figures(inputs: dict[str, Any], ids: list[int], min_n: int) -> DoorstepFigures:
    from qos.doorstep import question_rates

    door = inputs.get("doorstep", {})
    cards = [_parsed(c, "answers")[0] for c in door.get("received", []) if c["unit_id"] in ids]
    issued = door.get("issued", {})
    returned = door.get("returned_of_issued", {})
    left, back = door.get("left", {}), door.get("returned_of_left", {})
    return DoorstepFigures(sum(issued.get(u, 0) for u in ids),
                           sum(returned.get(u, 0) for u in ids), len(cards),
                           question_rates(cards, min_n), sum(left.get(u, 0) for u in ids),
                           sum(back.get(u, 0) for u in ids))


def build_summary(inputs: dict[str, Any], month: str, *, min_n: int = 10,
                  rag_green: float = 1.0, rag_amber: float = 0.8,
                  unit_ids: list[int] | None = None) -> MonthlySummary:
    """Compute the month's figures per unit and for the force, from `summary_inputs` data."""
    tally = _Tally()
    for row in inputs["callbacks"]:
        tally.add(row)
    all_units = [u["id"] for u in inputs["units"]]
    this = [month]
    year_ago = [shift_month(month, -12)]
    last3, last12 = months_back(month, 3), months_back(month, 12)
    prior12_of_3 = months_back(shift_month(month, -3), 12)
    prior12_of_12 = months_back(shift_month(month, -12), 12)
    first_day = dt.date.fromisoformat(month + "-01")
    month_end = (first_day + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    closed: dict[tuple[int, str], int] = defaultdict(int)
    for row in inputs["closed_items"]:
        closed[(row["unit_id"], row["status"])] += 1

    def summarise(ids: list[int], code: str, name: str, kind: str, target: int,
                  unit_id: int | None) -> UnitSummary:
        rest = [u for u in all_units if u not in ids]
        drivers = []
        for key, label in DRIVER_LABELS.items():
            now, vs_year = _change(tally, ids, this, ids, year_ago, key, min_n)
            vs_rest = (_change(tally, ids, this, rest, this, key, min_n)[1]
                       if unit_id is not None else None)
            r3, r3_change = _change(tally, ids, last3, ids, prior12_of_3, key, min_n)
            r12, r12_change = _change(tally, ids, last12, ids, prior12_of_12, key, min_n)
            drivers.append(DriverFigure(key, label, now, vs_year, vs_rest, r3, r3_change,
                                        r12, r12_change))
        white, minority = (tally.counts(ids, last12, f"{HEADLINE}:{g}")
                           for g in ("white", "minority"))
        gap_test = two_proportion_test(*white, *minority)
        ethnicity = EthnicityGap(make_rate(*white, min_n), make_rate(*minority, min_n),
                                 gap_test.difference, gap_test.significant)

        def items(labels: dict[str, str]) -> tuple[list[ItemRate], Rate]:
            rates = [ItemRate(k, v, make_rate(*tally.counts(ids, this, k), min_n))
                     for k, v in labels.items()]
            hits = sum(r.rate.hits for r in rates)
            valid = sum(r.rate.valid for r in rates)
            return rates, make_rate(hits, valid, min_n)

        vc, vc_all = items(VICTIMS_CODE_ITEMS)
        qosc, qosc_all = items(QOSC_ITEMS)
        completed = sum(tally.completed.get((u, month), 0) for u in ids)
        declined = sum(closed[(u, "declined")] + tally.outcomes.get((u, month, "declined"), 0)
                       for u in ids)
        unreachable = sum(closed[(u, "unreachable")]
                          + tally.outcomes.get((u, month, "unreachable"), 0) for u in ids)
        history_rows = sum(tally.outcomes.get((u, month, o), 0) for u in ids
                           for o in ("declined", "unreachable"))
        attempts = sum(inputs["attempts"].get(u, 0) for u in ids) + history_rows
        debrief_rows = [r for r in inputs["debriefs"] if r["unit_id"] in ids]
        trend = [(m, make_rate(*tally.counts(ids, [m], HEADLINE), min_n)) for m in last12]
        return UnitSummary(
            unit_id, code, name, kind, target, completed, attempts, declined, unreachable,
            _rag(completed, target, rag_green, rag_amber), drivers, ethnicity, vc, qosc,
            vc_all, qosc_all, _debriefs(debrief_rows, month_end), trend,
            _doorstep_figures(inputs, ids, min_n), _timeliness(inputs, ids, min_n),
            _bureau_figures(inputs, ids, min_n), _mystery_figures(inputs, ids))

    chosen = [u for u in inputs["units"] if unit_ids is None or u["id"] in unit_ids]
    units = [summarise([u["id"]], u["code"], u["name"], u["kind"], u["monthly_target"], u["id"])
             for u in chosen]
    force = summarise(all_units, "FORCE", inputs["force_name"] or "Whole force", "force",
                      sum(u["monthly_target"] for u in inputs["units"]), None)
    return MonthlySummary(inputs["force_name"], month,
                          dt.datetime.now().isoformat(timespec="minutes"), min_n, rag_green,
                          rag_amber, units, force)
