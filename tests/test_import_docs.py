"""docs/import-formats.md names every column each importer accepts: a force following the
document must be able to use any column name the code reads."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from qos.importing import Field, header_key
from qos.store.callbacks import history_fields
from qos.store.crimes import CRIME_FIELDS
from qos.store.official_survey import FIELDS as SURVEY_FIELDS
from qos.store.reference import PEOPLE_FIELDS
from qos.templates import load_template

DOC = Path(__file__).resolve().parent.parent / "docs" / "import-formats.md"


def _documented(section: str) -> set[str]:
    """Header keys of the column names in the first cell of each row of a section's table:
    'Label (alias, alias)', or several labels separated by commas."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index(section)
    end = text.find("\n## ", start + 1)
    names: set[str] = set()
    for line in text[start:end if end > 0 else None].splitlines():
        if not line.startswith("| ") or line.startswith(("| column", "|---")):
            continue
        cell = line.split("|")[1].strip()
        match = re.match(r"^(.*) \(([^()]*)\)$", cell)
        label, aliases = (match.group(1), match.group(2).split(", ")) if match else (cell, [])
        names.add(header_key(label))
        names.update(header_key(part) for part in [*label.split(", "), *aliases])
    return names


@pytest.mark.parametrize("section, fields", [
    ("## Crime extracts", CRIME_FIELDS),
    ("## Call-back history", history_fields(load_template("callback", 1))),
    ("## Official survey", SURVEY_FIELDS),
    ("## People", PEOPLE_FIELDS),
])
def test_every_accepted_column_name_is_documented(section: str, fields: list[Field]):
    documented = _documented(section)
    missing = [f"{spec.label}: {name}" for spec in fields for name in spec.names()
               if name not in documented]
    assert missing == []


def test_the_check_would_catch_an_undocumented_column():
    hidden = Field("secret_column", "Secret column", aliases=("hush",))
    documented = _documented("## Crime extracts")
    assert [n for n in hidden.names() if n not in documented] == [
        "secret_column", "secret_column", "hush"]
