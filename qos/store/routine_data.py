"""The rows behind the new routines' workbook sheets and scorecard tiles, read for one month."""
from __future__ import annotations

from dataclasses import replace

from qos.roles import Action, Actor, require
from qos.routine_figures import RoutineFigures
from qos.store.call_evaluations import evaluation_figures
from qos.store.closures import closure_figures
from qos.store.complaints import complaints_by_commitment
from qos.store.core import Store
from qos.store.dipchecks import dip_figures
from qos.store.np_cards import np_card_figures


def routine_figures(store: Store, actor: Actor, month: str,
                    unit_code: str | None = None) -> RoutineFigures:
    """The month's figures; with `unit_code`, that unit's rows only."""
    require(actor, Action.VIEW_SUMMARY)
    closures, non_compliant = closure_figures(store, actor, month)
    figures = RoutineFigures(month=month,
                             complaints=complaints_by_commitment(store, actor, month),
                             closures=closures, non_compliant_closures=non_compliant)
    figures.dip_checks, figures.dip_failures = dip_figures(store, actor, month)
    figures.call_teams, figures.below_standard = evaluation_figures(store, actor, month)
    figures.np_cards = np_card_figures(store, actor, month)
    if unit_code:
        wanted = unit_code.upper()
        figures.complaints = [c for c in figures.complaints if c.unit_code.upper() == wanted]
        figures.closures = [c for c in figures.closures if c.unit_code.upper() == wanted]
        figures.non_compliant_closures = [c for c in figures.non_compliant_closures
                                          if c.unit_code.upper() == wanted]
        figures.dip_checks = [c for c in figures.dip_checks if c.unit_code.upper() == wanted]
        figures.dip_failures = [f for f in figures.dip_failures
                                if f.unit_code.upper() == wanted]
        if figures.np_cards is not None:
            figures.np_cards = replace(figures.np_cards, places=[
                p for p in figures.np_cards.places if p.unit_code.upper() == wanted])
    return figures
