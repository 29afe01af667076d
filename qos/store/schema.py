"""Numbered schema migrations, applied on open and recorded in the database.

Never edit a migration that has shipped: add the next number. Every record that may later be
merged between machines carries uuid, created/updated timestamps and users, and a version.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qos.store.dialect import POSTGRES, SQLITE, Dialect

if TYPE_CHECKING:  # the migrations run with sqlite-utils; registering them needs none of it
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

MigrationFn = Callable[["sqlite_utils.Database"], None]


@dataclass(frozen=True)
class Migration:
    name: str
    fn: MigrationFn


class Registry:
    """The migrations in order. Opening an up-to-date database needs only their names, so
    sqlite-utils (~90 ms to import) is loaded only when one is to be applied."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._migrations: list[Migration] = []

    def __call__(self, *, name: str) -> Callable[[MigrationFn], MigrationFn]:
        def register(fn: MigrationFn) -> MigrationFn:
            if name in self.names():
                raise ValueError(f"Migration {name} is registered twice")
            self._migrations.append(Migration(name, fn))
            return fn

        return register

    def names(self) -> list[str]:
        return [m.name for m in self._migrations]

    def runner(self) -> Migrations:
        from sqlite_utils.migrations import Migrations

        runner = Migrations(self.name)
        for migration in self._migrations:
            runner(name=migration.name)(migration.fn)
        return runner

    def apply(self, db: sqlite_utils.Database, *,
              stop_before: str | Iterable[str] | None = None) -> None:
        self.runner().apply(db, stop_before=stop_before)

    def applied(self, db: sqlite_utils.Database) -> list[Any]:
        return self.runner().applied(db)

    def apply_postgres(self, conn: Any) -> None:
        """The same migrations on PostgreSQL, one transaction each, recorded in a table of
        sqlite-utils' own shape (so the store reads which are applied in one way)."""
        if not conn.execute(POSTGRES.table_exists_sql, ["_sqlite_migrations"]).fetchone():
            conn.execute("CREATE TABLE IF NOT EXISTS _sqlite_migrations (migration_set TEXT "
                         "NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL, "
                         "PRIMARY KEY (migration_set, name))")
        applied = {r[0] for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [self.name])}
        db = PostgresMigrationDb(conn)
        # A caller's open transaction holds them all (a new database's first set-up, all or
        # nothing); else each migration is its own.
        own = not conn.in_transaction
        for migration in [m for m in self._migrations if m.name not in applied]:
            if own:
                conn.execute("BEGIN")
            try:
                # Two PCs upgrading at once: the second waits, then finds it applied.
                conn.execute(POSTGRES.migration_lock)
                if not conn.execute("SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? "
                                    "AND name = ?", [self.name, migration.name]).fetchone():
                    migration.fn(db)  # type: ignore[arg-type]
                    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, "
                                 "applied_at) VALUES (?, ?, ?)",
                                 [self.name, migration.name, _now()])
            except BaseException:
                if own and conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            if own:
                conn.execute("COMMIT")


