"""The layering rules, checked on the source: `qos/` never imports Qt or `ui/`, and no module
imports another that (directly or through others) imports it back. Imports inside functions
count too: a deferred import hides a loop from Python, not from the reader."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("qos", "ui")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {"main": ROOT / "main.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[_module_name(path)] = path
    return found


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The project modules `path` imports anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    # `from qos.store import duties` imports qos.store.duties; keep only project modules.
    return {t for t in targets if t in known} - {name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, name, set(modules)) for name, path in modules.items()}


def _loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return loops


def _is_package_init(graph: dict[str, set[str]], a: str, b: str) -> bool:
    # A package's __init__ naming its own submodule is not a loop a reader trips over.
    return a.startswith(b + ".") or b.startswith(a + ".")


def test_no_import_loops():
    graph = _graph()
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not _is_package_init(graph, name, t)}
    assert _loops(graph) == []


def test_the_loop_finder_finds_a_loop():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _loops(graph) == [["a", "b", "c"]]


def test_qos_never_imports_qt_or_ui():
    modules = _modules()
    offenders = {}
    for name, path in modules.items():
        if not name.startswith("qos"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for imported in names:
                if imported.split(".")[0] in ("PySide6", "ui", "shiboken6"):
                    offenders[name] = imported
    assert offenders == {}


def test_qos_package_never_imports_qt():
    code = ("import pkgutil, importlib, sys, qos\n"
            "for m in pkgutil.walk_packages(qos.__path__, 'qos.'):\n"
            "    importlib.import_module(m.name)\n"
            "print('PySide6' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


# Modules whose whole job is one backend's, so its own SQL is at home there.
SINGLE_BACKEND = {
    "qos/store/dialect.py": "the one place for the differences",
    "qos/store/pgconn.py": "the PostgreSQL driver adapter",
    "qos/store/server_setup.py": "creates the roles on a PostgreSQL server",
    "qos/store/server_check.py": "asks a PostgreSQL server what it holds",
    "qos/store/copying.py": "reads a SQLite file into a PostgreSQL server",
    "qos/store/backups.py": "SQLite's backup API (a server is backed up with pg_dump)",
}
BACKEND_SQL_PATTERNS = (
    r"\bpg_(advisory|get_|catalog|class|namespace|stat|terminate)", r"plpgsql",
    r"ISOLATION LEVEL", r"\bPRAGMA\b", r"sqlite_master", r"information_schema", r"::jsonb",
    r"jsonb_", r"\bjson_extract\(", r"\bINSERT OR (IGNORE|REPLACE)\b", r"to_regclass",
    r"(?<![.\w])json_each\(", r"\b_is_postgres\(",
)
BACKEND_SQL = re.compile("|".join(BACKEND_SQL_PATTERNS), re.IGNORECASE)


def _backend_sql_outside_dialect(files: dict[str, str]) -> list[str]:
    return [f"{name}:{number}: {line.strip()}"
            for name, text in files.items() if name not in SINGLE_BACKEND
            for number, line in enumerate(text.splitlines(), 1) if BACKEND_SQL.search(line)]


def test_sql_only_one_backend_speaks_is_in_the_dialect_module():
    files = {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
             for path in sorted((ROOT / "qos").rglob("*.py"))}
    assert _backend_sql_outside_dialect(files) == []


def test_the_dialect_check_finds_backend_sql_elsewhere():
    planted = {"qos/store/crimes.py": 'conn.execute("SELECT pg_advisory_xact_lock(1)")\n',
               "qos/store/units.py": 'x = "INSERT OR IGNORE INTO t VALUES (1)"\n',
               "qos/store/dialect.py": 'y = "PRAGMA foreign_keys = ON"\n'}
    assert _backend_sql_outside_dialect(planted) == [
        'qos/store/crimes.py:1: conn.execute("SELECT pg_advisory_xact_lock(1)")',
        'qos/store/units.py:1: x = "INSERT OR IGNORE INTO t VALUES (1)"']
