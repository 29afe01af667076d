"""Least privilege in the shared database itself (`main.py server-setup`).

Three roles, documented for a force's DBA in docs/shared-database.md:
- `<prefix>_owner` owns the schema and runs the migrations (each new version of the app);
- `<prefix>_app` is what the app's users connect as: it reads and writes the data, and may
  INSERT into the audit log but never UPDATE, DELETE or TRUNCATE it;
- `<prefix>_report` reads the records and changes nothing (reporting tools, Power BI); it
  never sees victims' names and phone numbers, password hashes or the settings (which hold
  the phone-hash key), and may not make temporary tables.
"""
from __future__ import annotations

import re
from typing import Any

from qos.errors import ValidationError


def _names(prefix: str) -> tuple[str, str, str]:
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", prefix):
        raise ValidationError(f"'{prefix}' is not a plain role name prefix (a-z, 0-9, _).")
    return f"{prefix}_owner", f"{prefix}_app", f"{prefix}_report"


def setup_sql(prefix: str, database: str) -> list[str]:
    """What server-setup runs before the migrations (also printed with --print-only)."""
    owner, app, report = _names(prefix)
    schema = prefix
    statements = [
        *(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
          f"THEN CREATE ROLE {role} LOGIN; END IF; END $$" for role in (owner, app, report)),
        f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC',
        f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO {owner}, {app}',
        f'GRANT CONNECT ON DATABASE "{database}" TO {report}',
        f"CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION {owner}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {schema} TO {app}, {report}",
        *(f'ALTER ROLE {role} IN DATABASE "{database}" SET search_path = {schema}'
          for role in (owner, app, report)),
        (f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}"),
        (f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app}"),
        (f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        f"GRANT SELECT ON TABLES TO {report}"),
    ]
    return statements


def after_migrations_sql(prefix: str) -> list[str]:
    """Run after the owner has made the tables: the audit log and the migrations' record are
    append-only or read-only for the app (tables made later get the default privileges)."""
    _owner, app, report = _names(prefix)
    schema = prefix
    return [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {report}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.audit_log FROM {app}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {schema}._sqlite_migrations FROM {app}",
        f"REVOKE SELECT ON {schema}.settings FROM {report}",
        *(_columns_but(schema, table, hidden, report) for table, hidden in HIDDEN_FROM_REPORTS),
    ]


# Personal data and secrets a reporting tool has no need of (figures need none of them).
HIDDEN_FROM_REPORTS = (("crimes", ("victim_name", "victim_phone", "phone_hmac")),
                       ("users", ("password_hash",)))


def _columns_but(schema: str, table: str, hidden: tuple[str, ...], role: str) -> str:
    """SELECT on every column of `table` but `hidden`: a column-level grant in place of the
    table's (worked out on the server, so columns added by later migrations are left out
    until granted, not shown by default)."""
    left_out = ", ".join(f"'{column}'" for column in hidden)
    return (f"DO $$ DECLARE shown text; BEGIN "
            f"REVOKE SELECT ON {schema}.{table} FROM {role}; "
            f"SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) "
            f"INTO shown FROM information_schema.columns WHERE table_schema = '{schema}' "
            f"AND table_name = '{table}' AND column_name NOT IN ({left_out}); "
            f"EXECUTE format('GRANT SELECT (%s) ON {schema}.{table} TO {role}', shown); END $$")


def setup_roles(url: str, prefix: str) -> list[str]:
    """Create the roles and schema, apply the migrations as the owner, then the grants."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from qos.store.pgconn import PgConnection, open_connection
    from qos.store.schema import MIGRATIONS

    owner, app, report = _names(prefix)
    database = str(conninfo_to_dict(url).get("dbname") or "")
    if not database:
        raise ValidationError("Name the database in the address: postgresql://host/dbname")
    conn: Any = open_connection(url)
    try:
        try:
            for statement in setup_sql(prefix, database):
                conn.execute(statement)
            # The migrations run as the owner, in its schema, over the administrator's
            # connection details (role and search_path set at connection start).
            as_owner = make_conninfo(url, options=f"-c role={owner} -c search_path={prefix}")
            owned = PgConnection(as_owner)
            try:
                MIGRATIONS.apply_postgres(owned)
            finally:
                owned.close()
            for statement in after_migrations_sql(prefix):
                conn.execute(statement)
        except psycopg.Error as exc:
            raise ValidationError(
                f"Setting up the shared database failed: {str(exc).strip()}. The user in the "
                "address must be allowed to create roles and schemas (a superuser, or "
                "CREATEROLE and the database's owner).") from exc
    finally:
        conn.close()
    return [(f"Roles ready in {database}: {owner} (owns schema {prefix}, runs upgrades), "
            f"{app} (the app: may add to the audit log, never change or delete it), "
            f"{report} (read-only reporting, no victims' names or phones)."),
            (f"Users connect with postgresql://{app}@HOST/{database}; set the roles' "
            "passwords and pg_hba.conf rules (TLS: hostssl) as your policy requires.")]
