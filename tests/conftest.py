"""Shared fixtures: offscreen Qt, a fresh database per test, closed after it."""
from __future__ import annotations

import itertools
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
def _own_data_folder(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's data folder (a shared database's anchor history, logs) is the test's own,
    never the real one of whoever runs the tests."""
    import qos.paths

    folder = tmp_path_factory.mktemp("data")
    monkeypatch.setattr(qos.paths, "data_dir", lambda: folder)


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


# -- both backends ----------------------------------------------------------------------------
# Every test that takes `store` runs on SQLite and on PostgreSQL (GUI tests and tests marked
# sqlite_only, which are about the file itself, run on SQLite only). A PostgreSQL database per
# test is copied from a migrated template, so it costs a CREATE DATABASE, not the migrations.
PG_SERVER = os.environ.get("QOS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
_pg_names = itertools.count(1)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if ("store" in metafunc.fixturenames and not module.startswith("test_gui_")
            and not metafunc.definition.get_closest_marker("sqlite_only")):
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


_pg_check: list[str | None] = []


def pg_unavailable() -> str | None:
    """Why no PostgreSQL server can be used here (None: one answers). Asked once a run."""
    if not _pg_check:
        try:
            import psycopg

            psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3).close()
            _pg_check.append(None)
        except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
            detail = " ".join(str(exc).split())  # one line, whatever the driver says
            _pg_check.append(f"no server answers at {PG_SERVER} ({detail})")
    return _pg_check[0]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a server the PostgreSQL runs are left out and counted in ONE line at the end;
    with CI=true they stay in and fail, so CI cannot pass without them."""
    on_pg = [item for item in items
             if getattr(getattr(item, "callspec", None), "params", {}).get("backend")
             == "postgresql" or "pg_url" in getattr(item, "fixturenames", ())]
    if not on_pg or os.environ.get("CI") == "true":
        return
    why = pg_unavailable()
    if why:
        left_out = set(on_pg)
        items[:] = [item for item in items if item not in left_out]
        config.hook.pytest_deselected(items=on_pg)
        config.stash[_PG_SKIPPED] = f"PostgreSQL tests skipped: {len(on_pg)}, {why}"


_PG_SKIPPED = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if _PG_SKIPPED in config.stash:
        terminalreporter.write_line(config.stash[_PG_SKIPPED], yellow=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


def _server_url(name: str) -> str:
    return PG_SERVER.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated template database, made once per test run; the reason it failed if none."""
    try:
        import psycopg

        admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        detail = " ".join(str(exc).split())  # one line, whatever the driver says
        why = f"PostgreSQL tests skipped: no server answers at {PG_SERVER} ({detail})"
        if os.environ.get("CI") == "true":
            pytest.fail(why.replace("skipped", "cannot run in CI"), pytrace=False)
        pytest.skip(why)
    name = f"qos_tpl_{os.getpid()}"
    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.execute(f"CREATE DATABASE {name}")
    open_store(_server_url(name)).close()
    yield name
    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


@pytest.fixture
def db_path(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """Where the test's database lives: a SQLite file, or on PostgreSQL a fresh database's URL
    (a str: tests pass it to open_store and --db alike; those about the file itself are
    marked sqlite_only)."""
    if backend == "sqlite":
        yield tmp_path / "qos.db"
        return
    yield from _fresh_pg_database(request)  # type: ignore[misc]


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database's URL, for the tests only PostgreSQL has
    (concurrent writers, a dropped connection, the copy, the server roles)."""
    yield from _fresh_pg_database(request)


def _fresh_pg_database(request: pytest.FixtureRequest) -> Iterator[str]:
    import psycopg

    template = request.getfixturevalue("pg_template")
    name = f"qos_t_{os.getpid()}_{next(_pg_names)}"
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield _server_url(name)
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = open_store(db_path)
    yield opened
    opened.close()


def set_up_force(store: Store) -> Actor:
    """A force with two units (NOR, SOU) and its administrator."""
    return users.setup_force(
        store, "Testshire Police",
        [{"code": "NOR", "name": "North", "kind": "BCU", "monthly_target": 50},
         {"code": "SOU", "name": "South", "kind": "BCU", "monthly_target": 40}],
        "admin", "Ada Admin", PASSWORD)


@pytest.fixture
def admin(store: Store) -> Actor:
    return set_up_force(store)


def make_user(store: Store, admin: Actor, username: str, role: Role,
              unit_code: str | None = None) -> Actor:
    unit = reference.unit_by_code(store, SYSTEM, unit_code) if unit_code else None
    user_id = users.create_user(store, admin, username, username.title(), role, PASSWORD,
                                unit_id=unit["id"] if unit else None)
    return users.actor_for(store, user_id)


# -- GUI ---------------------------------------------------------------------------------------
def open_main_window(qtbot: Any, store: Store, actor: Actor,
                     force: str = "Testshire Police") -> Any:
    """The main window as a user sees it on signing in: shown, active, its first page built."""
    from ui.main_window import MainWindow

    window = MainWindow(store, actor, force)
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: bool(window.pages))
    return window


def keys_ready(qtbot: Any, window: Any) -> None:
    """Wait until key events reach `window`: it is the active window and a widget in it has
    the keyboard (a test's first Alt letter is lost otherwise)."""
    from PySide6.QtWidgets import QApplication

    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)


@pytest.fixture
def signed_in(qtbot: Any) -> Any:
    """open_main_window for a test: signed_in(store, actor) is the window as they see it."""
    return lambda store, actor, force="Testshire Police": open_main_window(
        qtbot, store, actor, force)
