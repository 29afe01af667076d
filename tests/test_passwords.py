"""Password hashes at OWASP's scrypt minimum, and older hashes upgraded at sign-in."""
from __future__ import annotations

import pytest

import qos.passwords
from qos.errors import AuthError
from qos.passwords import hash_password, needs_upgrade, verify_password
from qos.roles import Role
from qos.store import users
from tests.conftest import PASSWORD, make_user


@pytest.mark.real_scrypt
def test_new_hashes_use_n_2_17_r_8_p_1():
    assert qos.passwords.COST == (2**17, 8, 1)
    stored = hash_password("s3cret-phrase")
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 131072, 8, 1)
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
    assert verify_password("s3cret-phrase", stored) and not needs_upgrade(stored)
    assert not verify_password("s3cret-phrasE", stored)


@pytest.mark.real_scrypt
def test_an_old_2_14_hash_still_signs_in_and_is_upgraded(store, admin):
    user = make_user(store, admin, "old", Role.SUPERVISOR, "NOR")
    old = qos.passwords.COST
    qos.passwords.COST = (2**14, 8, 1)  # as the app hashed before this change
    try:
        weak = hash_password(PASSWORD)
    finally:
        qos.passwords.COST = old
    with store.write():
        store.execute("UPDATE users SET password_hash = ? WHERE id = ?", [weak, user.user_id])
    assert needs_upgrade(weak) and weak.startswith("scrypt$16384$8$1$")
    with pytest.raises(AuthError):  # a wrong password upgrades nothing
        users.sign_in(store, "old", "wrong password!")
    assert store.scalar("SELECT password_hash FROM users WHERE id = ?", [user.user_id]) == weak
    users.sign_in(store, "old", PASSWORD)
    upgraded = store.scalar("SELECT password_hash FROM users WHERE id = ?", [user.user_id])
    assert upgraded.startswith("scrypt$131072$8$1$") and verify_password(PASSWORD, upgraded)
    users.sign_in(store, "old", PASSWORD)  # and the new hash signs in
    from qos.store.audit import verify_audit

    assert verify_audit(store, admin).ok  # the re-hash is covered by the sign-in's entry
