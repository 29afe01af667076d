from __future__ import annotations

import datetime as dt

import pytest

from qos.errors import AuthError, PermissionDenied, ValidationError
from qos.passwords import hash_password, verify_password
from qos.roles import PERMISSIONS, SYSTEM, Action, Role, allowed
from qos.store import reference, users
from qos.store.users import MAX_FAILED_SIGN_INS, SIGN_IN_REFUSED, sign_in
from tests.conftest import PASSWORD, make_user


def test_password_hash_verifies_and_rejects():
    stored = hash_password("s3cret-phrase")
    assert stored.startswith("scrypt$") and "s3cret" not in stored
    assert verify_password("s3cret-phrase", stored)
    assert not verify_password("s3cret-phrasE", stored)
    assert not verify_password("s3cret-phrase", "garbage")
    assert hash_password("same") != hash_password("same")  # salted


def test_volunteer_cannot_create_a_unit(store, admin):
    volunteer = make_user(store, admin, "vol1", Role.VOLUNTEER)
    with pytest.raises(PermissionDenied, match="Volunteer mystery shopper"):
        reference.add_unit(store, volunteer, "X", "Rogue unit")
    assert reference.unit_by_code(store, SYSTEM, "X") is None


def test_supervisor_cannot_manage_users(store, admin):
    supervisor = make_user(store, admin, "sgt", Role.SUPERVISOR, "NOR")
    with pytest.raises(PermissionDenied):
        users.create_user(store, supervisor, "mate", "Mate", Role.ADMIN, PASSWORD)
    with pytest.raises(PermissionDenied):
        users.list_users(store, supervisor)


def test_permission_matrix_is_what_the_roles_need():
    expected = {
        Role.SUPERVISOR: {Action.DRAW_SAMPLE, Action.RECORD_CALLBACK, Action.RECORD_DEBRIEF,
                          Action.EXPORT_SUMMARY},
        Role.BUREAU: {Action.BUREAU_CALL, Action.VIEW_VICTIM_CONTACT},
        Role.VOLUNTEER: {Action.RECORD_VISIT},
    }
    for role in Role:
        for action in Action:
            if role is Role.ADMIN:
                assert allowed(role, action)
            elif action in (Action.MANAGE_USERS, Action.MANAGE_REFERENCE):
                assert not allowed(role, action), (role, action)
        for action in expected.get(role, set()):
            assert allowed(role, action), (role, action)
    assert PERMISSIONS[Role.VOLUNTEER] == frozenset({Action.RECORD_VISIT})


def test_sign_in_with_right_and_wrong_passwords(store, admin):
    assert sign_in(store, "ADMIN", PASSWORD).user_id == admin.user_id  # name not case-sensitive
    with pytest.raises(AuthError) as wrong:
        sign_in(store, "admin", "nope")
    with pytest.raises(AuthError) as unknown:
        sign_in(store, "nobody", PASSWORD)
    assert str(wrong.value) == str(unknown.value) == SIGN_IN_REFUSED
    assert store.scalar("SELECT failed_logins FROM users WHERE username = 'admin'") == 1


def test_account_locks_after_repeated_failures_and_unlocks_later(store, admin):
    now = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    for _ in range(MAX_FAILED_SIGN_INS):
        with pytest.raises(AuthError):
            sign_in(store, "admin", "wrong", now=now)
    with pytest.raises(AuthError, match="locked"):
        sign_in(store, "admin", PASSWORD, now=now)
    later = now + dt.timedelta(minutes=16)
    assert sign_in(store, "admin", PASSWORD, now=later).username == "admin"
    refused = store.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'sign-in refused%'")
    assert refused == MAX_FAILED_SIGN_INS + 1


def test_weak_password_and_duplicate_username_are_refused(store, admin):
    with pytest.raises(ValidationError, match="at least 8"):
        users.create_user(store, admin, "x", "X", Role.BUREAU, "short")
    with pytest.raises(ValidationError, match="taken"):
        users.create_user(store, admin, "ADMIN", "Other", Role.BUREAU, PASSWORD)


def test_admin_cannot_lock_themself_out(store, admin):
    row = store.row("SELECT * FROM users WHERE id = ?", [admin.user_id])
    with pytest.raises(ValidationError, match="your own account"):
        users.edit_user(store, admin, admin.user_id, row["version"], active=0)


def test_deactivated_unit_stays_for_records_that_use_it(store, admin):
    unit = reference.unit_by_code(store, SYSTEM, "SOU")
    reference.add_person(store, admin, "1234", "Pat Officer", "officer", unit["id"])
    reference.set_active(store, admin, "units", unit["id"], unit["version"], False)
    assert reference.unit_by_code(store, SYSTEM, "SOU")["active"] == 0
    assert "SOU" not in {u["code"] for u in reference.list_units(store, SYSTEM)}
    assert reference.person_by_number(store, SYSTEM, "1234")["unit_id"] == unit["id"]
