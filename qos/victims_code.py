"""The Victims' Code clock: which updates were due when, and whether they were made in time.

Editions are data (resources/victims_code/<edition>.json), chosen by the date the crime was
reported. A rule applies only when its event date is known: a missing date is never counted
as a failure.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from qos.paths import resource
from qos.working_days import CALENDAR_FILE, add_working_days, working_days_between

EVENT_COLUMNS = ("arrested_on", "interviewed_on", "charged_on", "bailed_on", "released_on",
                 "closed_on", "not_investigated_on")
# Why a victim is owed the enhanced service; each edition lists the reasons it recognises.
REASON_LABELS = {
    "vulnerable_or_intimidated": "vulnerable or intimidated",
    "enhanced_flag": "flagged for enhanced service",
    "most_serious_crime": "victim of the most serious crime",
    "persistently_targeted": "persistently targeted",
}
PERIODIC = "periodic"  # the regular progress update still owed (on the due list)
PERIODIC_PAST = "periodic_past"  # one that fell due earlier: for timeliness figures
PERIODIC_LABEL = "Regular progress update"


@dataclass(frozen=True)
class Rule:
    key: str
    event: str
    label: str
    enhanced_days: int
    standard_days: int


@dataclass(frozen=True)
class Edition:
    edition: str
    title: str
    in_force_from: dt.date
    periodic_update_days: int
    rules: tuple[Rule, ...]
    enhanced_reasons: tuple[str, ...] = ("vulnerable_or_intimidated", "enhanced_flag")
    most_serious_categories: frozenset[str] = frozenset()  # lower case


@cache
def editions() -> tuple[Edition, ...]:
    found = []
    for path in sorted(resource("victims_code").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        reasons = tuple(data.get("enhanced_reasons", Edition.enhanced_reasons))
        unknown = [r for r in reasons if r not in REASON_LABELS]
        if unknown:
            raise ValueError(f"{path.name}: '{unknown[0]}' is not an enhanced-service reason "
                             f"(use {', '.join(REASON_LABELS)})")
        found.append(Edition(data["edition"], data["title"],
                             dt.date.fromisoformat(data["in_force_from"]),
                             int(data["periodic_update_days"]),
                             tuple(Rule(**r) for r in data["rules"]), reasons,
                             frozenset(c.lower() for c in
                                       data.get("most_serious_crime_categories", []))))
    return tuple(sorted(found, key=lambda e: e.in_force_from))


@cache
def basis() -> str:
    """A fingerprint of what deadlines are worked out from: the edition files and the
    bank-holiday calendar. Stored deadlines made on another basis are worked out again."""
    digest = hashlib.sha256(resource(*CALENDAR_FILE).read_bytes())
    for path in sorted(resource("victims_code").glob("*.json")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


@cache
def longest_deadline() -> int:
    """The most working days any rule of any edition allows."""
    return max(max(r.enhanced_days, r.standard_days) for e in editions() for r in e.rules)


@cache
def edition_for(reported: dt.date) -> Edition | None:
    """The edition in force on the day the crime was reported (None before the first)."""
    chosen = None
    for edition in editions():
        if edition.in_force_from <= reported:
            chosen = edition
    return chosen


def rule_in_force(reported: dt.date, key: str) -> Rule:
    """The rule called `key` in the edition in force on the day a crime was reported."""
    edition = edition_for(reported)
    found = next((r for r in edition.rules if r.key == key), None) if edition else None
    if found is None:
        raise KeyError(f"no Victims' Code rule '{key}' for a crime reported on {reported}")
    return found


@dataclass(frozen=True)
class Obligation:
    crime_id: int
    rule: Rule
    event_date: dt.date
    due: dt.date
    updated_on: dt.date | None  # the first update on or after the event, if any

    @property
    def on_time(self) -> bool:
        return self.updated_on is not None and self.updated_on <= self.due

    def settled(self, as_of: dt.date) -> bool:
        """Counted for compliance once updated, or once the deadline has passed."""
        return self.updated_on is not None or as_of > self.due

    def late_by(self, as_of: dt.date) -> int:
        """Working days past the deadline (to the update, or to today if still waiting)."""
        end = self.updated_on or as_of
        return working_days_between(self.due, end) if end > self.due else 0


def event_day(raw: str | None) -> dt.date | None:
    """An event column's date; None when absent, or for an arrest whose date is unknown
    ('unknown'): no deadline can run from a day nobody knows, so none is owed or failed."""
    if not raw or not raw[:1].isdigit():
        return None
    return dt.date.fromisoformat(raw)


def enhanced_reasons(crime: dict[str, Any]) -> tuple[str, ...]:
    """Why this victim is owed the enhanced service, under the edition in force when the
    crime was reported (empty: the standard service)."""
    edition = edition_for(dt.date.fromisoformat(crime["recorded_on"]))
    if edition is None:
        return ()
    present = {
        "vulnerable_or_intimidated": bool(crime.get("vulnerable")),
        "enhanced_flag": bool(crime.get("enhanced")),
        "most_serious_crime": (str(crime.get("offence_category") or "").strip().lower()
                               in edition.most_serious_categories),
        "persistently_targeted": bool(crime.get("persistently_targeted")),
    }
    return tuple(r for r in edition.enhanced_reasons if present[r])


def describe_reasons(reasons: tuple[str, ...]) -> str:
    """'vulnerable or intimidated; persistently targeted' for the due list."""
    text = "; ".join(REASON_LABELS[r] for r in reasons)
    return text[:1].upper() + text[1:]


def update_every_days(crime: dict[str, Any], edition: Edition) -> int:
    """How often the victim is updated: as agreed with them, else the edition's figure."""
    agreed = crime.get("update_every_days")
    return int(agreed) if agreed else edition.periodic_update_days


