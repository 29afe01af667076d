"""`python3 dev.py test` runs ruff, then mypy, then pytest; the first failure stops it."""
from __future__ import annotations

from pathlib import Path

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
