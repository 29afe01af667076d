"""The monthly compliance summary: computed once, as plain data, for every reader.

The Excel writer, the in-app scorecard and the command line all read one `MonthlySummary`,
computed by `build_summary` from one `SummaryInputs`. Checks are counted by the month they were
made (the call date); progress on a month's sample is a different figure with a different name.
Which answers feed which figure is declared by the question templates (`measures`), for every
template version the answers were recorded under. Percentages exclude "don't know / not
applicable"; a figure on fewer answers than the minimum is not reportable. Every comparison the
month reports is one family: "significant" is the Benjamini-Hochberg adjusted result at 5%.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from qos.doorstep import question_rates
from qos.grading import Grade, grade
from qos.months import months_back, shift_month
from qos.rates import Change, ItemRate, Rate, make_rate
from qos.routine_figures import RoutineFigures
from qos.stats import (
    Difference,
    StratifiedEstimate,
    Stratum,
    benjamini_hochberg,
    difference_of_estimates,
    stratified_proportion,
    two_proportion_test,
)
from qos.survey_groups import SurveyGroups, survey_groups
from qos.templates import SATISFIED_CODES, Template, ethnic_group, load_template, template_files

__all__ = ["Change", "ItemRate", "Rate", "make_rate"]  # shared figures, re-exported

HEADLINE = "whole_experience"  # the driver figure the scorecard leads with
CHECKS_MADE = "checks_made"
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]


def month_name(month: str) -> str:
    """'2026-10' -> 'October 2026'."""
    return f"{MONTH_NAMES[int(month[5:7]) - 1]} {month[:4]}"


def checks_made_name(month: str) -> str:
    """The name of the '50 checks a month' figure: checks made (called) in the month."""
    return f"Checks made in {month_name(month)}"


def sample_called_name(month: str) -> str:
    """The name of the progress figure on the month's sample, whenever the calls were made."""
    return f"{month_name(month)} sample: called so far"


def checks_made_text(month: str, made: int, target: int) -> str:
    """'Checks made in October 2026: 46 of 50'."""
    return f"{checks_made_name(month)}: {made} of {target}"


def sample_called_text(month: str, called: int, size: int) -> str:
    """'October 2026 sample: 27 of 50 called so far' (called = a check completed)."""
    return f"{month_name(month)} sample: {called} of {size} called so far"


def quarter_of(month: str) -> str:
    """'2026-10' -> '2026-Q4'."""
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


# -- what the templates declare ------------------------------------------------------------
@dataclass(frozen=True)
class Catalogue:
    """The figures the call-back templates declare, across every version answers were recorded
    under: question keys per version, and each figure's label (from the newest version that
    asks it; figures dropped later keep their place after the current ones)."""

    by_version: dict[int, dict[str, tuple[str, str]]]  # version -> key -> (measures, figure)
    labels: dict[str, dict[str, str]]  # measures -> figure -> label
    newest: int

    def declared(self, version: int | None) -> dict[str, tuple[str, str]]:
        return self.by_version.get(version if version is not None else self.newest,
                                   self.by_version[self.newest])


def catalogue(templates: dict[int, Template]) -> Catalogue:
    if not templates:
        raise ValueError("no call-back template to read the answers with")
    labels: dict[str, dict[str, str]] = {m: {} for m in ("driver", "victims_code", "qosc")}
    for version in sorted(templates, reverse=True):
        for question in templates[version].questions:
            if question.measures in labels:
                labels[question.measures].setdefault(question.figure, question.label)
    by_version = {v: {q.key: (q.measures, q.figure) for q in t.questions}
                  for v, t in templates.items()}
    return Catalogue(by_version, labels, max(templates))


def installed_templates(kind: str = "callback") -> dict[int, Template]:
    return {v: load_template(kind, v) for v in template_files(kind)}


_INSTALLED = catalogue(installed_templates())
# The installed templates' figures, for readers that need names without a summary (the bench).
DRIVER_LABELS = _INSTALLED.labels["driver"]
VICTIMS_CODE_ITEMS = _INSTALLED.labels["victims_code"]
QOSC_ITEMS = _INSTALLED.labels["qosc"]


# -- inputs --------------------------------------------------------------------------------
@dataclass(frozen=True)
class UnitRow:
    id: int
    code: str
    name: str
    kind: str
    monthly_target: int


