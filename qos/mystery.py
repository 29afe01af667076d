"""Mystery shopping, the pure parts: opening hours, checklist scores, the visit planner and
calibration between volunteers."""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def open_at(hours: dict[str, list[str]], when: dt.datetime) -> bool:
    """Published as open at `when`? Opening time counts as open; closing time as closed."""
    slot = hours.get(WEEKDAY_KEYS[when.weekday()])
    if not slot:
        return False
    now = when.strftime("%H:%M")
    return slot[0] <= now < slot[1]


@dataclass(frozen=True)
class Score:
    met: float  # weight of items met
    applicable: float  # weight of items answered yes or no
    closed_in_hours: bool

    @property
    def share(self) -> float:
        """0 to 1; a counter closed during its published hours scores 0: itself a failure."""
        if self.closed_in_hours:
            return 0.0
        return self.met / self.applicable if self.applicable else 0.0


def score(checklist: list[dict[str, Any]], answers: dict[str, str], *, published_open: bool,
          counter_open: bool) -> Score:
    """Weighted share of checklist items met; 'not applicable' items are left out."""
    met = applicable = 0.0
    for item in checklist:
        answer = answers.get(item["key"])
        weight = float(item.get("weight", 1))
        if answer in ("Y", "N"):
            applicable += weight
            met += weight if answer == "Y" else 0.0
    return Score(met, applicable, published_open and not counter_open)


@dataclass(frozen=True)
class PlannedVisit:
    counter_id: int
    scenario_id: int
    volunteer_id: int
    week_start: dt.date


def plan_quarter(counters: list[int], scenarios: list[int], volunteers: list[int],
                 first_week: dt.date, *, visits_per_counter: int, revisit_months: int,
                 history: list[tuple[int, int, int, dt.date]], seed: int) -> list[PlannedVisit]:
    """Spread visits over the quarter's 13 weeks.

    Each counter gets the scenarios it has met least in the past year first, so it meets a mix;
    a volunteer never returns to a counter within `revisit_months` (history included), and the
    work is shared out evenly. `history` rows are (counter, scenario, volunteer, date).
    """
    rng = random.Random(seed)
    weeks = [first_week + dt.timedelta(weeks=i) for i in range(13)]
    gap = dt.timedelta(days=int(revisit_months * 30.5))
    seen_scenarios: dict[int, Counter[int]] = defaultdict(Counter)
    scenario_last: dict[tuple[int, int], dt.date] = {}
    last_visit: dict[tuple[int, int], dt.date] = {}
    for counter, scenario, volunteer, day in history:
        if day >= first_week - dt.timedelta(days=365):
            seen_scenarios[counter][scenario] += 1
            scenario_last[(counter, scenario)] = max(day, scenario_last.get((counter, scenario),
                                                                            day))
        key = (volunteer, counter)
        last_visit[key] = max(day, last_visit.get(key, day))
    load: Counter[int] = Counter()
    plan: list[PlannedVisit] = []
    for counter in counters:
        slots = sorted(rng.sample(range(len(weeks)), min(visits_per_counter, len(weeks))))
        for slot in slots:
            week = weeks[slot]
            # Least used at this counter in the past year, then least recently used.
            scenario = min(scenarios, key=lambda s: (
                seen_scenarios[counter][s], scenario_last.get((counter, s), dt.date.min),
                rng.random()))
            free = [v for v in volunteers
                    if (v, counter) not in last_visit or week - last_visit[(v, counter)] >= gap]
            if not free:
                continue  # nobody may go there yet; better a gap than a known face
            volunteer = min(free, key=lambda v: (load[v], rng.random()))
            plan.append(PlannedVisit(counter, scenario, volunteer, week))
            seen_scenarios[counter][scenario] += 1
            scenario_last[(counter, scenario)] = week
            last_visit[(volunteer, counter)] = week
            load[volunteer] += 1
    return plan


def disagreements(checklist: list[dict[str, Any]], scores: dict[str, dict[str, str]]
                  ) -> list[dict[str, Any]]:
    """Item by item: who answered what, and whether the volunteers disagree."""
    rows = []
    for item in checklist:
        answers = {name: s.get(item["key"], "") for name, s in scores.items()}
        counts = Counter(a for a in answers.values() if a)
        majority = counts.most_common(1)[0][1] if counts else 0
        rows.append({"key": item["key"], "item": item["text"], "answers": answers,
                     "disagree": len(counts) > 1,
                     "agreement": majority / len(answers) if answers else 1.0})
    return rows