def periodic_label(crime: dict[str, Any]) -> str:
    """The due list's words for the regular update, naming a frequency agreed with the victim."""
    agreed = crime.get("update_every_days")
    return f"{PERIODIC_LABEL} (every {agreed} days, as agreed)" if agreed else PERIODIC_LABEL


def obligations(crime: dict[str, Any], updates: list[dt.date]) -> list[Obligation]:
    reported = dt.date.fromisoformat(crime["recorded_on"])
    edition = edition_for(reported)
    if edition is None:
        return []
    enhanced = bool(enhanced_reasons(crime))
    found = []
    for rule in edition.rules:
        event = event_day(crime.get(rule.event))
        if event is None:
            continue  # no event date: the rule does not apply, and is never a failure
        due = add_working_days(event, rule.enhanced_days if enhanced else rule.standard_days)
        after = [u for u in updates if u >= event]
        found.append(Obligation(crime["id"], rule, event, due, min(after) if after else None))
    return found


_ENDS = ("closed_on", "not_investigated_on", "charged_on")


def periodic_due(crime: dict[str, Any], updates: list[dt.date]) -> dt.date | None:
    """When the next regular progress update is due, while the investigation is open: the
    last contact plus the frequency agreed with the victim (else the edition's figure)."""
    if any(crime.get(e) for e in _ENDS):
        return None
    reported = dt.date.fromisoformat(crime["recorded_on"])
    edition = edition_for(reported)
    if edition is None:
        return None
    last = max([reported, *updates])
    return last + dt.timedelta(days=update_every_days(crime, edition))


def periodic_obligations(crime: dict[str, Any], updates: list[dt.date]) -> list[Obligation]:
    """Every regular update that has fallen due: each runs from the last contact (the report,
    then each update) to that plus the agreed frequency, met by the next update. Those due
    after the investigation ended (closed, charged, not investigated) are not owed. The last
    one, still open, is the one `periodic_due` gives."""
    reported = dt.date.fromisoformat(crime["recorded_on"])
    edition = edition_for(reported)
    if edition is None:
        return []
    every = dt.timedelta(days=update_every_days(crime, edition))
    ended = [d for d in (event_day(crime.get(e)) for e in _ENDS) if d]
    end = min(ended) if ended else None
    rule = Rule(PERIODIC, "", periodic_label(crime), every.days, every.days)
    later = sorted(u for u in set(updates) if u > reported)
    found: list[Obligation] = []
    last = reported
    while True:
        due = last + every
        if end is not None and due > end:
            break
        nxt = next((u for u in later if u > last), None)
        found.append(Obligation(crime["id"], rule, last, due, nxt))
        if nxt is None:
            break
        last = nxt
    return found
