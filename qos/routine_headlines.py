"""One headline line per routine added after the inspection (issue 19), for the scorecard's
"Other routines" block. Each figure is a force total of the rows the workbook's sheet for that
routine writes (qos/excel_routines.py), so the page and the workbook agree."""
from __future__ import annotations

from dataclasses import dataclass

from qos.routine_figures import RoutineFigures


@dataclass(frozen=True)
class Headline:
    routine: str
    figure: str  # the headline figure, e.g. "12 of 15"
    detail: str  # what it counts, in plain words


def routine_headlines(figures: RoutineFigures | None) -> list[Headline]:
    """The month's headline for each routine; an empty list when the summary has none."""
    if figures is None:
        return []
    teams = figures.call_teams
    done, due = sum(t.done for t in teams), sum(t.due for t in teams)
    dips = figures.dip_checks
    passed, checked = sum(d.passed for d in dips), sum(d.checked for d in dips)
    failed = sum(d.failed for d in dips)
    closures = figures.closures
    bad, closed = sum(c.not_compliant for c in closures), sum(c.checked for c in closures)
    remedied = sum(c.remedied for c in closures)
    complaints = figures.complaints
    logged = sum(c.complaints for c in complaints)
    resolved = sum(c.resolved for c in complaints)
    lines = [
        Headline("Control-room call evaluations", f"{done} of {due}",
                 f"evaluations done of those due; {len(figures.below_standard)} staff "
                 "below the standard for progression"),
        Headline("Dip checks", f"{passed} of {checked}",
                 f"items passed of those checked; {failed} failed"),
        Headline("Closure compliance", f"{bad} of {closed}",
                 f"closures not compliant of those checked; {remedied} remedied"),
    ]
    cards = figures.np_cards
    if cards is not None:
        returned = sum(p.returned_this_month for p in cards.places)
        put_out = sum(p.cards for p in cards.places)
        lines.append(Headline("NP comment cards", f"{returned} returned",
                              f"this month, of {put_out} cards put out; {cards.actions_open} "
                              f"actions open, {cards.closed} closed this month"))
    lines.append(Headline("Informal complaints", f"{logged} logged",
                          f"{resolved} resolved there and then"))
    return lines
