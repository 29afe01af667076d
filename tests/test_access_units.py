"""Every store function checks who asks; victim-level data only for the units a user covers."""
from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
import pkgutil
import sqlite3
import sys
import types
import typing
from collections.abc import Callable
from pathlib import Path

import pytest

import qos.store
from qos.errors import PermissionDenied, QosError
from qos.roles import PERMISSIONS, SYSTEM, Actor, Role, covers
from qos.store import bureau, callbacks, crimes, reference, retention, samples, users
from qos.store.core import Store
from qos.store.summary_data import callbacks_behind, monthly_summary
from qos.store.updates import due_list
from qos.tabular import read_csv_text
from tests.conftest import make_user
from tests.factories import crime_line, import_lines

# Public functions of qos.store that rightly take no actor, and why. Anything else that
# takes a Store or a connection must take the signed-in actor and check an action.
NO_ACTOR = {
    # Before anyone has signed in: opening the file, first-run set-up, signing in.
    "core.open_store": "opens the database; there is no user yet",
    "core.connect": "opens the database; there is no user yet",
    "core.integrity_problem": "SQLite's page check before sign-in; returns no data",
    "users.is_set_up": "decides between the set-up wizard and the sign-in dialog",
    "users.setup_force": "first run: creates the first administrator",
    "users.sign_in": "checks a password; returns the actor",
    "users.actor_for": "builds the actor after a checked sign-in",
    "users.has_users": "whether a file is new (the demo refuses one that is not)",
    "users.actor_by_username": "developer tools on a demo database (tools/screenshot.py)",
    # Upkeep of derived data: returns a count, never a row.
    "duties.bring_up_to_date": "works out kept deadlines; returns how many crimes",
    "duties.stale_count": "how many crimes' deadlines need working out",
    "duties.rework": "works out given crimes' deadlines inside a checked write",
    # Below the Store: a bare connection to a file (backup copies, migrations).
    "audit.head_of": "the last entry's id and hash of a connection (anchors)",
    "audit.rolled_back_entries": "entry ids and hashes a restore replaces",
    "hashing.baseline": "migration 0015's baseline of row hashes",
    "hashing.rehash": "migration 0026: row hashes re-recorded in the v2 format",
}
# Take the actor but need no permission: anyone signed in may do these.
ANY_SIGNED_IN = {
    "audit.anchor_now": "records the trail's head outside the file when the app closes",
}


def _public_functions() -> list[tuple[str, typing.Callable[..., object]]]:
    found = []
    for info in pkgutil.iter_modules(qos.store.__path__):
        module = importlib.import_module(f"qos.store.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and fn.__module__ == module.__name__:
                found.append((f"{info.name}.{name}", fn))
    return found


def _type_checking_names(module: types.ModuleType) -> dict[str, object]:
    """The names a module imports under `if TYPE_CHECKING:` only (the migrations' Database,
    summary types), imported here so annotations naming them resolve."""
    names: dict[str, object] = {}
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            exec(compile(ast.Module(body=node.body, type_ignores=[]),  # noqa: S102
                         str(module.__file__), "exec"), names)
    return names


def _hints(fn: typing.Callable[..., object]) -> dict[str, object]:
    """A function's resolved annotations; a function whose annotations cannot be resolved
    fails the test, naming it (skipping it would let it through unchecked)."""
    module = sys.modules[fn.__module__]
    try:
        return typing.get_type_hints(fn)
    except NameError:
        pass
    try:
        return typing.get_type_hints(fn, globalns={**vars(module),
                                                   **_type_checking_names(module)})
    except NameError as exc:
        pytest.fail(f"{fn.__module__}.{fn.__qualname__}: its type hints cannot be resolved "
                    f"({exc}), so the access tests cannot tell what it takes.")


def _reads_data(fn: typing.Callable[..., object]) -> bool:
    return any(h in (Store, sqlite3.Connection) for p, h in _hints(fn).items() if p != "return")


def _takes_actor(fn: typing.Callable[..., object]) -> bool:
    return any(h is Actor for p, h in _hints(fn).items() if p != "return")


def test_every_public_store_functions_hints_resolve():
    """None is skipped for hints it imports under TYPE_CHECKING (three were, unchecked)."""
    resolved = {name: _hints(fn) for name, fn in _public_functions()}
    for name in ("exclusions.set_exclusions", "summary_data.monthly_summary",
                 "summary_data.summary_inputs"):
        assert resolved[name].get("actor") is Actor, name


def test_every_public_store_function_takes_the_actor():
    missing = [name for name, fn in _public_functions()
               if _reads_data(fn) and not _takes_actor(fn) and name not in NO_ACTOR]
    assert missing == []
    assert len([n for n, fn in _public_functions() if _takes_actor(fn)]) > 80
    stale = sorted({*NO_ACTOR, *ANY_SIGNED_IN} - {n for n, _ in _public_functions()})
    assert stale == []  # the exceptions list names real functions only


_PLACEHOLDERS: dict[object, object] = {
    int: 1, str: "x", float: 1.0, bool: False, dt.date: dt.date(2026, 10, 1),
    dt.datetime: dt.datetime(2026, 10, 1, 12), Path: Path("nowhere.db"),
}


def _placeholder(annotation: object) -> object:
    if annotation in _PLACEHOLDERS:
        return _PLACEHOLDERS[annotation]
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Sequence, typing.Iterable):
        return []
    if origin is dict or annotation is dict:
        return {}
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return _placeholder(next(a for a in typing.get_args(annotation) if a is not type(None)))
    return None


