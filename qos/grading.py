"""Meets / exceeds / fails, as HMIC grades forces from survey figures (2008, Appendix 3).

A unit meets the standard when it shows no significant difference from its peers (the rest of
the force, or the most similar forces' average from the official survey) or from the same
period a year earlier. A significant difference makes it exceed or fail. It never exceeds while
deteriorating, and an improvement earns credit even below its peers: when the two comparisons
point opposite ways the grade is "Meets". Significance is the adjusted (Benjamini-Hochberg)
result, never the raw p-value.
"""
from __future__ import annotations

from dataclasses import dataclass

from qos.rates import Change

EXCEEDS, MEETS, FAILS, NOT_GRADED = "Exceeds", "Meets", "Fails", "Not graded"


@dataclass(frozen=True)
class Grade:
    key: str  # the driver
    label: str
    grade: str
    reason: str
    basis: str  # what the figures were: "QoS checks, last 3 months", "User satisfaction survey"
    peers: Change | None
    trend: Change | None


def _word(change: Change, higher: str, lower: str) -> str:
    return higher if change.direction > 0 else lower


def grade(key: str, label: str, basis: str, peers_name: str, peers: Change | None,
          trend: Change | None) -> Grade:
    """The grade from two comparisons, either of which may be missing or untestable."""
    tested = [c for c in (peers, trend) if c is not None and c.testable]
    if not tested:
        return Grade(key, label, NOT_GRADED, "too few answers to compare", basis, peers, trend)
    up = [c for c in tested if c.direction > 0]
    down = [c for c in tested if c.direction < 0]
    notes = []
    if peers is not None and peers.testable:
        notes.append(f"{_word(peers, 'above', 'below')} {peers_name}" if peers.direction
                     else f"no real difference from {peers_name}")
    if trend is not None and trend.testable:
        notes.append(_word(trend, "improving on a year earlier", "deteriorating on a year "
                           "earlier") if trend.direction else "no real change on a year earlier")
    reason = "; ".join(notes)
    if up and down:
        result = MEETS  # never exceeding while deteriorating; credit for improving below peers
    elif up:
        result = EXCEEDS
    elif down:
        result = FAILS
    else:
        result = MEETS
    if any(c is not None and not c.testable for c in (peers, trend)):
        reason += "; the other comparison has too few answers"
    return Grade(key, label, result, reason, basis, peers, trend)
