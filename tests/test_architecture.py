"""The shape of toolkit/: layers that point one way, no import cycles, units of a readable size.

The contracts themselves live in pyproject.toml ([tool.importlinter], [tool.persona-toolkit]);
`make lint` runs import-linter, and these tests show that the checks bite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLKIT = ROOT / "toolkit"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CORE_MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in (TOOLKIT / "core").rglob("*.py")
)


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (Tarjan 1972): the groups of nodes that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def import_graph() -> dict[str, set[str]]:
    """Module -> modules it imports, anywhere in its source (function-level imports included)."""
    graph = grimp.build_graph("toolkit", cache_dir=None)
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def test_cycle_finder_finds_a_planted_cycle():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"], ["d"]]


KNOWN_CYCLES: list[list[str]] = []  # none left; add one here only with the issue that removes it


def test_no_import_cycle_anywhere_in_toolkit():
    cycles = [group for group in strongly_connected(import_graph()) if len(group) > 1 and group not in KNOWN_CYCLES]
    assert cycles == [], f"import cycles: {cycles}"


def test_import_graph_sees_imports_inside_functions():
    graph = import_graph()
    # toolkit.create_app imports the command line inside the function body only.
    assert "toolkit.cli" in graph["toolkit"]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_without_flask_or_a_database(module):
    code = (f"import sys, {module}; "
            "bad = sorted(m for m in ('flask', 'flask_babel', 'werkzeug', 'sqlite_utils', 'docx') if m in sys.modules); "
            "print(','.join(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "", f"{module} pulls in {result.stdout.strip()}"


def test_layer_contract_fails_when_core_imports_from_web(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(TOOLKIT, copy / "toolkit", ignore=shutil.ignore_patterns("__pycache__", "translations"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    env = dict(os.environ, PYTHONPATH=str(copy))
    clean = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=copy, env=env, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    scoring = copy / "toolkit" / "core" / "scoring.py"
    scoring.write_text(scoring.read_text() + "\n\ndef _leak():\n    from toolkit.web import authz\n\n    return authz\n")
    broken = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=copy, env=env, capture_output=True, text=True)
    assert broken.returncode != 0
    assert "toolkit.core.scoring -> toolkit.web.authz" in broken.stdout
    assert "Layers point one way" in broken.stdout and "BROKEN" in broken.stdout
