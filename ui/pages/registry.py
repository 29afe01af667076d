"""The pages in navigation order, each named by module and class and imported only when
first opened, so start-up does not pay for Qt Charts, openpyxl or pages nobody visits."""
from __future__ import annotations

import importlib
from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from qos.roles import Action, Actor
from qos.store.core import Store
from ui.pages.spec import PageSpec


def _lazy(module: str, cls: str) -> Callable[[Store, Actor], QWidget]:
    def build(store: Store, actor: Actor) -> QWidget:
        page_class = getattr(importlib.import_module(f"ui.pages.{module}"), cls)
        return page_class(store, actor)  # type: ignore[no-any-return]

    return build


def feature_pages() -> list[PageSpec]:
    return [
        PageSpec("callbacks", "Call-backs", (Action.RECORD_CALLBACK,),
                 _lazy("callbacks_page", "CallbacksPage")),
        PageSpec("due", "Updates due", (Action.RECORD_CALLBACK, Action.BUREAU_CALL),
                 _lazy("due_page", "DuePage")),
        PageSpec("bureau", "Contact bureau", (Action.BUREAU_CALL, Action.RECORD_DEBRIEF),
                 _lazy("bureau_page", "BureauPage")),
        PageSpec("mystery", "Mystery shopping", (Action.RECORD_VISIT, Action.PLAN_VISITS),
                 _lazy("mystery_page", "MysteryPage")),
        PageSpec("doorstep", "Doorstep cards", (Action.ENTER_DOORSTEP,),
                 _lazy("doorstep_page", "DoorstepPage")),
        PageSpec("summary", "Summary & export", (Action.VIEW_SUMMARY,),
                 _lazy("summary_page", "SummaryPage")),
    ]


def routine_pages() -> list[PageSpec]:
    """Issue 19's routines, after Admin so the shortcuts Ctrl+1..7 keep their pages."""
    return [
        PageSpec("complaints", "Informal complaints", (Action.LOG_INFORMAL_COMPLAINT,),
                 _lazy("complaints_page", "ComplaintsPage")),
        PageSpec("closures", "Closures", (Action.CHECK_CLOSURES,),
                 _lazy("closures_page", "ClosuresPage")),
        PageSpec("dip_checks", "Dip checks", (Action.DIP_CHECK,),
                 _lazy("dip_checks_page", "DipChecksPage")),
        PageSpec("call_evaluation", "Call evaluation",
                 (Action.EVALUATE_CALLS, Action.VIEW_OWN_EVALUATIONS),
                 _lazy("call_evaluation_page", "CallEvaluationPage")),
        PageSpec("np_cards", "NP comment cards", (Action.MANAGE_NP_CARDS,),
                 _lazy("np_cards_page", "NpCardsPage")),
    ]