@dataclass(frozen=True)
class OfficialFigure:
    """One line of the force's user-satisfaction survey results (unit code 'FORCE' for the
    force, 'MSF' for its most similar forces' average)."""

    quarter: str  # 2026-Q3
    unit_code: str
    driver: str
    satisfied_pct: float
    respondents: int

    @property
    def hits(self) -> int:
        return round(self.satisfied_pct * self.respondents / 100)


@dataclass
class SummaryInputs:
    """Everything `build_summary` reads, gathered once by `qos.store.summary_data`."""

    force_name: str
    units: list[UnitRow]
    # id, unit_id, month, outcome, answers (JSON), ethnicity, template_version, offence_category
    callbacks: list[dict[str, Any]]
    templates: dict[int, Template]  # call-back template versions, by version
    closed_items: list[dict[str, Any]] = field(default_factory=list)
    attempts: dict[int, int] = field(default_factory=dict)
    debriefs: list[dict[str, Any]] = field(default_factory=list)
    eligible: dict[tuple[int, str], int] = field(default_factory=dict)  # (unit, month) -> N_h
    sample_progress: dict[int, tuple[int, int]] = field(default_factory=dict)  # size, called
    groups: SurveyGroups = field(default_factory=survey_groups)
    # bureau overall satisfaction: unit_id, month, template_version, key, value, n
    bureau_answers: list[dict[str, Any]] = field(default_factory=list)
    bureau_templates: dict[int, Template] = field(default_factory=dict)
    official: list[OfficialFigure] = field(default_factory=list)
    doorstep: dict[str, Any] = field(default_factory=dict)
    code_duties: list[dict[str, Any]] = field(default_factory=list)
    bureau: dict[str, Any] = field(default_factory=dict)
    mystery: dict[str, Any] = field(default_factory=dict)


# -- outputs -------------------------------------------------------------------------------
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


@dataclass
class EthnicityGap:
    white: Rate
    minority: Rate
    gap: float  # white minus minority, as a proportion
    change: Change  # the gap's test, in the month's family

    @property
    def significant(self) -> bool:
        return self.change.significant


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
class BureauSatisfaction:
    """The bureau's overall-satisfaction answers: a separate series from supervisors' checks."""

    month: Rate
    rolling12: Rate
    series: list[tuple[str, Rate]]  # the last 12 months


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


@dataclass(frozen=True)
class SampleProgress:
    """The month's sample (drawn for the month, called whenever): size and checks completed."""

    size: int
    called: int


@dataclass(frozen=True)
class WeightedFigure:
    """The force's figure for a driver: the stratified estimate (units weighted by their
    eligible victims) beside the unweighted pooled count."""

    key: str
    label: str
    weighted: StratifiedEstimate
    pooled: Rate
    strata: list[tuple[str, int, Rate]]  # unit code, eligible victims, that unit's answers


@dataclass
class UnitSummary:
    unit_id: int | None  # None for the whole force
    code: str
    name: str
    kind: str
    target: int
    completed: int  # checks made in the month
    attempts: int
    declined: int
    unreachable: int
    rag: str
    drivers: list[DriverFigure]
    ethnicity: EthnicityGap
    victims_code: list[ItemRate]
    qosc: list[ItemRate]
    victims_code_overall: Rate  # victims with every applicable Code item met, of victims asked
    qosc_overall: Rate  # the same, over QoSC items
    debriefs: Debriefs
    trend: list[tuple[str, Rate]] = field(default_factory=list)  # headline, 12 months
    doorstep: DoorstepFigures = field(default_factory=lambda: DoorstepFigures(0, 0, 0, []))
    code_timeliness: list[TimelinessFigure] = field(default_factory=list)
    bureau: BureauFigures = field(default_factory=lambda: BureauFigures(0, 0, [], 0, 0, 0, [],
                                                                         []))
    mystery: MysteryFigures = field(default_factory=lambda: MysteryFigures(0, 0, 0, [], [], []))
    sample: SampleProgress = field(default_factory=lambda: SampleProgress(0, 0))
    survey_groups: list[ItemRate] = field(default_factory=list)  # headline, rolling 12 months
    bureau_satisfaction: BureauSatisfaction | None = None
    grades: list[Grade] = field(default_factory=list)

    @property
    def completion(self) -> float:
        return self.completed / self.target if self.target else float("nan")

    def driver(self, key: str) -> DriverFigure:
        return next(d for d in self.drivers if d.key == key)

    def grade_for(self, key: str) -> Grade:
        return next(g for g in self.grades if g.key == key)


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
    force_weighted: list[WeightedFigure] = field(default_factory=list)
    comparisons: int = 0  # tests in the month's family (Benjamini-Hochberg's m)
    official_quarter: str | None = None  # the survey quarter graded against, when loaded
    routines: RoutineFigures | None = None  # issue 19's routines (qos/store/routine_data.py)

    def weighted(self, key: str) -> WeightedFigure:
        return next(w for w in self.force_weighted if w.key == key)


