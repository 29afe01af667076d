"""Keep a copy of every template version that answers were recorded under."""
from __future__ import annotations

from qos.clock import now_iso
from qos.roles import Action, Actor, require_any
from qos.store.core import Row, Store
from qos.templates import Template, parse_template

# Whoever records answers keeps the template version they were recorded under.
RECORDING = (Action.RECORD_CALLBACK, Action.IMPORT_HISTORY, Action.ENTER_DOORSTEP,
             Action.MANAGE_DOORSTEP, Action.BUREAU_CALL)


def register_template(store: Store, actor: Actor, template: Template) -> None:
    require_any(actor, *RECORDING)
    with store.write():
        if store.scalar("SELECT 1 FROM templates WHERE kind = ? AND version = ?",
                        [template.kind, template.version]):
            return  # kept already: a version's text never changes
        cursor = store.execute(
            "INSERT INTO templates (kind, version, title, body, loaded_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(kind, version) DO NOTHING",
            [template.kind, template.version, template.title, template.body, now_iso()])
        if cursor.lastrowid:  # records the row's hash, so verify checks the kept text
            store.audit(actor, "template kept", "templates", int(cursor.lastrowid),
                        {"kind": template.kind, "version": template.version})


def stored_template(store: Store, actor: Actor, kind: str, version: int) -> Template | None:
    require_any(actor, Action.VIEW_REFERENCE, *RECORDING)
    body = store.scalar("SELECT body FROM templates WHERE kind = ? AND version = ?",
                        [kind, version])
    return parse_template(body) if body else None


def list_templates(store: Store, actor: Actor) -> list[Row]:
    require_any(actor, Action.VIEW_REFERENCE, *RECORDING)
    return store.rows("SELECT kind, version, title, loaded_at FROM templates "
                      "ORDER BY kind, version")
