"""Victims' contact details: erasure on request, retention, opt-out."""
from __future__ import annotations

import datetime as dt

import pytest

from qos.errors import ValidationError
from qos.roles import SYSTEM
from qos.store import reference, retention, samples
from tests.factories import crime_line, import_lines

CANARY_NAME = "Canary Zebedee Quartermaine"
CANARY_PHONE = "07700 900777"


def _file_bytes(db_path):
    wal = db_path.with_name(db_path.name + "-wal")
    return db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.mark.sqlite_only
def test_erasure_on_request_removes_canaries_from_file_and_wal(store, admin, db_path):
    import_lines(store, admin, [
        crime_line("NOR/C1", "05/10/2026", phone=CANARY_PHONE).replace("Victim NOR/C1",
                                                                      CANARY_NAME),
        crime_line("NOR/C2", "06/10/2026", phone=CANARY_PHONE),
        crime_line("NOR/OTHER", "06/10/2026"),
    ])
    assert CANARY_NAME.encode() in _file_bytes(db_path)
    erased = retention.erase_on_request(store, admin, "nor/c1", "Victim asked by phone")
    assert erased == 2  # both crimes with that number
    data = _file_bytes(db_path)
    assert CANARY_NAME.encode() not in data
    assert b"07700900777" not in data
    entry = store.row("SELECT * FROM audit_log WHERE action = 'erasure (request)'")
    assert entry["entity_id"] == "NOR/C1" and "07700900777" not in entry["detail"]
    assert store.scalar("SELECT contact_opt_out FROM crimes WHERE crime_ref = 'NOR/C2'") == 1


def test_retention_erases_only_closed_old_records(store, admin, db_path):
    import_lines(store, admin, [crime_line(f"NOR/{i}", "05/06/2026") for i in range(1, 6)]
                 + [crime_line("NOR/NEW", "20/11/2026", phone=CANARY_PHONE)])
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    draw_id = samples.draw_for_month(store, admin, unit["id"], "2026-06", size=2, seed=1)
    still_open, declined = samples.list_items(store, draw_id, viewer=admin)
    samples.record_attempt(store, admin, declined["id"], "declined", on=dt.date(2026, 6, 20))
    erased = retention.erase_expired_contacts(store, admin, today=dt.date(2026, 11, 25))
    assert erased == 4  # 5 June crimes less the one still to be called
    kept = store.rows("SELECT crime_ref FROM crimes WHERE victim_phone IS NOT NULL "
                      "ORDER BY crime_ref")
    assert [r["crime_ref"] for r in kept] == sorted(["NOR/NEW", still_open["crime_ref"]])
    assert store.scalar("SELECT COUNT(*) FROM crimes") == 6  # the records themselves stay


def test_opted_out_victims_are_never_sampled(store, admin):
    import_lines(store, admin, [crime_line("NOR/1", "05/10/2026", phone=CANARY_PHONE),
                                crime_line("NOR/2", "05/10/2026")])
    assert retention.record_opt_out(store, admin, CANARY_PHONE) == 1
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    population = samples.eligible_population(store, SYSTEM, unit["id"], "2026-10",
                                             samples.current_criteria(store, SYSTEM))
    assert [m[1] for m in population] == ["NOR/2"]
    with pytest.raises(ValidationError):
        retention.erase_on_request(store, admin, "NOR/1", "")