# -- counting ------------------------------------------------------------------------------
_SCALE_VALID = frozenset(range(1, 8))  # 0 = don't know, left out of every denominator
_SATISFIED = frozenset(SATISFIED_CODES)
_STANDARDS = ("victims_code", "qosc")


def _answers(row: dict[str, Any]) -> dict[str, Any]:
    cache = row.get("_answers")
    if cache is None:
        raw = row["answers"]
        cache = row["_answers"] = json.loads(raw) if isinstance(raw, str) else dict(raw)
    return cache


def contributions(row: dict[str, Any], cat: Catalogue,
                  groups: SurveyGroups) -> list[tuple[str, bool]]:
    """Every figure a call-back counts towards, with whether it is a 'hit' there.

    The one definition of what each figure counts: the tally adds these up and each
    drill-down lists the rows that have its figure here.
    """
    if row["outcome"] != "completed":
        return []
    out: list[tuple[str, bool]] = [(CHECKS_MADE, True)]
    declared = cat.declared(row.get("template_version"))
    met: dict[str, bool] = {}
    headline: bool | None = None
    for key, value in _answers(row).items():
        measures, figure = declared.get(key, ("other", key))
        if measures == "driver" and value in _SCALE_VALID:
            hit = value in _SATISFIED
            out.append((f"driver:{figure}", hit))
            if figure == HEADLINE:
                headline = hit
        elif measures in _STANDARDS and value in ("Y", "N"):
            out.append((f"{measures}:{figure}", value == "Y"))
            met[measures] = met.get(measures, True) and value == "Y"
    out += [(f"{standard}_met", ok) for standard, ok in met.items()]
    if headline is not None:
        group = ethnic_group(row.get("ethnicity"))
        if group != "not_stated":
            out.append((f"ethnicity:{group}", headline))
        survey_group = groups.group_of(row.get("offence_category"))
        if survey_group is not None:
            out.append((f"survey_group:{survey_group}", headline))
    return out


def rows_counted(figure: str, rows: Iterable[dict[str, Any]], cat: Catalogue,
                 groups: SurveyGroups | None = None) -> list[dict[str, Any]]:
    """The call-backs a figure counts (its drill-down), by the same rule as the tally."""
    chosen = groups or survey_groups()
    return [r for r in rows if any(k == figure for k, _ in contributions(r, cat, chosen))]


class _Tally:
    """Counts per (unit, month, figure): hits and valid answers."""

    def __init__(self, cat: Catalogue, groups: SurveyGroups) -> None:
        self.cat, self.groups = cat, groups
        self.hits: dict[tuple[int, str, str], int] = defaultdict(int)
        self.valid: dict[tuple[int, str, str], int] = defaultdict(int)
        self.outcomes: dict[tuple[int, str, str], int] = defaultdict(int)

    def add(self, row: dict[str, Any]) -> None:
        unit, month = row["unit_id"], row["month"]
        self.outcomes[(unit, month, row["outcome"])] += 1
        for key, hit in contributions(row, self.cat, self.groups):
            cell = (unit, month, key)
            self.valid[cell] += 1
            self.hits[cell] += hit

    def counts(self, units: Iterable[int], months: Iterable[str], key: str) -> tuple[int, int]:
        units, months = list(units), list(months)
        hits = sum(self.hits.get((u, m, key), 0) for u in units for m in months)
        valid = sum(self.valid.get((u, m, key), 0) for u in units for m in months)
        return hits, valid


# What a grade waits for: basis, the peers' name, the peers test, the year-earlier test.
_Pending = tuple[str, str, Change | None, Change | None]


