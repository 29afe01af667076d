"""Signing in on the command line: commands that read or change data run as a named user.

The password comes from QOS_PASSWORD (for scheduled jobs) or is asked for without echo. The
command then runs with that user's role and units, and the audit trail names them.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from qos.errors import AuthError
from qos.roles import Actor
from qos.store.core import Store

PASSWORD_VARIABLE = "QOS_PASSWORD"


def add_user_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,
                        help=f"sign in as this user (password from ${PASSWORD_VARIABLE} or "
                             "asked for)")


def signed_in(args: argparse.Namespace, store: Store) -> Actor:
    """The actor for --user, after checking the password (counted and audited like the app's
    sign-in, lockout included)."""
    from qos.store.users import sign_in

    username = getattr(args, "user", None)
    if not username:
        raise AuthError("This command reads or changes data: sign in with --user NAME "
                        f"(the password is asked for, or read from ${PASSWORD_VARIABLE}).")
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        try:
            password = getpass.getpass(f"Password for {username}: ", stream=sys.stderr)
        except (EOFError, KeyboardInterrupt):
            raise AuthError("No password was given.") from None
    return sign_in(store, username, password)
