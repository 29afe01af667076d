"""Numbered schema migrations, applied on open and recorded in the database.

Never edit a migration that has shipped: add the next number. Every record that may later be
merged between machines carries uuid, created/updated timestamps and users, and a version.
"""
from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("qos")

META = """
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
"""


def _run(db: sqlite_utils.Database, statements: list[str]) -> None:
    # One statement at a time: executescript() would COMMIT our open transaction.
    for statement in statements:
        db.conn.execute(statement)


def known_migration_names() -> set[str]:
    return {m.name for m in MIGRATIONS._migrations}


@MIGRATIONS(name="0001_foundation")
def m0001_foundation(db: sqlite_utils.Database) -> None:
    _run(db, [
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"""CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('BCU', 'department')),
            monthly_target INTEGER NOT NULL DEFAULT 50 CHECK (monthly_target >= 0),
            active INTEGER NOT NULL DEFAULT 1,
            {META})""",
        f"""CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            staff_number TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL,
            role_type TEXT NOT NULL CHECK (role_type IN ('officer', 'PCSO', 'staff')),
            unit_id INTEGER REFERENCES units(id),
            line_manager_id INTEGER REFERENCES people(id),
            active INTEGER NOT NULL DEFAULT 1,
            {META})""",
        "CREATE INDEX people_unit ON people(unit_id)",
        "CREATE INDEX people_manager ON people(line_manager_id)",
        f"""CREATE TABLE counters (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            opening_hours TEXT NOT NULL DEFAULT '{{}}',
            active INTEGER NOT NULL DEFAULT 1,
            {META})""",
        f"""CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'bureau', 'volunteer')),
            password_hash TEXT NOT NULL,
            unit_id INTEGER REFERENCES units(id),
            person_id INTEGER REFERENCES people(id),
            active INTEGER NOT NULL DEFAULT 1,
            failed_logins INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            last_login_at TEXT,
            {META})""",
        """CREATE TABLE templates (
            kind TEXT NOT NULL,
            version INTEGER NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            loaded_at TEXT NOT NULL,
            PRIMARY KEY (kind, version))""",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_id INTEGER,
            username TEXT,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT,
            detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL)""",
        """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
        """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    ])
