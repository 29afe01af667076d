"""Column mappings saved per import kind and source (e.g. crimes from 'Niche RMS')."""
from __future__ import annotations

import json

from qos.errors import ValidationError
from qos.roles import Action, Actor, require
from qos.store.core import Store

# Who may save a mapping for each kind of import.
IMPORT_ACTIONS = {"crimes": Action.IMPORT_CRIMES, "callbacks": Action.IMPORT_HISTORY,
                  "people": Action.MANAGE_REFERENCE}


def save_mapping(store: Store, actor: Actor, kind: str, name: str, mapping: dict[str, str]) -> None:
    require(actor, IMPORT_ACTIONS.get(kind, Action.MANAGE_REFERENCE))
    if not name.strip():
        raise ValidationError("Give the mapping a name, such as the system the file comes from.")
    with store.write():
        store.execute("INSERT INTO import_mappings (kind, name, mapping) VALUES (?, ?, ?) "
                      "ON CONFLICT(kind, name) DO UPDATE SET mapping = excluded.mapping",
                      [kind, name.strip(), json.dumps(mapping)])
        row_id = store.scalar("SELECT id FROM import_mappings WHERE kind = ? AND name = ?",
                              [kind, name.strip()])
        # By the row's id: the entry records the row's hash (audit verify).
        store.audit(actor, "save mapping", "import_mappings", row_id,
                    {"kind": kind, "name": name.strip(), "mapping": mapping})


def get_mapping(store: Store, actor: Actor, kind: str, name: str) -> dict[str, str]:
    require(actor, IMPORT_ACTIONS.get(kind, Action.MANAGE_REFERENCE))
    raw = store.scalar("SELECT mapping FROM import_mappings WHERE kind = ? AND name = ?",
                       [kind, name])
    if raw is None:
        raise ValidationError(f"There is no saved '{kind}' column mapping called '{name}'.")
    return dict(json.loads(raw))


def mapping_names(store: Store, actor: Actor, kind: str) -> list[str]:
    require(actor, IMPORT_ACTIONS.get(kind, Action.MANAGE_REFERENCE))
    return [r["name"] for r in store.rows(
        "SELECT name FROM import_mappings WHERE kind = ? ORDER BY name", [kind])]
