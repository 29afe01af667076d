"""User accounts, sign-in with lockout, and first-run set-up of the force."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from qos.clock import now_iso
from qos.errors import AuthError, ValidationError
from qos.passwords import hash_password, needs_upgrade, password_problem, verify_password
from qos.roles import SYSTEM, Action, Actor, Role, require
from qos.settings import setting
from qos.store.core import Row, Store
from qos.store.reference import add_unit

MAX_FAILED_SIGN_INS = 5
LOCKOUT_MINUTES = 15
# The same words for an unknown name and a wrong password, so neither can be probed.
SIGN_IN_REFUSED = "That user name and password do not match an active account."


def is_set_up(store: Store) -> bool:
    return bool(setting(store, "force_name")) and bool(
        store.scalar("SELECT 1 FROM users WHERE role = 'admin' AND active = 1"))


def has_users(store: Store) -> bool:
    """Whether anyone has an account here (a database the demo must not be written into)."""
    return bool(store.scalar("SELECT 1 FROM users LIMIT 1"))


def actor_by_username(store: Store, username: str) -> Actor:
    """The account's actor without a password: for developer tools on a demo database."""
    user_id = store.scalar("SELECT id FROM users WHERE username = ?", [username])
    if user_id is None:
        raise AuthError(f"There is no account called {username}.")
    return actor_for(store, int(user_id))


def setup_force(store: Store, force_name: str, units: list[dict[str, Any]],
                admin_username: str, admin_display_name: str, admin_password: str) -> Actor:
    """First run: the force, its units and the first administrator, all or nothing."""
    if not force_name.strip():
        raise ValidationError("Please give the force's name.")
    if not units:
        raise ValidationError("Add at least one unit (a BCU or a department).")
    with store.write():
        if is_set_up(store):
            raise ValidationError("This database is already set up.")
        store.set_setting(SYSTEM, "force_name", force_name.strip())
        for unit in units:
            add_unit(store, SYSTEM, unit["code"], unit["name"], unit.get("kind", "BCU"),
                     int(unit.get("monthly_target", 50)))
        user_id = create_user(store, SYSTEM, admin_username, admin_display_name, Role.ADMIN,
                              admin_password)
    return actor_for(store, user_id)


def actor_for(store: Store, user_id: int) -> Actor:
    row = store.row("SELECT * FROM users WHERE id = ?", [user_id])
    if row is None:
        raise AuthError("That account no longer exists.")
    units = responsible_unit_ids(row.get("responsible_units"))
    return Actor(user_id=row["id"], username=row["username"], display_name=row["display_name"],
                 role=Role(row["role"]), unit_id=row["unit_id"],
                 units=None if units is None else frozenset(units))


def responsible_unit_ids(stored: str | None) -> list[int] | None:
    """The users.responsible_units column read: unit ids, or None for their own unit only."""
    return None if stored is None else sorted(int(u) for u in json.loads(stored))


def set_responsibility(store: Store, actor: Actor, user_id: int, version: int,
                       unit_ids: list[int] | None) -> int:
    """The units whose victims a supervisor or bureau user may see (None: their own unit)."""
    require(actor, Action.MANAGE_USERS)
    with store.write():
        if unit_ids is not None:
            known = {r["id"] for r in store.rows("SELECT id FROM units")}
            unknown = sorted(set(unit_ids) - known)
            if unknown:
                raise ValidationError(f"There is no unit with id {unknown[0]}.")
        value = None if unit_ids is None else json.dumps(sorted(set(unit_ids)))
        return store.update_record(actor, "users", user_id, version,
                                   {"responsible_units": value})


def list_users(store: Store, actor: Actor) -> list[Row]:
    require(actor, Action.MANAGE_USERS)
    return store.rows(
        "SELECT u.id, u.username, u.display_name, u.role, u.unit_id, u.person_id, u.active, "
        "u.failed_logins, u.locked_until, u.last_login_at, u.version, u.responsible_units, "
        "un.code AS unit_code "
        "FROM users u LEFT JOIN units un ON un.id = u.unit_id ORDER BY u.username")


