"""The feature pages in navigation order. A feature registers its page here as it lands."""
from __future__ import annotations

from qos.roles import Action
from ui.main_window import PageSpec
from ui.pages.bureau_page import BureauPage
from ui.pages.callbacks_page import CallbacksPage
from ui.pages.doorstep_page import DoorstepPage
from ui.pages.due_page import DuePage
from ui.pages.mystery_page import MysteryPage
from ui.pages.summary_page import SummaryPage


def feature_pages() -> list[PageSpec]:
    return [
        PageSpec("callbacks", "Call-backs", (Action.RECORD_CALLBACK,), CallbacksPage),
        PageSpec("due", "Updates due", (Action.RECORD_CALLBACK, Action.BUREAU_CALL), DuePage),
        PageSpec("bureau", "Contact bureau", (Action.BUREAU_CALL, Action.RECORD_DEBRIEF),
                 BureauPage),
        PageSpec("mystery", "Mystery shopping", (Action.RECORD_VISIT, Action.PLAN_VISITS),
                 MysteryPage),
        PageSpec("doorstep", "Doorstep cards", (Action.ENTER_DOORSTEP,), DoorstepPage),
        PageSpec("summary", "Summary & export", (Action.VIEW_SUMMARY,), SummaryPage),
    ]
