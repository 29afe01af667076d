"""Victims' contact details: erased when no longer needed, or on request; opt-outs honoured.

The anonymous answers stay for the statistics. With secure_delete on, erased values are
overwritten in the database file; a WAL checkpoint then clears them from the WAL. Backups
keep copies until rotation removes them (see `backups_kept`).
"""
from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable

from qos.errors import ValidationError
from qos.parsing import normalise_phone, normalise_reference
from qos.roles import Action, Actor, require, require_any, require_unit
from qos.settings import setting
from qos.store.core import Store
from qos.store.reference import scope_sql

HMAC_KEY = "phone_hmac_key"  # made once by migration 0009; never shown, never exported


def phone_hasher(store: Store, actor: Actor) -> Callable[[str | None], str | None]:
    """HMAC-SHA256 of a phone number under the database's own secret: equal numbers give
    equal hashes, and the number cannot be read back from it without the secret."""
    require_any(actor, Action.IMPORT_CRIMES, Action.VIEW_VICTIM_CONTACT)
    secret = bytes.fromhex(store.setting(HMAC_KEY))

    def digest(phone: str | None) -> str | None:
        return hmac.digest(secret, phone.encode(), "sha256").hex() if phone else None
    return digest


_OPEN_ITEM = ("SELECT 1 FROM sample_items si WHERE si.crime_id = crimes.id AND "
              "(si.status IN ('to_call', 'attempted') OR si.last_attempt_at >= :cutoff)")


def erase_expired_contacts(store: Store, actor: Actor, *, today: dt.date | None = None) -> int:
    """Erase names and phones of crimes recorded over N days ago with no call still open."""
    require(actor, Action.MANAGE_REFERENCE)
    days = int(setting(store, "contact_retention_days"))
    cutoff = ((today or dt.date.today()) - dt.timedelta(days=days)).isoformat()
    with store.write():
        cursor = store.execute(
            "UPDATE crimes SET victim_name = NULL, victim_phone = NULL WHERE "
            "(victim_name IS NOT NULL OR victim_phone IS NOT NULL) AND recorded_on < :cutoff "
            f"AND NOT EXISTS ({_OPEN_ITEM}) RETURNING id", {"cutoff": cutoff})
        ids = [r[0] for r in cursor.fetchall()]
        erased = len(ids)
        dropped = _drop_unneeded_hashes(store, today or dt.date.today())
        store.hash_rows(actor, "crimes", "id", sorted({*ids, *dropped}))
        store.audit(actor, "erasure (retention)", "crimes", None,
                    {"records": erased, "recorded_before": cutoff, "days": days,
                     "phone_hashes_dropped": len(dropped)})
    _clear_wal(store)
    return erased


def erase_on_request(store: Store, actor: Actor, crime_ref: str, reason: str) -> int:
    """A victim asked: erase their contact details on every crime with that phone, opt them out."""
    require(actor, Action.VIEW_VICTIM_CONTACT)
    if len(reason.strip()) < 5:
        raise ValidationError("Record why the details are being erased (e.g. victim's request).")
    with store.write():
        crime = store.row("SELECT id, unit_id, victim_phone FROM crimes WHERE crime_ref = ?",
                          [normalise_reference(crime_ref)])
        if crime is None:
            raise ValidationError(f"There is no crime {crime_ref}.")
        require_unit(actor, crime["unit_id"], "crimes")
        phone = crime["victim_phone"]
        # The victim's other crimes too, within the units this user covers.
        scope, scope_params = scope_sql(actor, "unit_id")
        cursor = store.execute(
            "UPDATE crimes SET victim_name = NULL, victim_phone = NULL, contact_opt_out = 1 "
            f"WHERE id = ? OR (? != '' AND victim_phone = ? AND {scope}) RETURNING id",
            [crime["id"], phone or "", phone, *scope_params])
        ids = [r[0] for r in cursor.fetchall()]
        erased = len(ids)
        dropped = _drop_unneeded_hashes(store, dt.date.today())
        store.hash_rows(actor, "crimes", "id", sorted({*ids, *dropped}))
        # The audit names the crime, never the erased name or number.
        store.audit(actor, "erasure (request)", "crimes", normalise_reference(crime_ref),
                    {"records": erased, "reason": reason.strip()})
    _clear_wal(store)
    return erased


def record_opt_out(store: Store, actor: Actor, phone: str) -> int:
    """Never re-contact this number: the sampler and bureau queue skip opted-out crimes."""
    require(actor, Action.VIEW_VICTIM_CONTACT)
    number = normalise_phone(phone)
    if not number:
        raise ValidationError("Give the phone number that asked not to be contacted again.")
    with store.write():
        scope, scope_params = scope_sql(actor, "unit_id")  # the units this user covers
        cursor = store.execute("UPDATE crimes SET contact_opt_out = 1 WHERE victim_phone = ? "
                               f"AND {scope} RETURNING id", [number, *scope_params])
        ids = [r[0] for r in cursor.fetchall()]
        store.hash_rows(actor, "crimes", "id", ids)
        store.audit(actor, "opt-out", "crimes", None, {"records": len(ids)})
        return len(ids)


def _drop_unneeded_hashes(store: Store, today: dt.date) -> list[int]:
    """Keep an erased number's hash only while the no-recontact rule can still need it: the
    crime was called from a draw recent enough to keep its victim out of a later draw. One
    month more than the window, because a month's sample is usually drawn after it ends."""
    from qos.months import shift_month

    months = int(setting(store, "recontact_months"))
    since = shift_month(today.isoformat()[:7], -months - 1)
    return [r[0] for r in store.execute(
        "UPDATE crimes SET phone_hmac = NULL WHERE phone_hmac IS NOT NULL "
        "AND victim_phone IS NULL AND NOT EXISTS (SELECT 1 FROM sample_items si "
        "JOIN sample_draws d ON d.id = si.draw_id WHERE si.crime_id = crimes.id "
        "AND (si.is_reserve = 0 OR si.status != 'reserve') AND d.month >= ?) RETURNING id",
        [since]).fetchall()]


def _clear_wal(store: Store) -> None:
    if store.dialect.reclaim_space:
        store.conn.execute(store.dialect.reclaim_space)
