"""The daily upkeep the app runs in the background: the integrity check, the daily backup,
retention (erasing expired contact details) and the Victims' Code deadline catch-up.

Each step runs even if an earlier one failed (a full backup disk must not stop retention);
every failure is logged with its traceback and reported in plain words, never swallowed."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from qos.errors import QosError
from qos.logs import log_failure
from qos.roles import SYSTEM
from qos.settings import setting
from qos.store import duties
from qos.store.backups import automatic_backup
from qos.store.core import Store, integrity_problem
from qos.store.retention import erase_expired_contacts

log = logging.getLogger(__name__)


@dataclass
class UpkeepReport:
    damage: str | None = None  # SQLite's words when the file is damaged: nothing else ran
    failures: list[str] = field(default_factory=list)  # one plain sentence per failed step


def _back_up(store: Store) -> None:
    # Only when the newest backup is a day old; the oldest beyond the setting go.
    automatic_backup(store, SYSTEM, keep=int(setting(store, "backups_kept")))


def _erase_expired(store: Store) -> None:
    erase_expired_contacts(store, SYSTEM)


def _catch_up_deadlines(store: Store) -> None:
    # After an upgrade or a change made outside the app, so the due list and the summary
    # read deadlines that are up to date.
    duties.bring_up_to_date(store)


STEPS: tuple[tuple[str, Callable[[Store], None]], ...] = (
    ("take the daily backup", _back_up),
    ("erase contact details past their retention period", _erase_expired),
    ("work out the Victims' Code deadlines", _catch_up_deadlines),
)


def plain_reason(exc: BaseException) -> str:
    if isinstance(exc, QosError):
        return str(exc)
    return f"an unexpected error ({type(exc).__name__})"


def daily_upkeep(store: Store) -> UpkeepReport:
    report = UpkeepReport()
    try:
        report.damage = integrity_problem(store)
    except Exception as exc:  # noqa: BLE001 (each is reported)
        log_failure(log, "daily upkeep: the integrity check failed", exc)
        report.failures.append(f"Could not check the database for damage: {plain_reason(exc)}.")
    if report.damage is not None:
        log.error("daily upkeep: the database is damaged: %s", report.damage)
        return report  # never back up or change a damaged file
    for what, step in STEPS:
        try:
            step(store)
        except Exception as exc:  # noqa: BLE001 (each is reported)
            log_failure(log, f"daily upkeep: could not {what}", exc)
            report.failures.append(f"Could not {what}: {plain_reason(exc)}.")
    return report
