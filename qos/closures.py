"""Closure compliance: was a crime closed while a Victims' Code duty or a failed QoS check
was still outstanding? (HMIC Kent 2008, lines 1366-1370 and 1495-1499: "no crime is closed
unless it is quality of service and Code of Practice for Victims of Crime compliant".)

At the closure date, a crime is not compliant if any of these holds:
- a Victims' Code update whose event came before the closure had not been made by the
  closure date (an event on the closure day itself, such as "told the investigation was
  closed", is owed at closure by nature and is left to the due list);
- the regular progress update was overdue on the closure date (no update, nor the report,
  within the edition's periodic interval);
- a QoS call-back made on or before the closure answered "no" to a Victims' Code or Quality
  of Service Commitment question;
- a contact-bureau remedial action raised on or before the closure was still open then.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from qos.victims_code import edition_for, obligations


@dataclass(frozen=True)
class FailedCheck:
    on: dt.date
    what: str  # e.g. "Call-back: Were you given a crime reference number?"


@dataclass(frozen=True)
class OpenAction:
    raised_on: dt.date
    closed_on: dt.date | None
    what: str


def closure_problems(crime: dict[str, Any], updates: list[dt.date],
                     failed_checks: list[FailedCheck],
                     actions: list[OpenAction]) -> list[str]:
    """Why the crime's closure was not compliant, in plain words; empty when it was."""
    closed = dt.date.fromisoformat(crime["finalised_on"])
    problems: list[str] = []
    for duty in obligations(crime, updates):
        if duty.event_date >= closed:
            continue
        if duty.updated_on is None or duty.updated_on > closed:
            problems.append(f"Victims' Code: {duty.rule.label.lower()} "
                            f"(event {duty.event_date.isoformat()}) not done by closure")
    edition = edition_for(dt.date.fromisoformat(crime["recorded_on"]))
    if edition is not None:
        reported = dt.date.fromisoformat(crime["recorded_on"])
        last = max([reported, *(u for u in updates if u <= closed)])
        if (closed - last).days > edition.periodic_update_days:
            problems.append(f"Victims' Code: no progress update for {(closed - last).days} "
                            f"days before closure (every {edition.periodic_update_days} due)")
    for check in failed_checks:
        if check.on <= closed:
            problems.append(f"Failed QoS check on {check.on.isoformat()}: {check.what}")
    for action in actions:
        if action.raised_on <= closed and (action.closed_on is None or action.closed_on > closed):
            problems.append(f"Remedial action still open at closure: {action.what}")
    return problems
