"""QoS Checks: `python3 main.py` opens the app; `python3 main.py --help` lists the CLI."""
from __future__ import annotations

import sys


def cli_entry() -> int:
    from qos.cli import run

    return run(sys.argv[1:])


def gui_entry() -> int:
    from qos.cli import run

    return run(["gui", *sys.argv[1:]])


if __name__ == "__main__":
    import dev

    dev.reexec_in_venv([__file__, *sys.argv[1:]])
    sys.exit(cli_entry())
