"""QoS Checks: `python3 main.py` opens the app; `python3 main.py --help` lists the CLI.

This is the one place that decides between the window and the command line, so `qos/`
(the headless core) never imports Qt or `ui/`."""
from __future__ import annotations

import argparse
import os
import sys


def cli_entry() -> int:
    from qos.cli import parse, run_parsed, wants_window

    args = parse(sys.argv[1:])
    if wants_window(args):
        return open_window(args)
    return run_parsed(args)


def gui_entry() -> int:
    from qos.cli import parse

    return open_window(parse(["gui", *sys.argv[1:]]))


def open_window(args: argparse.Namespace) -> int:
    if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            or os.environ.get("QT_QPA_PLATFORM")):
        print("QoS Checks cannot open its window: this machine has no display (DISPLAY is not "
              "set). Use the command line instead: python3 main.py --help", file=sys.stderr)
        return 2
    from qos.paths import remembered_db, resolve_db_path
    from ui.launch import launch

    # Nothing says which database: a first run asks (this PC, or the force's shared one).
    chosen = args.db or os.environ.get("QOS_DB") or remembered_db()
    return launch(resolve_db_path(args.db), choose_place=not chosen)


if __name__ == "__main__":
    import dev

    dev.reexec_in_venv([__file__, *sys.argv[1:]])
    sys.exit(cli_entry())
