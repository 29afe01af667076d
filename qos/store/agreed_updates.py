"""How often a victim agreed to be updated (2020 Victims' Code), recorded from a call."""
from __future__ import annotations

from qos.clock import now_iso
from qos.errors import PermissionDenied, ValidationError
from qos.roles import Action, Actor, allowed
from qos.store import duties
from qos.store.core import Store
from qos.store.updates import _require_crime_unit  # the one check for a crime's unit


def record_update_frequency(store: Store, actor: Actor, crime_id: int, days: int, *,
                            source: str) -> None:
    """How often the victim agreed to be updated (2020 Code), from a call-back or the bureau;
    the due list and timeliness figures then run on it."""
    if not (allowed(actor, Action.RECORD_CALLBACK) or allowed(actor, Action.BUREAU_CALL)):
        raise PermissionDenied(f"{actor.display_name} may not record what a victim agreed.")
    if not 1 <= days <= 365:
        raise ValidationError("The agreed update frequency is a number of days from 1 to 365.")
    with store.write():
        _require_crime_unit(store, actor, crime_id)
        cursor = store.execute(
            "UPDATE crimes SET update_every_days = ?, updated_at = ?, updated_by = ?, "
            "version = version + 1 WHERE id = ?", [days, now_iso(), actor.user_id, crime_id])
        if cursor.rowcount != 1:
            raise ValidationError("That crime no longer exists.")
        store.audit(actor, "agreed update frequency", "crimes", crime_id,
                    {"days": days, "source": source})
        store.hash_rows(actor, "crimes", "id", [crime_id])
        duties.rework(store, [crime_id])  # its deadlines now: the due list only reads them
