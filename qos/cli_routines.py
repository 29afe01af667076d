"""Command-line reports for the routines added after the inspection (issue 19).

Like the other headless commands they sign in (--user), and run with that user's role and
units.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

from qos.cli_signin import signed_in
from qos.errors import ValidationError
from qos.paths import resolve_db_path
from qos.store.core import open_store


def register_routines(sub: Any, db_arg: argparse.ArgumentParser, *, month: Any) -> None:
    closures = sub.add_parser("closures", parents=[db_arg],
                              help="crimes closed in a month that were not Victims' Code or "
                                   "QoS compliant at closure, with their remedies")
    closures.add_argument("--month", type=month, required=True, metavar="YYYY-MM")
    closures.add_argument("--unit", metavar="CODE", help="one unit only")
    closures.add_argument("--all", action="store_true", help="list compliant closures too")
    closures.set_defaults(handler=cmd_closures)


def cmd_closures(args: argparse.Namespace) -> int:
    from qos.store import closures, reference

    store = open_store(resolve_db_path(args.db))
    try:
        actor = signed_in(args, store)
        unit_id = None
        if args.unit:
            unit = reference.unit_by_code(store, actor, args.unit.upper())
            if unit is None:
                raise ValidationError(f"There is no unit with the code {args.unit}.")
            unit_id = unit["id"]
        rows = closures.closures_for_month(store, actor, args.month, unit_id=unit_id)
    finally:
        store.close()
    bad = [r for r in rows if r["problems"]]
    for row in rows if args.all else bad:
        remedy = (f"remedied {row['remedied_on']}: {row['remedy']}" if row["remedy"]
                  else "awaiting remedy" if row["problems"] else "compliant")
        print(f"{row['crime_ref']}\t{row['unit_code']}\tclosed {row['finalised_on']}\t"
              f"{'; '.join(row['problems']) or '-'}\t{remedy}")
    print(f"{len(rows)} closure(s) checked, {len(bad)} not compliant, "
          f"{sum(1 for r in bad if r['remedy'])} remedied.", file=sys.stderr)
    return 0
