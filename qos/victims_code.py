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


@cache
def editions() -> tuple[Edition, ...]:
    found = []
    for path in sorted(resource("victims_code").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found.append(Edition(data["edition"], data["title"],
                             dt.date.fromisoformat(data["in_force_from"]),
                             int(data["periodic_update_days"]),
                             tuple(Rule(**r) for r in data["rules"])))
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


def obligations(crime: dict[str, Any], updates: list[dt.date]) -> list[Obligation]:
    reported = dt.date.fromisoformat(crime["recorded_on"])
    edition = edition_for(reported)
    if edition is None:
        return []
    enhanced = bool(crime.get("enhanced"))
    found = []
    for rule in edition.rules:
        raw = crime.get(rule.event)
        if not raw:
            continue  # no event date: the rule does not apply, and is never a failure
        event = dt.date.fromisoformat(raw)
        due = add_working_days(event, rule.enhanced_days if enhanced else rule.standard_days)
        after = [u for u in updates if u >= event]
        found.append(Obligation(crime["id"], rule, event, due, min(after) if after else None))
    return found


def periodic_due(crime: dict[str, Any], updates: list[dt.date]) -> dt.date | None:
    """When the next regular progress update is due, while the investigation is open."""
    if crime.get("closed_on") or crime.get("not_investigated_on") or crime.get("charged_on"):
        return None
    reported = dt.date.fromisoformat(crime["recorded_on"])
    edition = edition_for(reported)
    if edition is None:
        return None
    last = max([reported, *updates])
    return last + dt.timedelta(days=edition.periodic_update_days)
