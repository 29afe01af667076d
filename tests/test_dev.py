"""`python3 dev.py test` runs ruff, then mypy, then pytest; the first failure stops it."""
from __future__ import annotations

import ctypes
import subprocess
import sys
from pathlib import Path

import pytest

import dev


def _calls(monkeypatch, failing: str | None) -> list[str]:
    ran: list[str] = []

    def call(argv, **kwargs):
        tool = argv[2]  # python -m TOOL ...
        ran.append(tool)
        return 1 if tool == failing else 0

    monkeypatch.setattr(dev, "ensure_venv", lambda: Path("python"))
    monkeypatch.setattr(dev.subprocess, "call", call)
    return ran


def test_a_ruff_finding_fails_the_command_before_mypy_and_pytest(monkeypatch):
    ran = _calls(monkeypatch, "ruff")
    assert dev.main(["test", "-q"]) == 1
    assert ran == ["ruff"]


def test_a_mypy_finding_fails_the_command_before_pytest(monkeypatch):
    ran = _calls(monkeypatch, "mypy")
    assert dev.main(["test"]) == 1
    assert ran == ["ruff", "mypy"]


def test_clean_checks_then_run_pytest_with_the_arguments(monkeypatch):
    ran = _calls(monkeypatch, None)
    assert dev.main(["test", "-q"]) == 0
    assert ran == ["ruff", "mypy", "pytest"]


def test_the_checks_cover_the_code_and_mypy_reads_pyproject():
    assert dev.LINTED == ["qos", "ui", "tests", "tools", "bench", "main.py", "dev.py"]
    config = (Path(dev.ROOT) / "pyproject.toml").read_text(encoding="utf-8")
    assert 'module = "qos.*"\nstrict = true' in config


def test_without_the_venv_module_it_names_the_package_and_leaves_no_half_made_venv(
        monkeypatch, tmp_path):
    # Debian's python3 has no ensurepip: `python3 -m venv` left a .venv without pip, and every
    # later run failed on it even after python3-venv was installed.
    monkeypatch.setattr(dev, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(dev, "has_venv_module", lambda: False)
    with pytest.raises(SystemExit) as stop:
        dev.create_venv()
    assert "    sudo apt-get install python3-venv\n" in str(stop.value.code)
    assert not (tmp_path / ".venv").exists()


def test_a_failed_venv_creation_is_removed(monkeypatch, tmp_path):
    monkeypatch.setattr(dev, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(dev, "has_venv_module", lambda: True)

    def venv_fails(argv, **kwargs):
        (tmp_path / ".venv" / "bin").mkdir(parents=True)
        return 1

    monkeypatch.setattr(dev.subprocess, "call", venv_fails)
    with pytest.raises(SystemExit, match="Creating .venv failed"):
        dev.create_venv()
    assert not (tmp_path / ".venv").exists()


def test_a_venv_left_without_pip_is_made_again(monkeypatch, tmp_path):
    venv = tmp_path / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    monkeypatch.setattr(dev, "VENV", venv)
    monkeypatch.setattr(dev, "STAMP", venv / ".qos-installed")
    assert dev.venv_python().exists() and not dev._has_pip(dev.venv_python())
    remade: list[bool] = []

    def create_venv():
        remade.append(venv.exists())
        raise SystemExit("stop here")

    monkeypatch.setattr(dev, "create_venv", create_venv)
    with pytest.raises(SystemExit, match="stop here"):
        dev.ensure_venv()
    assert remade == [False]  # the pip-less one was removed first


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's libraries are checked on Linux")
def test_missing_qt_libraries_stop_the_tests_with_the_install_line(monkeypatch, capsys):
    ran = _calls(monkeypatch, None)
    real_cdll = ctypes.CDLL

    def loader(name, *args, **kwargs):
        if name in ("libglib-2.0.so.0", "libEGL.so.1"):
            raise OSError(f"{name}: cannot open shared object file")
        return real_cdll(name, *args, **kwargs)

    monkeypatch.setattr(ctypes, "CDLL", loader)
    monkeypatch.setattr(dev.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    assert dev.main(["test", "-q"]) == 2
    assert ran == ["ruff", "mypy"]  # pytest never started
    assert "    sudo apt-get install libglib2.0-0 libegl1\n" in capsys.readouterr().err