def test_every_actor_taking_store_function_refuses_a_role_with_no_permissions(
        store, admin, monkeypatch):
    """Called by a role allowed nothing, each refuses before it reads or changes anything."""
    monkeypatch.setitem(PERMISSIONS, Role.VOLUNTEER, frozenset())
    nobody = Actor(user_id=99, username="nobody", display_name="Nobody", role=Role.VOLUNTEER)
    not_refused = []
    for name, fn in _public_functions():
        if not (_takes_actor(fn) and _reads_data(fn)) or name in NO_ACTOR or name in ANY_SIGNED_IN:
            continue
        hints = _hints(fn)
        args = []
        kwargs = {}
        for param in inspect.signature(fn).parameters.values():
            if param.default is not inspect.Parameter.empty:
                continue
            value: object = store if hints.get(param.name) is Store else (
                nobody if hints.get(param.name) is Actor else _placeholder(hints.get(param.name)))
            if param.kind is inspect.Parameter.KEYWORD_ONLY:
                kwargs[param.name] = value
            elif param.kind is not inspect.Parameter.VAR_KEYWORD:
                args.append(value)
        try:
            fn(*args, **kwargs)
        except PermissionDenied:
            continue
        except Exception as exc:  # noqa: BLE001 - any other outcome is a missing check
            not_refused.append(f"{name}: {type(exc).__name__}: {exc}")
        else:
            not_refused.append(f"{name}: ran")
    assert not_refused == [], "\n".join(not_refused)


def test_set_setting_needs_an_administrator(store, admin):
    supervisor = make_user(store, admin, "sgt", Role.SUPERVISOR, "NOR")
    volunteer = make_user(store, admin, "vol", Role.VOLUNTEER)
    for who in (supervisor, volunteer):
        with pytest.raises(PermissionDenied):
            store.set_setting(who, "contact_retention_days", 36500)
        with pytest.raises(PermissionDenied):
            store.set_setting(who, "min_valid_n", 1)
    assert store.setting("contact_retention_days") is None  # the default still applies
    store.set_setting(admin, "min_valid_n", 5)
    assert store.setting("min_valid_n") == 5


# -- role x action x unit -----------------------------------------------------------------
# Parameters that aim a call at one unit's records. Every public store function taking one
# (and the actor) has a case in _unit_cases, or a reason here why it is not victim-level:
# a new one cannot slip through.
UNIT_PARAMS = {"unit_id", "unit_code", "crime_id", "crime_ref", "ref", "item_id", "draw_id",
               "call_id", "callback_id", "debrief_id", "action_id", "visit_id", "phone"}
