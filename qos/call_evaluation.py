"""Control-room call evaluation: the versioned, weighted evaluation template (data in
resources/call_evaluation/), scoring with not-applicable items, and the rolling standard for
progression ("No staff member can progress within the FCC unless they meet the appropriate
standard": HMIC Kent 2008, lines 1579-1581)."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache

from qos.errors import ValidationError
from qos.paths import resource
from qos.templates import versioned_files

MET, NOT_MET, NOT_APPLICABLE = "Y", "N", "X"
ANSWER_LABELS = {MET: "Met", NOT_MET: "Not met", NOT_APPLICABLE: "Not applicable"}


@dataclass(frozen=True)
class EvaluationItem:
    key: str
    text: str
    weight: float


@dataclass(frozen=True)
class EvaluationTemplate:
    version: int
    title: str
    items: tuple[EvaluationItem, ...]
    body: str


def parse_evaluation_template(body: str) -> EvaluationTemplate:
    try:
        data = json.loads(body)
        items = tuple(EvaluationItem(i["key"], i["text"], float(i["weight"]))
                      for i in data["items"])
        template = EvaluationTemplate(int(data["version"]), data["title"], items, body)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"The call evaluation template is malformed: {exc}") from exc
    if any(item.weight <= 0 for item in items):
        raise ValidationError("Every call evaluation item needs a weight above 0.")
    return template


@cache
def evaluation_template(version: int | None = None) -> EvaluationTemplate:
    files = versioned_files(resource("call_evaluation"))
    chosen = max(files) if version is None else version
    if chosen not in files:
        raise ValidationError(f"Version {chosen} of the call evaluation is not installed.")
    return parse_evaluation_template(files[chosen].read_text(encoding="utf-8"))


def score(template: EvaluationTemplate, answers: dict[str, str]) -> float:
    """Weight met over weight that applied, 0 to 1. Every item needs an answer, and at least
    one must apply."""
    missing = [i.key for i in template.items if answers.get(i.key) not in ANSWER_LABELS]
    if missing:
        raise ValidationError(f"{len(missing)} item(s) have no answer: "
                              f"{', '.join(missing)}.")
    unknown = set(answers) - {i.key for i in template.items}
    if unknown:
        raise ValidationError(f"'{min(unknown)}' is not an item of this evaluation.")
    applied = sum(i.weight for i in template.items if answers[i.key] != NOT_APPLICABLE)
    if applied == 0:
        raise ValidationError("At least one item must apply to the call.")
    return sum(i.weight for i in template.items if answers[i.key] == MET) / applied


# Two-sided 95% t critical values by degrees of freedom (1-30); beyond, the normal 1.96.
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


@dataclass(frozen=True)
class MeanScore:
    n: int
    mean: float
    low: float
    high: float


def mean_score(scores: list[float]) -> MeanScore:
    """The mean evaluation score with a 95% t interval (clipped to 0-100%)."""
    n = len(scores)
    if n == 0:
        return MeanScore(0, math.nan, math.nan, math.nan)
    mean = sum(scores) / n
    if n == 1:
        return MeanScore(1, mean, math.nan, math.nan)
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / (n - 1))
    t = _T95[n - 2] if n - 1 <= len(_T95) else 1.96
    half = t * sd / math.sqrt(n)
    return MeanScore(n, mean, max(0.0, mean - half), min(1.0, mean + half))


@dataclass(frozen=True)
class Standard:
    months: tuple[str, ...]  # oldest first
    month_means: tuple[float | None, ...]  # None: no evaluation that month
    threshold: float

    @property
    def months_met(self) -> int:
        return sum(1 for m in self.month_means if m is not None and m >= self.threshold)

    @property
    def meets(self) -> bool:
        """At or above the threshold in every one of the months."""
        return self.months_met == len(self.months)


def rolling_standard(month_scores: dict[str, list[float]], months: list[str],
                     threshold: float) -> Standard:
    means = tuple(sum(month_scores[m]) / len(month_scores[m]) if month_scores.get(m) else None
                  for m in months)
    return Standard(tuple(months), means, threshold)
