"""One operation for a crime extract: import it, then work out the new crimes' Victims' Code
deadlines, so the due list and the summary read them at once. The import dialog and the
command line both use it."""
from __future__ import annotations

from qos.errors import SavedThenFailed
from qos.importing import ImportResult
from qos.progress import Progress
from qos.roles import Action, Actor, require
from qos.store import crimes, duties
from qos.store.core import Store
from qos.tabular import Table


def import_crimes_with_deadlines(store: Store, actor: Actor, table: Table, *,
                                 all_or_nothing: bool, mapping: dict[str, str] | None = None,
                                 source: str = "", progress: Progress | None = None
                                 ) -> ImportResult:
    """The import (one transaction), then the deadlines (in chunks). One progress bar: each
    step fills half of it. If the deadlines fail, the crimes stay imported and the error says
    so (the background catch-up works them out later)."""
    require(actor, Action.IMPORT_CRIMES)
    size = max(len(table.rows), 1)
    result = crimes.import_crimes(
        store, actor, table, all_or_nothing=all_or_nothing, mapping=mapping, source=source,
        progress=(lambda done, total: progress(done, 2 * total)) if progress else None)
    if not result.applied:
        return result
    try:
        duties.bring_up_to_date(store, (lambda done, total: progress(
            size + done * size // max(total, 1), 2 * size)) if progress else None)
    except Exception as exc:
        raise SavedThenFailed(
            f"{result.summary()} Those crimes are saved, but working out their Victims' Code "
            f"deadlines then failed ({type(exc).__name__}: {exc}). The due list and summary "
            "will include them once the deadlines are worked out, at the app's next start."
        ) from exc
    return result
