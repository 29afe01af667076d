"""Keep a copy of every template version that answers were recorded under."""
from __future__ import annotations

from qos.clock import now_iso
from qos.store.core import Row, Store
from qos.templates import Template, parse_template


def register_template(store: Store, template: Template) -> None:
    with store.write():
        store.execute(
            "INSERT INTO templates (kind, version, title, body, loaded_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(kind, version) DO NOTHING",
            [template.kind, template.version, template.title, template.body, now_iso()])


def stored_template(store: Store, kind: str, version: int) -> Template | None:
    body = store.scalar("SELECT body FROM templates WHERE kind = ? AND version = ?",
                        [kind, version])
    return parse_template(body) if body else None


def list_templates(store: Store) -> list[Row]:
    return store.rows("SELECT kind, version, title, loaded_at FROM templates "
                      "ORDER BY kind, version")