NOT_VICTIM_LEVEL = {
    "bureau.log_complaint": "files a complaint about a unit; reads none of its records",
    "complaints.log_informal_complaint": "files a complaint about a unit; reads none",
    "bureau.record_call": "only the caller's own claim, and claims are scoped (claim_next)",
    "bureau.release": "only the caller's own claim, and claims are scoped (claim_next)",
    "reference.unit_target": "a unit's monthly target: reference data, no victim",
    "reference.edit_unit": "reference data, administrators only",
    "reference.list_people": "officers and staff, not victims",
    "reference.add_counter": "a front counter: reference data, administrators only",
    "doorstep.issue_batch": "card stock issued to a unit, before any victim has a card",
    "np_cards.put_out": "public comment cards left at a place; no victim",
    "dipchecks.draw_dip_check": "the inspectorate's and administrators': every unit's",
    "dipchecks.record_result": "the inspectorate's and administrators': every unit's",
    "mystery.mark_fed_back": "a mystery-shopping visit to a front counter; no victim",
    "exports.export_summary": "aggregate figures, force-wide for everyone with the summary",
    "summary_data.monthly_summary": "aggregate figures, force-wide for everyone with it",
    "routine_data.routine_figures": "aggregate figures, force-wide for everyone with them",
    "np_cards.record_return": "a public comment card's text; no victim",
    "reference.add_person": "officers and staff: reference data, administrators only",
    "users.create_user": "user accounts, administrators only",
}
ALL_GOOD = {"ease_of_contact": 1, "arrival": 2, "actions": 3, "follow_up": 0, "treatment": 1,
            "whole_experience": 2, "vc_leaflet": "Y", "vc_next_steps": "Y",
            "vc_kept_updated": "N", "qosc_contact_details": "Y", "qosc_crime_number": "Y",
            "qosc_response_time": "X"}
BUREAU_FAILED = {"crime_number_given": "Y", "officer_name_known": "Y", "vc_leaflet": "N",
                 "told_next_steps": "Y", "updated_in_time": "Y", "needs_met": "Y",
                 "vs_offered": "Y", "vs_accepted": "N", "overall": 2}