class PostgresMigrationDb:
    """What a migration function is handed on PostgreSQL in place of sqlite-utils' Database:
    the connection, as `db.conn`. Migrations use only `db.conn` and `_run`."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn


def _now() -> str:
    from qos.clock import now_iso

    return now_iso()


MIGRATIONS = Registry("qos")

META = """
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
"""


def _dialect(db: sqlite_utils.Database) -> Dialect:
    return POSTGRES if isinstance(db, PostgresMigrationDb) else SQLITE


def _run(db: sqlite_utils.Database, statements: list[str]) -> None:
    # One statement at a time: executescript() would COMMIT our open transaction.
    dialect = _dialect(db)
    for statement in statements:
        db.conn.execute(dialect.ddl(statement))


def _records_table(name: str, columns: str, *, constraints: str = "",
                   indexes: dict[str, str] | None = None) -> list[str]:
    """A table of records: its id, `columns`, the record metadata (META), any table
    `constraints` after them; then each index, named `<table>_<key>`. The statements' text
    is what earlier migrations wrote out by hand, to the letter (SQLite keeps it)."""
    pad = "\n            "
    tail = f",{pad}{constraints})" if constraints else ")"
    return [(f"CREATE TABLE {name} ({pad}id INTEGER PRIMARY KEY,{pad}{columns.strip()},"
             f"{pad}{META}{tail}"),
            *(f"CREATE INDEX {name}_{key} ON {name}({on})"
              for key, on in (indexes or {}).items())]


def known_migration_names() -> set[str]:
    return set(MIGRATIONS.names())


@MIGRATIONS(name="0001_foundation")
def m0001_foundation(db: sqlite_utils.Database) -> None:
    _run(db, _dialect(db).nocase_collation())
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
        *_dialect(db).audit_append_only(),
    ])


@MIGRATIONS(name="0002_callbacks")
def m0002_callbacks(db: sqlite_utils.Database) -> None:
    _run(db, [
        # Phone numbers and references are TEXT end to end: never let a type guess drop a 0.
        f"""CREATE TABLE crimes (
            id INTEGER PRIMARY KEY,
            crime_ref TEXT NOT NULL UNIQUE,
            recorded_on TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            offence_category TEXT NOT NULL,
            victim_name TEXT,
            victim_phone TEXT,
            officer_number TEXT,
            officer_id INTEGER REFERENCES people(id),
            ethnicity TEXT,
            vulnerable INTEGER NOT NULL DEFAULT 0,
            arrest_made INTEGER NOT NULL DEFAULT 0,
            declined_contact INTEGER NOT NULL DEFAULT 0,
            victim_under_18 INTEGER NOT NULL DEFAULT 0,
            victim_on_duty_officer INTEGER NOT NULL DEFAULT 0,
            domestic_abuse INTEGER NOT NULL DEFAULT 0,
            contact_opt_out INTEGER NOT NULL DEFAULT 0,
            {META})""",
        "CREATE INDEX crimes_unit_recorded ON crimes(unit_id, recorded_on)",
        "CREATE INDEX crimes_phone ON crimes(victim_phone)",
        "CREATE INDEX crimes_officer ON crimes(officer_id)",
        """CREATE TABLE import_mappings (
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            mapping TEXT NOT NULL,
            PRIMARY KEY (kind, name))""",
        f"""CREATE TABLE sample_draws (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            month TEXT NOT NULL,
            seed INTEGER NOT NULL,
            size INTEGER NOT NULL,
            stratified INTEGER NOT NULL DEFAULT 0,
            criteria TEXT NOT NULL,
            population_size INTEGER NOT NULL,
            population_hash TEXT NOT NULL,
            {META})""",
        "CREATE INDEX sample_draws_unit_month ON sample_draws(unit_id, month)",
        f"""CREATE TABLE sample_items (
            id INTEGER PRIMARY KEY,
            draw_id INTEGER NOT NULL REFERENCES sample_draws(id),
            crime_id INTEGER NOT NULL REFERENCES crimes(id),
            position INTEGER NOT NULL,
            is_reserve INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'to_call' CHECK (status IN
                ('to_call', 'attempted', 'completed', 'unreachable', 'declined', 'swapped_out',
                 'reserve')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_attempt_at TEXT,
            swap_reason TEXT,
            {META},
            UNIQUE (draw_id, crime_id))""",
        "CREATE INDEX sample_items_crime ON sample_items(crime_id)",
        """CREATE TABLE call_attempts (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES sample_items(id),
            at TEXT NOT NULL,
            outcome TEXT NOT NULL,
            note TEXT,
            user_id INTEGER NOT NULL)""",
        "CREATE INDEX call_attempts_item ON call_attempts(item_id)",
        f"""CREATE TABLE callbacks (
            id INTEGER PRIMARY KEY,
            item_id INTEGER UNIQUE REFERENCES sample_items(id),
            crime_id INTEGER REFERENCES crimes(id),
            crime_ref TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            call_date TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('completed', 'declined', 'unreachable')),
            template_kind TEXT NOT NULL,
            template_version INTEGER NOT NULL,
            answers TEXT NOT NULL DEFAULT '{{}}',
            ethnicity TEXT,
            comments TEXT,
            feedback TEXT NOT NULL DEFAULT 'none'
                CHECK (feedback IN ('none', 'positive', 'improvement')),
            officer_id INTEGER REFERENCES people(id),
            source TEXT NOT NULL DEFAULT 'app',
            {META})""",
        "CREATE INDEX callbacks_unit_date ON callbacks(unit_id, call_date)",
        f"""CREATE TABLE debriefs (
            id INTEGER PRIMARY KEY,
            callback_id INTEGER NOT NULL UNIQUE REFERENCES callbacks(id),
            officer_id INTEGER NOT NULL REFERENCES people(id),
            manager_id INTEGER REFERENCES people(id),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            kind TEXT NOT NULL,
            due_on TEXT NOT NULL,
            debriefed_on TEXT,
            note TEXT,
            acknowledgement TEXT NOT NULL DEFAULT 'pending'
                CHECK (acknowledgement IN ('pending', 'acknowledged', 'disagreed')),
            disagreement TEXT,
            escalated_to INTEGER REFERENCES people(id),
            {META})""",
        "CREATE INDEX debriefs_unit ON debriefs(unit_id, debriefed_on)",
    ])


@MIGRATIONS(name="0003_doorstep")
def m0003_doorstep(db: sqlite_utils.Database) -> None:
    _run(db, [
        f"""CREATE TABLE card_batches (
            id INTEGER PRIMARY KEY,
            first_serial INTEGER NOT NULL,
            last_serial INTEGER NOT NULL CHECK (last_serial >= first_serial),
            issued_on TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            person_id INTEGER REFERENCES people(id),
            team TEXT,
            template_version INTEGER NOT NULL,
            {META})""",
        "CREATE INDEX card_batches_range ON card_batches(first_serial, last_serial)",
        "CREATE INDEX card_batches_issued ON card_batches(issued_on)",
        f"""CREATE TABLE doorstep_cards (
            id INTEGER PRIMARY KEY,
            serial INTEGER NOT NULL UNIQUE,
            batch_id INTEGER NOT NULL REFERENCES card_batches(id),
            received_on TEXT NOT NULL,
            incident_ref TEXT,
            template_version INTEGER NOT NULL,
            answers TEXT NOT NULL,
            comments TEXT,
            {META})""",
        "CREATE INDEX doorstep_cards_batch ON doorstep_cards(batch_id)",
        "CREATE INDEX doorstep_cards_received ON doorstep_cards(received_on)",
    ])


@MIGRATIONS(name="0004_victims_code")
def m0004_victims_code(db: sqlite_utils.Database) -> None:
    events = ("arrested_on", "interviewed_on", "charged_on", "bailed_on", "released_on",
              "closed_on", "not_investigated_on")
    _run(db, [*(f"ALTER TABLE crimes ADD COLUMN {e} TEXT" for e in events),
              "ALTER TABLE crimes ADD COLUMN enhanced INTEGER NOT NULL DEFAULT 0",
              "CREATE INDEX crimes_recorded ON crimes(recorded_on)",
              """CREATE TABLE victim_updates (
                  id INTEGER PRIMARY KEY,
                  crime_id INTEGER NOT NULL REFERENCES crimes(id),
                  updated_on TEXT NOT NULL,
                  source TEXT NOT NULL CHECK (source IN ('import', 'callback', 'bureau', 'app')),
                  user_id INTEGER NOT NULL,
                  created_at TEXT NOT NULL,
                  UNIQUE (crime_id, updated_on, source))""",
              "CREATE INDEX victim_updates_crime ON victim_updates(crime_id)"])


@MIGRATIONS(name="0005_bureau")
def m0005_bureau(db: sqlite_utils.Database) -> None:
    _run(db, [
        *_records_table("bureau_calls", """
            crime_id INTEGER NOT NULL UNIQUE REFERENCES crimes(id),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            status TEXT NOT NULL CHECK (status IN ('claimed', 'retry', 'completed',
                'wrong_number', 'declined', 'pcso_visit')),
            claimed_by INTEGER,
            claimed_at TEXT,
            retry_after TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            called_at TEXT,
            template_version INTEGER,
            answers TEXT NOT NULL DEFAULT '{}',
            themes TEXT NOT NULL DEFAULT '[]',
            comments TEXT""", indexes={"status": "status, retry_after",
                                       "called": "called_at"}),
        *_records_table("remedial_actions", """
            bureau_call_id INTEGER NOT NULL REFERENCES bureau_calls(id),
            crime_id INTEGER NOT NULL REFERENCES crimes(id),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            officer_id INTEGER REFERENCES people(id),
            owner_id INTEGER REFERENCES people(id),
            check_key TEXT NOT NULL,
            what_failed TEXT NOT NULL,
            remedy TEXT NOT NULL,
            due_on TEXT NOT NULL,
            closed_on TEXT,
            closing_note TEXT""", indexes={"unit": "unit_id, closed_on",
                                           "officer": "officer_id, check_key"}),
        *_records_table("pcso_visits", """
            bureau_call_id INTEGER NOT NULL UNIQUE REFERENCES bureau_calls(id),
            crime_id INTEGER NOT NULL REFERENCES crimes(id),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            visited_on TEXT,
            outcome TEXT"""),
        *_records_table("informal_complaints", """
            kind TEXT NOT NULL CHECK (kind IN ('complaint', 'compliment')),
            category TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            crime_id INTEGER REFERENCES crimes(id),
            raised_on TEXT NOT NULL,
            summary TEXT NOT NULL""", indexes={"raised": "raised_on"}),
    ])


@MIGRATIONS(name="0006_mystery_shopping")
def m0006_mystery_shopping(db: sqlite_utils.Database) -> None:
    _run(db, [
        f"""CREATE TABLE scenarios (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            brief TEXT NOT NULL,
            checklist TEXT NOT NULL,
            bank_version INTEGER NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            {META})""",
        f"""CREATE TABLE visit_plan (
            id INTEGER PRIMARY KEY,
            counter_id INTEGER NOT NULL REFERENCES counters(id),
            scenario_id INTEGER NOT NULL REFERENCES scenarios(id),
            volunteer_id INTEGER NOT NULL REFERENCES users(id),
            week_start TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'done',
                'cancelled')),
            {META})""",
        "CREATE INDEX visit_plan_volunteer ON visit_plan(volunteer_id, week_start)",
        f"""CREATE TABLE visits (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER UNIQUE REFERENCES visit_plan(id),
            counter_id INTEGER NOT NULL REFERENCES counters(id),
            scenario_id INTEGER NOT NULL REFERENCES scenarios(id),
            volunteer_id INTEGER NOT NULL REFERENCES users(id),
            arrived_at TEXT NOT NULL,
            counter_open INTEGER NOT NULL,
            published_open INTEGER NOT NULL,
            waiting_minutes INTEGER,
            checklist TEXT NOT NULL,
            score REAL NOT NULL,
            overall INTEGER,
            went_well TEXT,
            to_improve TEXT,
            fed_back_on TEXT,
            {META})""",
        "CREATE INDEX visits_counter ON visits(counter_id, arrived_at)",
        """CREATE TABLE visit_drafts (
            user_id INTEGER NOT NULL,
            plan_id INTEGER NOT NULL,
            body TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (user_id, plan_id))""",
        f"""CREATE TABLE calibrations (
            id INTEGER PRIMARY KEY,
            scenario_id INTEGER NOT NULL REFERENCES scenarios(id),
            title TEXT NOT NULL,
            account TEXT NOT NULL,
            {META})""",
        """CREATE TABLE calibration_scores (
            calibration_id INTEGER NOT NULL REFERENCES calibrations(id),
            volunteer_id INTEGER NOT NULL REFERENCES users(id),
            checklist TEXT NOT NULL,
            scored_at TEXT NOT NULL,
            PRIMARY KEY (calibration_id, volunteer_id))""",
    ])


@MIGRATIONS(name="0007_event_indexes")
def m0007_event_indexes(db: sqlite_utils.Database) -> None:
    # Partial indexes: most crimes have few events, so these stay small and cheap to keep.
    events = ("arrested_on", "interviewed_on", "charged_on", "bailed_on", "released_on",
              "closed_on", "not_investigated_on")
    _run(db, [f"CREATE INDEX crimes_{e} ON crimes({e}) WHERE {e} IS NOT NULL" for e in events])


@MIGRATIONS(name="0008_code_duties")
def m0008_code_duties(db: sqlite_utils.Database) -> None:
    # The Victims' Code deadlines each crime creates, kept so the due list is one indexed
    # range read instead of working out every open crime's clock each time it is opened.
    # qos/store/duties.py brings them up to date, in the same transaction that reads them:
    # - new crimes are those above the last crime id worked out (crimes_seen): a per-row
    #   insert trigger nearly doubled the time of a 100,000-row import;
    # - changes to a crime's dates or its victim updates mark it stale (triggers, so no
    #   writer can forget; the WHEN keeps a re-import that changes nothing cheap);
    # - a deleted crime takes its deadlines with it and lowers the mark, so a reused id is
    #   still seen as new.
    events = ("arrested_on", "interviewed_on", "charged_on", "bailed_on", "released_on",
              "closed_on", "not_investigated_on")
    watched = ("recorded_on", "unit_id", "enhanced", "officer_id", "officer_number", *events)
    _run(db, [
        # Keyed (clustered) by unit and due date: a unit's due list is one sequential range
        # read, carrying what the list shows so no crime row is looked up and then dropped.
        """CREATE TABLE code_duties (
            unit_id INTEGER NOT NULL,
            due_on TEXT NOT NULL,
            crime_id INTEGER NOT NULL REFERENCES crimes(id),
            rule TEXT NOT NULL,
            label TEXT NOT NULL,
            crime_ref TEXT NOT NULL,
            recorded_on TEXT NOT NULL,
            officer_id INTEGER,
            officer_number TEXT,
            enhanced INTEGER NOT NULL,
            event_on TEXT,
            updated_on TEXT,
            PRIMARY KEY (unit_id, due_on, crime_id, rule)) WITHOUT ROWID""",
        "CREATE INDEX code_duties_crime ON code_duties(crime_id)",
        # The whole force's due list in due-date order, a page at a time.
        ("CREATE INDEX code_duties_owed ON code_duties(due_on, unit_id, crime_ref, rule) "
        "WHERE updated_on IS NULL"),
        "CREATE TABLE code_duties_stale (crime_id INTEGER PRIMARY KEY)",
        "CREATE TABLE code_duties_seen (last_crime_id INTEGER NOT NULL)",
        "INSERT INTO code_duties_seen (last_crime_id) VALUES (0)",
    ])
    _run(db, _dialect(db).duties_triggers(watched))


@MIGRATIONS(name="0009_arrest_exclusions_phone_hash")
def m0009_arrest_exclusions_phone_hash(db: sqlite_utils.Database) -> None:
    """One arrest fact, exclusions as settings counted on each draw, a keyed phone hash.

    - "Arrest made" (flag) and "Suspect arrested" (date) become one fact, arrested_on: the
      date where known, 'unknown' where only the flag said so. A date without the flag is
      still an arrest; a flag with a date keeps the date. Nothing else had the flag.
    - Stored yes/no exclusion settings become the sample's and the bureau's lists (the bureau
      used the sample's settings until now), so a force's choices carry over.
    - phone_hmac: HMAC-SHA256 of the phone number under a secret made here, once, and kept
      in settings. The no-recontact rule matches on it, so erasing a number does not make
      a recently called victim eligible again (qos/store/retention.py drops it later).
    """
    import hashlib
    import hmac
    import json
    import secrets

    _run(db, [
        ("UPDATE crimes SET arrested_on = 'unknown' WHERE arrest_made = 1 "
        "AND arrested_on IS NULL"),
        "ALTER TABLE crimes DROP COLUMN arrest_made",
        "ALTER TABLE sample_draws ADD COLUMN excluded TEXT NOT NULL DEFAULT '{}'",
        "ALTER TABLE crimes ADD COLUMN phone_hmac TEXT",
    ])
    old = {k: json.loads(v) for k, v in db.conn.execute(
        "SELECT key, value FROM settings WHERE key IN ('exclude_under_18', "
        "'exclude_domestic_abuse', 'exclude_on_duty_officers', 'include_sensitive')")}
    if old:
        # Written out here, not imported: a migration must not change when code does.
        legacy = {"exclude_under_18": True, "exclude_domestic_abuse": True,
                  "exclude_on_duty_officers": True, "include_sensitive": False, **old}
        keys = ["declined_contact", "opted_out", "no_phone"]
        keys += [key for key, flag in (("under_18", "exclude_under_18"),
                                       ("domestic_abuse", "exclude_domestic_abuse"),
                                       ("on_duty_officer", "exclude_on_duty_officers"))
                 if legacy[flag]]
        if not legacy["include_sensitive"]:
            keys.append("sensitive_category")
        for name in ("sample_exclusions", "bureau_exclusions"):
            db.conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                            "DO UPDATE SET value = excluded.value", [name, json.dumps(keys)])
        db.conn.execute("DELETE FROM settings WHERE key IN ('exclude_under_18', "
                        "'exclude_domestic_abuse', 'exclude_on_duty_officers', "
                        "'include_sensitive')")
    key = secrets.token_hex(32)
    db.conn.execute("INSERT INTO settings (key, value) VALUES ('phone_hmac_key', ?)",
                    [json.dumps(key)])
    secret = bytes.fromhex(key)
    rows = db.conn.execute("SELECT id, victim_phone FROM crimes "
                           "WHERE COALESCE(victim_phone, '') != ''").fetchall()
    db.conn.executemany("UPDATE crimes SET phone_hmac = ? WHERE id = ?", [
        (hmac.digest(secret, phone.encode(), hashlib.sha256).hex(), crime_id)
        for crime_id, phone in rows])
    _run(db, [("CREATE INDEX crimes_phone_hmac ON crimes(phone_hmac) "
              "WHERE phone_hmac IS NOT NULL")])
    _rebaseline_if_hashed(db, ("crimes", "sample_draws", "settings"),
                          {"settings": list(old)})


def _rebaseline_if_hashed(db: sqlite_utils.Database, tables: tuple[str, ...],
                          deleted: dict[str, list[str]] | None = None) -> None:
    """A database that already keeps row hashes (0015 applied before this migration reached
    it) gets new baseline entries for the rows this migration rewrote, so `audit verify`
    does not report the upgrade as tampering. Otherwise 0015 will take the baseline."""
    import json

    from qos.clock import now_iso
    from qos.store.hashing import audit_hash, row_hash

    if not db.conn.execute("SELECT 1 FROM _sqlite_migrations WHERE name = '0015_row_hashes'"
                           ).fetchone():
        return
    prev = (db.conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
            or [""])[0]
    for table in tables:
        cursor = db.conn.execute(f"SELECT * FROM {table} ORDER BY 1")
        gone: dict[str, str | None] = dict.fromkeys((deleted or {}).get(table, []))
        while (rows := cursor.fetchmany(5000)) or gone:
            hashes = {**gone, **{str(r[0]): row_hash(r) for r in rows}}
            gone = {}
            entry = {"at": now_iso(), "user_id": None, "username": None,
                     "action": "row hashes after upgrade", "entity": table, "entity_id": None,
                     "detail": json.dumps({"row_hashes": hashes}, sort_keys=True)}
            entry["prev_hash"] = prev
            entry["hash"] = prev = audit_hash(prev, entry)
            db.conn.execute(f"INSERT INTO audit_log ({', '.join(entry)}) "
                            f"VALUES ({', '.join('?' * len(entry))})", list(entry.values()))


@MIGRATIONS(name="0010_enhanced_reasons_agreed_updates")
def m0010_enhanced_reasons_agreed_updates(db: sqlite_utils.Database) -> None:
    """Who is owed the enhanced service, and how often the victim agreed to be updated.

    - persistently_targeted (2020 Code); vulnerable/intimidated and the enhanced flag exist.
    - update_every_days: the frequency agreed with the victim (NULL: the edition's figure).
    - code_duties.enhanced_reason: the words the due list shows.
    The duties trigger also watches the columns the reasons and frequency come from, and
    every crime's deadlines are worked out again.
    """
    events = ("arrested_on", "interviewed_on", "charged_on", "bailed_on", "released_on",
              "closed_on", "not_investigated_on")
    watched = ("recorded_on", "unit_id", "enhanced", "officer_id", "officer_number", *events,
               "vulnerable", "offence_category", "persistently_targeted", "update_every_days")
    _run(db, [
        "ALTER TABLE crimes ADD COLUMN persistently_targeted INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE crimes ADD COLUMN update_every_days INTEGER",
        "ALTER TABLE code_duties ADD COLUMN enhanced_reason TEXT",
    ])
    _run(db, [*_dialect(db).replace_crimes_changed_trigger(watched),
              "UPDATE code_duties_seen SET last_crime_id = 0"])


@MIGRATIONS(name="0011_card_handouts_void_visits")
def m0011_card_handouts_void_visits(db: sqlite_utils.Database) -> None:
    """Doorstep cards left with victims, and void mystery-shopping visits.

    - card_handouts: a card's serial recorded against the crime it was left for (from the
      crime import or keyed when handed out), so the return rate can be returned / left with
      victims rather than returned / issued to the officer.
    - visits.void: a counter found closed outside its published hours is not a finding; the
      visit goes back into the plan (plan_id moves to voided_plan_id, the plan is 'planned'
      again). Visits already recorded that way are voided here, and their plans reopened.
    """
    _run(db, [
        f"""CREATE TABLE card_handouts (
            id INTEGER PRIMARY KEY,
            serial INTEGER NOT NULL UNIQUE,
            crime_id INTEGER NOT NULL REFERENCES crimes(id),
            handed_out_on TEXT NOT NULL,
            {META})""",
        "CREATE INDEX card_handouts_day ON card_handouts(handed_out_on)",
        "CREATE INDEX card_handouts_crime ON card_handouts(crime_id)",
        "ALTER TABLE visits ADD COLUMN void INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE visits ADD COLUMN voided_plan_id INTEGER REFERENCES visit_plan(id)",
        ("UPDATE visits SET void = 1, voided_plan_id = plan_id, plan_id = NULL "
        "WHERE counter_open = 0 AND published_open = 0"),
        ("UPDATE visit_plan SET status = 'planned' WHERE id IN "
        "(SELECT voided_plan_id FROM visits WHERE void = 1)"),
    ])
    _rebaseline_if_hashed(db, ("visits", "visit_plan"))


@MIGRATIONS(name="0012_official_survey")
def m0012_official_survey(db: sqlite_utils.Database) -> None:
    # The force's own user-satisfaction survey results per BCU, the force ('FORCE') and its
    # most similar forces' average ('MSF'), per quarter: what units are graded against.
    _run(db, ["""CREATE TABLE official_survey (
            quarter TEXT NOT NULL,
            unit_code TEXT NOT NULL COLLATE NOCASE,
            driver TEXT NOT NULL,
            satisfied_pct REAL NOT NULL CHECK (satisfied_pct BETWEEN 0 AND 100),
            respondents INTEGER NOT NULL CHECK (respondents > 0),
            loaded_at TEXT NOT NULL,
            loaded_by INTEGER NOT NULL,
            PRIMARY KEY (quarter, unit_code, driver))"""])


@MIGRATIONS(name="0015_row_hashes")
def m0015_row_hashes(db: sqlite_utils.Database) -> None:
    # `audit verify` compares every row of the checked tables with the hash its last audit
    # entry recorded. Rows written before that existed get one baseline entry per 5,000 rows,
    # so verify starts from the data as it is now.
    from qos.clock import now_iso
    from qos.store.hashing import CHECKED_SINCE_0031, HASHED_TABLES, baseline

    # The tables checked then (0031 baselines the ones checked since, once keyed by an id).
    baseline(db.conn, now_iso(), [t for t in HASHED_TABLES if t not in CHECKED_SINCE_0031])


@MIGRATIONS(name="0016_unit_responsibility")
def m0016_unit_responsibility(db: sqlite_utils.Database) -> None:
    # The units a supervisor is responsible for, or a bureau serves: a JSON list of unit ids
    # set by an administrator (NULL: the user's own unit). On the users row, so the row's
    # audit hash covers it: granting oneself a unit behind the app's back shows in verify.
    _run(db, ["ALTER TABLE users ADD COLUMN responsible_units TEXT"])


@MIGRATIONS(name="0021_control_room_and_inspectorate")
def m0021_control_room_and_inspectorate(db: sqlite_utils.Database) -> None:
    # Two new roles, and informal complaints from the control room: who logged them (the
    # source), the Quality of Service Commitment item they are about, and whether they were
    # resolved there and then or passed on.
    _dialect(db).widen_role_check(db.conn, "users", "('admin', 'supervisor', 'bureau', 'volunteer')",
                 "('admin', 'supervisor', 'bureau', 'volunteer', 'control_room', "
                 "'inspectorate')")
    _run(db, [
        ("ALTER TABLE informal_complaints ADD COLUMN source TEXT NOT NULL DEFAULT 'bureau' "
         "CHECK (source IN ('bureau', 'control_room'))"),
        "ALTER TABLE informal_complaints ADD COLUMN qosc_item TEXT",
        ("ALTER TABLE informal_complaints ADD COLUMN resolution TEXT "
         "CHECK (resolution IN ('resolved', 'passed_on'))"),
    ])


@MIGRATIONS(name="0022_closure_compliance")
def m0022_closure_compliance(db: sqlite_utils.Database) -> None:
    # The date the crime record was closed (finalised) in the force's system, which is not
    # the Victims' Code "investigation closed" event (a charged crime is closed too), and the
    # incident type (road traffic collisions are dip-checked on their own rule). A
    # supervisor's remedy for a closure that was not compliant is kept per closure.
    _run(db, [
        "ALTER TABLE crimes ADD COLUMN finalised_on TEXT",
        "ALTER TABLE crimes ADD COLUMN incident_type TEXT",
        "CREATE INDEX crimes_finalised_on ON crimes(finalised_on) WHERE finalised_on IS NOT NULL",
        f"""CREATE TABLE closure_remedies (
            id INTEGER PRIMARY KEY,
            crime_id INTEGER NOT NULL REFERENCES crimes(id),
            finalised_on TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            problems TEXT NOT NULL,
            remedy TEXT NOT NULL,
            remedied_on TEXT NOT NULL,
            {META},
            UNIQUE (crime_id, finalised_on))""",
    ])


@MIGRATIONS(name="0023_dip_checks")
def m0023_dip_checks(db: sqlite_utils.Database) -> None:
    # The inspectorate's dip check of one unit's month: a seeded draw per test (the seed and
    # each test's population size and hash kept, so anyone can re-run it), and the
    # inspector's finding for each item drawn.
    _run(db, [
        *_records_table("dip_checks", """
            unit_id INTEGER NOT NULL REFERENCES units(id),
            month TEXT NOT NULL,
            seed INTEGER NOT NULL,
            per_test INTEGER NOT NULL,
            rules_version INTEGER NOT NULL,
            populations TEXT NOT NULL""", constraints="UNIQUE (unit_id, month)"),
        *_records_table("dip_check_items", """
            check_id INTEGER NOT NULL REFERENCES dip_checks(id),
            test TEXT NOT NULL CHECK (test IN ('counter_open', 'rtc_updated',
                'vulnerable_updated', 'all_updated')),
            position INTEGER NOT NULL,
            crime_id INTEGER REFERENCES crimes(id),
            counter_id INTEGER REFERENCES counters(id),
            result TEXT CHECK (result IN ('pass', 'fail', 'unable')),
            note TEXT,
            checked_on TEXT""", constraints="CHECK ((crime_id IS NULL) != (counter_id IS NULL))",
            indexes={"check": "check_id, test, position"}),
    ])


@MIGRATIONS(name="0024_call_evaluation")
def m0024_call_evaluation(db: sqlite_utils.Database) -> None:
    # Control-room calls scored by a line manager against the versioned evaluation template,
    # acknowledged by the staff member; calibration exercises have two managers score the
    # same recorded call (their scores are kept apart from the staff member's own record).
    _run(db, [
        *_records_table("call_calibrations", """
            person_id INTEGER NOT NULL REFERENCES people(id),
            call_ref TEXT NOT NULL,
            call_at TEXT NOT NULL,
            title TEXT NOT NULL"""),
        *_records_table("call_evaluations", """
            person_id INTEGER NOT NULL REFERENCES people(id),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            month TEXT NOT NULL,
            call_ref TEXT NOT NULL,
            call_at TEXT NOT NULL,
            template_version INTEGER NOT NULL,
            answers TEXT NOT NULL,
            score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
            calibration_id INTEGER REFERENCES call_calibrations(id),
            acknowledgement TEXT NOT NULL DEFAULT 'pending'
                CHECK (acknowledgement IN ('pending', 'acknowledged', 'disagreed')),
            ack_note TEXT,
            acknowledged_on TEXT""", constraints="UNIQUE (call_ref, created_by)",
            indexes={"person": "person_id, month", "month": "month, unit_id"}),
    ])


@MIGRATIONS(name="0025_np_comment_cards")
def m0025_np_comment_cards(db: sqlite_utils.Database) -> None:
    # NP comment cards put out by place (front counter, library, event), the reply-paid
    # strips that come back, and for each the neighbourhood team's action and outcome
    # ("you said, we did"): a return closes only with its outcome.
    _run(db, [
        *_records_table("np_card_batches", """
            place_kind TEXT NOT NULL CHECK (place_kind IN ('front_counter', 'library', 'event',
                'other')),
            place TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            put_out_on TEXT NOT NULL,
            cards INTEGER NOT NULL CHECK (cards > 0)"""),
        *_records_table("np_card_returns", """
            batch_id INTEGER NOT NULL REFERENCES np_card_batches(id),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            received_on TEXT NOT NULL,
            themes TEXT NOT NULL DEFAULT '[]',
            comment TEXT NOT NULL,
            action TEXT,
            outcome TEXT,
            closed_on TEXT""", constraints="CHECK (closed_on IS NULL OR outcome IS NOT NULL)",
            indexes={"received": "received_on", "batch": "batch_id"}),
    ])


@MIGRATIONS(name="0026_row_hashes_v2")
def m0026_row_hashes_v2(db: sqlite_utils.Database) -> None:
    # Row hashes are now BLAKE2b of the pickled row (half the cost of sha256 over its repr,
    # which keeps `audit verify` at force scale under 10 s). Every row that still matches
    # its older hash gets the new one recorded in the trail; a row that does not keeps its
    # old expectation, so an edit made before the upgrade is still named.
    from qos.clock import now_iso
    from qos.store.hashing import rehash

    rehash(db.conn, now_iso())


@MIGRATIONS(name="0030_code_duties_by_day")
def m0030_code_duties_by_day(db: sqlite_utils.Database) -> None:
    # The month's timeliness figures read every deadline falling due in the month. SQLite
    # keeps code_duties clustered by unit and due date (WITHOUT ROWID), so that is a range
    # read per unit already. PostgreSQL's table is a heap in the order rows were written:
    # the same read was a scan of the whole table (0.3 s a query at a million crimes), and
    # is an index-only range read (0.02-0.04 s) with this covering index.
    _run(db, _dialect(db).heap_covering_index(
        "code_duties_by_day", "code_duties", ("due_on", "rule", "unit_id"),
        ("updated_on", "recorded_on", "event_on")))


# The tables keyed by several columns, as 0031 rebuilds them: an id first (what `audit verify`
# names a row by), their old key kept UNIQUE so the app's upserts work as before.
_REKEYED = {
    "templates": ("kind, version, title, body, loaded_at", """
            kind TEXT NOT NULL,
            version INTEGER NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            loaded_at TEXT NOT NULL,
            UNIQUE (kind, version)"""),
    "import_mappings": ("kind, name, mapping", """
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            mapping TEXT NOT NULL,
            UNIQUE (kind, name)"""),
    "official_survey": (
        "quarter, unit_code, driver, satisfied_pct, respondents, loaded_at, loaded_by", """
            quarter TEXT NOT NULL,
            unit_code TEXT NOT NULL COLLATE NOCASE,
            driver TEXT NOT NULL,
            satisfied_pct REAL NOT NULL CHECK (satisfied_pct BETWEEN 0 AND 100),
            respondents INTEGER NOT NULL CHECK (respondents > 0),
            loaded_at TEXT NOT NULL,
            loaded_by INTEGER NOT NULL,
            UNIQUE (quarter, unit_code, driver)"""),
    "calibration_scores": ("calibration_id, volunteer_id, checklist, scored_at", """
            calibration_id INTEGER NOT NULL REFERENCES calibrations(id),
            volunteer_id INTEGER NOT NULL REFERENCES users(id),
            checklist TEXT NOT NULL,
            scored_at TEXT NOT NULL,
            UNIQUE (calibration_id, volunteer_id)"""),
}


@MIGRATIONS(name="0031_audit_more_tables")
def m0031_audit_more_tables(db: sqlite_utils.Database) -> None:
    # `audit verify` now checks victim updates, call attempts, the official survey, templates,
    # calibration scores and import mappings too (hashing.CHECKED_SINCE_0031). Verify names a
    # row by its first column: the four keyed by several columns get an id first (rebuilt,
    # rows copied in their key's order). Then the rows already there get a baseline entry,
    # so an upgraded database verifies clean.
    from qos.clock import now_iso
    from qos.store.hashing import CHECKED_SINCE_0031, baseline

    for table, (columns, body) in _REKEYED.items():
        key = body.rsplit("UNIQUE (", 1)[1].rstrip(")")
        _run(db, [f"CREATE TABLE {table}_0031 (\n            id INTEGER PRIMARY KEY,{body})",
                  (f"INSERT INTO {table}_0031 ({columns}) SELECT {columns} FROM {table} "
                  f"ORDER BY {key}"),
                  f"DROP TABLE {table}",
                  f"ALTER TABLE {table}_0031 RENAME TO {table}"])
    baseline(db.conn, now_iso(), CHECKED_SINCE_0031)
