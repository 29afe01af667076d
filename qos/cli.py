"""The command line: `main.py` with no subcommand opens the window; the rest run headless."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path

from qos.errors import QosError
from qos.paths import resolve_db_path

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
    db_help = "database file (default: $QOS_DB, else your user data folder)"
    # SUPPRESS on the subcommands, so `main.py --db X demo` is not reset to None by them.
    db_arg = argparse.ArgumentParser(add_help=False)
    db_arg.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=db_help)
    parser = argparse.ArgumentParser(
        prog="main.py", description="QoS Checks. With no command, opens the app window.")
    parser.add_argument("--db", metavar="PATH", default=None, help=db_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("gui", parents=[db_arg], help="open the app window (the default)")

    _add_extra_commands(sub, db_arg)
    return parser


def _add_extra_commands(sub: argparse._SubParsersAction, db_arg: argparse.ArgumentParser) -> None:
    """The headless subcommands (demo, import, backup, ...) live in qos.cli_commands."""
    from qos import cli_commands

    cli_commands.register(sub, db_arg, month=_month, day=_day)


def run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "gui"
    if command == "gui":
        return _run_gui(args)
    handler: Handler = args.handler
    try:
        return handler(args)
    except QosError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _run_gui(args: argparse.Namespace) -> int:
    if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            or os.environ.get("QT_QPA_PLATFORM")):
        print("QoS Checks cannot open its window: this machine has no display (DISPLAY is not "
              "set). Use the command line instead: python3 main.py --help", file=sys.stderr)
        return 2
    from ui.app import run_app

    return run_app(resolve_db_path(args.db))


def db_path_of(args: argparse.Namespace) -> Path:
    return resolve_db_path(args.db)