class _Family:
    """Every comparison the month reports, adjusted together (Benjamini-Hochberg)."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def add(self, change: Change) -> Change:
        self.changes.append(change)
        return change

    def adjust(self) -> int:
        tested = [c for c in self.changes if c.testable]
        for change, adjusted in zip(tested, benjamini_hochberg([c.test.p_value for c in tested]),
                                    strict=True):
            change.adjusted_p = adjusted
        return len(tested)


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
    return cache


def _mystery_figures(inputs: SummaryInputs, ids: list[int]) -> MysteryFigures:
    data = inputs.mystery
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


def _bureau_figures(inputs: SummaryInputs, ids: list[int], min_n: int) -> BureauFigures:
    data = inputs.bureau
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


def _bureau_satisfaction(inputs: SummaryInputs, ids: list[int], month: str,
                         min_n: int) -> BureauSatisfaction:
    """Overall satisfaction from the bureau's calls, by the template's declared headline."""
    headline_keys = {v: {q.key for q in t.measuring("driver") if q.figure == HEADLINE}
                     for v, t in inputs.bureau_templates.items()}
    hits: Counter[str] = Counter()
    valid: Counter[str] = Counter()
    for row in inputs.bureau_answers:
        if row["unit_id"] not in ids or row["key"] not in headline_keys.get(
                row["template_version"], ()):
            continue
        if row["value"] in _SCALE_VALID:
            valid[row["month"]] += row["n"]
            hits[row["month"]] += row["n"] if row["value"] in _SATISFIED else 0
    last12 = months_back(month, 12)
    series = [(m, make_rate(hits[m], valid[m], min_n)) for m in last12]
    return BureauSatisfaction(make_rate(hits[month], valid[month], min_n),
                              make_rate(sum(hits[m] for m in last12),
                                        sum(valid[m] for m in last12), min_n), series)


def _timeliness(inputs: SummaryInputs, ids: list[int], min_n: int) -> list[TimelinessFigure]:
    by_rule: dict[str, dict[str, Any]] = {}
    for duty in inputs.code_duties:
        if duty["unit_id"] not in ids or not duty["settled"]:
            continue
        n = duty.get("n", 1)  # one row may stand for several crimes judged alike
        entry = by_rule.setdefault(duty["key"], {"label": duty["label"], "on_time": 0,
                                                 "settled": 0, "late": 0, "days_late": 0})
        entry["settled"] += n
        if duty["on_time"]:
            entry["on_time"] += n
        else:
            entry["late"] += n
            entry["days_late"] += n * duty["late_by"]
    return [TimelinessFigure(key, e["label"], make_rate(e["on_time"], e["settled"], min_n),
                             e["days_late"] / e["late"] if e["late"] else 0.0)
            for key, e in by_rule.items()]


def _doorstep_figures(inputs: SummaryInputs, ids: list[int], min_n: int) -> DoorstepFigures:
    door = inputs.doorstep
    cards = [_parsed(c, "answers")[0] for c in door.get("received", []) if c["unit_id"] in ids]
    issued = door.get("issued", {})
    returned = door.get("returned_of_issued", {})
    left, back = door.get("left", {}), door.get("returned_of_left", {})
    return DoorstepFigures(sum(issued.get(u, 0) for u in ids),
                           sum(returned.get(u, 0) for u in ids), len(cards),
                           question_rates(cards, min_n), sum(left.get(u, 0) for u in ids),
                           sum(back.get(u, 0) for u in ids))


class _Builder:
    """One month's computation; `summarise` is called per unit and once for the force."""

    def __init__(self, inputs: SummaryInputs, month: str, min_n: int) -> None:
        self.inputs, self.month, self.min_n = inputs, month, min_n
        self.cat = catalogue(inputs.templates)
        self.tally = _Tally(self.cat, inputs.groups)
        for row in inputs.callbacks:
            self.tally.add(row)
        self.family = _Family()
        self.all_units = [u.id for u in inputs.units]
        self.this = [month]
        self.year_ago = [shift_month(month, -12)]
        self.last3, self.last12 = months_back(month, 3), months_back(month, 12)
        self.last3_year_ago = months_back(shift_month(month, -12), 3)
        self.prior12_of_3 = months_back(shift_month(month, -3), 12)
        self.prior12_of_12 = months_back(shift_month(month, -12), 12)
        self.quarter = quarter_of(month)
        self.official = {(f.quarter, f.unit_code.upper(), f.driver): f for f in inputs.official}
        first_day = dt.date.fromisoformat(month + "-01")
        self.month_end = (first_day + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        self.closed: dict[tuple[int, str], int] = defaultdict(int)
        for row in inputs.closed_items:
            self.closed[(row["unit_id"], row["status"])] += 1

    def rate(self, ids: list[int], months: list[str], key: str) -> Rate:
        return make_rate(*self.tally.counts(ids, months, key), self.min_n)

    def change(self, ids: list[int], months: list[str], other_ids: list[int],
               other_months: list[str], key: str) -> tuple[Rate, Change]:
        hits, valid = self.tally.counts(ids, months, key)
        other_hits, other_valid = self.tally.counts(other_ids, other_months, key)
        rate = make_rate(hits, valid, self.min_n)
        test = two_proportion_test(hits, valid, other_hits, other_valid)
        return rate, self.family.add(
            Change(make_rate(other_hits, other_valid, self.min_n), test, rate))

    def weighted(self, ids: list[int], months: list[str], key: str) -> WeightedFigure:
        """A driver's stratified estimate over `ids` (strata = units, N_h = eligible victims
        in the months), beside the pooled count."""
        figure = f"driver:{key}"
        strata, detail = [], []
        for unit in self.inputs.units:
            if unit.id not in ids:
                continue
            hits, valid = self.tally.counts([unit.id], months, figure)
            population = sum(self.inputs.eligible.get((unit.id, m), 0) for m in months)
            strata.append(Stratum(population, hits, valid))
            detail.append((unit.code, population, make_rate(hits, valid, self.min_n)))
        return WeightedFigure(key, self.cat.labels["driver"].get(key, key),
                              stratified_proportion(strata), self.rate(ids, months, figure),
                              detail)

    def official_comparisons(self, code: str, key: str) -> _Pending | None:
        """Where the force has loaded its user-satisfaction survey for this quarter, the unit
        (or 'FORCE') is judged on it: against the most similar forces' average and against
        the same quarter a year earlier."""
        mine = self.official.get((self.quarter, code, key))
        if mine is None:
            return None
        base = make_rate(mine.hits, mine.respondents, self.min_n)

        def test(other: OfficialFigure | None) -> Change | None:
            if other is None:
                return None
            return self.family.add(Change(
                make_rate(other.hits, other.respondents, self.min_n),
                two_proportion_test(mine.hits, mine.respondents, other.hits, other.respondents),
                base))

        earlier = f"{int(self.quarter[:4]) - 1}{self.quarter[4:]}"
        return (f"User satisfaction survey {self.quarter}", "the most similar forces' average",
                test(self.official.get((self.quarter, "MSF", key))),
                test(self.official.get((earlier, code, key))))

    def force_trend(self, key: str) -> Change:
        """The force's last 3 months against the same 3 a year earlier: weighted estimates
        when every unit with answers has an eligible-victim count, else the pooled counts."""
        now = self.weighted(self.all_units, self.last3, key)
        before = self.weighted(self.all_units, self.last3_year_ago, key)
        figure = f"driver:{key}"
        if (now.weighted.strata_used and before.weighted.strata_used
                and not now.weighted.strata_left_out and not before.weighted.strata_left_out):
            test: Difference = difference_of_estimates(
                now.weighted.estimate, now.weighted.standard_error,
                before.weighted.estimate, before.weighted.standard_error)
            return self.family.add(Change(before.pooled, test, now.pooled))
        return self.change(self.all_units, self.last3, self.all_units, self.last3_year_ago,
                           figure)[1]

    def summarise(self, ids: list[int], code: str, name: str, kind: str, target: int,
                  unit_id: int | None) -> tuple[UnitSummary, list[tuple[str, str, _Pending]]]:
        rest = [u for u in self.all_units if u not in ids]
        drivers: list[DriverFigure] = []
        pending: list[tuple[str, str, _Pending]] = []
        for key, label in self.cat.labels["driver"].items():
            figure = f"driver:{key}"
            now, vs_year = self.change(ids, self.this, ids, self.year_ago, figure)
            vs_rest = (self.change(ids, self.this, rest, self.this, figure)[1]
                       if unit_id is not None else None)
            r3, r3_change = self.change(ids, self.last3, ids, self.prior12_of_3, figure)
            r12, r12_change = self.change(ids, self.last12, ids, self.prior12_of_12, figure)
            drivers.append(DriverFigure(key, label, now, vs_year, vs_rest, r3, r3_change,
                                        r12, r12_change))
            official = self.official_comparisons(code.upper(), key)
            if official is not None:
                pending.append((key, label, official))
            elif unit_id is not None:
                peers = self.change(ids, self.last3, rest, self.last3, figure)[1]
                on_year = self.change(ids, self.last3, ids, self.last3_year_ago, figure)[1]
                pending.append((key, label, ("QoS checks, last 3 months", "the rest of the force",
                                             peers, on_year)))
            else:
                pending.append((key, label, ("QoS checks, last 3 months (weighted by unit)",
                                             "", None, self.force_trend(key))))
        white, minority = (self.tally.counts(ids, self.last12, f"ethnicity:{g}")
                           for g in ("white", "minority"))
        white_rate, minority_rate = make_rate(*white, self.min_n), make_rate(*minority, self.min_n)
        gap_test = two_proportion_test(*white, *minority)
        ethnicity = EthnicityGap(white_rate, minority_rate, gap_test.difference,
                                 self.family.add(Change(minority_rate, gap_test, white_rate)))

        def items(standard: str) -> tuple[list[ItemRate], Rate]:
            rates = [ItemRate(k, v, self.rate(ids, self.this, f"{standard}:{k}"))
                     for k, v in self.cat.labels[standard].items()]
            return rates, self.rate(ids, self.this, f"{standard}_met")

        vc, vc_met = items("victims_code")
        qosc, qosc_met = items("qosc")
        month = self.month
        tally = self.tally
        completed = tally.counts(ids, self.this, CHECKS_MADE)[0]
        declined = sum(self.closed[(u, "declined")] + tally.outcomes.get((u, month, "declined"), 0)
                       for u in ids)
        unreachable = sum(self.closed[(u, "unreachable")]
                          + tally.outcomes.get((u, month, "unreachable"), 0) for u in ids)
        history_rows = sum(tally.outcomes.get((u, month, o), 0) for u in ids
                           for o in ("declined", "unreachable"))
        attempts = sum(self.inputs.attempts.get(u, 0) for u in ids) + history_rows
        debrief_rows = [r for r in self.inputs.debriefs if r["unit_id"] in ids]
        headline = f"driver:{HEADLINE}"
        trend = [(m, self.rate(ids, [m], headline)) for m in self.last12]
        progress = [self.inputs.sample_progress.get(u, (0, 0)) for u in ids]
        groups = [ItemRate(g, g, self.rate(ids, self.last12, f"survey_group:{g}"))
                  for g in self.inputs.groups.groups]
        inputs, min_n = self.inputs, self.min_n
        summary = UnitSummary(
            unit_id, code, name, kind, target, completed, attempts, declined, unreachable,
            _rag(completed, target, self.rag_green, self.rag_amber), drivers, ethnicity, vc,
            qosc, vc_met, qosc_met, _debriefs(debrief_rows, self.month_end), trend,
            _doorstep_figures(inputs, ids, min_n), _timeliness(inputs, ids, min_n),
            _bureau_figures(inputs, ids, min_n), _mystery_figures(inputs, ids),
            SampleProgress(sum(p[0] for p in progress), sum(p[1] for p in progress)), groups,
            _bureau_satisfaction(inputs, ids, month, min_n))
        return summary, pending

    rag_green = 1.0
    rag_amber = 0.8


def _grades(pending: list[tuple[str, str, _Pending]]) -> list[Grade]:
    """Grades once the family is adjusted: each waited for its comparisons' verdicts."""
    return [grade(key, label, basis, peers_name, peers, trend)
            for key, label, (basis, peers_name, peers, trend) in pending]


def build_summary(inputs: SummaryInputs, month: str, *, min_n: int = 10,
                  rag_green: float = 1.0, rag_amber: float = 0.8,
                  unit_ids: list[int] | None = None) -> MonthlySummary:
    """Compute the month's figures per unit and for the force."""
    builder = _Builder(inputs, month, min_n)
    builder.rag_green, builder.rag_amber = rag_green, rag_amber
    chosen = [u for u in inputs.units if unit_ids is None or u.id in unit_ids]
    made = [builder.summarise([u.id], u.code, u.name, u.kind, u.monthly_target, u.id)
            for u in chosen]
    force, force_pending = builder.summarise(
        builder.all_units, "FORCE", inputs.force_name or "Whole force", "force",
        sum(u.monthly_target for u in inputs.units), None)
    weighted = [builder.weighted(builder.all_units, [month], key)
                for key in builder.cat.labels["driver"]]
    comparisons = builder.family.adjust()
    units = []
    for unit, pending in made:
        unit.grades = _grades(pending)
        units.append(unit)
    force.grades = _grades(force_pending)
    official = builder.quarter if any(f.quarter == builder.quarter
                                      for f in inputs.official) else None
    return MonthlySummary(inputs.force_name, month,
                          dt.datetime.now().isoformat(timespec="minutes"), min_n, rag_green,
                          rag_amber, units, force, weighted, comparisons, official)
