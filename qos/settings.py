"""Settings a force may change, with their defaults. `setting(store, key)` is the one way
to read one: it knows the default. (`Store.setting` is the raw read under it, used inside
qos/store/ for the store's own bookkeeping keys, which are not settings.)"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qos.store.core import Store

DEFAULTS: dict[str, Any] = {
    "force_name": "",                 # set by the first-run wizard
    "recontact_months": 6,           # skip victims already sampled this many months back
    "sensitive_categories": ["Sexual offences", "Domestic abuse"],
    # Who is never called (keys in qos/store/exclusions.py). Under 18s and on-duty officers
    # follow national survey practice. The bureau has its own list: a force may route
    # domestic-abuse victims to a specialist team rather than the bureau.
    "sample_exclusions": ["declined_contact", "opted_out", "no_phone", "under_18",
                          "domestic_abuse", "on_duty_officer", "sensitive_category"],
    "bureau_exclusions": ["declined_contact", "opted_out", "no_phone", "under_18",
                          "domestic_abuse", "on_duty_officer", "sensitive_category"],
    "max_attempts": 3,                # then the victim counts as unreachable
    "debrief_due_days": 14,
    "min_valid_n": 10,                # fewer answers than this: "too few to report"
    "rag_green": 1.0,                 # share of the monthly target completed
    "rag_amber": 0.8,
    "contact_retention_days": 90,     # victims' names and phones kept after a record closes
    "backups_kept": 14,
    "idle_lock_minutes": 10,          # the window locks after this long without input
    "doorstep_min_cards": 10,
    # Contact bureau
    "bureau_categories": ["Burglary dwelling", "Vehicle crime", "Criminal damage", "Theft"],
    "bureau_min_days": 3,             # let the officer act first
    "bureau_contact_within_days": 10,  # due date: report date plus this
    "bureau_lookback_days": 90,
    "bureau_retry_hours": 4,          # after no answer, try again this much later
    "bureau_claim_minutes": 30,       # a claim not finished by then goes back to the queue
    "remedial_due_days": 14,
    "bureau_themes": ["Kept informed", "Response time", "Attitude of staff", "Crime prevention advice",
                      "Forensic visit", "Property returned", "Repeat victim"],
    "mystery_revisit_months": 6,      # a volunteer stays away from a counter this long
    "mystery_visits_per_counter": 5,  # per quarter: about 250 a year across 12 counters
    # Control-room call evaluation (issue 19): whose calls are evaluated, how many a month,
    # and the standard for progression (every one of the last N months at or above it).
    "control_room_units": ["FCC"],
    "call_eval_per_month": 5,
    "call_eval_standard": 0.85,
    "call_eval_months": 3,
    # NP comment cards: the theme codes keyed from a returned strip (1 = the first, ...).
    "np_card_themes": ["Visible patrols", "Anti-social behaviour", "Speeding and parking",
                       "Contacting the police", "Drugs", "Keeping us informed",
                       "Praise for the team", "Other"],
    "complaint_categories": ["Attitude", "Delay", "Not kept informed", "Handling of property",
                             "Other"],         # no percentage for an officer on fewer cards
}


def setting(store: Store, key: str) -> Any:
    return store.setting(key, DEFAULTS[key])
