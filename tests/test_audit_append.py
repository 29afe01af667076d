"""When and how an audit entry joins the chain: at its write's COMMIT, after the head the last
writer committed; on PostgreSQL hashed by the server exactly as `hashing.audit_hash` hashes.
Runs on both backends (the `store` fixture) unless marked for PostgreSQL alone."""
from __future__ import annotations

import itertools

import psycopg
import pytest

from qos.errors import ValidationError
from qos.store import reference, users
from qos.store.audit import verify_audit
from qos.store.core import open_store
from qos.store.hashing import audit_hash
from qos.store.pgconn import ServerTimeout
from tests.conftest import PASSWORD


def _entries(store):  # type: ignore[no-untyped-def]
    return store.rows("SELECT * FROM audit_log ORDER BY id")


def test_every_entry_hashes_as_audit_hash_whatever_its_text(store, admin):
    # Quotes, backslashes, a line break, accents, a non-Latin name, an emoji, no user: on
    # PostgreSQL the server hashes the text, and must hash exactly what Python would.
    for n, name in enumerate(['Zoë "Bo" O\'Neil', "back\\slash\nnew line", "Ŝaŭ 李雷 🙂", ""]):
        reference.add_person(store, admin, f"T{n}", name or "x", "staff")
    store.audit(None, "note", "", None, {"text": "tab\there, nul-free, ünïcödé"})
    rows = _entries(store)
    assert len(rows) > 5
    for before, row in itertools.pairwise(rows):
        assert row["prev_hash"] == before["hash"]
        assert row["hash"] == audit_hash(row["prev_hash"], row)
    assert verify_audit(store, admin).ok


def test_an_entry_joins_the_chain_when_its_write_commits_and_leaves_with_a_failed_part(
        store, admin):
    before = len(_entries(store))
    with store.write():
        reference.add_person(store, admin, "A1", "Kept", "staff")
        assert len(_entries(store)) == before  # still waiting for the COMMIT
        # An inner part that fails is undone with its entry.
        with pytest.raises(ValidationError), store.write():
            reference.add_person(store, admin, "A2", "Undone", "staff")
            raise ValidationError("changed my mind")
        reference.add_person(store, admin, "A3", "Kept too", "staff")
    added = _entries(store)[before:]
    assert [(e["action"], e["entity"]) for e in added] == [("create", "people")] * 2
    assert {str(store.scalar("SELECT id FROM people WHERE staff_number = ?", [n]))
            for n in ("A1", "A3")} == {e["entity_id"] for e in added}
    assert store.scalar("SELECT COUNT(*) FROM people WHERE staff_number = 'A2'") == 0
    # A write that fails whole leaves no entry at all.
    with pytest.raises(RuntimeError), store.write():
        reference.add_person(store, admin, "A4", "Never", "staff")
        raise RuntimeError("power cut")
    assert len(_entries(store)) == before + 2
    assert verify_audit(store, admin).ok


def test_an_open_write_does_not_hold_the_audit_lock_until_it_commits(pg_url):
    # The lock is taken as the write's last step: another PC saving meanwhile is not kept
    # waiting for this one (before, it waited from this write's first entry to its COMMIT).
    store, other = open_store(pg_url), open_store(pg_url)
    try:
        admin = users.setup_force(store, "Testshire Police", [
            {"code": "NOR", "name": "North", "kind": "BCU", "monthly_target": 50}],
            "admin", "Ada Admin", PASSWORD)
        with store.write():
            reference.add_person(store, admin, "L1", "Slow typist", "staff")
            reference.add_person(other, admin, "L2", "Quick saver", "staff")  # no wait
            quick = other.scalar("SELECT MAX(id) FROM audit_log")
        slow = store.scalar("SELECT MAX(id) FROM audit_log")
        assert slow == quick + 1  # the slow write's entry comes after, chained on the quick
        assert verify_audit(store, admin).ok
        # And it is taken at COMMIT: while another session holds it, a save waits for it,
        # then gives up at the lock timeout with a clear message and nothing saved.
        with psycopg.connect(pg_url) as holder:
            holder.execute("SELECT pg_advisory_xact_lock(7180001)")
            other.conn.raw.execute("SET lock_timeout = '300ms'")
            with pytest.raises(ServerTimeout, match="did not finish in time"):
                reference.add_person(other, admin, "L3", "Blocked", "staff")
            holder.rollback()
        assert other.scalar("SELECT COUNT(*) FROM people WHERE staff_number = 'L3'") == 0
        reference.add_person(other, admin, "L3", "Saved once the lock is free", "staff")
        assert verify_audit(store, admin).ok
    finally:
        store.close()
        other.close()


def test_large_waiting_entries_are_appended_early_and_a_failed_part_still_leaves_with_its_own(
        store, admin, monkeypatch):
    import qos.store.core

    before = len(_entries(store))
    with store.write():
        reference.add_person(store, admin, "S1", "Waits for COMMIT", "staff")
        monkeypatch.setattr(qos.store.core, "PENDING_SPILL_CHARS", 1)  # every entry is large
        # S1's entry waits from before this block: appended inside it, a ROLLBACK TO would
        # undo it too, so nothing is appended early until the block is over.
        with pytest.raises(ValidationError), store.write():
            reference.add_person(store, admin, "S2", "Undone", "staff")
            raise ValidationError("changed my mind")
        assert len(_entries(store)) == before
        reference.add_person(store, admin, "S3", "Inside a block made while S1 waits", "staff")
        assert len(_entries(store)) == before
        store.audit(admin, "note", "", None, {"why": "at the outer block's own level"})
        assert len(_entries(store)) == before + 3  # a bulk import's hashes are not all held
        with pytest.raises(ValidationError), store.write():  # nothing waiting: early here
            reference.add_person(store, admin, "S4", "Appended early, then undone", "staff")
            assert len(_entries(store)) == before + 4
            raise ValidationError("changed my mind")
        reference.add_person(store, admin, "S5", "Kept", "staff")
        assert len(_entries(store)) == before + 4
    added = _entries(store)[before:]
    assert [e["action"] for e in added] == ["create", "create", "note", "create"]
    assert [store.scalar("SELECT staff_number FROM people WHERE id = ?", [int(e["entity_id"])])
            for e in added if e["action"] == "create"] == ["S1", "S3", "S5"]
    assert verify_audit(store, admin).ok
