"""Headless subcommands: demo, import, export, backup. Each opens the store, acts, prints."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from qos.cli_signin import add_user_argument, signed_in
from qos.errors import ValidationError
from qos.paths import resolve_db_path
from qos.roles import Actor
from qos.store.core import Store, open_store

T = TypeVar("T")
PROBLEMS_SHOWN = 100  # the first problems tell what is wrong; 380,000 lines tell nothing more


def _open(args: argparse.Namespace, *, check_integrity: bool = False) -> Store:
    return open_store(resolve_db_path(args.db), check_integrity=check_integrity)


def _signed_in_do(args: argparse.Namespace, act: Callable[[Store, Actor], T], *,
                  check_integrity: bool = False) -> T:
    """Open the store, sign in (--user), `act` as that user, close."""
    store = _open(args, check_integrity=check_integrity)
    try:
        return act(store, signed_in(args, store))
    finally:
        store.close()


def register(sub: Any, db_arg: argparse.ArgumentParser, *, month: Any, day: Any) -> None:
    # Every command but demo reads or changes data, so it signs in (qos.cli_signin).
    user_arg = argparse.ArgumentParser(add_help=False, parents=[db_arg])
    add_user_argument(user_arg)
    demo = sub.add_parser("demo", parents=[db_arg],
                          help="fill a new database with a synthetic demo force")
    demo.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
    demo.add_argument("--end-month", type=month, metavar="YYYY-MM",
                      help="last month of activity (default: last complete month)")
    demo.add_argument("--months", type=int, default=12, help="months of activity (default 12)")
    demo.set_defaults(handler=cmd_demo)

    imp = sub.add_parser("import", parents=[user_arg], help="import a CSV or XLSX file")
    imp.add_argument("kind", choices=["people", "crimes", "callbacks", "survey"],
                     help="what the file holds (callbacks: history from old spreadsheets; "
                          "survey: official user-satisfaction survey figures per quarter)")
    imp.add_argument("--template-version", type=int, default=1, metavar="N",
                     help="callbacks: the question template version the columns belong to")
    imp.add_argument("--mapping", metavar="NAME",
                     help="a column mapping saved in the app for this source")
    imp.add_argument("file", type=Path)
    imp.add_argument("--good-rows-only", action="store_true",
                     help="import the good rows and report the bad ones "
                          "(default: import nothing if any row is bad)")
    imp.set_defaults(handler=cmd_import)

    export = sub.add_parser("export", parents=[user_arg],
                            help="write the monthly compliance summary workbook (.xlsx)")
    export.add_argument("--month", type=month, required=True, metavar="YYYY-MM")
    export.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    export.add_argument("--unit", metavar="CODE", help="one unit only (default: every unit)")
    export.set_defaults(handler=cmd_export)

    due = sub.add_parser("due", parents=[user_arg],
                         help="victims owed a Victims' Code update, overdue first")
    due.add_argument("--unit", metavar="CODE")
    due.add_argument("--as-of", type=day, metavar="YYYY-MM-DD", help="default: today")
    due.set_defaults(handler=cmd_due)

    backup = sub.add_parser("backup", parents=[user_arg],
                            help="write a backup copy of the database")
    backup.add_argument("--out", type=Path, required=True, metavar="FILE")
    backup.set_defaults(handler=cmd_backup)

    restore = sub.add_parser("restore", parents=[user_arg],
                             help="replace the database with a backup (the current one is kept)")
    restore.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE")
    restore.set_defaults(handler=cmd_restore)

    audit = sub.add_parser("audit", parents=[user_arg], help="check the audit trail")
    audit.add_argument("action", choices=["verify"])
    audit.add_argument("--anchor", type=Path, metavar="FILE",
                       help="an anchor to compare: the .audit-anchor.json written with a "
                            "backup, or an exported summary FILE.xlsx (whose method sheet "
                            "prints the trail's head); the history beside the database is "
                            "always compared")
    audit.set_defaults(handler=cmd_audit)
    from qos.cli_routines import register_routines

    register_routines(sub, user_arg, month=month)
    from qos.cli_server import register_server

    register_server(sub)


def cmd_demo(args: argparse.Namespace) -> int:
    from qos.demo import build_demo
    from qos.months import last_complete_month
    from qos.store.users import has_users

    store = _open(args)
    try:
        if has_users(store):
            raise ValidationError(
                f"{store.target} already holds data; the demo needs a new file.")
        end = args.end_month or last_complete_month(dt.date.today())
        report = build_demo(store, args.seed, end, months=args.months)
    finally:
        store.close()
    print(f"Demo force written to {store.target}: {report.units} units, {report.people} people, "
          f"{report.counters} front counters"
          + "".join(f", {n} {k}" for k, n in report.extra.items()) + ".")
    print("Demo sign-ins (user name / role / password):")
    for username, role, password in report.sign_ins:
        print(f"  {username:<28} {role:<28} {password}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from qos.store import callbacks, mappings, reference
    from qos.store.crime_import import import_crimes_with_deadlines
    from qos.tabular import read_table

    table = read_table(args.file)
    store = _open(args)
    try:
        actor = signed_in(args, store)
        mapping = (mappings.get_mapping(store, actor, args.kind, args.mapping)
                   if args.mapping else None)
        strict = not args.good_rows_only
        if args.kind == "people":
            result = reference.import_people(store, actor, table, all_or_nothing=strict,
                                             mapping=mapping)
        elif args.kind == "crimes":
            result = import_crimes_with_deadlines(store, actor, table, all_or_nothing=strict,
                                                  mapping=mapping, source=str(args.file))
        elif args.kind == "survey":
            from qos.store.official_survey import import_official_survey

            result = import_official_survey(store, actor, table, all_or_nothing=strict)
        else:
            result = callbacks.import_history(store, actor, table, all_or_nothing=strict,
                                              mapping=mapping,
                                              template_version=args.template_version)
    finally:
        store.close()
    for problem in result.bad[:PROBLEMS_SHOWN]:
        print(f"  {problem}", file=sys.stderr)
    if len(result.bad) > PROBLEMS_SHOWN:  # a wrong file gives a problem a row: say how many
        print(f"  ... and {len(result.bad) - PROBLEMS_SHOWN:,} more problem rows not shown.",
              file=sys.stderr)
    print(result.summary())
    return 0 if result.applied and not result.bad else 1


def cmd_export(args: argparse.Namespace) -> int:
    from qos.store.exports import export_summary

    if args.out.suffix.lower() != ".xlsx":
        raise ValidationError(f"{args.out} should end in .xlsx.")
    target = _signed_in_do(args, lambda store, actor: export_summary(
        store, actor, args.month, args.out, args.unit))
    print(f"Summary for {args.month} written to {target}")
    return 0


def cmd_due(args: argparse.Namespace) -> int:
    from qos.store import duties
    from qos.store.reference import unit_by_code
    from qos.store.updates import due_list

    as_of = args.as_of or dt.date.today()
    store = _open(args)
    try:
        actor = signed_in(args, store)
        if args.unit and unit_by_code(store, actor, args.unit) is None:
            raise ValidationError(f"There is no unit with the code {args.unit}.")
        # Asked for explicitly: after an upgrade the deadlines may not be worked out yet, and
        # no background job runs for the command line.
        duties.bring_up_to_date(store)
        rows = due_list(store, actor, as_of, args.unit)
    finally:
        store.close()
    for row in rows:
        late = (f"{row['overdue_days']} working day(s) overdue" if row["overdue_days"]
                else "due today")
        print(f"{row['crime_ref']}\t{row['unit_code']}\tdue {row['due']} ({late})\t"
              f"{row['rule']}\t{row['officer']}"
              + (f"\tenhanced: {row['enhanced_reason']}" if row["enhanced_reason"] else ""))
    print(f"{len(rows)} update(s) due as of {as_of.isoformat()}.", file=sys.stderr)
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from qos.store.backups import backup

    # A scheduled backup is where damage shows up: the whole file is checked first.
    target = _signed_in_do(args, lambda store, actor: backup(store, actor, args.out),
                           check_integrity=True)
    print(f"Backup written to {target}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from qos.store.backups import restore

    # Not checked first: a damaged database is why one restores.
    kept = _signed_in_do(args, lambda store, actor: restore(store, actor, args.source))
    print(f"Restored {args.source}. The database as it was is kept at {kept}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from qos.store.audit import (
        Anchor,
        AnchorError,
        history_path,
        history_problems,
        read_anchors,
        verify_audit,
    )

    db_path = resolve_db_path(args.db)
    if isinstance(db_path, Path) and not db_path.exists():
        raise ValidationError(f"There is no database at {db_path}.")
    if args.anchor and not args.anchor.exists():
        raise ValidationError(f"There is no anchor file at {args.anchor}.")
    store = _open(args)
    try:
        actor = signed_in(args, store)
        # The history kept at exports, backups and closings (beside a database file; in the
        # user's data folder for a shared one), and a backup's anchor or an exported workbook.
        kept = history_path(store, actor)
        anchors: list[Anchor] = []
        history_said: list[str] = []
        if kept is not None:
            history_said = history_problems(store, actor, kept)
            try:
                anchors = read_anchors(kept)
            except AnchorError:
                pass  # named by history_problems; the chain, rows and --anchor still checked
        if args.anchor:
            anchors += read_anchors(args.anchor)
        report = verify_audit(store, actor, anchors)
        report.problems.extend(history_said)
    finally:
        store.close()
    for note in report.notes:
        print(f"  note: {note}")
    if report.ok:
        print(f"The audit trail is intact: {report.entries} entries, {report.rows_checked} "
              f"data rows match it, " + (f"{report.anchors_checked} anchor(s) agree."
                                         if anchors else "no anchor to compare."))
        return 0
    for problem in report.problems:
        print(f"  {problem}", file=sys.stderr)
    print(f"The audit trail and the data do not match: {len(report.problems)} problem(s).",
          file=sys.stderr)
    return 1
