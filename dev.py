"""Project tasks with nothing but Python: the virtual environment, the tests, the benchmarks.

`python3 dev.py test` runs the whole suite; `python3 main.py` starts the app. Both create
`.venv/` under the checkout on first use and install the project into it, so a fresh machine
needs only Python 3.11+. Standard library only: this runs before anything is installed.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".qos-installed"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _wanted_stamp() -> str:
    # Reinstall whenever the declared dependencies change.
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def _running_in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


NO_VENV_MODULE = ("QoS Checks needs Python's venv module, which Debian and Ubuntu ship "
                  "separately. Install it, then run the command again:\n\n"
                  "    sudo apt-get install python3-venv\n")


def has_venv_module(python: str = sys.executable) -> bool:
    """venv can make an environment with pip in it (Debian's python3 lacks ensurepip)."""
    return subprocess.call([python, "-c", "import ensurepip, venv"],
                           stderr=subprocess.DEVNULL) == 0


def _has_pip(python: Path) -> bool:
    return subprocess.call([str(python), "-m", "pip", "--version"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL) == 0


def create_venv() -> None:
    """Make .venv, or stop with the one line to run; never leave a half-made .venv behind
    (a later run would take it for a working one)."""
    if not has_venv_module():
        sys.exit(NO_VENV_MODULE)
    print("First run: creating a virtual environment in .venv ...", file=sys.stderr)
    if subprocess.call([sys.executable, "-m", "venv", str(VENV)]):
        shutil.rmtree(VENV, ignore_errors=True)
        sys.exit("Creating .venv failed (the messages above say why).")


def ensure_venv() -> Path:
    """Create .venv and install the project with its test extras, once per pyproject change."""
    python = venv_python()
    if python.exists() and not STAMP.exists() and not _has_pip(python):
        shutil.rmtree(VENV)  # left by a failed first run (no venv module then): start again
    if not python.exists():
        create_venv()
    if not STAMP.exists() or STAMP.read_text() != _wanted_stamp():
        print("Installing QoS Checks and its dependencies into .venv (a minute or so) ...",
              file=sys.stderr)
        if subprocess.call(
                [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                 "-e", f"{ROOT}[test]"]):
            sys.exit("Installing into .venv failed (pip's messages above say why; most often "
                     "no connection to pypi.org). Run the same command again to retry.")
        compile_sources(python)
        STAMP.write_text(_wanted_stamp())
    return python


def compile_sources(python: Path) -> None:
    """Write the app's bytecode now, as an installer would: where PYTHONDONTWRITEBYTECODE is
    set, Python would otherwise compile every module from source at each start."""
    subprocess.run([str(python), "-m", "compileall", "-q", str(ROOT / "qos"), str(ROOT / "ui"),
                    str(ROOT / "main.py")], check=True, stdout=subprocess.DEVNULL)


def reexec_in_venv(argv: list[str]) -> None:
    """Run this same command again under .venv's Python, unless we already are there.

    QOS_NO_VENV=1 skips this for installs managed by the user (pip install qos-checks).
    """
    if os.environ.get("QOS_NO_VENV") == "1":
        return
    if _running_in_venv():
        ensure_venv()
        return
    python = ensure_venv()
    if os.name == "nt":  # execv on Windows does not replace the process cleanly
        sys.exit(subprocess.call([str(python), *argv]))
    os.execv(str(python), [str(python), *argv])


LINTED = ["qos", "ui", "tests", "tools", "bench", "main.py", "dev.py"]


def run_checks(python: Path) -> int:
    """ruff (the rules in pyproject.toml) on all the code, and mypy (strict on qos/, as
    pyproject.toml says); the first that fails fails the test command."""
    for check in (["ruff", "check", "--quiet", *LINTED], ["mypy", "qos"]):
        print(f"Checking: {' '.join(check[:2])} ...", file=sys.stderr)
        code = subprocess.call([str(python), "-m", *check], cwd=ROOT)
        if code:
            print(f"{check[0]} found problems (above); fix them before the tests run.",
                  file=sys.stderr)
            return code
    return 0


def run_tests(extra: list[str]) -> int:
    python = ensure_venv()
    checked = run_checks(python)
    if checked:
        return checked
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    from ui.xcb_libraries import check  # standard library only, like this file

    advice = check(env)  # the GUI tests import PySide6, which fails without these
    if advice:
        print(advice, file=sys.stderr)
        return 2
    if sys.platform.startswith("linux") and not (shutil.which("xvfb-run")
                                                 and shutil.which("xauth")):
        # The real-window test (tests/test_gui_real_display.py) needs a virtual X display.
        print("Note: Xvfb is not installed, so the real-display test is skipped "
              + ("(and fails, as CI=true)" if os.environ.get("CI") == "true" else
                 "(sudo apt-get install xvfb xauth to run it)") + ".", file=sys.stderr)
    return subprocess.call([str(python), "-m", "pytest", *extra], cwd=ROOT, env=env)


def run_bench(extra: list[str]) -> int:
    python = ensure_venv()
    if subprocess.call([str(python), "-c", "import pandas"], stderr=subprocess.DEVNULL):
        print("Installing the benchmarks' baseline (pandas) into .venv ...", file=sys.stderr)
        subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                        "-e", f"{ROOT}[test,bench]"], check=True)
    compile_sources(python)  # the start-up benchmark measures the app as installed
    return subprocess.call([str(python), str(ROOT / "bench" / "run.py"), *extra], cwd=ROOT)


def main(argv: list[str]) -> int:
    usage = "usage: python3 dev.py {test|bench|venv} [args...]"
    if not argv:
        print(usage, file=sys.stderr)
        return 2
    task, extra = argv[0], argv[1:]
    if task == "test":
        return run_tests(extra)
    if task == "bench":
        return run_bench(extra)
    if task == "venv":
        print(ensure_venv())
        return 0
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
