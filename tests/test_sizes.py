"""Size limits (issue #15): no module under toolkit/ over 600 lines, no function over 60.

A function counts from its ``def`` line to its last line (decorators above it do not count;
nested functions count inside their outer function and on their own). The exceptions are in
pyproject.toml, ``[tool.persona-toolkit.size-exceptions]``, as ``"path:function" = "why"``
(``path:Class.method`` for a method, ``path`` alone for a module); each needs a reason, and one
that no longer matches anything too long fails as well, so the table never outlives its use.
Ruff's complexity rules (C901, PLR0912, PLR0915) run beside this in ``make lint``.
"""

from __future__ import annotations

import ast
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60


def _functions(tree: ast.AST, prefix: str = ""):
    """Yield (qualified name, line count) for every function and method below `tree`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = prefix + node.name
            yield name, node.end_lineno - node.lineno + 1
            yield from _functions(node, name + ".")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, prefix + node.name + ".")
        else:
            yield from _functions(node, prefix)


def oversized(root: Path, package: str = "toolkit") -> dict[str, int]:
    """Every module and function under `root`/`package` over its limit: key -> its lines.

    Keys are "path" for a module and "path:qualified.name" for a function, the path relative to
    `root` with forward slashes.
    """
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        relative = path.relative_to(root).as_posix()
        lines = len(source.splitlines())
        if lines > MAX_MODULE_LINES:
            found[relative] = lines
        for name, length in _functions(ast.parse(source, filename=str(path))):
            if length > MAX_FUNCTION_LINES:
                found[f"{relative}:{name}"] = length
    return found


def problems(found: dict[str, int], exceptions: dict[str, str]) -> list[str]:
    """What breaks the rule: offenders without an exception, exceptions without a reason, and
    exceptions for something that is no longer too long. Empty when all is well."""
    result = []
    for key, lines in sorted(found.items()):
        limit = MAX_FUNCTION_LINES if ":" in key else MAX_MODULE_LINES
        if key not in exceptions:
            result.append(f"{key} has {lines} lines (limit {limit}): split it, or add it with its "
                          "reason to [tool.persona-toolkit.size-exceptions] in pyproject.toml")
    for key, why in sorted(exceptions.items()):
        if not isinstance(why, str) or not why.strip():
            result.append(f"size exception {key} gives no reason: say why it may stay this long")
        if key not in found:
            result.append(f"size exception {key} matches nothing too long any more: remove it")
    return result


def configured_exceptions(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, str]:
    """The `[tool.persona-toolkit.size-exceptions]` table of `pyproject` ({} when absent)."""
    with pyproject.open("rb") as fh:
        config = tomllib.load(fh)
    return config.get("tool", {}).get("persona-toolkit", {}).get("size-exceptions", {})


def test_no_module_or_function_of_the_toolkit_is_over_its_limit_without_a_reason():
    assert problems(oversized(ROOT), configured_exceptions()) == []


def _plant(tmp_path: Path, body_lines: int, decorated: bool = False) -> Path:
    """A toolkit/planted.py whose function `planted` is `body_lines` + 1 lines long."""
    module = tmp_path / "toolkit" / "planted.py"
    module.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"    x{i} = {i}\n" for i in range(body_lines - 1)) + "    return None\n"
    decorator = "@staticmethod\n" if decorated else ""
    module.write_text(f'"""Planted."""\n\n\n{decorator}def planted():\n{body}', encoding="utf-8")
    return module


def test_a_planted_61_line_function_is_found(tmp_path):
    _plant(tmp_path, body_lines=60)
    found = oversized(tmp_path)
    assert found == {"toolkit/planted.py:planted": 61}
    assert problems(found, {}) == [
        "toolkit/planted.py:planted has 61 lines (limit 60): split it, or add it with its reason "
        "to [tool.persona-toolkit.size-exceptions] in pyproject.toml"
    ]


def test_a_60_line_function_passes_and_its_decorator_does_not_count(tmp_path):
    _plant(tmp_path, body_lines=59, decorated=True)
    assert oversized(tmp_path) == {}


def test_methods_and_nested_functions_are_named_by_their_path(tmp_path):
    long_body = textwrap.indent("".join(f"y{i} = {i}\n" for i in range(61)), " " * 12)
    module = tmp_path / "toolkit" / "nested.py"
    module.parent.mkdir(parents=True)
    module.write_text(f"class Brief:\n    def write(self):\n        def inner():\n{long_body}", encoding="utf-8")
    assert oversized(tmp_path) == {"toolkit/nested.py:Brief.write": 63, "toolkit/nested.py:Brief.write.inner": 62}


def test_a_module_over_600_lines_is_found(tmp_path):
    module = tmp_path / "toolkit" / "long.py"
    module.parent.mkdir(parents=True)
    module.write_text("x = 1\n" * 601, encoding="utf-8")
    assert oversized(tmp_path) == {"toolkit/long.py": 601}


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_exception_without_a_reason_fails(tmp_path, reason):
    _plant(tmp_path, body_lines=60)
    assert problems(oversized(tmp_path), {"toolkit/planted.py:planted": reason}) == [
        "size exception toolkit/planted.py:planted gives no reason: say why it may stay this long"
    ]


def test_an_exception_with_a_reason_lets_the_function_stay(tmp_path):
    _plant(tmp_path, body_lines=60)
    assert problems(oversized(tmp_path), {"toolkit/planted.py:planted": "history: never edited"}) == []


def test_an_exception_that_matches_nothing_too_long_fails(tmp_path):
    _plant(tmp_path, body_lines=10)
    assert problems(oversized(tmp_path), {"toolkit/planted.py:planted": "was long once"}) == [
        "size exception toolkit/planted.py:planted matches nothing too long any more: remove it"
    ]


def test_exceptions_are_read_from_pyproject(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.persona-toolkit.size-exceptions]\n"toolkit/a.py:f" = "why"\n', encoding="utf-8")
    assert configured_exceptions(pyproject) == {"toolkit/a.py:f": "why"}
    assert configured_exceptions(ROOT / "pyproject.toml")["toolkit/data/migrations.py:m001_initial"]