def _check_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise ValidationError("A user name must be 1 to 64 characters with no spaces.")
    return name


def create_user(store: Store, actor: Actor, username: str, display_name: str, role: Role | str,
                password: str, *, unit_id: int | None = None,
                person_id: int | None = None) -> int:
    require(actor, Action.MANAGE_USERS)
    name = _check_username(username)
    if not display_name.strip():
        raise ValidationError("Please give the person's name as it should be shown.")
    problem = password_problem(password)
    if problem:
        raise ValidationError(problem)
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError(f"'{role}' is not a role.") from None
    with store.write():
        if store.scalar("SELECT 1 FROM users WHERE username = ?", [name]):
            raise ValidationError(f"The user name {name} is taken.")
        return store.insert_record(actor, "users", {
            "username": name, "display_name": display_name.strip(), "role": role.value,
            "password_hash": hash_password(password), "unit_id": unit_id,
            "person_id": person_id, "active": 1}, audit_values=False)


def edit_user(store: Store, actor: Actor, user_id: int, version: int, **changes: Any) -> int:
    require(actor, Action.MANAGE_USERS)
    if "role" in changes:
        changes["role"] = Role(changes["role"]).value
    if "username" in changes:
        changes["username"] = _check_username(changes["username"])
    with store.write():
        if user_id == actor.user_id and (changes.get("active") == 0
                                         or changes.get("role", "admin") != "admin"):
            raise ValidationError("You cannot deactivate or demote your own account.")
        return store.update_record(actor, "users", user_id, version, changes)


def set_password(store: Store, actor: Actor, user_id: int, new_password: str) -> None:
    if actor.user_id != user_id:
        require(actor, Action.MANAGE_USERS)
    problem = password_problem(new_password)
    if problem:
        raise ValidationError(problem)
    with store.write():
        store.execute("UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL,"
                      " updated_at = ?, updated_by = ?, version = version + 1 WHERE id = ?",
                      [hash_password(new_password), now_iso(), actor.user_id, user_id])
        store.audit(actor, "password", "users", user_id, {})


def sign_in(store: Store, username: str, password: str, *,
            now: dt.datetime | None = None) -> Actor:
    """Check a password, counting failures per account and locking it after too many."""
    moment = now or dt.datetime.now(dt.UTC)
    refusal: str | None = None
    # Failures are committed before the refusal is raised, so they count and are audited.
    with store.write():
        row = store.row("SELECT * FROM users WHERE username = ?", [username.strip()])
        if row is None or not row["active"]:
            store.audit(None, "sign-in refused", "users", None, {"username": username.strip()})
            refusal = SIGN_IN_REFUSED
        elif row["locked_until"] and dt.datetime.fromisoformat(row["locked_until"]) > moment:
            store.audit(None, "sign-in refused (locked)", "users", row["id"], {})
            refusal = (
                f"This account is locked after {MAX_FAILED_SIGN_INS} wrong passwords. "
                f"Try again after {LOCKOUT_MINUTES} minutes, or ask an administrator.")
        elif not verify_password(password, row["password_hash"]):
            failures = row["failed_logins"] + 1
            locked = None
            if failures >= MAX_FAILED_SIGN_INS:
                locked = (moment + dt.timedelta(minutes=LOCKOUT_MINUTES)).isoformat(
                    timespec="seconds")
                failures = 0
            store.execute("UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
                          [failures, locked, row["id"]])
            store.audit(None, "sign-in refused", "users", row["id"], {"locked": bool(locked)})
            refusal = SIGN_IN_REFUSED
        else:
            store.execute("UPDATE users SET failed_logins = 0, locked_until = NULL, "
                          "last_login_at = ? WHERE id = ?",
                          [moment.isoformat(timespec="seconds"), row["id"]])
            if needs_upgrade(row["password_hash"]):  # an older, cheaper hash: re-hash it now
                store.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                              [hash_password(password), row["id"]])
            actor = actor_for(store, row["id"])
            store.audit(actor, "sign-in", "users", row["id"], {})
    if refusal:
        raise AuthError(refusal)
    return actor
