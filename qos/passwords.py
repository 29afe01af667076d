"""Password hashing with scrypt from the standard library (a memory-hard, salted KDF).

The cost is OWASP's minimum for scrypt (N=2^17, r=8, p=1). A hash made with a lower cost
still verifies, and `needs_upgrade` tells sign-in to re-hash it at the current cost.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

COST = (2**17, 8, 1)  # N, r, p: tests may lower it through a fixture, never the app
MIN_LENGTH = 8


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    # scrypt needs 128 * r * n bytes; OpenSSL's default ceiling (32 MiB) is below N=2^17.
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=dklen,
                          maxmem=256 * r * n + 2**20)


def hash_password(password: str) -> str:
    n, r, p = COST
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, n, r, p, 32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = _scrypt(password, bytes.fromhex(salt_hex), int(n), int(r), int(p),
                         len(digest_hex) // 2)
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


def needs_upgrade(stored: str) -> bool:
    """True for a hash made with less than the current cost (re-hash at the next sign-in)."""
    try:
        scheme, n, r, p = stored.split("$")[:4]
        return scheme != "scrypt" or (int(n), int(r), int(p)) < COST
    except ValueError:
        return True


def password_problem(password: str) -> str | None:
    """Plain-words reason a new password is refused, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"The password must be at least {MIN_LENGTH} characters long."
    if password.strip() != password:
        return "The password must not start or end with a space."
    return None
