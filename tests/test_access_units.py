"""Every store function checks who asks; victim-level data only for the units a user covers."""
from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import sqlite3
import typing
from pathlib import Path

import pytest

import qos.store
from qos.errors import PermissionDenied, QosError
from qos.roles import PERMISSIONS, SYSTEM, Action, Actor, Role, allowed, covers
from qos.store import bureau, callbacks, crimes, reference, retention, samples, users
from qos.store.core import Store
from qos.store.summary_data import callbacks_behind, monthly_summary
from qos.store.updates import due_list
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


def _hints(fn: typing.Callable[..., object]) -> dict[str, object]:
    try:
        return typing.get_type_hints(fn)
    except NameError:  # a name imported for type checking only (the migrations' Database)
        return {}


def _reads_data(fn: typing.Callable[..., object]) -> bool:
    return any(h in (Store, sqlite3.Connection) for p, h in _hints(fn).items() if p != "return")


def _takes_actor(fn: typing.Callable[..., object]) -> bool:
    return any(h is Actor for p, h in _hints(fn).items() if p != "return")


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
@pytest.fixture
def force(store, admin):
    """Crimes and a drawn sample in both units, a bureau call and a debrief in each."""
    import_lines(store, admin, [crime_line(f"NOR/{i}", "05/10/2026") for i in range(4)]
                 + [crime_line(f"SOU/{i}", "05/10/2026", unit="SOU") for i in range(4)])
    units = {code: reference.unit_by_code(store, SYSTEM, code)["id"] for code in ("NOR", "SOU")}
    draws = {code: samples.draw_for_month(store, admin, uid, "2026-10", size=2, seed=1)
             for code, uid in units.items()}
    return {"units": units, "draws": draws}


def _victim_level(store: Store, actor: Actor, code: str, force: dict, tmp: int) -> dict:
    """Each victim-level read or change, aimed at one unit's records."""
    unit_id, draw_id = force["units"][code], force["draws"][code]
    item = store.scalar("SELECT id FROM sample_items WHERE draw_id = ? AND status = 'to_call' "
                        "ORDER BY position LIMIT 1", [draw_id])
    phone = store.scalar("SELECT victim_phone FROM crimes WHERE crime_ref = ?", [f"{code}/3"])
    return {
        (Action.RECORD_CALLBACK, "worklist"):
            lambda: samples.list_items(store, draw_id, viewer=actor),
        (Action.RECORD_CALLBACK, "call attempt"):
            lambda: samples.record_attempt(store, actor, item, "no_answer"),
        ((Action.RECORD_CALLBACK, Action.BUREAU_CALL), "due list"):
            lambda: due_list(store, actor, dt.date(2026, 11, 10), code),
        (Action.VIEW_SUMMARY, "drill-down"):
            lambda: callbacks_behind(store, actor, unit_id, "2026-10"),
        (Action.VIEW_VICTIM_CONTACT, "crime with contact details"):
            lambda: crimes.crime_by_ref(store, actor, f"{code}/0"),
        (Action.VIEW_VICTIM_CONTACT, "erasure"):
            lambda: retention.erase_on_request(store, actor, f"{code}/{tmp % 3 + 1}",
                                               "victim asked by phone"),
        (Action.VIEW_VICTIM_CONTACT, "opt-out"):
            lambda: retention.record_opt_out(store, actor, phone) or _no_rows(),
        (Action.RECORD_DEBRIEF, "debriefs"):
            lambda: callbacks.list_debriefs(store, actor, unit_id=unit_id),
        (Action.DRAW_SAMPLE, "draw"):
            lambda: samples.draw_for_month(store, actor, unit_id, "2026-09"),
    }


def _no_rows() -> None:
    raise PermissionDenied("nothing in this user's units")  # opt-out touched no record


@pytest.mark.parametrize("role", list(Role))
def test_role_by_action_by_unit(store, admin, force, role):
    actor = make_user(store, admin, f"who-{role.value}", role, "NOR")
    seen = []
    for n, code in enumerate(("NOR", "SOU")):
        for (actions, what), attempt in _victim_level(store, actor, code, force, n).items():
            may = any(allowed(actor, a) for a in (
                actions if isinstance(actions, tuple) else (actions,)))
            expected = may and covers(actor, force["units"][code])
            try:
                attempt()
                refused = False
            except PermissionDenied:
                refused = True
            except QosError:
                refused = False  # past both checks, then refused on the data (no crimes in
                #                  September to draw from)
            assert refused != expected, f"{role.value} / {what} / {code}"
            seen.append((what, code, expected))
    assert len(seen) == 18
    if role is Role.SUPERVISOR:  # own unit yes, the other no, for every kind of record
        assert {(w, c) for w, c, ok in seen if ok} == {(w, "NOR") for w, _, _ in seen}
    if role is Role.ADMIN:
        assert all(ok for _, _, ok in seen)


def test_a_supervisor_responsible_for_two_units_sees_both(store, admin, force):
    supervisor_id = users.create_user(store, admin, "insp", "Insp", Role.SUPERVISOR,
                                      "correct horse battery", unit_id=force["units"]["NOR"])
    version = store.scalar("SELECT version FROM users WHERE id = ?", [supervisor_id])
    users.set_responsibility(store, admin, supervisor_id, version,
                             [force["units"]["NOR"], force["units"]["SOU"]])
    both = users.actor_for(store, supervisor_id)
    assert [u["code"] for u in reference.units_for(store, both)] == ["NOR", "SOU"]
    for code in ("NOR", "SOU"):
        assert len(samples.list_items(store, force["draws"][code], viewer=both)) == 2
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
