"""The monthly summary export: checked, audited, and an anchor of the audit trail.

The workbook's method sheet prints the trail's head, so every circulated workbook is an
anchor: `audit verify --anchor FILE.xlsx` shows whether entries were cut off since.
"""
from __future__ import annotations

from pathlib import Path

from qos.progress import Progress
from qos.roles import Action, Actor, require
from qos.store.audit import anchor_now, head_of
from qos.store.core import Store


def export_summary(store: Store, actor: Actor, month: str, path: Path,
                   unit_code: str | None = None, progress: Progress | None = None) -> Path:
    require(actor, Action.EXPORT_SUMMARY)
    from qos.excel import write_summary_workbook
    from qos.store.summary_data import monthly_summary

    summary = monthly_summary(store, actor, month, unit_code)
    # The export entry first, so the head the workbook prints includes it.
    # "anchored": verify then expects this export's anchor in the history beside the file.
    store.audit(actor, "export", "summary", month,
                {"file": str(path), "unit": unit_code, "anchored": store.path is not None})
    head = head_of(store.conn)
    target: Path = write_summary_workbook(summary, path, progress, audit_head=head)
    anchor_now(store, actor, f"export {target.name}", head)  # also in the history
    return target
