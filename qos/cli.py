"""The headless command line: parsing, and running the subcommands (demo, import, ...).

`main.py` decides whether to open the window (no subcommand, or `gui`) or to run a command
here; this module never imports Qt or `ui/`, so the core installs and tests without them."""
from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
from collections.abc import Callable

from qos import cli_commands
from qos.errors import QosError

Handler = Callable[[argparse.Namespace], int]


def _month(text: str) -> str:
    try:
        dt.date.fromisoformat(text + "-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a month like 2026-10") from None
    return text


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-10-31") from None


def build_parser() -> argparse.ArgumentParser:
    db_help = ("a database file, or the shared database's postgresql://HOST/DB address "
               "(default: $QOS_DB, else the one chosen at first run, else the file in your "
               "user data folder)")
    # SUPPRESS on the subcommands, so `main.py --db X demo` is not reset to None by them.
    db_arg = argparse.ArgumentParser(add_help=False)
    db_arg.add_argument("--db", metavar="PATH_OR_URL", default=argparse.SUPPRESS, help=db_help)
    parser = argparse.ArgumentParser(
        prog="main.py", description="QoS Checks. With no command, opens the app window.")
    parser.add_argument("--db", metavar="PATH_OR_URL", default=None, help=db_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("gui", parents=[db_arg], help="open the app window (the default)")

    _add_extra_commands(sub, db_arg)
    return parser


def _add_extra_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                        db_arg: argparse.ArgumentParser) -> None:
    """The headless subcommands (demo, import, backup, ...) live in qos.cli_commands."""
    cli_commands.register(sub, db_arg, month=_month, day=_day)


def parse(argv: list[str]) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def wants_window(args: argparse.Namespace) -> bool:
    """No subcommand, or `gui`: main.py opens the window instead of running a command."""
    return args.command in (None, "gui")


def run(argv: list[str]) -> int:
    return run_parsed(parse(argv))


def run_parsed(args: argparse.Namespace) -> int:
    if wants_window(args):
        print("error: the window is opened by main.py, not by the command line module",
              file=sys.stderr)
        return 2
    handler: Handler = args.handler
    try:
        return handler(args)
    except QosError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        if not _database_error(exc):
            raise  # a bug: its traceback is what a developer needs
        # The database itself refused (a table dropped behind the app's back, a damaged
        # page, a server gone away): say which database and what it said, in one line.
        said = (str(exc).strip().splitlines() or [""])[0]  # PostgreSQL adds the SQL, marked
        print(f"error: the database {_database_named(args)} could not be read or changed: "
              f"{type(exc).__name__}: {said}".rstrip(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _database_error(exc: BaseException) -> bool:
    """sqlite3's errors, and psycopg's (by module: the driver loads only for a server)."""
    return isinstance(exc, sqlite3.Error) or any(
        cls.__module__.split(".")[0] == "psycopg" and cls.__name__ == "Error"
        for cls in type(exc).__mro__)


def _database_named(args: argparse.Namespace) -> str:
    from qos.paths import resolve_db_path
    from qos.store.pgconn import redact

    for name in ("target", "source", "setup_db"):  # copy and server-setup name theirs
        value = getattr(args, name, None)
        if isinstance(value, str):
            return redact(value)
    try:
        return redact(str(resolve_db_path(getattr(args, "db", None))))
    except Exception:  # noqa: BLE001 - only naming it; the error itself is reported
        return "in use"
