"""The Quality of Service Commitment items, as data (resources/qosc/v<N>.json).

Informal complaints are mapped to these items, so the force can see where it fails to meet
the Commitment; older complaint categories map onto them through each item's
`from_categories`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from qos.paths import resource
from qos.templates import versioned_files


@dataclass(frozen=True)
class CommitmentItem:
    key: str
    label: str
    from_categories: tuple[str, ...]


@cache
def commitment_items(version: int | None = None) -> tuple[CommitmentItem, ...]:
    files = versioned_files(resource("qosc"))
    chosen = max(files) if version is None else version
    data = json.loads(files[chosen].read_text(encoding="utf-8"))
    return tuple(CommitmentItem(i["key"], i["label"], tuple(i.get("from_categories", ())))
                 for i in data["items"])


def item_label(key: str) -> str:
    return next((i.label for i in commitment_items() if i.key == key), key)


def item_for_category(category: str) -> str:
    """The Commitment item an older complaint category counts under ('other' if none)."""
    for item in commitment_items():
        if category in item.from_categories:
            return item.key
    return "other"