CLAIM_AT = dt.datetime(2026, 10, 12, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def force(store, admin):
    """In each unit: crimes, a drawn sample with a completed call-back and its debrief, bureau
    calls that raised a remedial action and a PCSO visit, and a call still claimed."""
    units = {code: reference.unit_by_code(store, SYSTEM, code)["id"] for code in ("NOR", "SOU")}
    records: dict[str, dict] = {}
    for code, unit_id in units.items():
        sgt = reference.add_person(store, admin, f"{code}S", f"Sgt {code}", "officer", unit_id)
        reference.add_person(store, admin, f"{code}1", f"PC {code}", "officer", unit_id, sgt)
        import_lines(store, admin, [
            crime_line(f"{code}/{i}", "05/10/2026", unit=code, officer=f"{code}1",
                       category="Burglary dwelling") for i in range(8)])
        draw_id = samples.draw_for_month(store, admin, unit_id, "2026-10", size=4, seed=1)
        items = [r["id"] for r in samples.list_items(store, draw_id, viewer=admin)]
        callback_id = callbacks.record_callback(
            store, admin, items[0], ALL_GOOD, ethnicity="W1", feedback="improvement",
            call_date=dt.date(2026, 11, 2))
        caller = make_user(store, admin, f"caller-{code}", Role.BUREAU, code)
        first = bureau.claim_next(store, caller, now=CLAIM_AT)
        [action_id] = bureau.record_call(store, caller, first["id"], "completed",
                                         answers=BUREAU_FAILED, now=CLAIM_AT)
        second = bureau.claim_next(store, caller, now=CLAIM_AT)
        bureau.record_call(store, caller, second["id"], "pcso_visit", now=CLAIM_AT)
        claimed = bureau.claim_next(store, caller, now=CLAIM_AT)
        crime = store.row("SELECT id, crime_ref, victim_phone FROM crimes WHERE crime_ref = ?",
                          [f"{code}/7"])
        records[code] = {
            "code": code, "unit_id": unit_id, "draw_id": draw_id, "items": items,
            "callback_id": callback_id, "action_id": action_id, "call_id": claimed["id"],
            "visit_id": store.scalar("SELECT id FROM pcso_visits WHERE unit_id = ?", [unit_id]),
            "debrief_id": store.scalar("SELECT id FROM debriefs WHERE unit_id = ?", [unit_id]),
            "crime_id": crime["id"], "crime_ref": crime["crime_ref"],
            "phone": crime["victim_phone"], "spare_ref": f"{code}/6"}
    return {"units": units, "draws": {c: r["draw_id"] for c, r in records.items()},
            "records": records}


def _version(store: Store, table: str, record_id: int) -> int:
    return int(store.scalar(f"SELECT version FROM {table} WHERE id = ?", [record_id]))


def _applied(result: object) -> None:
    """An import refuses another unit's rows as bad rows, naming them: that is its refusal."""
    bad = [str(p) for p in getattr(result, "bad", [])]
    if any("does not cover" in b or "covers" in b for b in bad):
        raise PermissionDenied("; ".join(bad))


def _no_rows() -> None:
    raise PermissionDenied("nothing in this user's units")  # opt-out touched no record


Case = Callable[[Store, Actor, dict], object]


def _unit_cases() -> dict[str, Case]:
    """Each victim-level read or change, aimed at one unit's records (`t`)."""
    from qos.store import agreed_updates, closures, handouts, updates
    from qos.store.crime_import import import_crimes_with_deadlines
    from tests.factories import HEADER

    day = dt.date(2026, 11, 10)

    def extract(t: dict) -> object:
        return read_csv_text(HEADER + crime_line(t["crime_ref"], "05/10/2026", unit=t["code"]))

    return {
        "updates.record_victim_update":
            lambda s, a, t: updates.record_victim_update(s, a, t["crime_id"], day),
        "agreed_updates.record_update_frequency":
            lambda s, a, t: agreed_updates.record_update_frequency(s, a, t["crime_id"], 14,
                                                                   source="app"),
        "updates.due_list": lambda s, a, t: due_list(s, a, day, t["code"]),
        "updates.due_page": lambda s, a, t: updates.due_page(s, a, day, t["code"], 0, 10),
        "updates.due_counts": lambda s, a, t: updates.due_counts(s, a, day, t["code"]),
        "bureau.call_details": lambda s, a, t: bureau.call_details(s, a, t["call_id"]),
        "bureau.list_actions": lambda s, a, t: bureau.list_actions(s, a, unit_id=t["unit_id"]),
        "bureau.close_action": lambda s, a, t: bureau.close_action(
            s, a, t["action_id"], _version(s, "remedial_actions", t["action_id"]),
            "Leaflet posted to the victim", dt.date(2026, 11, 3)),
        "bureau.list_visits": lambda s, a, t: bureau.list_visits(s, a, unit_id=t["unit_id"]),
        "bureau.record_visit": lambda s, a, t: bureau.record_visit(
            s, a, t["visit_id"], _version(s, "pcso_visits", t["visit_id"]),
            dt.date(2026, 11, 3), "Visited, victim reassured"),
        "callbacks.record_callback": lambda s, a, t: callbacks.record_callback(
            s, a, t["items"][1], ALL_GOOD, ethnicity="W1"),
        "callbacks.get_callback": lambda s, a, t: callbacks.get_callback(s, a, t["callback_id"]),
        "callbacks.list_debriefs":
            lambda s, a, t: callbacks.list_debriefs(s, a, unit_id=t["unit_id"]),
        "callbacks.record_debrief": lambda s, a, t: callbacks.record_debrief(
            s, a, t["debrief_id"], _version(s, "debriefs", t["debrief_id"]),
            dt.date(2026, 11, 3), "Talked it through"),
        "callbacks.record_acknowledgement": lambda s, a, t: callbacks.record_acknowledgement(
            s, a, t["debrief_id"], _version(s, "debriefs", t["debrief_id"]), agrees=True),
        "closures.closures_for_month": lambda s, a, t: closures.closures_for_month(
            s, a, "2026-10", unit_id=t["unit_id"]),
        "closures.record_remedy": lambda s, a, t: closures.record_remedy(
            s, a, t["crime_id"], "Letter re-sent to the victim"),
        "handouts.record_handout": lambda s, a, t: handouts.record_handout(
            s, a, 900001, t["crime_ref"], dt.date(2026, 10, 6)),
        "handouts.crimes_without_card": lambda s, a, t: handouts.crimes_without_card(
            s, a, t["unit_id"], dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
        "samples.sorted_frame": lambda s, a, t: samples.sorted_frame(
            s, a, t["unit_id"], "2026-10", samples.current_criteria(s, SYSTEM)),
        "samples.eligible_population": lambda s, a, t: samples.eligible_population(
            s, a, t["unit_id"], "2026-10", samples.current_criteria(s, SYSTEM)),
        "samples.draw_for_month":
            lambda s, a, t: samples.draw_for_month(s, a, t["unit_id"], "2026-09"),
        "samples.get_draw": lambda s, a, t: samples.get_draw(s, a, t["unit_id"], "2026-10"),
        "samples.verify_draw": lambda s, a, t: samples.verify_draw(s, a, t["draw_id"]),
        "samples.list_items": lambda s, a, t: samples.list_items(s, t["draw_id"], viewer=a),
        "samples.swap_out": lambda s, a, t: samples.swap_out(
            s, a, t["items"][2], "victim bereaved recently"),
        "samples.record_attempt":
            lambda s, a, t: samples.record_attempt(s, a, t["items"][3], "no_answer"),
        "summary_data.callbacks_behind":
            lambda s, a, t: callbacks_behind(s, a, t["unit_id"], "2026-10"),
        "crimes.crime_by_ref": lambda s, a, t: crimes.crime_by_ref(s, a, t["crime_ref"]),
        # Reaches a unit's victims without a unit parameter: the row says which.
        "crimes.import_crimes": lambda s, a, t: _applied(crimes.import_crimes(
            s, a, extract(t), all_or_nothing=False)),
        "crime_import.import_crimes_with_deadlines": lambda s, a, t: _applied(
            import_crimes_with_deadlines(s, a, extract(t), all_or_nothing=False)),
        "callbacks.import_history": lambda s, a, t: _applied(callbacks.import_history(
            s, a, read_csv_text(f"Crime reference,Unit,Call date,Outcome\n{t['spare_ref']},"
                                f"{t['code']},01/11/2026,completed\n"), all_or_nothing=False)),
        "retention.record_opt_out":
            lambda s, a, t: retention.record_opt_out(s, a, t["phone"]) or _no_rows(),
        "retention.erase_on_request": lambda s, a, t: retention.erase_on_request(
            s, a, t["spare_ref"], "victim asked by phone"),
    }


def test_every_store_function_aimed_at_a_unit_has_a_unit_case():
    aimed = {name for name, fn in _public_functions() if _takes_actor(fn)
             and UNIT_PARAMS & set(inspect.signature(fn).parameters)}
    cases = set(_unit_cases())
    assert sorted(aimed - cases - set(NOT_VICTIM_LEVEL)) == []  # a new one needs a case
    known = {name for name, _ in _public_functions()}
    assert sorted((cases | set(NOT_VICTIM_LEVEL)) - known) == []  # real functions only
    assert sorted(cases & set(NOT_VICTIM_LEVEL)) == []


def _outcome(attempt: Callable[[], object]) -> bool:
    """True: refused for who is asking."""
    try:
        attempt()
    except PermissionDenied:
        return True
    except QosError:
        return False  # past the checks, then refused on the data (no crimes in September)
    return False


# What a one-unit user of each role may do in their own unit (the matrix decides; pinned so a
# check lost on the own-unit side shows too).
OWN_UNIT = {
    Role.SUPERVISOR: {
        "updates.record_victim_update", "agreed_updates.record_update_frequency",
        "updates.due_list", "updates.due_page", "updates.due_counts", "bureau.list_actions",
        "bureau.close_action", "bureau.list_visits", "bureau.record_visit",
        "callbacks.record_callback", "callbacks.get_callback", "callbacks.list_debriefs",
        "callbacks.record_debrief", "callbacks.record_acknowledgement",
        "closures.closures_for_month", "closures.record_remedy", "handouts.record_handout", "handouts.crimes_without_card",
        "samples.sorted_frame", "samples.eligible_population", "samples.draw_for_month",
        "samples.get_draw", "samples.verify_draw", "samples.list_items", "samples.swap_out",
        "samples.record_attempt", "summary_data.callbacks_behind", "crimes.crime_by_ref",
        "crimes.import_crimes", "crime_import.import_crimes_with_deadlines",
        "callbacks.import_history", "retention.record_opt_out", "retention.erase_on_request"},
    Role.BUREAU: {
        "updates.record_victim_update", "agreed_updates.record_update_frequency",
        "updates.due_list", "updates.due_page", "updates.due_counts", "bureau.call_details",
        "bureau.list_actions", "bureau.close_action", "bureau.list_visits",
        "bureau.record_visit", "handouts.record_handout", "handouts.crimes_without_card",
        "summary_data.callbacks_behind", "crimes.crime_by_ref", "retention.record_opt_out",
        "retention.erase_on_request"},
    Role.VOLUNTEER: set(),
    Role.CONTROL_ROOM: set(),
}


@pytest.mark.parametrize("role", list(Role))
def test_role_by_action_by_unit(store, admin, force, role):
    """Every case, in the actor's own unit (NOR) and another (SOU): another unit's records are
    refused exactly when the actor does not cover it, whatever the role."""
    actor = make_user(store, admin, f"who-{role.value}", role, "NOR")
    if role is Role.BUREAU:  # the NOR caller's claimed call: this bureau user's to see
        force["records"]["NOR"]["call_id"] = bureau.claim_next(store, actor, now=CLAIM_AT)["id"]
    cases = _unit_cases()
    own = {name: _outcome(lambda c=case: c(store, actor, force["records"]["NOR"]))
           for name, case in cases.items()}
    other = {name: _outcome(lambda c=case: c(store, actor, force["records"]["SOU"]))
             for name, case in cases.items()}
    allowed_own = {name for name, refused in own.items() if not refused}
    if covers(actor, force["units"]["SOU"]):  # administrators, the inspectorate: alike
        assert other == own
    else:
        assert sorted(n for n, refused in other.items() if not refused) == []
    if role in OWN_UNIT:
        assert allowed_own == OWN_UNIT[role]
    if role is Role.ADMIN:
        assert allowed_own == set(cases)


def test_a_supervisor_responsible_for_two_units_sees_both(store, admin, force):
    supervisor_id = users.create_user(store, admin, "insp", "Insp", Role.SUPERVISOR,
                                      "correct horse battery", unit_id=force["units"]["NOR"])
    version = store.scalar("SELECT version FROM users WHERE id = ?", [supervisor_id])
    users.set_responsibility(store, admin, supervisor_id, version,
                             [force["units"]["NOR"], force["units"]["SOU"]])
    both = users.actor_for(store, supervisor_id)
    assert [u["code"] for u in reference.units_for(store, both)] == ["NOR", "SOU"]
    for code in ("NOR", "SOU"):
        assert len(samples.list_items(store, force["draws"][code], viewer=both)) == 4
    # An administrator narrows it to SOU only: NOR's worklist is then refused.
    version = store.scalar("SELECT version FROM users WHERE id = ?", [supervisor_id])
    users.set_responsibility(store, admin, supervisor_id, version, [force["units"]["SOU"]])
    sou_only = users.actor_for(store, supervisor_id)
    with pytest.raises(PermissionDenied):
        samples.list_items(store, force["draws"]["NOR"], viewer=sou_only)
    assert [u["code"] for u in reference.units_for(store, sou_only)] == ["SOU"]
    with pytest.raises(PermissionDenied):  # only an administrator sets responsibility
        users.set_responsibility(store, sou_only, supervisor_id, version + 1, None)


def test_the_due_list_for_all_units_holds_only_the_covered_ones(store, admin, force):
    supervisor = make_user(store, admin, "sgt", Role.SUPERVISOR, "SOU")
    everyone = {r["unit_code"] for r in due_list(store, admin, dt.date(2026, 11, 10))}
    mine = {r["unit_code"] for r in due_list(store, supervisor, dt.date(2026, 11, 10))}
    assert everyone == {"NOR", "SOU"} and mine == {"SOU"}


def test_the_bureau_queue_holds_only_the_units_it_serves(store, admin):
    import_lines(store, admin, [
        crime_line("NOR/B1", "05/10/2026", category="Burglary dwelling"),
        crime_line("SOU/B1", "05/10/2026", unit="SOU", category="Burglary dwelling")])
    now = dt.datetime(2026, 10, 12, 9, 0, tzinfo=dt.UTC)
    south = make_user(store, admin, "south-bureau", Role.BUREAU, "SOU")
    assert [r["crime_ref"] for r in bureau.queue(store, south, now=now)] == ["SOU/B1"]
    assert {r["crime_ref"] for r in bureau.queue(store, admin, now=now)} == {"NOR/B1", "SOU/B1"}
    call = bureau.claim_next(store, south, now=now)
    assert call["crime_ref"] == "SOU/B1"
    north = make_user(store, admin, "north-bureau", Role.BUREAU, "NOR")
    with pytest.raises(PermissionDenied):
        bureau.call_details(store, north, call["id"])


def test_aggregate_figures_stay_force_wide_for_a_one_unit_supervisor(store, admin, force):
    supervisor = make_user(store, admin, "sgt", Role.SUPERVISOR, "NOR")
    summary = monthly_summary(store, supervisor, "2026-10")
    assert {u.code for u in summary.units} == {"NOR", "SOU"}
    assert callbacks_behind(store, supervisor, None, "2026-10") == []  # no calls made yet


def test_every_view_of_contact_details_is_audited(store, admin, force):
    def views() -> int:
        return store.scalar("SELECT COUNT(*) FROM audit_log "
                            "WHERE action = 'view contact details'")

    supervisor = make_user(store, admin, "sgt", Role.SUPERVISOR, "NOR")
    before = views()
    samples.list_items(store, force["draws"]["NOR"], viewer=supervisor)
    assert views() == before + 1
    crimes.crime_by_ref(store, supervisor, "NOR/0")
    assert views() == before + 2
    entry = store.row("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert (entry["username"], entry["entity"]) == ("sgt", "crimes")
    caller = make_user(store, admin, "caller", Role.BUREAU, "NOR")
    import_lines(store, admin, [crime_line("NOR/B9", "05/10/2026", category="Theft")])
    call = bureau.claim_next(store, caller, now=dt.datetime(2026, 10, 12, 9, tzinfo=dt.UTC))
    assert views() == before + 3  # the claim shows the details once
    bureau.call_details(store, caller, call["id"])
    assert views() == before + 4


# -- backups: every unit's victims at once ----------------------------------------------------
def test_a_one_unit_supervisor_may_neither_back_up_nor_restore(store, admin, tmp_path):
    """A NOR-only supervisor wrote the whole force's names and phones to a file of their
    choosing (world-readable) and could restore over everyone's work."""
    from qos.store.backups import backup, restore

    supervisor = make_user(store, admin, "sgt", Role.SUPERVISOR, "NOR")
    with pytest.raises(PermissionDenied, match="covers only some units"):
        backup(store, supervisor, tmp_path / "mine.db")
    with pytest.raises(PermissionDenied, match="covers only some units"):
        restore(store, supervisor, tmp_path / "mine.db")
    assert not (tmp_path / "mine.db").exists()
    version = store.scalar("SELECT version FROM users WHERE id = ?", [supervisor.user_id])
    users.set_responsibility(store, admin, supervisor.user_id, version,
                             list(reference.unit_ids_by_code(store, admin).values()))
    everywhere = users.actor_for(store, supervisor.user_id)  # the whole force: may
    if store.path is not None:
        assert backup(store, everywhere, tmp_path / "all.db").exists()


@pytest.mark.sqlite_only
def test_a_backup_is_its_owners_only_and_leaves_no_journal_files(store, admin, tmp_path):
    import os
    import stat

    from qos.paths import backup_dir_for
    from qos.store.backups import backup, restore

    import_lines(store, admin, [crime_line("NOR/1", "05/10/2026")])
    old_mask = os.umask(0o022)  # what most desktops have: new files readable by everyone
    try:
        made = backup(store, admin, tmp_path / "out" / "copy.db")
        kept = restore(store, admin, made)
    finally:
        os.umask(old_mask)
    for path in (made, kept):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    left = sorted(p.name for folder in (made.parent, backup_dir_for(store.path))
                  for p in folder.iterdir() if p.name.endswith(("-wal", "-shm")))
    assert left == []  # the restore's own copy used to leave .partial-shm and .partial-wal,
    #                    and reading the backup restored from its own -shm and -wal


def test_an_import_refuses_rows_of_units_the_importer_does_not_cover(store, admin):
    """A NOR supervisor's extract overwrote a SOU crime's victim name and phone."""
    from qos.store.crime_import import import_crimes_with_deadlines
    from qos.tabular import read_csv_text
    from tests.factories import HEADER

    import_lines(store, admin, [crime_line("SOU/1", "05/10/2026", unit="SOU")])
    supervisor = make_user(store, admin, "sgt", Role.SUPERVISOR, "NOR")
    rows = (crime_line("NOR/9", "05/10/2026")
            + crime_line("SOU/1", "05/10/2026", unit="SOU", phone="07700 900666")
            + crime_line("SOU/1X", "05/10/2026", unit="SOU")
            + crime_line("SOU/1", "05/10/2026", phone="07700 900667").replace("SOU/1", "sou/1"))
    result = import_crimes_with_deadlines(store, supervisor, read_csv_text(HEADER + rows),
                                          all_or_nothing=False)
    assert [(p.row, p.reason) for p in result.bad] == [
        (3, "unit SOU is not one of the units Sgt covers"),
        (4, "unit SOU is not one of the units Sgt covers"),
        (5, "crime SOU/1 is held by a unit Sgt does not cover")]  # moved into NOR: no
    crime = store.row("SELECT unit_id, victim_phone FROM crimes WHERE crime_ref = 'SOU/1'")
    assert crime["unit_id"] == reference.unit_by_code(store, admin, "SOU")["id"]
    assert crime["victim_phone"] != "07700900666" and crime["victim_phone"] != "07700900667"
    assert store.scalar("SELECT COUNT(*) FROM crimes WHERE crime_ref = 'NOR/9'") == 1


def test_a_history_import_files_no_check_on_another_units_victim(store, admin):
    """A NOR supervisor filed a SOU crime's old call-back under SOU, or under NOR."""
    import_lines(store, admin, [crime_line("SOU/1", "05/10/2026", unit="SOU"),
                                crime_line("NOR/1", "05/10/2026", unit="NOR")])
    supervisor = make_user(store, admin, "sgt", Role.SUPERVISOR, "NOR")
    rows = ("Crime reference,Unit,Call date,Outcome\n"
            "SOU/1,SOU,01/11/2026,completed\n"
            "SOU/1,NOR,01/11/2026,completed\n"
            "NOR/1,SOU,01/11/2026,completed\n"
            "NOR/1,NOR,01/11/2026,completed\n")
    result = callbacks.import_history(store, supervisor, read_csv_text(rows),
                                      all_or_nothing=False)
    assert [(p.row, p.reason) for p in result.bad] == [
        (2, "unit SOU is not one of the units Sgt covers"),
        (3, "crime SOU/1 belongs to unit SOU, not NOR"),
        (4, "crime NOR/1 belongs to unit NOR, not SOU")]
    assert result.inserted == 1
    assert [(r["crime_ref"], r["unit_id"]) for r in store.rows(
        "SELECT crime_ref, unit_id FROM callbacks")] == [
        ("NOR/1", reference.unit_by_code(store, admin, "NOR")["id"])]
