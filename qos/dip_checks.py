"""Inspectorate dip checks: the four tests, their rules (data in resources/dip_checks/), and
what the records say for one sampled item, for the inspector to confirm or correct.

HMIC Kent 2008, lines 1571-1577: counters open at their published times, road traffic
collision victims updated within three days, vulnerable victims updated, all victims updated
within an acceptable period.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from qos.paths import resource
from qos.templates import versioned_files
from qos.working_days import add_working_days

RESULTS = {"pass": "Passed", "fail": "Failed", "unable": "Could not check"}


@dataclass(frozen=True)
class DipRules:
    version: int
    per_test: int
    tests: tuple[tuple[str, str], ...]  # key, label
    rtc_days: int
    rtc_working_days: bool
    rtc_incident_types: tuple[str, ...]
    rtc_offence_categories: tuple[str, ...]
    vulnerable_days: int
    all_days: int

    def label(self, test: str) -> str:
        return dict(self.tests).get(test, test)


@cache
def dip_rules(version: int | None = None) -> DipRules:
    files = versioned_files(resource("dip_checks"))
    chosen = max(files) if version is None else version
    data: dict[str, Any] = json.loads(files[chosen].read_text(encoding="utf-8"))
    rtc = data["rtc"]
    return DipRules(
        version=int(data["version"]), per_test=int(data["per_test"]),
        tests=tuple((t["key"], t["label"]) for t in data["tests"]),
        rtc_days=int(rtc["update_within_days"]), rtc_working_days=bool(rtc["working_days"]),
        rtc_incident_types=tuple(t.lower() for t in rtc["incident_types"]),
        rtc_offence_categories=tuple(t.lower() for t in rtc["offence_categories"]),
        vulnerable_days=int(data["vulnerable"]["update_within_days"]),
        all_days=int(data["all_victims"]["update_within_days"]))


def rtc_deadline(rules: DipRules, reported: dt.date) -> dt.date:
    if rules.rtc_working_days:
        return add_working_days(reported, rules.rtc_days)
    return reported + dt.timedelta(days=rules.rtc_days)


def records_say(rules: DipRules, test: str, reported: dt.date, updates: list[dt.date],
                as_of: dt.date) -> tuple[str, str]:
    """('pass' or 'fail', why) for a crime item, from the victim updates on record.

    rtc_updated: an update within the collision rule's days of the report.
    vulnerable_updated / all_updated: a first update within that test's days of the report
    (a crime reported too recently for the deadline to have passed, and not yet updated,
    is not failed: 'pass' with the words 'not yet due').
    """
    after = sorted(u for u in updates if u >= reported)
    if test == "rtc_updated":
        due = rtc_deadline(rules, reported)
    else:
        days = rules.vulnerable_days if test == "vulnerable_updated" else rules.all_days
        due = reported + dt.timedelta(days=days)
    seen = ", ".join(u.isoformat() for u in after) or "none"
    if after and after[0] <= due:
        return "pass", f"updated {after[0].isoformat()} (due by {due.isoformat()}); updates: {seen}"
    if not after and as_of <= due:
        return "pass", f"not yet due (by {due.isoformat()}); no update yet"
    return "fail", f"due by {due.isoformat()}; updates on record: {seen}"
