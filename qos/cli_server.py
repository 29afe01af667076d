"""Commands for the force's shared PostgreSQL database: `copy` and `server-setup`.

`copy` signs in (--user) as an administrator of the source file; `server-setup` runs as the
database administrator's own PostgreSQL login, before the app has any users there.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from qos.roles import Actor
from qos.store.dialect import is_server_url


def _server_url(text: str) -> str:
    if not is_server_url(text):
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a shared database address like postgresql://host/dbname")
    return text


def register_server(sub: Any) -> None:
    copy = sub.add_parser("copy", help="copy a local database file into a new, empty shared "
                                       "PostgreSQL database (every record, id and audit entry)")
    copy.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE.db")
    copy.add_argument("--to", dest="target", type=_server_url, required=True,
                      metavar="postgresql://...")
    from qos.cli_signin import add_user_argument

    add_user_argument(copy)  # an administrator of the source file
    copy.set_defaults(handler=cmd_copy)

    setup = sub.add_parser("server-setup",
                           help="create the shared database's roles: schema owner, app, "
                                "read-only reporting (run once by the database administrator)")
    setup.add_argument("--db", dest="setup_db", type=_server_url, required=True,
                       metavar="postgresql://...",
                       help="the new database, reached as a user who may create roles")
    setup.add_argument("--prefix", default="qos", help="role name prefix (default: qos)")
    setup.add_argument("--print-only", action="store_true",
                       help="print the SQL for the administrator to run instead")
    setup.set_defaults(handler=cmd_server_setup)


def cmd_copy(args: argparse.Namespace) -> int:
    from qos.store.copying import copy_file_to_server
    from qos.store.pgconn import redact

    report = copy_file_to_server(args.source, args.target, _source_admin(args))
    for table, count in report.rows.items():
        if count:
            print(f"  {table}: {count}")
    print(f"Copied {report.total} rows from {args.source} to {redact(args.target)}. "
          "Run 'main.py audit verify --user NAME --db ...' on the shared database to check the "
          "trail.")
    return 0


def _source_admin(args: argparse.Namespace) -> Actor:
    """--user signed in on the source file (the copy refuses all but an administrator)."""
    from qos.cli_signin import signed_in
    from qos.errors import ValidationError
    from qos.store.core import open_store

    if not args.source.exists():
        raise ValidationError(f"There is no database at {args.source}.")
    source = open_store(args.source)
    try:
        return signed_in(args, source)
    finally:
        source.close()


def cmd_server_setup(args: argparse.Namespace) -> int:
    from qos.store.server_setup import setup_roles, setup_sql

    if args.print_only:
        print(";\n".join(setup_sql(args.prefix, "DATABASE_NAME")) + ";")
        return 0
    made = setup_roles(args.setup_db, args.prefix)
    for line in made:
        print(line)
    return 0

