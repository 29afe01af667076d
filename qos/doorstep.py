"""Doorstep card figures: per-question rates over returned cards, for summaries and feedback.

Postal cards are a separate series from telephone call-backs (different method, different
response bias), so nothing here is pooled with call-back satisfaction.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from qos.rates import ItemRate, make_rate
from qos.templates import SATISFIED_CODES, load_template, template_files


def question_labels() -> dict[str, str]:
    """Every question any card design asked, labelled by the newest design that asks it."""
    labels: dict[str, str] = {}
    for version in sorted(template_files("doorstep")):
        for question in load_template("doorstep", version).questions:
            labels[question.key] = question.text
    return labels


def question_rates(answer_sets: Iterable[dict[str, Any]], min_n: int) -> list[ItemRate]:
    """Satisfied (1-3 of 1-7) or yes (of yes/no) per question; blanks and 0 left out."""
    hits: dict[str, int] = {}
    valid: dict[str, int] = {}
    for answers in answer_sets:
        for key, value in answers.items():
            if isinstance(value, int) and 1 <= value <= 7:
                valid[key] = valid.get(key, 0) + 1
                hits[key] = hits.get(key, 0) + int(value in SATISFIED_CODES)
            elif value in ("Y", "N"):
                valid[key] = valid.get(key, 0) + 1
                hits[key] = hits.get(key, 0) + int(value == "Y")
    labels = question_labels()
    return [ItemRate(key, labels[key], make_rate(hits.get(key, 0), valid.get(key, 0), min_n))
            for key in labels if key in valid]


@dataclass
class OfficerFeedback:
    officer: str
    unit: str
    first: str
    last: str
    cards: int
    min_cards: int
    questions: list[ItemRate] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)  # (date received, words)

    @property
    def enough_cards(self) -> bool:
        return self.cards >= self.min_cards


def officer_feedback(cards: list[dict[str, Any]], officer: str, unit: str, first: str,
                     last: str, min_cards: int) -> OfficerFeedback:
    answers = [json.loads(c["answers"]) for c in cards]
    return OfficerFeedback(
        officer, unit, first, last, len(cards), min_cards,
        question_rates(answers, min_cards),
        [(c["received_on"], c["comments"]) for c in cards if c.get("comments")])
