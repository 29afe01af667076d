"""SPI 1e survey groups (burglary, violent crime, vehicle crime, road traffic collisions, other):
the mapping from a force's offence categories is data, in resources/survey_groups.json."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from qos.errors import ValidationError
from qos.paths import resource


@dataclass(frozen=True)
class SurveyGroups:
    groups: tuple[str, ...]
    default: str
    categories: dict[str, str]  # offence category, lower case -> group

    def group_of(self, category: str | None) -> str | None:
        """The group of an offence category; None when the check has no known crime."""
        if not category or not category.strip():
            return None
        return self.categories.get(category.strip().lower(), self.default)


def parse_survey_groups(text: str) -> SurveyGroups:
    try:
        data = json.loads(text)
        groups = tuple(str(g) for g in data["groups"])
        categories = {str(k).strip().lower(): str(v) for k, v in data["categories"].items()}
        default = str(data["default"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationError(f"The survey group file is malformed: {exc}") from exc
    unknown = sorted({g for g in [*categories.values(), default] if g not in groups})
    if unknown:
        raise ValidationError(f"The survey group file maps to groups it does not list: "
                              f"{', '.join(unknown)}.")
    return SurveyGroups(groups, default, categories)


@cache
def survey_groups() -> SurveyGroups:
    return parse_survey_groups(resource("survey_groups.json").read_text(encoding="utf-8"))
