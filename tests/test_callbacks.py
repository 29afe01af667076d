from __future__ import annotations

import datetime as dt
import json

import pytest

from qos.errors import ValidationError
from qos.paths import resource
from qos.roles import SYSTEM
from qos.store import callbacks, crimes, reference, samples
from qos.tabular import read_table
from tests.factories import crime_line, import_lines

ALL_GOOD = {"ease_of_contact": 1, "arrival": 2, "actions": 3, "follow_up": 0, "treatment": 1,
            "whole_experience": 2, "vc_leaflet": "Y", "vc_next_steps": "Y",
            "vc_kept_updated": "N", "qosc_contact_details": "Y", "qosc_crime_number": "Y",
            "qosc_response_time": "X"}


@pytest.fixture
def drawn(store, admin):
    unit = reference.unit_by_code(store, SYSTEM, "NOR")
    sgt = reference.add_person(store, admin, "S1", "Sgt Manager", "officer", unit["id"])
    insp = reference.add_person(store, admin, "I1", "Insp Boss", "officer", unit["id"])
    store_person = store.row("SELECT version FROM people WHERE id = ?", [sgt])
    reference.edit_person(store, admin, sgt, store_person["version"], line_manager_id=insp)
    reference.add_person(store, admin, "NOR1001", "PC Officer", "officer", unit["id"], sgt)
    import_lines(store, admin, [crime_line(f"NOR/{i}", "05/10/2026", officer="NOR1001")
                                for i in range(1, 21)])
    draw_id = samples.draw_for_month(store, admin, unit["id"], "2026-10", size=5, seed=1)
    return samples.list_items(store, draw_id, viewer=admin)


def test_completed_call_is_stored_with_its_template_version(store, admin, drawn):
    callback_id = callbacks.record_callback(store, admin, drawn[0]["id"], ALL_GOOD,
                                            ethnicity="A1", comments="Very helpful")
    saved = callbacks.get_callback(store, SYSTEM, callback_id)
    assert saved["answers"] == ALL_GOOD and saved["template_version"] == 1
    assert saved["ethnicity"] == "A1" and saved["crime_ref"] == drawn[0]["crime_ref"]
    assert store.scalar("SELECT status FROM sample_items WHERE id = ?", [drawn[0]["id"]]) == \
        "completed"
    assert store.scalar("SELECT body FROM templates WHERE kind = 'callback' AND version = 1")
    with pytest.raises(ValidationError, match="already completed"):
        callbacks.record_callback(store, admin, drawn[0]["id"], ALL_GOOD, ethnicity="A1")


def test_out_of_range_answer_is_refused(store, admin, drawn):
    with pytest.raises(ValidationError, match="1-7"):
        callbacks.record_callback(store, admin, drawn[0]["id"], {"arrival": 9}, ethnicity=None)
    assert store.scalar("SELECT COUNT(*) FROM callbacks") == 0


def test_feedback_raises_a_debrief_for_the_line_manager_and_disagreement_escalates(
        store, admin, drawn):
    callbacks.record_callback(store, admin, drawn[1]["id"], ALL_GOOD, ethnicity="W1",
                              feedback="improvement", call_date=dt.date(2026, 11, 2))
    [debrief] = callbacks.list_debriefs(store, SYSTEM, today=dt.date(2026, 11, 20))
    assert debrief["manager_name"] == "Sgt Manager" and debrief["officer_name"] == "PC Officer"
    assert debrief["due_on"] == "2026-11-16" and debrief["overdue"] and debrief["age_days"] == 18
    with pytest.raises(ValidationError, match="Record the debrief"):
        callbacks.record_acknowledgement(store, admin, debrief["id"], debrief["version"],
                                         agrees=True)
    version = callbacks.record_debrief(store, admin, debrief["id"], debrief["version"],
                                       dt.date(2026, 11, 18), "Discussed keeping victim updated")
    callbacks.record_acknowledgement(store, admin, debrief["id"], version, agrees=False,
                                     reason="Victim was updated by email")
    [after] = callbacks.list_debriefs(store, SYSTEM)
    assert after["acknowledgement"] == "disagreed" and after["escalated_name"] == "Insp Boss"


def test_history_import_loads_old_checks_once(store, admin):
    # The example extract holds the crimes the example history was called about.
    assert crimes.import_crimes(store, admin, read_table(resource("examples", "crimes.csv")),
                                all_or_nothing=True).inserted == 7
    table = read_table(resource("examples", "callbacks-history.csv"))
    result = callbacks.import_history(store, admin, table, all_or_nothing=True)
    assert result.applied and result.inserted == 3 and not result.bad
    second = store.row("SELECT * FROM callbacks WHERE crime_ref = 'NOR/25/000502'")
    answers = json.loads(second["answers"])
    assert second["crime_id"] == store.scalar(
        "SELECT id FROM crimes WHERE crime_ref = 'NOR/25/000502'")
    assert answers["ease_of_contact"] == 2 and answers["actions"] == 4
    assert answers["follow_up"] == 6 and answers["vc_leaflet"] == "N"
    assert "qosc_response_time" not in answers and second["ethnicity"] == "A2"
    again = callbacks.import_history(store, admin, table, all_or_nothing=True)
    assert again.inserted == 0 and store.scalar("SELECT COUNT(*) FROM callbacks") == 3


def test_call_back_can_record_that_the_victim_was_updated(store, admin, drawn):
    callbacks.record_callback(store, admin, drawn[2]["id"], ALL_GOOD, ethnicity="W1",
                              call_date=dt.date(2026, 11, 3), victim_updated=True)
    row = store.row("SELECT * FROM victim_updates")
    assert (row["updated_on"], row["source"]) == ("2026-11-03", "callback")
    assert row["crime_id"] == store.scalar("SELECT crime_id FROM sample_items WHERE id = ?",
                                           [drawn[2]["id"]])
