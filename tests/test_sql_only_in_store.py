"""All SQL lives in qos/store/: a test that fails when an SQL statement appears anywhere else
in the app or its tools. bench/ is excepted (the benchmarks time raw queries on purpose), and
so is tests/ (tests read the stored rows directly to check what the store wrote)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("qos", "ui", "tools", "main.py", "dev.py")
STORE = ROOT / "qos" / "store"

# Upper-case keywords, as every statement in the store is written: English prose ("select a
# unit from the list") never matches.
STATEMENT = re.compile(
    r"\b(SELECT\b[\s\S]*\bFROM\b|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b"
    r"|DELETE\s+FROM\b|(CREATE|DROP)\s+(TABLE|INDEX|TRIGGER|VIEW)\b|ALTER\s+TABLE\b"
    r"|PRAGMA\s+\w+|BEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED)\b|SAVEPOINT\s+\w+)")


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):  # an f-string: its literal parts, joined
            found.append((node.lineno, "".join(
                part.value if isinstance(part, ast.Constant) else " x "
                for part in node.values)))
    return found


def sql_outside_store() -> dict[str, list[int]]:
    paths: list[Path] = []
    for name in SCANNED:
        target = ROOT / name
        paths.extend(sorted(target.rglob("*.py")) if target.is_dir() else [target])
    offenders: dict[str, list[int]] = {}
    for path in paths:
        if STORE in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lines = sorted({line for line, text in _strings(tree) if STATEMENT.search(text)})
        if lines:
            offenders[path.relative_to(ROOT).as_posix()] = lines
    return offenders


def test_no_sql_outside_the_store():
    assert sql_outside_store() == {}, "SQL belongs in qos/store/ (file: lines)"


def test_the_detector_finds_statements_and_ignores_prose():
    code = ('a = "SELECT id FROM users WHERE x = ?"\n'
            'b = f"UPDATE {t} SET v = 1" if t else "INSERT OR IGNORE INTO t (a) VALUES (1)"\n'
            'c = ("DELETE FROM crimes "\n     "WHERE id = ?")\n'
            'd = "Select a unit from the list, then update the form and set the date."\n')
    hits = sorted({line for line, text in _strings(ast.parse(code)) if STATEMENT.search(text)})
    assert hits == [1, 2, 3]
