"""Versioned question sets loaded from resources/templates/<kind>/v<N>.json.

Answers are stored with the (kind, version) they were asked under, and the store keeps a copy
of each template body it has used, so old answers stay readable after a file changes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from qos.errors import ValidationError
from qos.paths import resource

SATISFIED_CODES = (1, 2, 3)  # completely, very, fairly satisfied
DONT_KNOW = 0  # don't know / not applicable: excluded from every denominator
YES_NO_LABELS = {"Y": "Yes", "N": "No", "X": "Not applicable / don't know"}


# What a question measures, declared in the template; the summary and workbook are built from
# these declarations, never from a list of keys in code.
# Free text is each call's comments box, kept with the record and never turned into a figure.
MEASURES = ("driver", "victims_code", "qosc", "other")


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    type: str  # scale7 | yes_no
    driver: bool = False
    group: str | None = None
    remedy: str | None = None  # a "no" raises a remedial action with this text
    labels: tuple[str, ...] = ()  # a scale7 question's own answer words (else the template's)
    measures: str = "other"  # one of MEASURES
    figure: str = ""  # the reported figure it feeds; the same across versions when renamed
    label: str = ""  # the figure's short name in reports


def _question(q: dict[str, Any]) -> Question:
    """A question from its template entry. Templates written before questions declared what
    they measure (stored copies of version 1) are read from their driver/group marks."""
    group = q.get("group")
    implied = ("driver" if q.get("driver") else group if group in ("victims_code", "qosc")
               else "other")
    measures = q.get("measures", implied)
    if measures not in MEASURES:
        raise ValidationError(f"Question {q['key']} measures '{measures}', which is not one of "
                              f"{', '.join(MEASURES)}.")
    return Question(key=q["key"], text=q["text"], type=q["type"],
                    driver=measures == "driver",
                    group=group or (measures if measures in ("victims_code", "qosc") else None),
                    remedy=q.get("remedy"),
                    measures=measures, figure=q.get("figure", q["key"]),
                    label=q.get("label", q["text"]),
                    labels=tuple(q.get("labels", ())))


@dataclass(frozen=True)
class Template:
    kind: str
    version: int
    title: str
    sections: tuple[tuple[str, tuple[Question, ...]], ...]
    scale_labels: tuple[str, ...]
    body: str
    script: tuple[str, ...] = ()  # words to read out before the questions

    @property
    def questions(self) -> list[Question]:
        return [q for _, qs in self.sections for q in qs]

    @property
    def drivers(self) -> list[Question]:
        return [q for q in self.questions if q.driver]

    def scale_for(self, question: Question) -> tuple[str, ...]:
        """The seven answer words a scale question is asked with."""
        return question.labels or self.scale_labels

    def in_group(self, group: str) -> list[Question]:
        return [q for q in self.questions if q.group == group]

    def measuring(self, measures: str) -> list[Question]:
        return [q for q in self.questions if q.measures == measures]


def parse_template(body: str) -> Template:
    try:
        data: dict[str, Any] = json.loads(body)
        sections = tuple(
            (s["title"], tuple(_question(q) for q in s["questions"]))
            for s in data["sections"])
        template = Template(kind=data["kind"], version=int(data["version"]), title=data["title"],
                            sections=sections, scale_labels=tuple(data.get("scale7", ())),
                            body=body, script=tuple(data.get("script", ())))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"The question template is malformed: {exc}") from exc
    for q in template.questions:
        if q.type not in ("scale7", "yes_no"):
            raise ValidationError(f"Question {q.key} has an unknown type '{q.type}'.")
        if q.labels and (q.type != "scale7" or len(q.labels) != 7):
            raise ValidationError(f"Question {q.key}: its own answer words must be seven, "
                                  "for a 1-7 question.")
    return template


def template_files(kind: str) -> dict[int, Path]:
    return versioned_files(resource("templates", kind))


def versioned_files(folder: Path) -> dict[int, Path]:
    """v1.json, v2.json, ... in `folder`, by version number."""
    found = {}
    for path in folder.glob("v*.json"):
        try:
            found[int(path.stem[1:])] = path
        except ValueError:
            continue
    return found


@cache
def load_template(kind: str, version: int | None = None) -> Template:
    """The given version, or the newest file when version is None."""
    files = template_files(kind)
    if not files:
        raise ValidationError(f"No '{kind}' question templates were found in resources.")
    chosen = max(files) if version is None else version
    if chosen not in files:
        raise ValidationError(f"Version {chosen} of the '{kind}' template is not installed.")
    return parse_template(files[chosen].read_text(encoding="utf-8"))


@cache
def ethnicity_options() -> list[dict[str, str]]:
    data = json.loads(resource("ethnicity.json").read_text(encoding="utf-8"))
    return list(data["options"])


@cache
def _groups_by_code() -> dict[str, str]:
    return {option["code"]: option["group"] for option in ethnicity_options()}


def ethnic_group(code: str | None) -> str:
    """'white', 'minority' or 'not_stated' for a self-defined ethnicity code."""
    return _groups_by_code().get(code or "", "not_stated")


@cache
def scenario_bank(version: int | None = None) -> dict[str, Any]:
    files = versioned_files(resource("scenarios"))
    chosen = max(files) if version is None else version
    return dict(json.loads(files[chosen].read_text(encoding="utf-8")))
