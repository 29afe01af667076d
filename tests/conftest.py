"""Shared fixtures: offscreen Qt, a fresh database per test, closed after it."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

from collections.abc import Iterator
from pathlib import Path

import pytest

from qos.roles import SYSTEM, Actor, Role
from qos.store import reference, users
from qos.store.core import Store, open_store

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _cheap_password_hashing(request: pytest.FixtureRequest,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests create many accounts: hash at a test-only cost, unless a test is marked
    real_scrypt (the production cost, N=2^17, is checked there)."""
    if request.node.get_closest_marker("real_scrypt") is None:
        import qos.passwords

        monkeypatch.setattr(qos.passwords, "COST", (2**10, 8, 1))


@pytest.fixture(autouse=True)
def _command_line_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """Command-line tests sign in as the test force's administrator (--user admin)."""
    monkeypatch.setenv("QOS_PASSWORD", PASSWORD)


@pytest.fixture(autouse=True)
def _no_running_jobs_left() -> Iterator[None]:
    """Background jobs a GUI test started finish before its widgets and database go."""
    yield
    if "ui.workers" in sys.modules:
        sys.modules["ui.workers"].wait_for_background_jobs()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """pytest-qt closes a test's widgets after it; a form still holding typed answers would
    then ask "Discard?" and wait for an answer nobody gives. Put such forms away first
    (done() hides a dialog without asking). This wrapper runs before pytest-qt's."""
    if "PySide6.QtWidgets" in sys.modules and "ui.forms" in sys.modules:
        from PySide6.QtWidgets import QApplication

        from ui.forms import GuardedDialog

        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, GuardedDialog) and widget.isVisible():
                widget.done(0)
    yield


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "qos.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = open_store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def admin(store: Store) -> Actor:
    """A set-up force with two units and an administrator."""
    return users.setup_force(
        store, "Testshire Police",
        [{"code": "NOR", "name": "North", "kind": "BCU", "monthly_target": 50},
         {"code": "SOU", "name": "South", "kind": "BCU", "monthly_target": 40}],
        "admin", "Ada Admin", PASSWORD)


def make_user(store: Store, admin: Actor, username: str, role: Role,
              unit_code: str | None = None) -> Actor:
    unit = reference.unit_by_code(store, SYSTEM, unit_code) if unit_code else None
    user_id = users.create_user(store, admin, username, username.title(), role, PASSWORD,
                                unit_id=unit["id"] if unit else None)
    return users.actor_for(store, user_id)
